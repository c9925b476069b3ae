"""A database this version does not know is refused and left exactly as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.persistence.engine import create_engine
from coderai_desktop.persistence.migrate import current_revision, upgrade_database
from tests.integration.rows import seed_workspace, snapshot


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    return tmp_path / "coderai.sqlite3"


@pytest.fixture
def engine(database_file: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{database_file}")
    yield engine
    engine.dispose()


def test_a_database_from_a_newer_version_is_refused_and_untouched(engine: Engine, tmp_path: Path) -> None:
    upgrade_database(engine, tmp_path / "unused")
    with engine.begin() as connection:
        with sa.orm.Session(connection) as session:
            seed_workspace(session, "ana")
            session.commit()
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0042_from_the_future'")
        before = snapshot(connection)

    with pytest.raises(
        CoderAIError, match=r"newer version of CoderAI Desktop \(schema 0042_from_the_future\)"
    ):
        upgrade_database(engine, tmp_path / "backups")

    with engine.connect() as connection:
        assert current_revision(connection) == "0042_from_the_future"
        assert snapshot(connection) == before
    assert not (tmp_path / "backups").exists()


def test_a_sqlite_file_of_another_application_is_refused_and_untouched(
    engine: Engine, database_file: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(database_file) as other:
        other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        other.execute("INSERT INTO notes (body) VALUES ('shopping list')")
    other.close()

    with pytest.raises(CoderAIError, match="is not a CoderAI Desktop database"):
        upgrade_database(engine, tmp_path / "backups")

    with sqlite3.connect(database_file) as other:
        tables = {row[0] for row in other.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        notes = other.execute("SELECT body FROM notes").fetchall()
    other.close()
    assert tables == {"notes"}
    assert notes == [("shopping list",)]
    assert not (tmp_path / "backups").exists()


def test_the_app_refuses_to_open_a_foreign_database_with_a_plain_message(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    with sqlite3.connect(settings.data_dir / "coderai.sqlite3") as other:
        other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    other.close()
    with pytest.raises(CoderAIError, match="Choose an empty database or another data folder"):
        AppContext.open(settings)
