"""Importing never blocks the event loop (the GUI's): parsing happens in processes, disk and database work
in threads.

A smoke check with a generous bound for slow CI machines; tests/benchmarks measures the stalls properly.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from coderai_desktop.ingest.report import Outcome
from coderai_desktop.ingest.service import DocumentService, ImportOptions
from tests.fakes.documents import (
    csv_file,
    docx_file,
    example_rows,
    html_file,
    paragraphs,
    pdf_file,
    text_file,
)

TICK = 0.010
LONGEST_STALL = 0.200


def make_files(folder: Path) -> int:
    """Forty files of every format (dense multi-page PDFs included) and a spreadsheet of 50 rows."""
    for number in range(10):
        pdf_file(
            folder,
            f"report-{number}.pdf",
            [paragraphs(number * 10 + page, 3, words=(40, 90)) for page in range(4)],
        )
        docx_file(folder, f"letter-{number}.docx", paragraphs(number, 8).split("\n\n"))
        html_file(folder, f"page-{number}.html", f"<article><p>{paragraphs(number, 6)}</p></article>")
        text_file(folder, f"notes-{number}.txt", paragraphs(number + 50, 10))
    csv_file(folder, "answers.csv", example_rows(50))
    return 40 + 50


async def test_the_event_loop_keeps_ticking_during_an_import(
    documents: DocumentService, project: int, tmp_path: Path
) -> None:
    expected = make_files(tmp_path)
    stalls: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            stalls.append(time.perf_counter() - before - TICK)

    ticking = asyncio.create_task(ticker())
    try:
        report = await documents.import_paths(project, [tmp_path], ImportOptions(text_column="Text"))
    finally:
        done.set()
        await ticking

    assert report.count(Outcome.IMPORTED) == expected
    assert len(stalls) > 10  # the import took a while: the check means something
    assert max(stalls) < LONGEST_STALL, f"the loop stalled for {max(stalls) * 1000:.0f} ms"
