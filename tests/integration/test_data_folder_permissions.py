"""The data folder is private to its owner on a shared computer: folders 0700, files 0600, whatever the
umask, and what an earlier version left readable is tightened at start-up (and the log says so)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from coderai_desktop import private_files
from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.logging_setup import LOG_FILE_NAME, close_logging, configure_logging
from coderai_desktop.persistence.backups import back_up

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows has no Unix modes; the profile is private")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The usual umask, and the most permissive one: neither may leave anything readable by others."""
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def test_a_new_data_folder_is_private(settings: Settings, umask: int) -> None:
    context = AppContext.open(settings)
    try:
        database = settings.data_dir / "coderai.sqlite3"
        # While the app is open, SQLite's -wal and -shm files exist: they hold the same data.
        assert Path(f"{database}-wal").exists() and Path(f"{database}-shm").exists()
        assert {path.name: mode(path) for path in settings.data_dir.glob("coderai.sqlite3*")} == {
            "coderai.sqlite3": 0o600,
            "coderai.sqlite3-wal": 0o600,
            "coderai.sqlite3-shm": 0o600,
        }
        for folder in (settings.data_dir, settings.log_dir, settings.data_dir / "workspaces"):
            assert mode(folder) == 0o700, folder
        assert mode(context.log_file) == 0o600
        backup = back_up(database, settings.backup_dir, "test")
        assert (mode(settings.backup_dir), mode(backup)) == (0o700, 0o600)
    finally:
        context.close()


def test_rotated_logs_are_private(tmp_path: Path, umask: int) -> None:
    configure_logging(tmp_path / "logs")
    try:
        handler = next(h for h in logging.getLogger().handlers if getattr(h, "_coderai", False))
        logging.getLogger("coderai_desktop.test").warning("before rotation")
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        handler.doRollover()
        logging.getLogger("coderai_desktop.test").warning("after rotation")
    finally:
        close_logging()
    logs = sorted((tmp_path / "logs").iterdir())
    assert [path.name for path in logs] == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1"]
    assert [mode(path) for path in logs] == [0o600, 0o600]


def test_an_older_readable_data_folder_is_tightened_at_start_up(settings: Settings) -> None:
    AppContext.open(settings).close()
    database = settings.data_dir / "coderai.sqlite3"
    backup = back_up(database, settings.backup_dir, "test")
    old_log = settings.log_dir / f"{LOG_FILE_NAME}.1"
    old_log.write_text("an old rotated log\n", encoding="utf-8")
    loose = {settings.data_dir: 0o755, settings.log_dir: 0o755, settings.backup_dir: 0o755}
    loose |= {database: 0o644, backup: 0o644, old_log: 0o644, settings.log_dir / LOG_FILE_NAME: 0o644}
    for path, loose_mode in loose.items():
        os.chmod(path, loose_mode)

    context = AppContext.open(settings)
    context.close()

    assert {path: mode(path) for path in loose} == {path: 0o700 if path.is_dir() else 0o600 for path in loose}
    log = (settings.log_dir / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert f"Tightened permissions of {database} from 0644 to 0600" in log
    assert f"Tightened permissions of {settings.data_dir} from 0755 to 0700" in log


def test_only_what_coderai_keeps_is_touched(settings: Settings) -> None:
    """A --data-dir pointed at a folder with other things in it leaves those things alone."""
    settings.data_dir.mkdir()
    theirs = settings.data_dir / "notes.txt"
    theirs.write_text("someone else's file", encoding="utf-8")
    theirs.chmod(0o644)
    AppContext.open(settings).close()
    assert (mode(settings.data_dir), mode(theirs)) == (0o700, 0o644)


def test_windows_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No chmod where there are no Unix modes: the user profile is private there."""
    monkeypatch.setattr(private_files, "_HAS_MODES", False)
    (tmp_path / "coderai.sqlite3").touch(mode=0o644)
    tmp_path.chmod(0o755)
    assert private_files.tighten(tmp_path) == []
    assert (mode(tmp_path), mode(tmp_path / "coderai.sqlite3")) == (0o755, 0o644)
