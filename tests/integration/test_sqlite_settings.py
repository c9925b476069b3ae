"""Every SQLite connection the app opens is durable, enforces foreign keys and waits when busy."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from coderai_desktop.persistence.engine import create_engine, is_read_only, normalise_url, sqlite_path


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("foreign_keys", 1), ("synchronous", 2)],
)
def test_pragmas_on_every_connection(tmp_path: Path, pragma: str, expected: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'coderai.sqlite3'}")
    try:
        for _ in range(2):  # a fresh connection each time, not only the first one
            with engine.connect() as connection:
                assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
            engine.dispose()
    finally:
        engine.dispose()


def test_a_busy_database_is_waited_for(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'coderai.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        engine.dispose()


def test_the_data_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "coderai.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect():
            pass
        assert path.exists()
        if os.name != "nt":  # owner-only: other accounts on the computer cannot read it
            assert (stat.S_IMODE(path.parent.stat().st_mode), stat.S_IMODE(path.stat().st_mode)) == (
                0o700,
                0o600,
            )
    finally:
        engine.dispose()


def test_a_file_that_cannot_be_written_is_opened_for_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on a read-only mount (simulated: tests run as root, which writes through file modes)."""
    path = tmp_path / "coderai.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
    connection.close()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: not mode & os.W_OK and real_access(p, mode, **kw))
    engine = create_engine(f"sqlite:///{path}")
    try:
        assert is_read_only(engine)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT x FROM t").scalar() == 1
            with pytest.raises(sa.exc.OperationalError, match="attempt to write a readonly database"):
                connection.exec_driver_sql("INSERT INTO t VALUES (2)")
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://lab:pw@db.example.org/coderai", "postgresql+psycopg://lab:pw@db.example.org/coderai"),
        ("postgres://lab@db/coderai", "postgresql+psycopg://lab@db/coderai"),
        ("postgresql+psycopg://lab@db/coderai", "postgresql+psycopg://lab@db/coderai"),
        ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
    ],
)
def test_plain_postgresql_urls_use_the_psycopg_driver(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_only_sqlite_files_have_a_path() -> None:
    assert sqlite_path("sqlite:////tmp/x.sqlite3") == Path("/tmp/x.sqlite3")
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("postgresql+psycopg://lab@db/coderai") is None
