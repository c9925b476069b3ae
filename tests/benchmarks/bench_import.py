"""Import benchmark: 1,000 generated documents (PDF, DOCX, HTML, TXT), through the app's import service.

Prints, in one run on the same files:
  - documents per second through the app (hash, copy, parse in worker processes, chunk, store);
  - the same for bare library extraction in one process (PyMuPDF, python-docx, BeautifulSoup, str.decode):
    the limit the app is compared with, as a ratio;
  - peak memory of the app process, the fork server and the workers (see memory.py for RSS and PSS);
  - the longest stall of the asyncio loop during the import (target: under 50 ms).

With --trace, also the lines that allocated most (tracemalloc) in the app process during the import and in
a worker, with the packages the worker has imported; tracing slows both, so the times are not comparable.

Every worker imports this script (see ParserPool), so at module level it imports only what the `coderai`
command would: the libraries are imported where they are used. The documents are generated in processes of
their own, so that the app process holds only what the app does.

Run: python tests/benchmarks/bench_import.py [--documents 1000] [--workers N] [--trace]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks import memory

STALL_TARGET_MS = 50.0
TICK_SECONDS = 0.005
TRACE_LINES = 12


@dataclass
class AppRun:
    seconds: float
    stall_ms: float
    ready: int
    workers: int
    peaks: memory.Peaks
    trace: list[str]


def generate(folder: Path, count: int) -> list[Path]:
    """A quarter each of 3-page PDFs, Word files, web pages and text files, with varied prose."""
    with ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn")) as processes:
        return list(processes.map(functools.partial(generate_one, folder), range(count), chunksize=25))


def generate_one(folder: Path, number: int) -> Path:
    from tests.fakes import documents

    text = documents.paragraphs(number, 6, words=(40, 120))
    kind = number % 4
    if kind == 0:
        pages = [text[i::3] for i in range(3)]  # three different pages of the same length
        return documents.pdf_file(folder, f"doc{number:04}.pdf", [" ".join(p.split()) for p in pages])
    if kind == 1:
        return documents.docx_file(folder, f"doc{number:04}.docx", text.split("\n\n"))
    if kind == 2:
        body = "".join(f"<p>{paragraph}</p>" for paragraph in text.split("\n\n"))
        return documents.html_file(folder, f"doc{number:04}.html", body, title=f"Page {number}")
    return documents.text_file(folder, f"doc{number:04}.txt", text)


def bare_extraction(paths: list[Path]) -> float:
    """Seconds to extract the text of every file with the libraries alone, in this process."""
    import docx
    import pymupdf
    from bs4 import BeautifulSoup

    started = time.perf_counter()
    for path in paths:
        suffix = path.suffix
        if suffix == ".pdf":
            with pymupdf.open(path) as pdf:
                "".join(page.get_text() for page in pdf)
        elif suffix == ".docx":
            "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
        elif suffix == ".html":
            BeautifulSoup(path.read_bytes(), "lxml").get_text()
        else:
            path.read_bytes().decode("utf-8")
    return time.perf_counter() - started


async def app_import(folder: Path, data: Path, workers: int | None, trace: bool) -> AppRun:
    """The app importing the folder: time, longest loop stall, documents READY, peak memory and, with
    `trace`, the top tracemalloc lines of the app process and of a worker."""
    from coderai_desktop.app_context import AppContext
    from coderai_desktop.config import Settings
    from coderai_desktop.domain.codebook import ProjectContext
    from coderai_desktop.ingest.report import Outcome

    settings = Settings(data_dir=data, login_failure_delay=0.0)
    if workers is not None:
        settings = dataclasses.replace(settings, import_workers=workers)
    context = AppContext.open(settings)
    try:
        user = await context.accounts.create_account("bench", "benchmark password")
        await context.projects(user).create_project(ProjectContext(name="Benchmark"))
        service = context.documents(user)
        if trace:  # read when the fork server starts, just below; the workers inherit its tracing
            os.environ["PYTHONTRACEMALLOC"] = "1"
        await context.parsers.run(len, ())  # start the workers before the clock: spawn is a one-off cost
        longest = 0.0
        running = True

        async def watch_loop() -> None:
            nonlocal longest
            while running:
                before = time.perf_counter()
                await asyncio.sleep(TICK_SECONDS)
                longest = max(longest, time.perf_counter() - before - TICK_SECONDS)

        if trace:
            tracemalloc.start()
            before = tracemalloc.take_snapshot()
        with memory.Sampler() as peaks:
            watcher = asyncio.create_task(watch_loop())
            started = time.perf_counter()
            report = await service.import_paths("Benchmark", [folder])
            elapsed = time.perf_counter() - started
            running = False
            await watcher
        lines = []
        if trace:
            _held, peak = tracemalloc.get_traced_memory()
            added = tracemalloc.take_snapshot().compare_to(before, "lineno")[:TRACE_LINES]
            tracemalloc.stop()
            lines = [
                f"app process: Python allocations peaked {peak / memory.MB:.1f} MB during the import; "
                "held at the end, by line:",
                *(f"  {stat}" for stat in added),
                "a worker:",
                *(f"  {line}" for line in await context.parsers.run(memory.top_allocations, TRACE_LINES)),
            ]
        ready = report.count(Outcome.IMPORTED)
        return AppRun(elapsed, longest * 1000, ready, context.parsers.limits.workers, peaks, lines)
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--workers", type=int, help="parser processes (default: the app's setting)")
    parser.add_argument("--trace", action="store_true", help="top tracemalloc lines, app process and worker")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="coderai-bench-"))
    try:
        folder = scratch / "corpus"
        folder.mkdir()
        started = time.perf_counter()
        paths = generate(folder, args.documents)
        print(f"generated {len(paths)} documents in {time.perf_counter() - started:.1f} s")
        # The app first: the bare run leaves this process's heap full of parse trees that the garbage
        # collector would then walk during the import, a pause the app itself never has.
        run = asyncio.run(app_import(folder, scratch / "data", args.workers, args.trace))
        bare = bare_extraction(paths)
        print(f"documents:                 {len(paths)} ({run.ready} ready)")
        print(f"bare extraction (limit):   {len(paths) / bare:8.1f} documents/s  ({bare:.2f} s, 1 process)")
        print(
            f"app import:                {len(paths) / run.seconds:8.1f} documents/s  "
            f"({run.seconds:.2f} s, {run.workers} workers)"
        )
        print(f"ratio app / bare:          {bare / run.seconds:8.2f}")
        verdict = "met" if run.stall_ms < STALL_TARGET_MS else "NOT MET"
        print(
            f"longest asyncio stall:     {run.stall_ms:8.1f} ms  (target < {STALL_TARGET_MS:.0f} ms: {verdict})"
        )
        print("\n".join(run.peaks.table()))
        if run.trace:
            print("\n".join(run.trace))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
