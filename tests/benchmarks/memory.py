"""Peak memory of this process and its parser processes, by role, and where Python allocated it.

RSS counts the pages a worker shares with the fork server (the preloaded readers) in each of them; PSS
splits shared pages between the processes that share them, so the PSS total is what they take together
(Linux only: elsewhere it is left out).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import tracemalloc
from collections import defaultdict
from dataclasses import dataclass, field

import psutil

MB = 2**20
APP, FORK_SERVER, WORKERS = "app process", "fork server", "workers"
# multiprocessing's own helpers, started by this process: counted as the fork server
HELPERS = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")

Usage = tuple[float, float | None]  # RSS and PSS in MB


@dataclass
class Sample:
    usage: dict[str, list[Usage]] = field(default_factory=lambda: defaultdict(list))
    workers: list[float] = field(default_factory=list)  # RSS of each worker (its children counted apart)


@dataclass
class Peaks:
    """Highest MB seen per role and in total (the total's peak is one moment, not the sum of the peaks)."""

    rss: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    pss: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    workers: int = 0  # most worker processes at once (a recycled one may overlap its successor)
    worker_rss: float = 0.0  # largest single worker

    def add(self, sample: Sample) -> None:
        for measure, index in ((self.rss, 0), (self.pss, 1)):
            by_role = {role: sum(use[index] or 0.0 for use in uses) for role, uses in sample.usage.items()}
            for role, value in (*by_role.items(), ("total", sum(by_role.values()))):
                measure[role] = max(measure[role], value)
        self.workers = max(self.workers, len(sample.workers))
        self.worker_rss = max(self.worker_rss, *sample.workers, 0.0)

    def table(self) -> list[str]:
        has_pss = self.pss["total"] > 0
        rows = [f"{'peak memory (MB)':<33}{'RSS':>6}{'PSS' if has_pss else '':>7}"]
        labels = {
            APP: APP,
            FORK_SERVER: FORK_SERVER,
            WORKERS: f"{WORKERS} ({self.workers}, each <= {self.worker_rss:.0f} RSS)",
            "total": "total",
        }
        for role, label in labels.items():
            pss = f"{self.pss[role]:7.0f}" if has_pss else ""
            rows.append(f"  {label:<31}{self.rss[role]:6.0f}{pss}")
        return rows


def sample_tree() -> Sample:
    """RSS and PSS of this process and each descendant: the workers are the fork server's children (or
    this process's, where they are spawned), with their own children (tesseract) counted as theirs."""
    me = psutil.Process()
    sample = Sample()
    helpers = set()
    for process in (me, *me.children(recursive=True)):  # parents before their children
        with contextlib.suppress(psutil.Error):  # a worker may exit between listing and reading it
            info = process.memory_full_info()
            pss = getattr(info, "pss", None)
            usage = (info.rss / MB, None if pss is None else pss / MB)
            parent = process.ppid()
            if process.pid == me.pid:
                sample.usage[APP].append(usage)
            elif parent == me.pid and any(helper in " ".join(process.cmdline()) for helper in HELPERS):
                helpers.add(process.pid)
                sample.usage[FORK_SERVER].append(usage)
            else:
                sample.usage[WORKERS].append(usage)
                if parent in helpers or parent == me.pid:
                    sample.workers.append(usage[0])
    return sample


class Sampler:
    """Samples the process tree every 0.1 s in a thread: walking /proc must not hold up the loop measured."""

    def __init__(self) -> None:
        self.peaks = Peaks()
        self._running = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Peaks:
        self.peaks.add(sample_tree())
        self._running.set()
        self._thread.start()
        return self.peaks

    def __exit__(self, *_exc: object) -> None:
        self._running.clear()
        self._thread.join()

    def _run(self) -> None:
        while self._running.is_set():
            self.peaks.add(sample_tree())
            time.sleep(0.1)


def top_allocations(limit: int) -> list[str]:
    """What Python holds in this process, by line, and which packages it has imported. Run in a worker
    whose fork server was started with PYTHONTRACEMALLOC set, it includes the preloaded imports."""
    if not tracemalloc.is_tracing():
        return ["tracemalloc is off in this process"]
    held, peak = tracemalloc.get_traced_memory()
    packages = sorted(
        {name.partition(".")[0] for name in sys.modules}
        - set(sys.stdlib_module_names)
        - {"__main__", "__mp_main__"}
    )
    return [
        f"Python allocations: {held / MB:.1f} MB held, {peak / MB:.1f} MB at peak",
        f"{len(sys.modules)} modules; packages: {', '.join(p for p in packages if not p.startswith('_'))}",
        *(str(stat) for stat in tracemalloc.take_snapshot().statistics("lineno")[:limit]),
    ]
