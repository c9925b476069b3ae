"""The engine (SQLite by default, PostgreSQL by URL) and the one way services touch the database."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from coderai_desktop.private_files import private_dir, private_file

logger = logging.getLogger(__name__)
T = TypeVar("T")

BUSY_TIMEOUT_SECONDS = 30
READ_ONLY = "coderai_read_only"  # engine execution option: the SQLite file was opened for reading only


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs (what a lab admin hands out) and use the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _sqlite_pragmas(path: Path, dbapi_connection: Any) -> None:
    # SQLite creates the file (and later its -wal and -shm, with the same mode) readable by all: make
    # it owner-only before the first byte is written.
    private_file(path)
    cursor = dbapi_connection.cursor()
    # WAL lets the GUI read while a run writes; FULL makes every committed result survive a power cut.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


def create_engine(url: str) -> Engine:
    """The engine for a URL. An existing SQLite file that cannot be written is opened for reading only,
    so that commands that only read still work (writes then fail with "readonly database")."""
    url = normalise_url(url)
    path = sqlite_path(url)
    if path is None:
        return sa.create_engine(url, pool_pre_ping=True)
    private_dir(path.parent)
    if path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        logger.warning("%s cannot be written: opened for reading only", path)
        return sa.create_engine(
            url, creator=lambda: read_only_connection(path), execution_options={READ_ONLY: True}
        )
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
    sa.event.listen(engine, "connect", lambda connection, _record: _sqlite_pragmas(path, connection))
    return engine


def read_only_connection(path: Path) -> sqlite3.Connection:
    # Reading a WAL database needs its -shm file, which a read-only folder cannot hold. With no
    # unmerged -wal, nothing can change the file under us: "immutable" reads it without one.
    wal = Path(f"{path}-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    mode = "mode=ro" if pending or os.access(path.parent, os.W_OK) else "immutable=1"
    return sqlite3.connect(
        f"{path.absolute().as_uri()}?{mode}", uri=True, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
    )


def is_read_only(engine: Engine) -> bool:
    return bool(engine.get_execution_options().get(READ_ONLY))


class Database:
    """Runs units of work in one dedicated thread, so the asyncio loop (and the GUI) never waits on I/O.

    One thread also serialises this process's writes, which is what SQLite wants.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coderai-db")

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def location(self) -> str:
        """Where the data is, for people: the file path, or the server URL without its password."""
        if self.is_sqlite:
            return str(self.engine.url.database)
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def read_only(self) -> bool:
        return is_read_only(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self._sessions.begin() as session:
            yield session

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in one transaction on the database thread and return its result."""
        loop = asyncio.get_running_loop()
        # In the caller's context, as asyncio.to_thread does: the log lines of `work` name its job and document.
        in_context = contextvars.copy_context().run
        return await loop.run_in_executor(self._executor, in_context, self._run_in_transaction, work)

    def _run_in_transaction(self, work: Callable[[Session], T]) -> T:
        with self.transaction() as session:
            return work(session)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()
