"""The engine (SQLite by default, PostgreSQL by URL) and the one way services touch the database."""

from __future__ import annotations

import asyncio
import contextvars
import copy
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from coderai_desktop.domain.errors import ReadOnlyProjectError
from coderai_desktop.persistence.tables import Project, Workspace
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
        self._guard: WriteGuard | None = None

    def for_viewer(self, owner_login: str) -> Database:
        """This database as a viewer of a project `owner_login` shared uses it: the same engine and thread,
        but every write is refused (ReadOnlyProjectError) before it reaches the database."""
        return self._guarded(ViewerGuard(owner_login))

    def for_editor(self, owner_login: str) -> Database:
        """This database as an editor of a project `owner_login` shared uses it: everything but deleting or
        renaming the project."""
        return self._guarded(EditorGuard(owner_login))

    def _guarded(self, guard: WriteGuard) -> Database:
        view = copy.copy(self)
        view._guard = guard
        view._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # The ORM's changes are checked before each flush; Core statements (bulk inserts, updates and
        # deletes run through session.execute) before they are sent.
        sa.event.listen(
            view._sessions, "before_flush", lambda session, _flush, _rows: guard.check_flush(session)
        )
        sa.event.listen(view._sessions, "do_orm_execute", guard.check_statement)
        return view

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
        """Nothing can be written: the SQLite file is read-only, or this is a viewer's view."""
        return is_read_only(self.engine) or isinstance(self._guard, ViewerGuard)

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
        if self._guard is not None:  # a view: the database it views owns the thread and the engine
            return
        self._executor.shutdown(wait=True)
        self.engine.dispose()


class WriteGuard(Protocol):
    """What a member may not write in a project shared with them (the database's policies say the same on a
    lab's PostgreSQL server; on SQLite this is the only check)."""

    def check_flush(self, session: Session) -> None: ...

    def check_statement(self, state: ORMExecuteState) -> None: ...


class ViewerGuard:
    """A viewer reads everything and writes nothing."""

    def __init__(self, owner_login: str):
        self.owner_login = owner_login

    def check_flush(self, session: Session) -> None:
        if session.new or session.deleted or any(session.is_modified(row) for row in session.dirty):
            raise ReadOnlyProjectError.viewer(self.owner_login)

    def check_statement(self, state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            raise ReadOnlyProjectError.viewer(self.owner_login)


class EditorGuard:
    """An editor changes everything but the project's existence and name, and the owner's workspace (the
    provider settings all the owner's projects share): those are its owner's."""

    WORKSPACE = "change the provider settings all their projects share (this project's own you can change)"

    def __init__(self, owner_login: str):
        self.owner_login = owner_login

    def check_flush(self, session: Session) -> None:
        for row in session.deleted:
            if isinstance(row, Project):
                raise ReadOnlyProjectError.owner_only(self.owner_login, f"delete {row.name}")
        for row in session.dirty:
            if isinstance(row, Project) and (renamed := sa.inspect(row).attrs.name.history).has_changes():
                was = renamed.deleted[0] if renamed.deleted else row.name
                raise ReadOnlyProjectError.owner_only(self.owner_login, f"rename {was}")
            if isinstance(row, Workspace) and session.is_modified(row):
                raise ReadOnlyProjectError.owner_only(self.owner_login, self.WORKSPACE)

    def check_statement(self, state: ORMExecuteState) -> None:
        if state.bind_mapper is sa.inspect(Workspace) and (state.is_update or state.is_delete):
            raise ReadOnlyProjectError.owner_only(self.owner_login, self.WORKSPACE)
        if state.bind_mapper is not sa.inspect(Project):
            return
        if state.is_delete:
            raise ReadOnlyProjectError.owner_only(self.owner_login, "delete it")
        if state.is_update and "name" in _columns_set(state):
            raise ReadOnlyProjectError.owner_only(self.owner_login, "rename it")


def _columns_set(state: ORMExecuteState) -> set[str]:
    """The columns an UPDATE sets: in its VALUES, or in the parameters it is executed with."""
    given = state.parameters
    rows = [given] if isinstance(given, dict) else list(given or [])
    in_values = state.statement.compile().params if isinstance(state.statement, sa.Update) else {}
    return set(in_values).union(*rows)
