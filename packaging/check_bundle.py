"""Check a built bundle and measure it against the source: `python packaging/check_bundle.py [BUNDLE]`.

1. `coderai --self-test` from the bundle must exit 0 (its lines are printed).
2. The bundled GUI, offscreen, must show its login dialog and exit 0 by itself (packaging/launcher.py cancels the
   dialog once the app logs "Login dialog shown"), with no ERROR line in its log.
3. Prints the bundle's size and start-up times, bundle against source (`python packaging/launcher.py`, the same
   entry point): "cold" is the first run after the build (the OS file cache is not dropped: that needs root
   and would slow everyone else on the machine), "warm" the median of the next runs.

Run it with the Python that has the app's dependencies (packaging/build.sh uses .venv-build). Exit status 1
when a check fails. Standard library only, so it runs the same on Linux, macOS and Windows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "CoderAI Desktop"
LOGIN_SHOWN = "Login dialog shown"
TIMEOUT = 300  # seconds for any one run (the self-test reads a scanned PDF with OCR when Tesseract exists)


def default_bundle() -> Path:
    return ROOT / "dist" / (f"{APP_NAME}.app" if sys.platform == "darwin" else APP_NAME)


def programs(bundle: Path) -> tuple[list[str], list[str]]:
    """(command line program, GUI program) inside the bundle."""
    if sys.platform == "darwin" and bundle.suffix == ".app":
        program = str(bundle / "Contents" / "MacOS" / "coderai")
        return [program], [program]
    if sys.platform == "win32":  # the windowed coderai.exe prints nowhere: commands go to coderai-cli.exe
        return [str(bundle / "coderai-cli.exe")], [str(bundle / "coderai.exe")]
    return [str(bundle / "coderai")], [str(bundle / "coderai")]


def source_program() -> list[str]:
    return [sys.executable, str(ROOT / "packaging" / "launcher.py")]


def source_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def size_of(folder: Path) -> tuple[int, int, int]:
    """(bytes of the files, bytes on disk as du counts them, number of files)."""
    files = [path for path in folder.rglob("*") if path.is_file() and not path.is_symlink()]
    apparent = sum(path.stat().st_size for path in files)
    on_disk = sum(getattr(path.stat(), "st_blocks", 0) * 512 for path in files) or apparent
    return apparent, on_disk, len(files)


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess]:
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    return time.perf_counter() - began, done


def log_time(line: str) -> float | None:
    """When a log line was written: JSON lines ("time": ISO 8601) or the older "YYYY-mm-dd HH:MM:SS,mmm ..."."""
    try:
        return datetime.fromisoformat(json.loads(line)["time"]).timestamp()
    except (ValueError, KeyError, TypeError):
        pass
    try:
        return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    except ValueError:
        return None


def is_error(line: str) -> bool:
    try:
        return json.loads(line).get("level") in ("ERROR", "CRITICAL")
    except (ValueError, AttributeError):
        return " ERROR " in line or " CRITICAL " in line


class Gui:
    """One offscreen launch to the login dialog, in a fresh data folder."""

    def __init__(self, command: list[str], env: dict[str, str]):
        self.command, self.base_env = command, env

    def run(self) -> tuple[float, float, str]:
        """(seconds to the login dialog, seconds until the process ended, problems or "")."""
        with tempfile.TemporaryDirectory(prefix="coderai-gui-check-") as data:
            env = {
                **self.base_env,
                "QT_QPA_PLATFORM": "offscreen",
                "CODERAI_DATA_DIR": data,
                "CODERAI_EXIT_AFTER_LOGIN_SHOWN": "1",
                # Should the app ever ignore --data-dir, its default folder is in here too, not the person's.
                "XDG_DATA_HOME": str(Path(data, "xdg")),
            }
            env.pop("CODERAI_DB_URL", None)
            launched = time.time()
            try:
                total, done = timed([*self.command, "--data-dir", data], env)
            except subprocess.TimeoutExpired:
                return float("nan"), float("nan"), f"still running after {TIMEOUT} s"
            log = Path(data, "logs", "coderai.log")
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
        shown = next((line for line in lines if LOGIN_SHOWN in line), None)
        problems = []
        if done.returncode != 0:
            problems.append(f"exit status {done.returncode}")
        if shown is None:
            problems.append(f"no {LOGIN_SHOWN!r} in the log ({len(lines)} lines)")
        problems += [f"log: {line}" for line in lines if is_error(line)]
        if "Traceback" in done.stderr:
            problems.append(f"stderr: {done.stderr.strip()}")
        shown_at = log_time(shown) if shown else None
        return (shown_at - launched if shown_at else float("nan")), total, "\n  ".join(problems)


def median_of(runs: int, measure) -> float:
    return statistics.median(measure() for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=default_bundle())
    parser.add_argument("--warm-runs", type=int, default=3, help="runs behind each warm median (default 3)")
    args = parser.parse_args()
    cli, gui = programs(args.bundle)
    if not Path(cli[0]).is_file():
        print(f"FAIL no bundle at {args.bundle} (build it with packaging/build.sh)")
        return 1
    failures = []
    times: dict[tuple[str, str], float] = {}
    env = dict(os.environ)

    # Cold: the very first runs after the build, bundle first, then the source.
    times["--version", "bundle cold"], version = timed([*cli, "--version"], env)
    print(f"bundle: {version.stdout.strip() or version.stderr.strip()}")
    if version.returncode != 0:
        failures.append(f"--version exit status {version.returncode}: {version.stderr.strip()}")
    bundle_gui, source_gui = Gui(gui, env), Gui(source_program(), source_env())
    to_login, gui_total, problems = bundle_gui.run()
    times["GUI to login dialog", "bundle cold"] = to_login
    times["GUI launch to exit", "bundle cold"] = gui_total
    if problems:
        failures.append(f"bundled GUI: {problems}")
    else:
        print(f"ok   bundled GUI showed its login dialog after {to_login:.2f} s and exited 0 by itself")
    times["--version", "source cold"], _ = timed([*source_program(), "--version"], source_env())
    to_login, gui_total, problems = source_gui.run()
    times["GUI to login dialog", "source cold"] = to_login
    times["GUI launch to exit", "source cold"] = gui_total
    if problems:
        print(f"warn the source GUI (for comparison only): {problems}")

    # The self-test, once each (the bundle's must pass).
    print("--- coderai --self-test (bundle)")
    began = time.perf_counter()
    self_test = subprocess.run([*cli, "--self-test"], env=env, timeout=TIMEOUT, cwd=ROOT)
    times["self-test", "bundle cold"] = time.perf_counter() - began
    if self_test.returncode != 0:
        failures.append(f"self-test exit status {self_test.returncode}")
    times["self-test", "source cold"], source_test = timed([*source_program(), "--self-test"], source_env())
    if source_test.returncode != 0:
        print(f"warn the source self-test (for comparison only) exited {source_test.returncode}")

    # Warm: medians of the next runs.
    for label, program, program_env, gui_check in (
        ("bundle", cli, env, bundle_gui),
        ("source", source_program(), source_env(), source_gui),
    ):
        times["--version", f"{label} warm"] = median_of(
            args.warm_runs, lambda p=program, e=program_env: timed([*p, "--version"], e)[0]
        )
        runs = [gui_check.run() for _ in range(args.warm_runs)]
        if label == "bundle":
            failures += [f"bundled GUI, warm run: {problems}" for _, _, problems in runs if problems]
        times["GUI to login dialog", f"{label} warm"] = statistics.median(run[0] for run in runs)
        times["GUI launch to exit", f"{label} warm"] = statistics.median(run[1] for run in runs)

    apparent, on_disk, count = size_of(args.bundle)
    print(
        f"--- bundle {args.bundle}: {on_disk / 1e6:.1f} MB on disk (du), {apparent / 1e6:.1f} MB in {count} files"
    )
    load = (
        f", load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        if hasattr(os, "getloadavg")
        else ""
    )
    print(f"--- start-up in seconds (warm: median of {args.warm_runs}{load})")
    columns = ["bundle cold", "bundle warm", "source cold", "source warm"]
    print(f"{'':22}" + "".join(f"{column:>13}" for column in columns))
    for row in ("--version", "GUI to login dialog", "GUI launch to exit", "self-test"):
        cells = (times.get((row, column)) for column in columns)
        print(f"{row:22}" + "".join(f"{cell:13.2f}" if cell is not None else f"{'':13}" for cell in cells))
    for failure in failures:
        print(f"FAIL {failure}")
    print("bundle check " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
