"""Bring the database to the schema this version expects, at start-up, before any window opens.

A SQLite file is checked (an empty, truncated or corrupt file is refused, never replaced by a new empty
database) and copied to the backup folder before anything changes it; `coderai db restore` puts a copy
back. Developers add a revision with `python -m coderai_desktop.persistence.migrate "what changed"`
(autogenerate against a scratch database).
"""

from __future__ import annotations

import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.persistence.backups import back_up, check_sqlite_file
from coderai_desktop.persistence.engine import create_engine, sqlite_path
from coderai_desktop.persistence.lab_policies import may_change_schema

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest revision in MIGRATIONS_DIR (a test holds them equal): a database already there opens without
# loading Alembic, a tenth of a second at every start.
SCHEMA_REVISION = "0010"


@dataclass(frozen=True)
class MigrationResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None


def alembic_config(connection: Connection, script_location: Path = MIGRATIONS_DIR) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["connection"] = connection
    return config


def head_revision(script_location: Path = MIGRATIONS_DIR) -> str:
    from alembic.script import ScriptDirectory

    return _head_of(ScriptDirectory(str(script_location)))


def _head_of(script: ScriptDirectory) -> str:
    head = script.get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision recorded in the database (Alembic's version table), None for a new database."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def known_revisions(script_location: Path = MIGRATIONS_DIR) -> set[str]:
    from alembic.script import ScriptDirectory

    return {revision.revision for revision in ScriptDirectory(str(script_location)).walk_revisions()}


def newer_schema(current: str) -> str:
    return (
        f"The database was last opened by a newer version of CoderAI Desktop (schema {current}). "
        "Install that version again, or use another data folder; nothing was changed."
    )


def lab_upgrade_advice(url: URL) -> str:
    admin_url = URL.create("postgresql", "ADMIN", host=url.host, port=url.port, database=url.database)
    return (
        "This lab database needs an upgrade: ask your lab admin to run "
        f"`coderai lab upgrade --db-url {admin_url.render_as_string()}`."
    )


def upgrade_database(
    engine: Engine, backup_dir: Path | None, script_location: Path = MIGRATIONS_DIR
) -> MigrationResult:
    """Upgrade to head; back up a SQLite file first (to backup_dir; a server's database is its admin's to
    back up). Refuse a database this version does not know, and a lab's unless connected as its owner."""
    if (path := _sqlite_file(engine)) is not None and path.exists():
        check_sqlite_file(path)
    with engine.connect() as connection:
        current = current_revision(connection)
        # Only a database without a revision needs looking into: an app's own, or someone else's?
        has_tables = current is None and bool(sa.inspect(connection).get_table_names())
    if current == SCHEMA_REVISION and script_location == MIGRATIONS_DIR:
        return MigrationResult(current, current, None)
    from alembic.script import ScriptDirectory  # only now: an upgrade, or a database to refuse

    script = ScriptDirectory(str(script_location))
    head = _head_of(script)
    if current == head:
        return MigrationResult(current, head, None)
    if current is None and has_tables:
        raise CoderAIError(
            f"The database at {engine.url.render_as_string(hide_password=True)} is not a CoderAI Desktop "
            "database. Choose an empty database or another data folder."
        )
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise CoderAIError(newer_schema(current))
    if current is not None and engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            if not may_change_schema(connection):  # a member: the admin upgrades (`coderai lab upgrade`)
                raise CoderAIError(lab_upgrade_advice(engine.url))
    backup = _backup_sqlite(engine, backup_dir, current, head) if current is not None else None
    logger.info("Upgrading database schema from %s to %s", current or "empty", head)
    with engine.connect() as connection:
        _run_upgrade(connection, script_location)
    return MigrationResult(current, head, backup)


def _sqlite_file(engine: Engine) -> Path | None:
    return sqlite_path(engine.url.render_as_string(hide_password=False))


def _run_upgrade(connection: Connection, script_location: Path) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        # A batch migration rebuilds a table with DROP TABLE, which with foreign keys on would
        # cascade-delete every child row. The pragma only takes effect outside a transaction.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    from alembic import command

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


def _backup_sqlite(engine: Engine, backup_dir: Path | None, current: str | None, head: str) -> Path | None:
    path = _sqlite_file(engine)
    if path is None or not path.exists() or backup_dir is None:
        return None
    target = back_up(path, backup_dir, f"schema-{current}-before-{head}")
    logger.info("Backed up %s to %s before upgrading its schema", path, target)
    return target


def make_revision(message: str) -> None:
    """Autogenerate a revision from the difference between the tables and a scratch database at head.
    Then set SCHEMA_REVISION to the new revision's id (a test says so if forgotten)."""
    from alembic import command
    from alembic.script import ScriptDirectory

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
