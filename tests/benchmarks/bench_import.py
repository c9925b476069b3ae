"""Import benchmark: 1,000 generated documents (PDF, DOCX, HTML, TXT), through the app's import service.

Prints, in one run on the same files:
  - documents per second through the app (hash, copy, parse in worker processes, chunk, store);
  - the same for bare library extraction in one process (PyMuPDF, python-docx, BeautifulSoup, str.decode):
    the limit the app is compared with, as a ratio;
  - peak memory of the app with its worker processes;
  - the longest stall of the asyncio loop during the import (target: under 50 ms).

Run: python tests/benchmarks/bench_import.py [--documents 1000] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import docx
import psutil
import pymupdf
from bs4 import BeautifulSoup

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.ingest.report import Outcome
from tests.fakes import documents

STALL_TARGET_MS = 50.0
TICK_SECONDS = 0.005


def generate(folder: Path, count: int) -> list[Path]:
    """A quarter each of 3-page PDFs, Word files, web pages and text files, with varied prose."""
    paths = []
    for number in range(count):
        kind = number % 4
        text = documents.paragraphs(number, 6, words=(40, 120))
        if kind == 0:
            pages = [text[i::3] for i in range(3)]  # three different pages of the same length
            paths.append(
                documents.pdf_file(folder, f"doc{number:04}.pdf", [" ".join(p.split()) for p in pages])
            )
        elif kind == 1:
            paths.append(documents.docx_file(folder, f"doc{number:04}.docx", text.split("\n\n")))
        elif kind == 2:
            body = "".join(f"<p>{paragraph}</p>" for paragraph in text.split("\n\n"))
            paths.append(documents.html_file(folder, f"doc{number:04}.html", body, title=f"Page {number}"))
        else:
            paths.append(documents.text_file(folder, f"doc{number:04}.txt", text))
    return paths


def bare_extraction(paths: list[Path]) -> float:
    """Seconds to extract the text of every file with the libraries alone, in this process."""
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


def tree_rss_mb() -> float:
    """Resident memory of this process and all its descendants (fork server and workers), in MB."""
    me = psutil.Process()
    processes = [me, *me.children(recursive=True)]
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total / 2**20


async def app_import(folder: Path, data: Path, workers: int) -> tuple[float, float, int, float]:
    """Seconds for the app to import the folder, the longest loop stall (ms), documents READY, and the
    peak memory of the app with its workers (MB)."""
    settings = Settings(data_dir=data, import_workers=workers, login_failure_delay=0.0)
    context = AppContext.open(settings)
    try:
        user = await context.accounts.create_account("bench", "benchmark password")
        await context.projects(user).create_project(ProjectContext(name="Benchmark"))
        service = context.documents(user)
        await context.parsers.run(len, ())  # start the workers before the clock: spawn is a one-off cost
        longest, peaks = 0.0, [tree_rss_mb()]
        running = True

        def watch_memory() -> None:  # in a thread: walking /proc must not hold up the loop being measured
            while running:
                peaks.append(tree_rss_mb())
                time.sleep(0.1)

        async def watch_loop() -> None:
            nonlocal longest
            while running:
                before = time.perf_counter()
                await asyncio.sleep(TICK_SECONDS)
                longest = max(longest, time.perf_counter() - before - TICK_SECONDS)

        sampler = threading.Thread(target=watch_memory, daemon=True)
        sampler.start()

        watcher = asyncio.create_task(watch_loop())
        started = time.perf_counter()
        report = await service.import_paths("Benchmark", [folder])
        elapsed = time.perf_counter() - started
        running = False
        await watcher
        sampler.join()
        return elapsed, longest * 1000, report.count(Outcome.IMPORTED), max(peaks)
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=Settings().import_workers)
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
        elapsed, stall_ms, ready, peak = asyncio.run(app_import(folder, scratch / "data", args.workers))
        bare = bare_extraction(paths)
        print(f"documents:                 {len(paths)} ({ready} ready)")
        print(f"bare extraction (limit):   {len(paths) / bare:8.1f} documents/s  ({bare:.2f} s, 1 process)")
        print(
            f"app import:                {len(paths) / elapsed:8.1f} documents/s  ({elapsed:.2f} s, {args.workers} workers)"
        )
        print(f"ratio app / bare:          {bare / elapsed:8.2f}")
        print(f"peak memory:               {peak:8.0f} MB (app process, fork server and workers together)")
        verdict = "met" if stall_ms < STALL_TARGET_MS else "NOT MET"
        print(
            f"longest asyncio stall:     {stall_ms:8.1f} ms  (target < {STALL_TARGET_MS:.0f} ms: {verdict})"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
