"""Who runs a job: the OS lock (held by one process at a time, released when that process dies) and the
rules that say whether a recorded runner is still alive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coderai_desktop.persistence.run_locks import STALE_AFTER, RunLocks, Runner

HOLD = """
import sys, time
from pathlib import Path
from coderai_desktop.persistence.run_locks import RunLocks
lock = RunLocks(Path(sys.argv[1]), "sqlite:///x").acquire(7)
print("held" if lock else "refused", flush=True)
time.sleep(60)
"""


@pytest.fixture
def locks(tmp_path: Path) -> RunLocks:
    return RunLocks(tmp_path / "locks", "sqlite:///x")


def test_a_job_lock_is_held_by_one_holder_at_a_time(locks: RunLocks) -> None:
    first = locks.acquire(7)
    assert first is not None
    assert locks.acquire(7) is None, "even in the same process"
    assert locks.is_held(7) and not locks.is_held(8)
    first.release()
    assert not locks.is_held(7)


def test_the_os_releases_the_lock_of_a_process_that_dies(locks: RunLocks, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "locks")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert locks.is_held(7) and locks.acquire(7) is None
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    assert not locks.is_held(7)


def test_locks_of_two_databases_are_apart(tmp_path: Path) -> None:
    here, there = RunLocks(tmp_path, "sqlite:///a"), RunLocks(tmp_path, "postgresql://lab/b")
    held = here.acquire(1)
    assert held is not None and there.acquire(1) is not None


def test_a_runner_on_this_computer_is_alive_while_it_holds_the_lock_or_its_process_beats(
    locks: RunLocks,
) -> None:
    now = datetime.now(UTC)
    exited = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    gone = replace(Runner.this_process(), pid=int(exited.stdout))
    parent = replace(Runner.this_process(), pid=os.getppid())
    assert not locks.runner_alive(7, gone, now), "its process has exited: dead at once"
    assert locks.runner_alive(7, parent, now), "another data folder's process: it beats"
    assert not locks.runner_alive(7, parent, now - STALE_AFTER - timedelta(seconds=1)), "...until it stops"
    held = locks.acquire(7)
    assert held is not None
    assert locks.runner_alive(7, gone, now - timedelta(days=1)), "the lock says alive, whatever the rest"


def test_a_runner_elsewhere_is_judged_by_its_heartbeat(locks: RunLocks) -> None:
    now = datetime.now(UTC)
    remote = Runner("lab-pc-7", 1)
    assert not remote.is_local and remote.describe() == "process 1 on lab-pc-7"
    assert locks.runner_alive(7, remote, now)
    assert not locks.runner_alive(7, remote, now - STALE_AFTER - timedelta(seconds=1))
    assert not locks.runner_alive(7, None, None), "a job from before runners were recorded, never beating"


def test_an_unwritable_lock_folder_leaves_it_to_the_heartbeat(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    locks = RunLocks(blocked / "locks", "sqlite:///x")
    assert not locks.is_held(7)
    assert locks.runner_alive(7, Runner("lab-pc-7", 1), datetime.now(UTC))
