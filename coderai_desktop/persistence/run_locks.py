"""Who runs a job, and whether that runner is still alive.

On this computer the answer is an OS lock held for the job while it runs: the OS releases it the moment
the process dies, so a killed run can be resumed at once. A runner on another computer (a lab's shared
database) is judged by its heartbeat instead, which goes quiet when it dies; so is one on this computer
that uses another data folder (another account on a shared computer), unless its process is gone.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from filelock import FileLock

# A running job writes its heartbeat this often; one silent for STALE_AFTER was interrupted.
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=6 * HEARTBEAT_SECONDS)


@dataclass(frozen=True)
class Runner:
    """A process running a job: recorded in the job's row, so others can be told who has it."""

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
        """Whether this is a process of this computer that no longer runs the job: it has exited, or it is
        this very process (which, holding the job's lock again, has no runner of it left)."""
        import psutil  # only where runs are looked at: not for `project list` or the login window

        return self.is_local and (self.pid == os.getpid() or not psutil.pid_exists(self.pid))

    def describe(self) -> str:
        where = "this computer" if self.is_local else self.host
        return f"process {self.pid} on {where}"


class RunLocks:
    """One lock file per job of one database, in the data folder that every process on this computer
    using that database shares."""

    def __init__(self, folder: Path, database_url: str):
        self._folder = folder
        # Job ids are per database: a lab server and the local file must not share lock names.
        self._prefix = hashlib.sha256(database_url.encode()).hexdigest()[:12]

    @classmethod
    def of(cls, data_dir: Path, engine: Engine) -> RunLocks:
        return cls(data_dir / "locks", engine.url.render_as_string(hide_password=True))

    def acquire(self, job_id: int) -> FileLock | None:
        """The job's lock, now held by this process; None if another process holds it."""
        from filelock import FileLock, Timeout

        self._folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self._folder / f"{self._prefix}-job-{job_id}.lock")
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return None
        return lock

    def is_held(self, job_id: int) -> bool:
        """Whether some process on this computer (this one included) holds the job's lock; False when the
        lock cannot be looked at (a read-only data folder): the heartbeat and the process then tell."""
        try:
            lock = self.acquire(job_id)
        except OSError:
            return False
        if lock is None:
            return True
        lock.release()
        return False

    def runner_alive(self, job_id: int, runner: Runner | None, heartbeat: datetime | None) -> bool:
        """Whether the recorded runner of a RUNNING job is still at work: its lock held on this computer, or
        failing that its heartbeat (and, on this computer, its process)."""
        if runner is not None and runner.is_local and self.is_held(job_id):
            return True
        fresh = heartbeat is not None and heartbeat >= stale_before()
        return fresh and not (runner is not None and runner.gone)


def stale_before() -> datetime:
    """A heartbeat older than this is a runner's that went quiet."""
    return datetime.now(UTC) - STALE_AFTER
