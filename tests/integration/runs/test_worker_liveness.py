"""Whether a worker of a run is alive: its lock, and nothing else, where the lock can be looked at (an OS lock
file on SQLite, an advisory lock on PostgreSQL, which ends with the process or the connection: dead at
once); its heartbeat (and on this computer its process) where it cannot."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from coderai_desktop.persistence import run_locks
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.run_locks import STALE_AFTER, RunLocks
from coderai_desktop.persistence.tables import JobWorker
from coderai_desktop.persistence.worker_liveness import (
    ADVISORY_CLASS,
    AdvisoryLiveness,
    FileLiveness,
    WorkerLiveness,
)

HOLD = """
import sys, time
from pathlib import Path
from coderai_desktop.persistence.run_locks import RunLocks
lock = RunLocks.beside(Path(sys.argv[1])).acquire(int(sys.argv[2]))
print("held" if lock else "refused", flush=True)
time.sleep(60)
"""


def worker(
    worker_id: int, *, host: str | None = None, pid: int | None = None, seen: datetime | None = None
) -> JobWorker:
    here = run_locks.Runner.this_process()
    return JobWorker(
        id=worker_id, host=host or here.host, pid=pid or here.pid, heartbeat_at=seen or datetime.now(UTC)
    )


def alive(liveness: WorkerLiveness, database: Database, *workers: JobWorker) -> set[int]:
    with database.transaction() as session:
        return liveness.alive(session, list(workers))


@pytest.fixture
def sqlite_database(migrated: Database) -> Database:
    assert migrated.is_sqlite
    return migrated


def test_a_worker_on_this_computer_lives_as_long_as_its_lock(sqlite_database: Database) -> None:
    database_file = Path(str(sqlite_database.engine.url.database))
    liveness = WorkerLiveness.of(sqlite_database.engine)
    assert isinstance(liveness, FileLiveness) and not liveness.shared
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(database_file), "7"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert alive(liveness, sqlite_database, worker(7, pid=holder.pid)) == {7}
        assert alive(liveness, sqlite_database, worker(8, pid=holder.pid)) == set(), "no lock, dead at once"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    assert alive(liveness, sqlite_database, worker(7, pid=holder.pid)) == set(), "its heartbeat is fresh"
    held = liveness.hold(9)
    assert alive(liveness, sqlite_database, worker(9)) == {9}, "this process's own worker"
    held.release()
    assert alive(liveness, sqlite_database, worker(9)) == set()


def test_the_lock_files_are_beside_the_database_whatever_the_data_folder(sqlite_database: Database) -> None:
    database_file = Path(str(sqlite_database.engine.url.database))
    held = WorkerLiveness.of(sqlite_database.engine).hold(3)
    try:
        assert RunLocks.beside(database_file).is_held(3) is True
        assert list((database_file.parent / "locks").glob("*-worker-3.lock"))
    finally:
        held.release()


def test_a_worker_whose_lock_cannot_be_looked_at_is_judged_by_its_heartbeat(
    sqlite_database: Database, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    unwritable = FileLiveness(RunLocks(blocked / "locks", "x"))
    stale = datetime.now(UTC) - STALE_AFTER * 2
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    assert alive(unwritable, sqlite_database, worker(1, pid=os.getppid())) == {1}, "it beats"
    assert alive(unwritable, sqlite_database, worker(1, pid=os.getppid(), seen=stale)) == set()
    assert alive(unwritable, sqlite_database, worker(1, pid=int(exited.stdout))) == set(), (
        "its process is gone"
    )
    # A worker on another computer (the file on a shared folder): its lock here says nothing.
    liveness = WorkerLiveness.of(sqlite_database.engine)
    assert alive(liveness, sqlite_database, worker(2, host="lab-pc-7", pid=1)) == {2}
    assert alive(liveness, sqlite_database, worker(2, host="lab-pc-7", pid=1, seen=stale)) == set()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_an_advisory_lock_ends_with_its_connection(migrated: Database) -> None:
    liveness = WorkerLiveness.of(migrated.engine)
    assert isinstance(liveness, AdvisoryLiveness) and liveness.shared
    held = [liveness.hold(worker_id) for worker_id in (1, 2)]
    assert alive(liveness, migrated, worker(1), worker(2), worker(3)) == {1, 2}
    with migrated.transaction() as session:  # another session ends the first lock's connection, and waits
        backend = session.scalar(
            sa.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = :class AND objid = 1"
            ),
            {"class": ADVISORY_CLASS},
        )
        assert session.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": backend})
    assert alive(liveness, migrated, worker(1), worker(2)) == {2}, "dead at once, its heartbeat fresh"
    held[1].release()
    assert alive(liveness, migrated, worker(2)) == set()
    held[0].release()  # its connection is gone already: releasing it again is harmless


@pytest.fixture
def member_url(migrated: Database) -> Iterator[str]:
    """A login role with no rights on any table (as a lab member before the policies let them see rows)."""
    role = f"liveness_{uuid.uuid4().hex[:10]}"
    with migrated.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'member'")
    try:
        yield (
            make_url(migrated.engine.url)
            .set(username=role, password="member")
            .render_as_string(hide_password=False)
        )
    finally:
        with migrated.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"DROP ROLE {role}")


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_another_members_session_sees_a_workers_lock(migrated: Database, member_url: str) -> None:
    held = WorkerLiveness.of(migrated.engine).hold(5)
    member = sa.create_engine(member_url)
    try:
        with member.connect() as connection, Session(connection) as session:
            assert AdvisoryLiveness(member).alive(session, [worker(5), worker(6)]) == {5}
    finally:
        member.dispose()
        held.release()
