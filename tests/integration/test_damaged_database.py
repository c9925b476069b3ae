"""A damaged database file (cut short, overwritten, emptied, corrupt inside) is named, never replaced by a
new empty database, and the way back is shown: the newest automatic copy and `coderai db restore`."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from pathlib import Path

import pytest

from coderai_desktop.config import Settings
from coderai_desktop.persistence import backups
from coderai_desktop.persistence.backups import back_up, copy_sqlite
from tests.conftest import PASSWORD
from tests.integration.conftest import Cli
from tests.integration.test_cli_subprocess import environment, run

__all__ = ["environment"]  # the fixture, used by name

DAMAGES = {
    "cut short": lambda real: real[:10_000],
    "random bytes": lambda real: os.urandom(len(real)),
    "a text file": lambda real: b"project notes\nnothing to see here\n",
    "empty": lambda real: b"",
}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="module")
def made_by_the_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real database with ana and her project Plans, made once by the CLI (each process takes seconds)."""
    data = tmp_path_factory.mktemp("made") / "data"
    env = {**os.environ, "CODERAI_DATA_DIR": str(data), "CODERAI_PASSWORD": PASSWORD}
    assert run("coderai", "account", "create", "ana", env=env).returncode == 0
    assert run("coderai", "project", "create", "Plans", "--user", "ana", env=env).returncode == 0
    return data / "coderai.sqlite3"


@pytest.fixture
def database(data: Path, made_by_the_cli: Path) -> Path:
    """A copy of that database in this test's data folder."""
    data.mkdir(mode=0o700)
    return copy_sqlite(made_by_the_cli, data / "coderai.sqlite3")


def damage(database: Path, how: str) -> bytes:
    damaged = DAMAGES[how](database.read_bytes())
    database.write_bytes(damaged)
    return damaged


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_file_is_named_and_left_as_it_is(
    how: str, database: Path, environment: dict[str, str]
) -> None:
    backup = back_up(database, database.parent / "backups", "test")
    damaged = damage(database, how)

    result = run("coderai", "project", "list", "--user", "ana", env=environment)

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(f"error: The database file {database} is damaged: ")
    assert f"The newest automatic copy is {backup} (made " in result.stderr
    assert "`coderai db restore` puts it back" in result.stderr
    assert "Traceback" not in result.stderr and "Wrong login name" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert database.read_bytes() == damaged  # not migrated into a new empty database, not touched


def test_an_empty_file_says_why_it_may_be_empty(database: Path, environment: dict[str, str]) -> None:
    damage(database, "empty")
    result = run("coderai", "project", "list", "--user", "ana", env=environment)
    assert (
        "the file is empty; it was probably cut short by a crash, a full disk or a sync tool" in result.stderr
    )
    assert f"There is no automatic copy in {database.parent / 'backups'}" in result.stderr


def test_a_new_install_still_creates_its_database(data: Path, environment: dict[str, str]) -> None:
    assert not data.exists()
    result = run("coderai", "account", "create", "ana", env=environment)
    assert (result.returncode, result.stderr) == (0, "")
    assert (data / "coderai.sqlite3").stat().st_size > 0


