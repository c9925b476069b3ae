"""Hostile codebook files: each is refused at once, with the line and the problem in plain words."""

from __future__ import annotations

import os
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest

from coderai_desktop.domain.codebook_rules import CodebookError
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.projects.codebook_file import MAX_FILE_BYTES, parse_codebook, read_codebook_file
from coderai_desktop.projects.codebook_yaml import MAX_ALIAS_ITEMS, MAX_DEPTH


def refused(text: str, kind: str = "yaml") -> str:
    """The message a codebook text is refused with; it must come at once, whatever the text."""
    started = time.perf_counter()
    with pytest.raises(InvalidInputError) as caught:
        parse_codebook(text, kind, source=f"c.{kind}")
    assert time.perf_counter() - started < 1.0
    return str(caught.value)


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    names = [f"l{level}" for level in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [
        f"{name}: &{name} [" + ", ".join([f"*{below}"] * width) + "]" for below, name in pairwise(names)
    ]
    return "\n".join([*lines, "variables: []"]) + "\n"


def test_aliases_that_expand_to_billions_of_items_are_refused_at_once() -> None:
    message = refused(billion_laughs())
    assert message.startswith("c.yaml, line 5, column ")
    assert f"YAML aliases (*l3) and anchors that expand to more than {MAX_ALIAS_ITEMS} items" in message


def test_a_shared_category_list_and_merge_keys_keep_working() -> None:
    categories = "".join(f"      - {{value: c{n}, definition: Category {n}.}}\n" for n in range(10))
    text = "variables:\n  - &base\n    name: v0\n    type: category\n    instructions: x\n"
    text += "    categories: &scale\n" + categories
    # 150 references to 31 items: 4,650 items, well within the limit.
    text += "".join(
        f"  - {{name: v{n}, type: category, instructions: x, categories: *scale}}\n" for n in range(1, 151)
    )
    # A key after `<<:` overrides the merged one; it is not given twice.
    text += "  - <<: *base\n    name: merged\n    confidence_threshold: 0.9\n"
    codebook = parse_codebook(text, "yaml")
    assert len(codebook.variables) == 152
    assert [len(variable.categories) for variable in codebook.variables] == [10] * 152
    assert (codebook.variables[-1].name, codebook.variables[-1].confidence_threshold) == ("merged", 0.9)


@pytest.mark.parametrize("text", ["a: &a [1, *a]\nvariables: []\n", "a: &a {b: {c: *a}}\nvariables: []\n"])
def test_an_alias_inside_what_it_stands_for_is_refused(text: str) -> None:
    assert "the alias *a is inside the item it stands for, so it never ends" in refused(text)


def test_aliases_that_nest_too_deep_once_expanded_are_refused() -> None:
    nested = "[" * 30 + "]" * 30
    text = f"a: &a {nested}\nb: &b [[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]\nvariables: []\n"
    assert refused(text).startswith(
        f"c.yaml, line 2, column 29: the file nests deeper than {MAX_DEPTH} levels"
    )


@pytest.mark.parametrize(
    ("text", "kind", "where"),
    [
        ("variables: " + "[" * 10_000 + "]" * 10_000 + "\n", "yaml", "line 1, column 61"),
        ("variables: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n", "yaml", "line 1, column 205"),
        ("".join("  " * depth + "a:\n" for depth in range(3_000)), "yaml", "line 50, column 99"),
        ('{"variables":\n' + "[" * 10_000 + "]" * 10_000 + "}", "json", "line 2, column 50"),
        # Brackets inside strings do not count.
        ('{"v": "[[{{", "a": ' + '{"a": ' * 10_000 + "1" + "}" * 10_001, "json", "line 1, column 314"),
        # A key longer than YAML's 1,024 characters: only the JSON parser reads this one.
        ('{"' + "k" * 2_000 + '": ' + "[" * 10_000 + "]" * 10_000 + "}", "json", "line 1, column 2055"),
    ],
    ids=["yaml-lists", "yaml-mappings", "yaml-block", "json-lists", "json-mappings", "json-long-key"],
)
def test_nesting_thousands_deep_is_refused_with_its_place(text: str, kind: str, where: str) -> None:
    assert refused(text, kind) == (
        f"c.{kind}, {where}: the file nests deeper than {MAX_DEPTH} levels here; a codebook needs far fewer."
    )


@pytest.mark.parametrize("kind", ["yaml", "json"])
@pytest.mark.parametrize(
    ("character", "named"),
    [
        ("\0", "a NUL character (0x00)"),
        ("\x07", "the control character U+0007"),
        ("\x9b", "the control character U+009B"),
    ],
)
def test_characters_yaml_forbids_are_named_with_line_and_column(
    kind: str, character: str, named: str
) -> None:
    text = f'{{"variables": [\n  {{"name": "a{character}b"}}]}}'
    assert refused(text, kind) == (
        f"c.{kind}, line 2, column 14: the file contains {named}, which YAML and JSON do not allow; "
        "delete it (it often comes from copying out of a PDF or a word processor)."
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('variables:\n  - name: a\n    type: text\n    instructions: "half \\ud800 a character"\n', "yaml"),
        (
            '{"variables": [\n  {"name": "a", "type": "text", "instructions": "x",\n   "default_value": "\\ud800"}]}',
            "json",
        ),
    ],
)
def test_an_escape_for_half_a_character_is_refused_with_its_field(text: str, kind: str) -> None:
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, kind)
    field = "instructions" if kind == "yaml" else "default_value"  # a text field, and one of any type
    assert str(caught.value).endswith(
        f"variables[0].{field}: contains an escape for half of a character (\\ud800 to \\udfff); remove it"
    )
    assert caught.value.lines == [4 if kind == "yaml" else 3]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1" * 5_000, "line 4, column 20: '111111111111111111111111111111' cannot be read as int."),
        ("!!int 0b", "line 4, column 20: '0b' cannot be read as int."),
        ("!!timestamp 2020-13-45", "line 4, column 20: '2020-13-45' cannot be read as timestamp."),
    ],
)
def test_values_python_cannot_hold_are_refused_with_their_place(value: str, message: str) -> None:
    text = f"variables:\n  - name: a\n    type: number\n    default_value: {value}\n"
    assert refused(text) == f"c.yaml, {message}"


