"""The migrations build exactly the tables the code declares, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import coderai_desktop.persistence.tables  # noqa: F401  (fills Base.metadata)
from coderai_desktop.persistence.base import Base
from coderai_desktop.persistence.engine import create_engine
from coderai_desktop.persistence.migrate import (
    SCHEMA_REVISION,
    current_revision,
    head_revision,
    upgrade_database,
)
from tests.integration.conftest import BACKENDS


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_upgrading_an_empty_database_gives_exactly_the_models(database_url: str, tmp_path: Path) -> None:
    engine = create_engine(database_url)
    try:
        result = upgrade_database(engine, tmp_path / "backups")
        assert (result.from_revision, result.to_revision, result.backup) == (None, head_revision(), None)
        with engine.connect() as connection:
            assert current_revision(connection) == head_revision()
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            tables = set(sa.inspect(connection).get_table_names())
        assert tables == {*Base.metadata.tables, "alembic_version"}
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_upgrading_a_database_at_head_changes_nothing(database_url: str, tmp_path: Path) -> None:
    engine = create_engine(database_url)
    try:
        upgrade_database(engine, tmp_path / "backups")
        again = upgrade_database(engine, tmp_path / "backups")
        assert (again.from_revision, again.to_revision, again.backup) == (
            head_revision(),
            head_revision(),
            None,
        )
        assert not (tmp_path / "backups").exists()
    finally:
        engine.dispose()


def test_the_comparison_notices_a_difference(tmp_path: Path) -> None:
    """Guard for the test above: compare_metadata does report a column the migrations lack."""
    engine = create_engine(f"sqlite:///{tmp_path / 'coderai.sqlite3'}")
    try:
        upgrade_database(engine, tmp_path / "backups")
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE projects DROP COLUMN token_budget")
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert [(op[0], op[3].name) for op in diff] == [("add_column", "token_budget")]
    finally:
        engine.dispose()


def test_the_schema_revision_the_app_opens_without_alembic_is_the_newest_migration() -> None:
    assert head_revision() == SCHEMA_REVISION, "set migrate.SCHEMA_REVISION to the new revision's id"
