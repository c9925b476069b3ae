"""A read-only data folder and a full disk end in one plain sentence, not a traceback; reading still works
on a read-only database. (tests/integration/hostile/ does the same on real read-only and full file systems,
as root; here the conditions come from SQLite itself, /dev/full, and what os.access reports.)"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from coderai_desktop.config import Settings
from coderai_desktop.domain.errors import (
    DatabaseDamagedError,
    InvalidInputError,
    StorageFullError,
    StorageReadOnlyError,
)
from coderai_desktop.logging_setup import PrivateLogFile
from coderai_desktop.persistence import engine as engine_module
from coderai_desktop.persistence.storage_errors import storage_problem
from tests.integration.conftest import Cli

DEV_FULL = Path("/dev/full")


def raised(action: Callable[[], Any]) -> BaseException:
    try:
        action()
    except BaseException as error:
        return error
    raise AssertionError("nothing was raised")


def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "coderai.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    return path


def test_what_sqlite_raises_is_recognised(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path)
    read_only = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    full = sqlite3.connect(path)
    full.execute(f"PRAGMA max_page_count = {full.execute('PRAGMA page_count').fetchone()[0]}")
    text = tmp_path / "notes.sqlite3"
    text.write_text("not a database at all, just some notes\n" * 10, encoding="utf-8")

    assert isinstance(
        storage_problem(raised(lambda: read_only.execute("INSERT INTO t VALUES (1)")), path),
        StorageReadOnlyError,
    )
    filling = raised(lambda: full.execute("INSERT INTO t VALUES (?)", ["x" * 100_000]))
    assert str(filling) == "database or disk is full"
    assert isinstance(storage_problem(filling, tmp_path), StorageFullError)
    not_a_database = raised(lambda: sqlite3.connect(text).execute("SELECT * FROM sqlite_master").fetchall())
    assert isinstance(storage_problem(not_a_database, text), DatabaseDamagedError)
    # Wrapped by SQLAlchemy, as the services meet it.
    engine = sa.create_engine(f"sqlite:///{text}")
    wrapped = raised(lambda: engine.connect().exec_driver_sql("SELECT * FROM sqlite_master").fetchall())
    engine.dispose()
    assert isinstance(wrapped, sa.exc.DatabaseError)
    assert isinstance(storage_problem(wrapped, text), DatabaseDamagedError)
    read_only.close()
    full.close()


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full")
def test_what_the_os_raises_is_recognised(tmp_path: Path) -> None:
    def write_to_a_full_disk() -> None:
        with DEV_FULL.open("w") as file:
            file.write("x")

    assert str(storage_problem(raised(write_to_a_full_disk), tmp_path)) == (
        f"The disk holding {tmp_path} is full: the last change was not saved. Free some space and try "
        "again; runs and imports continue where they stopped."
    )
    assert isinstance(
        storage_problem(OSError(errno.EROFS, "Read-only file system"), tmp_path), StorageReadOnlyError
    )
    assert isinstance(
        storage_problem(PermissionError(errno.EACCES, "Permission denied"), tmp_path), StorageReadOnlyError
    )


def test_anything_else_is_not_a_storage_problem(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path)
    no_table = raised(lambda: sqlite3.connect(path).execute("SELECT * FROM nowhere"))
    assert storage_problem(no_table, path) is None
    assert storage_problem(ConnectionRefusedError(errno.ECONNREFUSED, "refused"), path) is None
    assert storage_problem(ValueError("a bug"), path) is None
    # An error already in plain words is not second-guessed through what it was raised from.
    plain = InvalidInputError("Choose another copy.")
    plain.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    assert storage_problem(plain, path) is None


@pytest.fixture
def read_only_data_folder(cli: Cli, ana: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Ana's data folder with a project, then reported unwritable the way a read-only mount reports it
    (tests run as root, which writes through file modes; the hostile tests mount a real one)."""
    assert cli("project", "create", "Plans", "--user", ana).code == 0
    data_dir = settings.data_dir
    real_access = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        if mode & os.W_OK and Path(path).resolve().is_relative_to(data_dir.resolve()):
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    return data_dir


def test_reading_commands_work_on_a_read_only_database(cli: Cli, read_only_data_folder: Path) -> None:
    database = read_only_data_folder / "coderai.sqlite3"
    before = database.read_bytes()
    for command in (
        ("project", "list"),
        ("project", "show", "Plans"),
        ("documents", "Plans"),
        ("jobs", "Plans"),
        ("results", "Plans"),
    ):
        result = cli(*command, "--user", "ana")
        assert (result.code, result.err) == (0, ""), command
    exported = read_only_data_folder.parent / "plans.csv"
    assert cli("export", "Plans", "--format", "csv", "--out", exported, "--user", "ana").code == 0
    assert exported.exists()
    assert database.read_bytes() == before  # the successful logins wrote nothing


def test_writing_commands_say_the_folder_is_read_only(
    cli: Cli, read_only_data_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = (
        f"error: The data folder {read_only_data_folder} is read-only: CoderAI cannot save anything there. "
        "Make it writable, or choose another data folder with --data-dir (or CODERAI_DATA_DIR).\n"
    )
    assert cli("project", "create", "Budget", "--user", "ana").err == expected
    assert cli("account", "create", "bob").err == expected
    monkeypatch.setenv("CODERAI_PASSWORD", "not the password")
    wrong = cli("project", "list", "--user", "ana")
    assert (
        wrong.err
        == "error: Wrong login name or password. Check the spelling and Caps Lock, then try again.\n"
    )


def test_a_full_disk_during_a_command(cli: Cli, ana: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's page limit raises the same SQLITE_FULL as a full disk, through the app's own engine."""
    assert cli("project", "create", "Plans", "--user", ana).code == 0
    pragmas = engine_module._sqlite_pragmas

    def no_room_to_grow(path: Path, connection: Any) -> None:
        pragmas(path, connection)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(engine_module, "_sqlite_pragmas", no_room_to_grow)
    result = cli("project", "create", "Budget", "--description", "x" * 200_000, "--user", ana)

    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"error: The disk holding {Path(os.environ['CODERAI_DATA_DIR'])} is full: the last change was not "
        "saved. Free some space and try again; runs and imports continue where they stopped.\n"
    )
    monkeypatch.setattr(engine_module, "_sqlite_pragmas", pragmas)
    listed = cli("project", "list", "--user", ana)
    assert [line.split()[1] for line in listed.out.splitlines()[1:]] == ["Plans"]


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full")
def test_a_full_disk_under_the_log_is_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = PrivateLogFile(tmp_path / "coderai.log")
    handler.stream.close()
    handler.stream = DEV_FULL.open("w", encoding="utf-8")  # every write now fails with ENOSPC
    logger = logging.getLogger("coderai_desktop.test.full")
    logger.addHandler(handler)
    try:
        for number in range(3):
            logger.warning("line %s", number)
    finally:
        logger.removeHandler(handler)
        handler.close()  # flushing what is left must not raise at exit either
    assert capsys.readouterr().err == (
        f"warning: cannot write the log file {tmp_path / 'coderai.log'}: No space left on device.\n"
    )


def test_a_log_folder_that_cannot_be_written_costs_the_log_not_the_command(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "logs").write_text("a file where the log folder should be", encoding="utf-8")
    result = cli("account", "create", "ana")
    assert result.code == 0
    assert result.err == (
        f"warning: cannot write the log file {data / 'logs' / 'coderai.log'} (Not a directory); continuing "
        "without it.\n"
    )