def corrupt_a_page_inside(database: Path) -> None:
    """Pages broken, header intact: SQLite opens the file; only reading those pages fails."""
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    content = bytearray(database.read_bytes())
    page_size = int.from_bytes(content[16:18], "big")
    for page in range(1, len(content) // page_size):
        content[page * page_size : page * page_size + 100] = b"\xff" * 100
    database.write_bytes(bytes(content))


def test_broken_pages_are_found_at_start_up(database: Path, environment: dict[str, str]) -> None:
    corrupt_a_page_inside(database)
    result = run("coderai", "project", "list", "--user", "ana", env=environment)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: The database file {database} is damaged: ")
    assert "Traceback" not in result.stderr


def test_broken_pages_met_later_are_named_too(
    database: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file too large to check at each start-up: the operation that meets the damage says so."""
    monkeypatch.setattr(backups, "QUICK_CHECK_MAX_BYTES", 0)
    corrupt_a_page_inside(database)
    result = cli("project", "list", "--user", "ana")
    assert result.code == 1
    assert re.fullmatch(
        rf"error: The database file {re.escape(str(database))} is damaged: SQLite says \"(database disk image "
        r"is malformed|file is not a database)\"\. There is no automatic copy in .*\n",
        result.err,
    )


def test_restore_puts_the_newest_copy_back_and_keeps_the_damaged_file(database: Path, cli: Cli) -> None:
    backups = database.parent / "backups"
    older = back_up(database, backups, "test")
    assert cli("project", "create", "Budget", "--user", "ana").code == 0
    newest = back_up(database, backups, "test")
    damaged = damage(database, "cut short")

    listed = cli("db", "backups")
    assert listed.code == 0
    assert [line.split()[-1] for line in listed.out.splitlines()[1:3]] == [newest.name, older.name]

    unconfirmed = cli("db", "restore")
    assert (unconfirmed.code, unconfirmed.err) == (
        1,
        "error: This replaces the database (the current file is kept aside): add --yes to confirm.\n",
    )
    assert database.read_bytes() == damaged

    restored = cli("db", "restore", "--yes")
    assert restored.code == 0, restored.err
    assert f"Restored {database} from the copy made " in restored.out
    kept = [path for path in database.parent.iterdir() if path.name.startswith("coderai.sqlite3.damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert f"The previous file is kept as {kept[0]}." in restored.out
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    projects = cli("project", "list", "--user", "ana")
    assert projects.code == 0
    assert sorted(line.split()[1] for line in projects.out.splitlines()[1:]) == ["Budget", "Plans"]


def test_restore_a_named_copy(database: Path, cli: Cli) -> None:
    older = back_up(database, database.parent / "backups", "test")
    assert cli("project", "create", "Budget", "--user", "ana").code == 0
    back_up(database, database.parent / "backups", "test")

    restored = cli("db", "restore", older.name, "--yes")

    assert restored.code == 0, restored.err
    projects = cli("project", "list", "--user", "ana")
    assert [line.split()[1] for line in projects.out.splitlines()[1:]] == ["Plans"]


def test_restore_refuses_a_damaged_or_unknown_copy(database: Path, cli: Cli) -> None:
    backup = back_up(database, database.parent / "backups", "test")
    backup.write_bytes(b"")
    before = database.read_bytes()

    damaged = cli("db", "restore", "--yes")
    unknown = cli("db", "restore", "nonsense.sqlite3", "--yes")

    assert damaged.code == 1
    assert damaged.err.startswith(f"error: The copy {backup.name} is damaged too (the file is empty")
    assert unknown.err == (
        f"error: There is no copy named nonsense.sqlite3 in {backup.parent}: `coderai db backups` lists them.\n"
    )
    assert database.read_bytes() == before
    assert sorted(path.name for path in database.parent.glob("coderai.sqlite3*")) == ["coderai.sqlite3"]


def test_no_copies_yet(cli: Cli, data: Path) -> None:
    listed = cli("db", "backups")
    assert (listed.code, listed.out) == (
        0,
        f"No automatic copies in {data / 'backups'} yet: one is made each day at start-up and before each database upgrade.\n",
    )


def test_the_window_says_so_too(
    database: Path, settings: Settings, qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`coderai` without a command: a message box at start-up, not a traceback in a terminal nobody sees."""
    from coderai_desktop.ui import app as gui

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(gui.QMessageBox, "critical", lambda _parent, title, text: shown.append((title, text)))
    damage(database, "cut short")

    assert gui.run_gui(settings) == 1

    [(title, text)] = shown
    assert title == "CoderAI Desktop cannot start"
    assert text.startswith(f"The database file {database} is damaged: the file is cut short: 10,000 of ")


def test_a_copy_is_made_once_a_day_so_a_damaged_file_always_has_one(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coderai_desktop.app_context import AppContext

    AppContext.open(settings).close()  # a new database: nothing to copy yet
    database = settings.data_dir / "coderai.sqlite3"
    assert backups.list_backups(settings.backup_dir, database) == []

    AppContext.open(settings).close()  # the next start: the day's copy
    [daily] = backups.list_backups(settings.backup_dir, database)
    assert daily.path.name.endswith("-daily.sqlite3") and stat.S_IMODE(daily.path.stat().st_mode) == 0o600
    AppContext.open(settings).close()
    assert len(backups.list_backups(settings.backup_dir, database)) == 1, "once a day"

    monkeypatch.setattr(backups, "DAILY", backups.timedelta(0))  # a day later
    AppContext.open(settings).close()
    assert len(backups.list_backups(settings.backup_dir, database)) == 2
