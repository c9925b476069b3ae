"""Upgrading a database that holds data keeps every row, even through a migration that rebuilds a table."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from coderai_desktop.persistence.engine import create_engine
from coderai_desktop.persistence.migrate import (
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    head_revision,
    upgrade_database,
)
from tests.integration.first_revision_rows import ROWS, insert_rows, stored_rows
from tests.integration.rows import seed_workspace, snapshot

TEST_REVISION = """\
revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None

import sqlalchemy as sa
from alembic import op


def upgrade() -> None:
    # recreate="always": rebuild the table (new table, copy, DROP TABLE projects, rename) as SQLite needs
    # for most changes. With foreign keys on, the DROP would cascade-delete every child row.
    with op.batch_alter_table("projects", recreate="always") as batch:
        batch.add_column(sa.Column("test_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects", recreate="always") as batch:
        batch.drop_column("test_note")
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'coderai.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def migrations_with_test_revision(tmp_path: Path) -> Path:
    """A copy of the package's migrations with one more revision that rebuilds the projects table."""
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / "9999_rebuild_projects.py").write_text(TEST_REVISION.format(head=head_revision()))
    return copy


def first_revision() -> str:
    return list(ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions())[-1].revision


def test_rows_written_at_the_first_revision_survive_the_upgrade_to_head(
    engine: Engine, tmp_path: Path
) -> None:
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), first_revision())
        connection.commit()
    with engine.begin() as connection:
        insert_rows(connection)
    upgrade_database(engine, tmp_path / "backups")
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert stored_rows(connection) == ROWS


def test_a_table_rebuild_keeps_child_rows_and_the_old_file_is_backed_up_first(
    engine: Engine, tmp_path: Path, migrations_with_test_revision: Path
) -> None:
    upgrade_database(engine, tmp_path / "unused")
    with engine.begin() as connection:
        with sa.orm.Session(connection) as session:
            seeded = seed_workspace(session, "ana")
            session.commit()
        before = snapshot(connection)
    assert all(before[table] for table in ("variables", "documents", "extractions", "job_items"))

    result = upgrade_database(engine, tmp_path / "backups", script_location=migrations_with_test_revision)

    assert (result.from_revision, result.to_revision) == (head_revision(), "9999")
    with engine.connect() as connection:
        assert current_revision(connection) == "9999"
        assert snapshot(connection) == before
        assert "test_note" in {column["name"] for column in sa.inspect(connection).get_columns("projects")}
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    assert result.backup is not None and result.backup.parent == tmp_path / "backups"
    assert list((tmp_path / "backups").iterdir()) == [result.backup]
    with sqlite3.connect(result.backup) as backup:
        assert backup.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        assert "test_note" not in {row[1] for row in backup.execute("PRAGMA table_info(projects)")}
        projects = backup.execute("SELECT id, name FROM projects").fetchall()
        extractions = backup.execute("SELECT id FROM extractions").fetchall()
    backup.close()
    assert projects == [(seeded.project_id, "Climate plans")]
    assert extractions == [(seeded.extraction_id,)]


def test_only_the_newest_backups_are_kept(
    engine: Engine, tmp_path: Path, migrations_with_test_revision: Path
) -> None:
    upgrade_database(engine, tmp_path / "unused")
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [backups / f"coderai-2020010{n}T000000000000Z-schema-x-before-y.sqlite3" for n in range(1, 10)]
    old += [backups / f"coderai-2020011{n}T000000000000Z-schema-x-before-y.sqlite3" for n in range(3)]
    for path in old:
        path.write_bytes(b"old backup")
    keep_unrelated = backups / "notes.txt"
    keep_unrelated.write_text("mine")

    result = upgrade_database(engine, backups, script_location=migrations_with_test_revision)

    remaining = sorted(path for path in backups.glob("*.sqlite3"))
    assert len(remaining) == 10
    assert result.backup in remaining
    assert remaining[:9] == old[-9:]
    assert keep_unrelated.exists()
