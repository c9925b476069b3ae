"""The automatic copies of a SQLite database file: one before each schema upgrade and one a day, listed and
put back by `coderai db backups|restore`. Nothing here needs Alembic, so those commands start quickly and
work when the database cannot be opened."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coderai_desktop.persistence.engine import read_only_connection
from coderai_desktop.persistence.storage_errors import damaged
from coderai_desktop.private_files import private_dir, private_file

logger = logging.getLogger(__name__)

BACKUPS_KEPT = 10
DAILY = timedelta(days=1)
SQLITE_HEADER = b"SQLite format 3\x00"
# PRAGMA quick_check reads every page: worth it at each start-up only while that takes well under a second.
QUICK_CHECK_MAX_BYTES = 64_000_000
_STAMP = re.compile(r"-(\d{8}T\d{12}Z)-")
_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is empty, not SQLite, shorter than its header says, or (when small enough to
    check quickly) fails PRAGMA quick_check. A missing file is fine: that is a new install."""
    size = path.stat().st_size
    wal = Path(f"{path}-wal")
    if size == 0 and not (wal.exists() and wal.stat().st_size > 0):  # a crash may leave it all in the WAL
        raise damaged(
            path, "the file is empty; it was probably cut short by a crash, a full disk or a sync tool"
        )
    with path.open("rb") as file:
        header = file.read(100)
    if size and not header.startswith(SQLITE_HEADER):
        raise damaged(path, "it is not a SQLite database; something overwrote it")
    page_size = int.from_bytes(header[16:18], "big")
    pages = int.from_bytes(header[28:32], "big")
    expected = pages * (65536 if page_size == 1 else page_size)
    # The page count is trustworthy when its "valid for" counter matches the change counter.
    if len(header) == 100 and header[92:96] == header[24:28] and size < expected:
        raise damaged(path, f"the file is cut short: {size:,} of {expected:,} bytes")
    if size <= QUICK_CHECK_MAX_BYTES:
        with closing(read_only_connection(path)) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            raise damaged(path, "SQLite's integrity check found " + "; ".join(problems))


def back_up(database_file: Path, backup_dir: Path, why: str) -> Path:
    """An owner-only copy in the backup folder, named with the time and why; the oldest beyond
    BACKUPS_KEPT are removed."""
    private_dir(backup_dir)
    target = backup_dir / f"{database_file.stem}-{_now_stamp()}-{why}.sqlite3"
    copy_sqlite(database_file, target)
    for old in sorted(backup_dir.glob(f"{database_file.stem}-*.sqlite3"))[:-BACKUPS_KEPT]:
        old.unlink()
    return target


def daily_copy(database_file: Path, backup_dir: Path) -> Path | None:
    """A copy at start-up when the newest is a day old (or there is none), so that a file damaged later
    (a crash, a full disk, a sync tool) always has a recent copy to restore; None when one is recent."""
    backups = list_backups(backup_dir, database_file)
    if backups and datetime.now(UTC) - backups[0].made < DAILY:
        return None
    target = back_up(database_file, backup_dir, "daily")
    logger.info("Copied %s to %s (the daily copy)", database_file, target)
    return target


def no_copy_yet(backup_dir: Path) -> str:
    """What to do about a damaged file when there is no automatic copy of it."""
    return (
        f"There is no automatic copy in {backup_dir}: one is made each day at start-up and before each "
        "database upgrade. Restore the file from your own backups, or move it aside to start with an empty "
        "database."
    )


def copy_sqlite(source_path: Path, target: Path) -> Path:
    """A consistent snapshot of `source_path` (WAL included) in a new owner-only file: `target`."""
    private_file(target)
    # The online backup API copies a consistent snapshot, WAL included.
    with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return target


@dataclass(frozen=True)
class Backup:
    path: Path
    made: datetime


def list_backups(backup_dir: Path, database_file: Path) -> list[Backup]:
    """The automatic copies of this database file, newest first."""
    backups = [
        Backup(path, _made(path))
        for path in backup_dir.glob(f"{database_file.stem}-*.sqlite3")
        if path.is_file()
    ]
    return sorted(backups, key=lambda backup: backup.made, reverse=True)


def _made(path: Path) -> datetime:
    if match := _STAMP.search(path.name):
        return datetime.strptime(match[1], _STAMP_FORMAT).replace(tzinfo=UTC)
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def restore_backup(backup: Path, database_file: Path) -> Path | None:
    """Put the copy in place of the database file, which (with its -wal and -shm: a stale WAL would be
    replayed onto the copy) is moved aside, never deleted. Returns where the old file went, if any."""
    check_sqlite_file(backup)
    restoring = database_file.with_name(f"{database_file.name}.restoring")
    restoring.unlink(missing_ok=True)
    copy_sqlite(backup, restoring)
    stamp = _now_stamp()
    aside = None
    for suffix in ("", "-wal", "-shm"):
        current = Path(f"{database_file}{suffix}")
        if current.exists():
            moved = current.with_name(f"{current.name}.damaged-{stamp}")
            os.replace(current, moved)
            aside = aside or moved
    os.replace(restoring, database_file)
    logger.info("Restored %s from %s; the previous file is kept as %s", database_file, backup, aside)
    return aside


def _now_stamp() -> str:
    return datetime.now(UTC).strftime(_STAMP_FORMAT)
