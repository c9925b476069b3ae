"""Who works on a run, and the OS locks that tell whether a worker on a SQLite database is still alive.

A worker holds a lock file of its own for as long as it works: the OS releases it the moment the process
dies, so a killed run can be resumed at once. The lock files sit beside the database file (in the data
folder, unless --db-url names a file elsewhere), which every process using that file shares, whatever
its own data folder. PostgreSQL has its own locks (worker_liveness.py). The heartbeat says when a worker
was last seen, and tells whether it is alive only where its lock cannot be looked at.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from coderai_desktop.domain.job import process_words

if TYPE_CHECKING:
    from filelock import FileLock

# A worker writes its heartbeat this often; one silent for STALE_AFTER was interrupted.
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=6 * HEARTBEAT_SECONDS)


@dataclass(frozen=True)
class Runner:
    """A process working on a job: recorded in its worker row, so others can be told who has it."""

    host: str
    pid: int

    @classmethod
    def this_process(cls) -> Runner:
        return cls(socket.gethostname(), os.getpid())

    @property
    def is_local(self) -> bool:
        return self.host == socket.gethostname()

    @property
    def gone(self) -> bool:
        """Whether this is a process of this computer that has exited."""
        import psutil  # only where runs are looked at: not for `project list` or the login window

        return self.is_local and not psutil.pid_exists(self.pid)

    def describe(self) -> str:
        return process_words(self.host, self.pid)


class RunLocks:
    """One lock file per worker of one database, in a folder every process using that database shares."""

    def __init__(self, folder: Path, database: str):
        self._folder = folder
        # Worker ids are per database: two database files beside each other must not share lock names.
        self._prefix = hashlib.sha256(database.encode()).hexdigest()[:12]

    @classmethod
    def beside(cls, database_file: Path) -> RunLocks:
        return cls(database_file.parent / "locks", str(database_file.resolve()))

    def acquire(self, worker_id: int) -> FileLock | None:
        """The worker's lock, now held by this process; None if another holder has it."""
        from filelock import FileLock, Timeout

        self._folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self._folder / f"{self._prefix}-worker-{worker_id}.lock")
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return None
        return lock

    def is_held(self, worker_id: int) -> bool | None:
        """Whether some process (this one included) holds the worker's lock; None when the lock cannot be
        looked at (an unwritable folder)."""
        try:
            lock = self.acquire(worker_id)
        except OSError:
            return None
        if lock is None:
            return True
        lock.release()
        return False


def stale_before() -> datetime:
    """A heartbeat older than this is a worker's that went quiet."""
    return datetime.now(UTC) - STALE_AFTER
