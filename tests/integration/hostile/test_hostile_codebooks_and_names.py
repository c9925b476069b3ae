"""Hostile codebook files, project names and project references, end to end through `coderai` on a real
SQLite file: each ends in one plain error (never a traceback or "unexpected ..."), at once, and changes
nothing."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.conftest import Cli
from tests.unit.codebook_data import DEMO_CODEBOOK

TITLE = "variables:\n  - name: title\n    type: text\n    instructions: The title.\n"


def billion_laughs() -> bytes:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, 9)]
    return ("\n".join(lines) + "\n" + TITLE).encode()


def sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("wb") as stream:
            stream.truncate(size)

    return make


# name: (file name, bytes or a function that makes the file, what the error says)
HOSTILE_FILES: dict[str, tuple[str, bytes | Callable[[Path], None], str]] = {
    "billion-laughs": ("c.yaml", billion_laughs(), "line 5, column 15: the file uses YAML aliases (*l3)"),
    "recursive-alias": ("c.yaml", b"a: &a [*a]\n" + TITLE.encode(), "the alias *a is inside the item"),
    "nul": ("c.yaml", TITLE.replace("The", "The\0").encode(), "line 4, column 22: the file contains a NUL"),
    "nul-json": (
        "c.json",
        b'{"variables": [{"name": "a\x00"}]}',
        "line 1, column 27: the file contains a NUL",
    ),
    "deep-yaml": ("c.yaml", b"variables: " + b"[" * 10_000 + b"]" * 10_000, "nests deeper than 50 levels"),
    "deep-yaml-mapping": (
        "c.yaml",
        b"variables: " + b"{a: " * 10_000 + b"}" * 10_000,
        "nests deeper than 50",
    ),
    "deep-json": ("c.json", b'{"variables": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "nests deeper than 50"),
    "utf-16": ("c.yaml", TITLE.encode("utf-16"), "is saved as UTF-16 or UTF-32; save it as UTF-8"),
    "utf-16-json": ("c.json", b'{"variables": []}'.decode().encode("utf-16"), "is saved as UTF-16"),
    "latin-1": ("c.json", '{"variables": [{"name": "début"}]}'.encode("latin-1"), "byte 0xE9 is not UTF-8"),
    "huge-int-yaml": (
        "c.yaml",
        TITLE.encode() + b"    default_value: " + b"9" * 5000,
        "cannot be read as int",
    ),
    "huge-int-json": ("c.json", b'{"variables": [], "x": ' + b"9" * 5000 + b"}", "has too many digits"),
    "half-character": (
        "c.json",
        b'{"variables": [{"name": "a", "type": "text", "instructions": "x", "default_value": "\\udc00"}]}',
        "variables[0].default_value: contains an escape for half of a character",
    ),
    "infinity": (
        "c.yaml",
        TITLE.replace("text", "number").encode() + b"    default_value: .inf\n",
        "not a number",
    ),
    "python-object": (
        "c.yaml",
        b"variables: !!python/object/apply:os.system [echo hi]\n",
        "could not determine",
    ),
    "list-as-key": ("c.yaml", b"variables:\n  ? [a, b]\n  : c\n", "found unhashable key"),
    "200-mb": ("c.yaml", sparse(200 * 2**20), "is larger than 2 MB"),
    "folder": ("c.yaml", lambda path: path.mkdir(), "is a folder, not a file"),
}
if sys.platform != "win32":
    HOSTILE_FILES["fifo"] = (
        "c.yaml",
        lambda path: os.mkfifo(path),
        "is a device, pipe or socket, not a file",
    )
    HOSTILE_FILES["dev-zero"] = ("c.yaml", lambda path: path.symlink_to("/dev/zero"), "is a device, pipe")


@pytest.fixture
def plans(cli: Cli, ana: str) -> str:
    assert cli("project", "create", "Plans", "--user", ana, "--codebook", DEMO_CODEBOOK).code == 0
    return "Plans"


def make(tmp_path: Path, case: str) -> Path:
    name, content, _expected = HOSTILE_FILES[case]
    path = tmp_path / "hostile" / name
    path.parent.mkdir(exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        content(path)
    return path


def assert_plain_error(result_err: str, expected: str) -> None:
    assert result_err.startswith("error: ") and expected in result_err, result_err
    assert "unexpected" not in result_err and "Traceback" not in result_err


@pytest.mark.parametrize("case", HOSTILE_FILES)
def test_a_hostile_codebook_file_is_refused_at_once_and_changes_nothing(
    cli: Cli, ana: str, plans: str, tmp_path: Path, case: str
) -> None:
    before = cli("codebook", "dump", plans, "-", "--user", ana).out
    path = make(tmp_path, case)

    started = time.perf_counter()
    result = cli("codebook", "load", plans, path, "--user", ana)

    assert time.perf_counter() - started < 5  # the billion laughs took 4 minutes
    assert result.code == 1
    assert_plain_error(result.err, HOSTILE_FILES[case][2])
    assert cli("codebook", "dump", plans, "-", "--user", ana).out == before


@pytest.mark.parametrize("case", ["billion-laughs", "nul", "deep-json", "half-character"])
def test_a_hostile_codebook_creates_no_project(cli: Cli, ana: str, tmp_path: Path, case: str) -> None:
    result = cli("project", "create", "Plans", "--codebook", make(tmp_path, case), "--user", ana)
    assert result.code == 1
    assert_plain_error(result.err, HOSTILE_FILES[case][2])
    assert "No projects yet" in cli("project", "list", "--user", ana).out


def test_anchors_and_merge_keys_used_as_intended_are_loaded(
    cli: Cli, ana: str, plans: str, tmp_path: Path
) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text(
        "variables:\n"
        "  - &agreement\n"
        "    name: agrees\n    type: category\n    instructions: Does the author agree?\n"
        "    categories: &scale [{value: 'yes'}, {value: 'no'}, {value: unclear}]\n"
        "  - <<: *agreement\n    name: agrees_later\n    instructions: Later in the text?\n"
        "  - {name: tone, type: category, instructions: The tone., categories: *scale}\n",
        encoding="utf-8",
    )
    assert cli("codebook", "load", plans, path, "--user", ana, "--remove-variables-with-results").code == 0
    dumped = cli("codebook", "dump", plans, "-", "--user", ana).out
    assert dumped.count("value: unclear") == 3 and "name: agrees_later" in dumped


@pytest.mark.parametrize(
    "name",
    [
        "Plans\nID  NAME  STATUS",
        "Plans\r\n2  Other",
        "tab\there",
        "nul\0here",
        "bell\x07",
        "esc\x1b[31mred",
        "line\u2028separator",
        "rlo\u202eexe.txt",
        "\u2066isolate",
        "\u200b",
        "\u200b\u200c\u200d\ufeff",
        "zero\u200b",
        "#7",
        "surrogate\udcff",
    ],
)
def test_a_hostile_project_name_is_refused_from_the_command_and_from_a_codebook(
    cli: Cli, ana: str, tmp_path: Path, name: str
) -> None:
    created = cli("project", "create", name, "--user", ana)
    assert created.code == 1
    assert_plain_error(created.err, "name: ")
    codebook = tmp_path / "named.json"
    escaped = name.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
    codebook.write_text(
        '{"project": {"name": ' + json_string(escaped) + '}, "variables": []}', encoding="utf-8"
    )
    from_file = cli("project", "create", "Plans", "--codebook", codebook, "--user", ana)
    assert from_file.code == 1
    assert_plain_error(from_file.err, "project.name: ")
    assert "No projects yet" in cli("project", "list", "--user", ana).out


def json_string(text: str) -> str:
    """`text` as a JSON string with every character escaped, as a hostile file could write it."""
    return '"' + "".join(f"\\u{ord(character):04x}" for character in text) + '"'


@pytest.mark.parametrize(
    "ref",
    [
        "²",
        "٢",
        "#",
        "#-1",
        "#1.0",
        "#" + "9" * 30,
        "9" * 5000,
        "",
        "   ",
        "nul\0",
        "\udcff",
        "Pla\nns",
        "Plans\u202e",
        "#\u0661",
    ],
)
def test_a_hostile_project_reference_is_simply_not_found(cli: Cli, ana: str, plans: str, ref: str) -> None:
    result = cli("project", "show", ref, "--user", ana)
    assert result.code == 1
    assert_plain_error(result.err, "There is no project ")


def test_names_in_any_script_keep_the_table_one_line_per_project(cli: Cli, ana: str) -> None:
    names = [
        "Études",
        "气候政策",
        "Политика",
        "سياسة",
        "Plans 🌍",
        "Family 👨\u200d👩\u200d👧",
        "می\u200cخواهم",
    ]
    for name in names:
        assert cli("project", "create", name, "--user", ana).code == 0, name
    rows = cli("project", "list", "--user", ana).out.splitlines()[1:]
    assert sorted(row.split("  ")[1].strip() for row in rows) == sorted(names)
