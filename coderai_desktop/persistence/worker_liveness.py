"""Whether the workers of a run are alive: each holds a lock of its own for as long as it works, and the
lock ends with its process, so a worker that dies (killed, crashed, its computer off) is seen dead at once.

PostgreSQL: a session-level advisory lock (ADVISORY_CLASS, worker id) taken on a connection of its own,
kept open for the run; it ends with that connection, and every member's session sees it in pg_locks.
SQLite: an OS lock on a file beside the database (run_locks.py). A worker whose lock cannot be looked at
(on SQLite, one on another computer, or behind an unwritable folder) is judged by its heartbeat.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from coderai_desktop.persistence.engine import sqlite_path
from coderai_desktop.persistence.run_locks import RunLocks, Runner, stale_before
from coderai_desktop.persistence.tables import JobWorker

logger = logging.getLogger(__name__)

# The first key of the app's advisory locks ("Code" in ASCII), the worker id being the second.
ADVISORY_CLASS = 0x436F6465
# The server drops the lock of a computer that vanished without closing its connection (power cut, network
# gone) after about this long: idle seconds, then probes every few seconds.
KEEPALIVE = {"tcp_keepalives_idle": 10, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 3}
HELD_ADVISORY_LOCKS = sa.text(
    "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 "
    "AND classid::bigint = :class "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


class HeldLock(Protocol):
    def release(self) -> None: ...


class WorkerLiveness(ABC):
    """Holds this process's worker locks, and looks at everyone's."""

    # Whether several processes may work on one run at once.
    shared = False

    @staticmethod
    def of(engine: Engine) -> WorkerLiveness:
        if engine.dialect.name == "postgresql":
            return AdvisoryLiveness(engine)
        database_file = sqlite_path(engine.url.render_as_string(hide_password=False))
        return FileLiveness(RunLocks.beside(database_file) if database_file is not None else None)

    @abstractmethod
    def hold(self, worker_id: int) -> HeldLock:
        """The worker's lock, held by this process until released (or the process ends)."""

    @abstractmethod
    def alive(self, session: Session, workers: Sequence[JobWorker]) -> set[int]:
        """The ids of those of `workers` that are alive."""


class AdvisoryLiveness(WorkerLiveness):
    shared = True

    def __init__(self, engine: Engine):
        self._engine = engine

    def hold(self, worker_id: int) -> HeldLock:
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            for setting, value in KEEPALIVE.items():
                connection.exec_driver_sql(f"SET {setting} = {value}")
            connection.execute(
                sa.text("SELECT pg_advisory_lock(:class, :worker)"),
                {"class": ADVISORY_CLASS, "worker": worker_id},
            )
        except BaseException:
            connection.invalidate()
            connection.close()
            raise
        return AdvisoryLock(connection)

    def alive(self, session: Session, workers: Sequence[JobWorker]) -> set[int]:
        if not workers:
            return set()
        held = set(session.scalars(HELD_ADVISORY_LOCKS, {"class": ADVISORY_CLASS}))
        return {worker.id for worker in workers if worker.id in held}


class AdvisoryLock:
    """A worker's advisory lock and the connection that holds it: closing the connection ends both."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def release(self) -> None:
        self._connection.invalidate()  # never back to the pool: the session, and so the lock, ends here
        self._connection.close()


class FileLiveness(WorkerLiveness):
    def __init__(self, locks: RunLocks | None):
        self._locks = locks  # None: a database without a file (in memory), where no lock can be looked at

    def hold(self, worker_id: int) -> HeldLock:
        if self._locks is None:
            return NoLock()
        try:
            lock = self._locks.acquire(worker_id)
        except OSError as error:
            logger.warning("No lock for worker %s (%s): others judge it by its heartbeat", worker_id, error)
            return NoLock()
        if lock is None:  # worker ids are never handed out twice: a lock file from a removed database
            raise RuntimeError(f"The lock of worker {worker_id} is held by another process.")
        return lock

    def alive(self, session: Session, workers: Sequence[JobWorker]) -> set[int]:
        return {worker.id for worker in workers if self._is_alive(worker)}

    def _is_alive(self, worker: JobWorker) -> bool:
        runner = Runner(worker.host, worker.pid)
        held = self._locks.is_held(worker.id) if self._locks is not None and runner.is_local else None
        if held is not None:
            return held
        return worker.heartbeat_at >= stale_before() and not runner.gone


class NoLock:
    def release(self) -> None:
        pass
