"""Who runs a command, and where the data is: flags before or after the command, and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import Cli


@pytest.fixture
def two_accounts(cli: Cli, ana: str) -> None:
    assert cli("account", "create", "ben").code == 0
    assert cli("project", "create", "Ana's plans", "--user", "ana").code == 0


@pytest.mark.usefixtures("two_accounts")
@pytest.mark.parametrize(
    "args",
    [
        ("--user", "ana", "project", "list"),
        ("project", "list", "--user", "ana"),
        ("--user", "ben", "project", "list", "--user", "ana"),  # the later flag wins
    ],
)
def test_common_options_are_accepted_before_and_after_the_command(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.code == 0, result.err
    assert "Ana's plans" in result.out


@pytest.mark.usefixtures("two_accounts")
def test_the_user_flag_overrides_coderai_user(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODERAI_USER", "ben")
    assert "No projects yet" in cli("project", "list").out
    assert "Ana's plans" in cli("project", "list", "--user", "ana").out


def test_without_a_user_the_command_says_how_to_give_one(cli: Cli, ana: str) -> None:
    result = cli("project", "list")
    assert result.code == 1
    assert result.err.strip() == "error: Say who you are: pass --user NAME or set CODERAI_USER."


@pytest.mark.parametrize("user", ["ana", "nobody"])
def test_a_wrong_password_or_unknown_user_is_one_plain_error(
    cli: Cli, ana: str, monkeypatch: pytest.MonkeyPatch, user: str
) -> None:
    monkeypatch.setenv("CODERAI_PASSWORD", "not the password")
    result = cli("project", "list", "--user", user)
    assert result.code == 1
    assert result.err.startswith("error: Wrong login name or password")
    assert "Traceback" not in result.err


def test_data_dir_overrides_the_environment(cli: Cli, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    assert cli("--data-dir", elsewhere, "account", "create", "ana").code == 0
    assert (elsewhere / "coderai.sqlite3").exists()
    assert not (tmp_path / "data" / "coderai.sqlite3").exists()  # CODERAI_DATA_DIR
    assert cli("project", "list", "--user", "ana").code == 1  # not in the environment's data folder
    assert cli("project", "list", "--user", "ana", "--data-dir", elsewhere).code == 0


def test_db_url_overrides_the_data_folders_database(cli: Cli, tmp_path: Path) -> None:
    database = tmp_path / "shared" / "lab.sqlite3"
    assert cli("account", "create", "ana", "--db-url", f"sqlite:///{database}").code == 0
    assert database.exists()
    assert not (tmp_path / "data" / "coderai.sqlite3").exists()
    assert cli("project", "list", "--user", "ana", "--db-url", f"sqlite:///{database}").code == 0


def test_an_unreachable_postgresql_server_is_a_plain_error(cli: Cli) -> None:
    result = cli(
        "project", "list", "--user", "ana", "--db-url", "postgresql://nobody:s3cret-pw@127.0.0.1:1/none"
    )
    assert result.code == 1
    assert result.err.startswith(
        "error: Cannot open the database at postgresql+psycopg://nobody:***@127.0.0.1:1/none"
    )
    assert "Check that the server is running" in result.err
    assert "s3cret-pw" not in result.err
    assert "Traceback" not in result.err


def test_a_usage_error_exits_with_status_2(cli: Cli) -> None:
    result = cli("project", "frobnicate")
    assert result.code == 2
    assert "invalid choice" in result.err
