"""Start-up benchmark: how long the app takes to answer, against what Qt and SQLAlchemy cost anyway.

Each figure is the median wall time of fresh processes (after one warm-up run, so the files are in the OS
cache) and the peak resident memory of the process (getrusage of the child, which counts what it was forked
from: this script keeps small). The limits, as ratios in the
same run:

  coderai --version         <= 1.5 x  python -c "import PySide6.QtWidgets, sqlalchemy"
  coderai project list      <= 1.5 x  the same bare import, once the password hash (argon2, timed here
                                      with the app's own hasher) is taken off
  launch -> login dialog    <= 2.0 x  a bare QApplication showing an empty dialog

The login dialog counts as shown when the app logs "Login dialog shown" (right after show(), as the bare
script prints right after its show()). Run: python tests/benchmarks/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BARE_IMPORT = "import PySide6.QtWidgets, sqlalchemy"
BARE_DIALOG = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication, QDialog\n"
    "app = QApplication(sys.argv)\n"
    "dialog = QDialog()\n"
    "dialog.show()\n"
    "print('shown', flush=True)\n"
    "app.exec()\n"
)
LOGIN_SHOWN = b"Login dialog shown"
PASSWORD = "benchmark password"


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Figure:
    name: str
    seconds: float
    peak_mb: float


def run_to_exit(command: list[str], env: dict[str, str]) -> Sample:
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if status != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed: {errors.read().decode()}")
    return Sample(seconds, usage.ru_maxrss / 1024)


def run_until(
    command: list[str], env: dict[str, str], shown: Callable[[subprocess.Popen[bytes]], bool]
) -> Sample:
    """Start `command`, wait until `shown(process)`, then stop it; the time to that point and the peak memory."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    while not shown(process):
        if process.poll() is not None:
            raise SystemExit(f"{command} exited with {process.returncode} before showing its window")
        time.sleep(0.002)
    seconds = time.perf_counter() - start
    process.terminate()
    _, _, usage = os.wait4(process.pid, 0)
    return Sample(seconds, usage.ru_maxrss / 1024)


def median(name: str, runs: int, sample: Callable[[], Sample], minus: float = 0.0) -> Figure:
    sample()  # warm-up: files into the OS cache, .pyc written
    samples = [sample() for _ in range(runs)]
    return Figure(
        name,
        statistics.median(s.seconds for s in samples) - minus,
        max(s.peak_mb for s in samples),
    )


def password_hash_seconds(runs: int) -> float:
    """What one login's argon2 verification costs on this machine, with the app's hasher settings. Timed in
    a process of its own: argon2's 64 MiB would otherwise count in the peak memory of every process forked
    from this one afterwards."""
    timer = (
        "import statistics, time\n"
        "from argon2 import PasswordHasher\n"
        "hasher = PasswordHasher()\n"
        f"stored = hasher.hash({PASSWORD!r})\n"
        "times = []\n"
        f"for _ in range({runs}):\n"
        "    start = time.perf_counter()\n"
        f"    hasher.verify(stored, {PASSWORD!r})\n"
        "    times.append(time.perf_counter() - start)\n"
        "print(statistics.median(times))\n"
    )
    return float(
        subprocess.run([sys.executable, "-c", timer], capture_output=True, check=True, text=True).stdout
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    coderai = [sys.executable, "-m", "coderai_desktop"]
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "CODERAI_DATA_DIR": data_dir,
            "CODERAI_USER": "bench",
            "CODERAI_PASSWORD": PASSWORD,
        }
        run_to_exit([*coderai, "account", "create", "bench"], env)
        run_to_exit([*coderai, "project", "create", "Benchmark"], env)
        log_file = next(Path(data_dir).rglob("*.log"))

        def login_shown(_process: subprocess.Popen[bytes]) -> bool:
            return log_file.read_bytes().count(LOGIN_SHOWN) > shown_before[0]

        def bare_shown(process: subprocess.Popen[bytes]) -> bool:
            assert process.stdout is not None
            return process.stdout.readline() == b"shown\n"

        def launch() -> Sample:
            shown_before[0] = log_file.read_bytes().count(LOGIN_SHOWN)
            return run_until(coderai, env, login_shown)

        shown_before = [0]
        hashing = password_hash_seconds(args.runs)
        runs = args.runs
        bare = median(
            "bare import (PySide6.QtWidgets, sqlalchemy)",
            runs,
            lambda: run_to_exit([sys.executable, "-c", BARE_IMPORT], env),
        )
        version = median("coderai --version", runs, lambda: run_to_exit([*coderai, "--version"], env))
        listing = median(
            "coderai project list, less the password hash",
            runs,
            lambda: run_to_exit([*coderai, "project", "list"], env),
            minus=hashing,
        )
        bare_dialog = median(
            "bare QApplication + empty dialog shown",
            runs,
            lambda: run_until([sys.executable, "-c", BARE_DIALOG], env, bare_shown),
        )
        login = median("coderai -> login dialog shown", runs, launch)

    print(f"{'':48}{'seconds':>9}{'peak MB':>9}{'ratio':>8}{'limit':>7}")
    for figure in (bare, bare_dialog):
        print(f"{figure.name:48}{figure.seconds:9.3f}{figure.peak_mb:9.0f}")
    for figure, baseline, limit in ((version, bare, 1.5), (listing, bare, 1.5), (login, bare_dialog, 2.0)):
        ratio = figure.seconds / baseline.seconds
        verdict = "ok" if ratio <= limit else "OVER"
        print(
            f"{figure.name:48}{figure.seconds:9.3f}{figure.peak_mb:9.0f}{ratio:8.2f}{limit:7.1f}  {verdict}"
        )
    print(f"(password hash: {hashing:.3f} s per login, taken off `project list`)")


if __name__ == "__main__":
    main()
