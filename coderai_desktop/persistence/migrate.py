"""Bring the database to the schema this version expects, at start-up, before any window opens.

A SQLite file is checked (an empty, truncated or corrupt file is refused, never replaced by a new empty
database) and copied to the backup folder before anything changes it; `coderai db restore` puts a copy
back. Developers add a revision with `python -m coderai_desktop.persistence.migrate "what changed"`
(autogenerate against a scratch database).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import sys
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.persistence.engine import create_engine, read_only_connection, sqlite_path
from coderai_desktop.persistence.storage_errors import damaged
from coderai_desktop.private_files import private_dir, private_file

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BACKUPS_KEPT = 10
DAILY = timedelta(days=1)
SQLITE_HEADER = b"SQLite format 3\x00"
# PRAGMA quick_check reads every page: worth it at each start-up only while that takes well under a second.
QUICK_CHECK_MAX_BYTES = 64_000_000
_STAMP = re.compile(r"-(\d{8}T\d{12}Z)-")
_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class MigrationResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None


def alembic_config(connection: Connection, script_location: Path = MIGRATIONS_DIR) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["connection"] = connection
    return config


def head_revision(script_location: Path = MIGRATIONS_DIR) -> str:
    head = ScriptDirectory(str(script_location)).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_database(
    engine: Engine, backup_dir: Path, script_location: Path = MIGRATIONS_DIR
) -> MigrationResult:
    """Upgrade to head; back up a SQLite file first. Refuse a database this version does not know."""
    script = ScriptDirectory(str(script_location))
    head = head_revision(script_location)
    if (path := _sqlite_file(engine)) is not None and path.exists():
        check_sqlite_file(path)
    with engine.connect() as connection:
        current = current_revision(connection)
        has_tables = bool(sa.inspect(connection).get_table_names())
    if current == head:
        return MigrationResult(current, head, None)
    if current is None and has_tables:
        raise CoderAIError(
            f"The database at {engine.url.render_as_string(hide_password=True)} is not a CoderAI Desktop "
            "database. Choose an empty database or another data folder."
        )
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise CoderAIError(
            f"The database was last opened by a newer version of CoderAI Desktop (schema {current}). "
            "Install that version again, or use another data folder; nothing was changed."
        )
    backup = _backup_sqlite(engine, backup_dir, current, head) if current is not None else None
    logger.info("Upgrading database schema from %s to %s", current or "empty", head)
    with engine.connect() as connection:
        _run_upgrade(connection, script_location)
    return MigrationResult(current, head, backup)


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


def _sqlite_file(engine: Engine) -> Path | None:
    return sqlite_path(engine.url.render_as_string(hide_password=False))


def _run_upgrade(connection: Connection, script_location: Path) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        # A batch migration rebuilds a table with DROP TABLE, which with foreign keys on would
        # cascade-delete every child row. The pragma only takes effect outside a transaction.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        command.upgrade(alembic_config(connection, script_location), "head")
        connection.commit()
        if is_sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
            raise CoderAIError(
                f"The database upgrade left broken references ({broken[:5]}); restore the backup."
            )
    finally:
        if is_sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _backup_sqlite(engine: Engine, backup_dir: Path, current: str | None, head: str) -> Path | None:
    path = _sqlite_file(engine)
    if path is None or not path.exists():
        return None
    target = back_up(path, backup_dir, f"schema-{current}-before-{head}")
    logger.info("Backed up %s to %s before upgrading its schema", path, target)
    return target


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


def make_revision(message: str) -> None:
    """Autogenerate a revision from the difference between the tables and a scratch database at head."""
    revisions = list(ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions())
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'scratch.sqlite3'}")
        if revisions:
            upgrade_database(engine, Path(scratch))
        with engine.connect() as connection:
            config = alembic_config(connection)
            command.revision(config, message=message, autogenerate=True, rev_id=f"{len(revisions) + 1:04d}")
        engine.dispose()


if __name__ == "__main__":
    make_revision(" ".join(sys.argv[1:]) or "schema change")
