"""`coderai account create` and `coderai project create|list|show|delete`, run in this process."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from coderai_desktop.cli import build_parser
from coderai_desktop.commands.projects import PROJECT_HELP
from tests.integration.conftest import Cli
from tests.unit.codebook_data import DEMO_CODEBOOK


def test_an_account_name_is_taken_once(cli: Cli, ana: str) -> None:
    result = cli("account", "create", "ANA")
    assert result.code == 1
    assert result.err.strip() == "error: The login name 'ana' is taken. Choose another one, or log in."


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [("a b", "correct horse battery", "2 to 64 characters"), ("ben", "short", "at least 8 characters")],
)
def test_a_bad_account_is_refused_with_the_reason(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, name: str, password: str, message: str
) -> None:
    monkeypatch.setenv("CODERAI_PASSWORD", password)
    result = cli("account", "create", name)
    assert result.code == 1 and message in result.err
    assert "Traceback" not in result.err


def test_a_project_is_created_listed_shown_and_deleted(cli: Cli, ana: str) -> None:
    created = cli(
        "project",
        "create",
        "Plans",
        "--user",
        ana,
        "--codebook",
        DEMO_CODEBOOK,
        "--description",
        "City plans",
        "--language",
        "Norwegian",
    )
    assert (created.code, created.out.strip()) == (0, "Created project 1: Plans (7 variables).")

    listed = cli("project", "list", "--user", ana)
    header, row = listed.out.splitlines()
    assert header.split() == ["ID", "NAME", "STATUS", "VARIABLES", "DOCUMENTS", "UPDATED"]
    assert row.split()[:5] == ["1", "Plans", "SCHEMA_DEFINED", "7", "0"]

    shown = cli("project", "show", "plans", "--user", ana)
    assert shown.code == 0
    assert shown.out.startswith("Project 1: Plans\n")
    assert "Description: City plans" in shown.out and "Language:    Norwegian" in shown.out
    assert "Domain:      Public policy" in shown.out  # from the codebook file's project section
    assert "Variables (7):" in shown.out
    assert "sectors" in shown.out and "category" in shown.out

    deleted = cli("project", "delete", "1", "--user", ana, "--yes")
    assert (deleted.code, deleted.out.strip()) == (0, "Deleted project 1: Plans.")
    assert cli("project", "list", "--user", ana).out.strip() == (
        "No projects yet. Create one with: coderai project create NAME"
    )


def test_deleting_without_a_terminal_needs_yes(cli: Cli, ana: str) -> None:
    cli("project", "create", "Plans", "--user", ana)
    refused = cli("project", "delete", "Plans", "--user", ana)
    assert refused.code == 1
    assert "--yes" in refused.err
    assert "Plans" in cli("project", "list", "--user", ana).out


def test_an_entity_project_needs_a_pattern(cli: Cli, ana: str) -> None:
    refused = cli("project", "create", "Treaties", "--unit", "entity", "--user", ana)
    assert refused.code == 1 and "entity_identification_pattern" in refused.err
    created = cli(
        "project",
        "create",
        "Treaties",
        "--unit",
        "entity",
        "--user",
        ana,
        "--entity-pattern",
        "Each state party",
    )
    assert created.code == 0
    assert "Unit:        entity (Each state party)" in cli("project", "show", "Treaties", "--user", ana).out


@pytest.mark.parametrize("command", [("show",), ("delete", "--yes")])
def test_an_unknown_project_is_an_error(cli: Cli, ana: str, command: tuple[str, ...]) -> None:
    result = cli("project", command[0], "Nowhere", *command[1:], "--user", ana)
    assert result.code == 1
    assert result.err.strip() == "error: There is no project named 'Nowhere' in your workspace."


def test_a_duplicate_project_name_is_an_error(cli: Cli, ana: str) -> None:
    cli("project", "create", "Plans", "--user", ana)
    result = cli("project", "create", "PLANS", "--user", ana)
    assert result.code == 1 and "already exists" in result.err


# Every command that takes a project, with PROJECT where the reference goes.
PROJECT_COMMANDS = [
    ("project", "show", "PROJECT"),
    ("project", "delete", "PROJECT", "--yes"),
    ("project", "share", "PROJECT", "ana", "--as", "viewer"),
    ("project", "unshare", "PROJECT", "ana"),
    ("project", "shares", "PROJECT"),
    ("codebook", "load", "PROJECT", str(DEMO_CODEBOOK)),
    ("codebook", "dump", "PROJECT", "-"),
    ("codebook", "versions", "PROJECT"),
    ("import", "PROJECT", str(DEMO_CODEBOOK)),
    ("documents", "PROJECT"),
    ("documents", "duplicates", "PROJECT"),
    ("run", "PROJECT", "--sample", "1"),
    ("run", "PROJECT", "--full", "--batch"),
    ("estimate", "PROJECT"),
    ("jobs", "PROJECT"),
    ("prompt", "show", "PROJECT"),
    ("results", "PROJECT"),
    ("export", "PROJECT", "--format", "csv", "--out", "out.csv"),
    ("code", "PROJECT", "--blind", "--out", "blind.csv"),
    ("agreement", "PROJECT"),
    ("suggest", "PROJECT"),
    ("refine", "PROJECT", "budget", "--yes"),
    # `review` reads its words itself: `review PROJECT --export FILE`, `review queue PROJECT`...
    ("review", "PROJECT", "--export", "corrections.csv"),
    ("review", "queue", "PROJECT"),
]
WORDS_READ_BY_THE_COMMAND = {"review", "documents"}


def with_reference(command: tuple[str, ...], ref: str) -> list[str]:
    return [ref if part == "PROJECT" else part for part in command]


def test_every_project_argument_is_listed_here_and_explains_the_rule() -> None:
    found = dict(project_arguments(build_parser()))
    assert set(found) == {
        command[: command.index("PROJECT")]
        for command in PROJECT_COMMANDS
        if command[0] not in WORDS_READ_BY_THE_COMMAND
    }
    assert set(found.values()) == {PROJECT_HELP}
    assert "'#ID'" in PROJECT_HELP


def project_arguments(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], str | None]]:
    """(command, help) of every positional `project` argument, through the subcommands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield from project_arguments(subparser, (*path, name))
        elif action.dest == "project" and not action.option_strings:
            yield path, action.help


