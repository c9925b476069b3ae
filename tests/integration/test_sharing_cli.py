"""`coderai project share|unshare|shares`, shared projects in `project list`, and OWNER/PROJECT naming a
shared project in every command, with the access it was shared with (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.conftest import BACKENDS, Cli
from tests.integration.test_cli_projects import PROJECT_COMMANDS, with_reference
from tests.unit.codebook_data import DEMO_CODEBOOK

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

VIEWER_REFUSAL = (
    "error: ana shared this project with you as a viewer: you can read it and export it, not change it. "
    "Ask ana to make you an editor.\n"
)
ONE_VARIABLE = """\
variables:
  - name: plan_title
    type: text
    instructions: The official title of the plan.
"""


@pytest.fixture(autouse=True)
def on_the_backend(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODERAI_DB_URL", database_url)


@pytest.fixture
def members(cli: Cli) -> None:
    """ana (with her project Clean air), ben and cleo."""
    for login in ("ana", "ben", "cleo"):
        assert cli("account", "create", login).code == 0
    assert cli("project", "create", "Clean air", "--codebook", DEMO_CODEBOOK, "--user", "ana").code == 0


def columns(line: str) -> list[str]:
    """The cells of a printed table's line (two spaces or more between cells)."""
    return re.split(r"\s{2,}", line.strip())


def as_ben(cli: Cli, *args: str | Path) -> tuple[int, str, str]:
    result = cli(*args, "--user", "ben")
    return result.code, result.out, result.err


@pytest.mark.usefixtures("members")
def test_share_list_open_reshare_and_unshare(cli: Cli, tmp_path: Path) -> None:
    shared = cli("project", "share", "Clean air", "Ben", "--as", "viewer", "--user", "ana")
    assert (shared.code, shared.out) == (0, "Shared Clean air with ben as viewer.\n")
    header, row = cli("project", "shares", "clean air", "--user", "ana").out.splitlines()
    assert columns(header) == ["MEMBER", "ACCESS", "SINCE", "GRANTED BY"]
    member, access, _since, granted_by = columns(row)
    assert (member, access, granted_by) == ("ben", "viewer", "ana")

    code, out, _ = as_ben(cli, "project", "list")
    assert code == 0
    title, header, row = out.splitlines()
    assert title == "Shared with you (name them OWNER/PROJECT):"
    assert (columns(header), columns(row)) == (
        ["ID", "NAME", "OWNER", "ACCESS"],
        ["1", "Clean air", "ana", "viewer"],
    )
    assert as_ben(cli, "project", "show", "ana/Clean air")[1].startswith("Project 1: Clean air\n")
    assert "plan_title" in as_ben(cli, "codebook", "dump", "ANA/clean air", "-")[1]
    exported = as_ben(cli, "export", "ana/Clean air", "--format", "csv", "--out", tmp_path / "ben.csv")
    assert exported[0] == 0 and (tmp_path / "ben.csv").is_file()

    smaller = tmp_path / "one.yaml"
    smaller.write_text(ONE_VARIABLE, encoding="utf-8")
    assert as_ben(cli, "codebook", "load", "ana/Clean air", smaller) == (1, "", VIEWER_REFUSAL)
    assert as_ben(cli, "project", "delete", "ana/Clean air", "--yes") == (1, "", VIEWER_REFUSAL)

    assert cli("project", "share", "Clean air", "ben", "--as", "editor", "--user", "ana").out == (
        "Shared Clean air with ben as editor.\n"
    )
    assert as_ben(cli, "codebook", "load", "ana/Clean air", smaller)[:2] == (
        0,
        "Loaded 1 variables into project 1: Clean air.\n",
    )
    versions = as_ben(cli, "codebook", "versions", "ana/Clean air")[1].splitlines()
    assert [columns(line)[2] for line in versions[1:]] == ["ben", "ana"]  # VERSION, SAVED, BY: newest first
    assert as_ben(cli, "project", "delete", "ana/Clean air", "--yes") == (
        1,
        "",
        "error: Only ana, who owns this project, can delete Clean air. Ask ana to do it.\n",
    )
    assert as_ben(cli, "project", "share", "ana/Clean air", "cleo", "--as", "viewer") == (
        1,
        "",
        "error: Only ana, who owns this project, can share it. Ask ana to do it.\n",
    )

    assert cli("project", "unshare", "Clean air", "ben", "--user", "ana").out == (
        "Clean air is no longer shared with ben.\n"
    )
    assert cli("project", "shares", "Clean air", "--user", "ana").out.startswith(
        "Clean air is shared with nobody."
    )
    assert as_ben(cli, "project", "show", "ana/Clean air") == (
        1,
        "",
        "error: ana has shared no project named 'Clean air' with you.\n",
    )
    assert (
        as_ben(cli, "project", "list")[1] == "No projects yet. Create one with: coderai project create NAME\n"
    )


@pytest.mark.usefixtures("members")
def test_every_command_opens_the_shared_project_it_is_given(cli: Cli) -> None:
    """Each command's PROJECT goes through log_in, which looks OWNER/PROJECT up among the projects shared
    with the person: a project that is not shared is refused by that lookup, whatever the command."""
    cli("project", "share", "Clean air", "ben", "--as", "viewer", "--user", "ana")
    for command in PROJECT_COMMANDS:
        refused = as_ben(cli, *with_reference(command, "ana/Nowhere"))
        assert refused == (1, "", "error: ana has shared no project named 'Nowhere' with you.\n"), command


@pytest.mark.usefixtures("members")
def test_a_slash_in_ones_own_project_name_still_names_it(cli: Cli) -> None:
    assert as_ben(cli, "project", "create", "2023/24 survey")[0] == 0
    assert as_ben(cli, "project", "show", "2023/24 survey")[1].startswith("Project 2: 2023/24 survey\n")
    assert as_ben(cli, "project", "create", "ana/Clean air")[0] == 0  # ben's own, named like ana's
    cli("project", "share", "Clean air", "ben", "--as", "viewer", "--user", "ana")
    assert as_ben(cli, "project", "show", "ana/Clean air") == (
        1,
        "",
        "error: 'ana/Clean air' is the name of your project #3 and of ana's project #1. "
        "Write '#3' or 'ana/#1' to say which.\n",
    )
    assert as_ben(cli, "project", "show", "ana/#1")[1].startswith("Project 1: Clean air\n")
    assert as_ben(cli, "project", "show", "#3")[1].startswith("Project 3: ana/Clean air\n")