def test_a_json_number_with_thousands_of_digits_is_refused() -> None:
    text = '{"variables": [{"name": "a", "default_value": ' + "1" * 5_000 + "}]}"
    assert refused(text, "json") == "c.json: a number in the file has too many digits to read."


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1" + "0" * 400])
def test_numbers_that_are_not_finite_are_not_number_values(value: str) -> None:
    text = (
        f"variables:\n  - name: a\n    type: number\n    instructions: x\n    default_value: {value}\n"
        f"    validation_rules: {{min: {value}}}\n"
    )
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "yaml")
    assert [problem.field for problem in caught.value.problems] == [
        "variables[0].validation_rules.min",
        "variables[0].default_value",
    ]


def test_a_list_as_a_mapping_key_is_a_plain_error() -> None:
    assert refused("variables:\n  ? [a, b]\n  : c\n").startswith("c.yaml, line 2, column 5:")


def write_bytes(tmp_path: Path, data: bytes, name: str = "codebook.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_refused(path: Path) -> str:
    started = time.perf_counter()
    with pytest.raises(InvalidInputError) as caught:
        read_codebook_file(path)
    assert time.perf_counter() - started < 1.0
    return str(caught.value)


def test_a_huge_file_is_refused_by_its_size_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    with path.open("wb") as stream:
        stream.truncate(200 * 2**20)  # sparse: 200 MB that take no disk
    assert MAX_FILE_BYTES < 200 * 2**20
    assert read_refused(path) == (
        "codebook.yaml is larger than 2 MB; a codebook file is a few kilobytes. "
        "Check that this is the codebook you meant."
    )


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_pipe_or_device_is_refused_rather_than_read_forever(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "codebook.yaml"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: opening it to read would wait for ever
    else:
        path.symlink_to("/dev/zero")  # never ends
    assert read_refused(path) == (
        f"{path} is a device, pipe or socket, not a file: choose a .yaml or .json codebook file."
    )


def test_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "codebook.yaml").mkdir()
    assert "is a folder, not a file" in read_refused(tmp_path / "codebook.yaml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "variables: []\n".encode("utf-16"),
            "codebook.yaml is saved as UTF-16 or UTF-32; save it as UTF-8 and try again.",
        ),
        (
            "variables:\n  - name: début\n".encode("latin-1"),
            "codebook.yaml, line 2: byte 0xE9 is not UTF-8 text; save the file as UTF-8 and try again.",
        ),
        (
            "variables: []\n".encode("utf-16-le"),  # no byte order mark: every other byte is NUL
            "codebook.yaml, line 1, column 2: the file contains a NUL character (0x00)",
        ),
    ],
    ids=["utf-16", "latin-1", "utf-16-without-bom"],
)
def test_text_that_is_not_utf8_is_named(tmp_path: Path, data: bytes, message: str) -> None:
    assert read_refused(write_bytes(tmp_path, data)).startswith(message)
