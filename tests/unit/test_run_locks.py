"""The OS locks of a run's workers on SQLite: held by one process at a time, released when that process dies
(the rules that say whether a worker is alive are tested in tests/integration/runs/test_worker_liveness.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from coderai_desktop.persistence.run_locks import RunLocks, Runner

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


def test_a_worker_lock_is_held_by_one_holder_at_a_time(locks: RunLocks) -> None:
    first = locks.acquire(7)
    assert first is not None
    assert locks.acquire(7) is None, "even in the same process"
    assert locks.is_held(7) is True and locks.is_held(8) is False
    first.release()
    assert locks.is_held(7) is False


def test_the_os_releases_the_lock_of_a_process_that_dies(locks: RunLocks, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "locks")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert locks.is_held(7) is True and locks.acquire(7) is None
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    assert locks.is_held(7) is False


def test_locks_of_two_databases_are_apart(tmp_path: Path) -> None:
    here, there = RunLocks(tmp_path, "sqlite:///a"), RunLocks(tmp_path, "postgresql://lab/b")
    held = here.acquire(1)
    assert held is not None and there.acquire(1) is not None


def test_a_worker_elsewhere_is_described_by_its_computer() -> None:
    here = Runner.this_process()
    assert here.describe() == f"process {here.pid} on this computer" and not here.gone
    remote = Runner("lab-pc-7", 1)
    assert not remote.is_local and not remote.gone and remote.describe() == "process 1 on lab-pc-7"


def test_an_unwritable_lock_folder_cannot_be_looked_at(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert RunLocks(blocked / "locks", "sqlite:///x").is_held(7) is None