@pytest.fixture
def plans_and_a_project_named_after_its_id(cli: Cli, ana: str) -> None:
    assert cli("project", "create", "Plans", "--user", ana).out.startswith("Created project 1:")
    assert cli("project", "create", "1", "--user", ana).out.startswith("Created project 2:")


@pytest.mark.usefixtures("plans_and_a_project_named_after_its_id")
@pytest.mark.parametrize("command", PROJECT_COMMANDS, ids=lambda command: " ".join(command[:2]))
def test_every_command_refuses_a_number_that_is_a_name_and_another_projects_id(
    cli: Cli, ana: str, command: tuple[str, ...]
) -> None:
    ambiguous = cli(*with_reference(command, "1"), "--user", ana)
    assert (ambiguous.code, ambiguous.err) == (
        1,
        "error: '1' is both the name of project #2 and the id of project #1 ('Plans'). "
        "Write '#2' or '#1' to say which.\n",
    )
    missing = cli(*with_reference(command, "#3"), "--user", ana)
    assert (missing.code, missing.err) == (1, "error: There is no project #3 in your workspace.\n")
    listed = cli("project", "list", "--user", ana).out.splitlines()
    assert [row.split()[:2] for row in listed[1:]] == [["2", "1"], ["1", "Plans"]]


@pytest.mark.usefixtures("plans_and_a_project_named_after_its_id")
def test_a_hash_reference_is_always_the_id_and_a_bare_name_the_name(cli: Cli, ana: str) -> None:
    assert cli("project", "show", "#1", "--user", ana).out.startswith("Project 1: Plans\n")
    assert cli("project", "show", "#2", "--user", ana).out.startswith("Project 2: 1\n")
    assert cli("project", "show", "2", "--user", ana).out.startswith("Project 2: 1\n")  # its own id too
    assert cli("project", "show", "plans", "--user", ana).out.startswith("Project 1: Plans\n")
    deleted = cli("project", "delete", "#1", "--user", ana, "--yes")
    assert deleted.out == "Deleted project 1: Plans.\n"
    # With Plans gone, 1 is only a name.
    assert cli("project", "show", "1", "--user", ana).out.startswith("Project 2: 1\n")


def test_a_bare_number_that_is_no_name_is_still_an_id(cli: Cli, ana: str) -> None:
    cli("project", "create", "Plans", "--user", ana)
    assert cli("project", "show", "1", "--user", ana).out.startswith("Project 1: Plans\n")
    missing = cli("project", "show", "7", "--user", ana)
    assert (missing.code, missing.err) == (1, "error: There is no project named '7' in your workspace.\n")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Plans\nID  NAME", "'Plans\\nID  NAME' contains a line break"),
        ("a\tb", "'a\\tb' contains a tab"),
        ("a\0b", "'a\\x00b' contains a NUL character"),
        ("invoice\u202etxt.exe", "contains the character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("\u200b\u200b", "has no visible character"),
        ("\u200bPlans", "starts or ends with a space or an invisible character"),
        ("#2", "would read as the id of a project"),
    ],
)
def test_a_name_that_would_break_the_table_is_refused(cli: Cli, ana: str, name: str, reason: str) -> None:
    result = cli("project", "create", name, "--user", ana)
    assert result.code == 1
    assert "project.name: " in result.err and reason in result.err
    assert "unexpected" not in result.err
    assert "No projects yet" in cli("project", "list", "--user", ana).out


def test_names_in_any_script_are_created_listed_and_found(cli: Cli, ana: str) -> None:
    names = ["Études urbaines", "气候政策", "Plans 🌍", "Family 👨\u200d👩\u200d👧"]
    for name in names:
        assert cli("project", "create", name, "--user", ana).code == 0
    listed = cli("project", "list", "--user", ana).out.splitlines()
    assert len(listed) == 1 + len(names)
    assert cli("project", "show", "ÉTUDES URBAINES", "--user", ana).out.startswith(
        "Project 1: Études urbaines\n"
    )
    assert cli("project", "show", "family 👨\u200d👩\u200d👧", "--user", ana).code == 0
