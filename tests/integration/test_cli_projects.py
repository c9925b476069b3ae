"""`coderai account create` and `coderai project create|list|show|delete`, run in this process."""

from __future__ import annotations

import pytest

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
