"""The parser pool turns a hang, a crash, a memory bomb or a bug into a ReadFailure for that one file, and
keeps working for the next file."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from coderai_desktop.domain.enums import DocumentFormat, DocumentProblem
from coderai_desktop.ingest.chunking import ChunkPolicy
from coderai_desktop.ingest.parsed import ReadFailure, ReadOptions
from coderai_desktop.ingest.pool import ParserPool, PoolLimits
from tests.fakes import workers
from tests.fakes.documents import encrypted_pdf, pdf_file

TIMEOUT = 1.5
MARGIN = 3.0  # a stopped worker is noticed within pebble's polling interval; CI machines are slow
MEMORY_MB = 512  # the cap of the pool below; the hog asks for four times as much


@pytest.fixture(scope="module")
def strict_pool() -> Iterator[ParserPool]:
    """One worker with a short time limit and a memory cap, for the tests that misbehave on purpose."""
    pool = ParserPool(PoolLimits(workers=1, timeout_seconds=TIMEOUT, memory_mb=MEMORY_MB))
    yield pool
    pool.close()


async def still_works(pool: ParserPool) -> None:
    status, value, _pid = await pool.run(workers.answer, {"next": "task"})
    assert (status, value) == ("ok", {"next": "task"})


async def test_a_task_returns_its_value(strict_pool: ParserPool) -> None:
    assert (await strict_pool.run(workers.answer, [1, "two"]))[:2] == ("ok", [1, "two"])


async def test_workers_start_without_the_spreadsheet_libraries(strict_pool: ParserPool) -> None:
    """pandas and openpyxl are imported by the worker that reads a spreadsheet; preloaded in the fork
    server, they would weigh on every worker."""
    modules = ["pymupdf", "pandas", "openpyxl"]
    assert await strict_pool.run(workers.imported, modules) == [True, False, False]


async def test_a_hang_is_stopped_at_the_time_limit(strict_pool: ParserPool) -> None:
    started = time.monotonic()
    with pytest.raises(ReadFailure) as failure:
        await strict_pool.run(workers.sleep_forever)
    elapsed = time.monotonic() - started
    assert failure.value.problem is DocumentProblem.TIMED_OUT
    assert "took longer than" in failure.value.message
    assert TIMEOUT <= elapsed < TIMEOUT + MARGIN
    await still_works(strict_pool)


async def test_a_crashed_worker_is_reported_and_replaced(strict_pool: ParserPool) -> None:
    _status, _value, before = await strict_pool.run(workers.answer, 0)
    with pytest.raises(ReadFailure) as failure:
        await strict_pool.run(workers.die_abruptly)
    assert failure.value.problem is DocumentProblem.CRASHED
    assert "exit code 9" in failure.value.message
    _status, _value, after = await strict_pool.run(workers.answer, 0)
    assert after != before  # a fresh process took the dead one's place


async def test_an_unexpected_error_is_unreadable_and_logged(
    strict_pool: ParserPool, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ReadFailure) as failure:
        await strict_pool.run(workers.raise_unexpected)
    assert failure.value.problem is DocumentProblem.UNREADABLE_FORMAT
    assert "unexpected error (ReaderBug)" in failure.value.message
    assert "a bug in a reader" in caplog.text  # the details go to the log, not to the person
    await still_works(strict_pool)


# A MemoryError raised in a worker outside a reader (plan_chunks, pickling a huge result) is TOO_LARGE too,
# not an "unexpected error".
@pytest.mark.skipif(sys.platform != "linux", reason="the memory cap (RLIMIT_AS) is enforced on Linux only")
async def test_a_memory_hog_fails_that_file_only(strict_pool: ParserPool) -> None:
    with pytest.raises(ReadFailure) as failure:
        await strict_pool.run(workers.hog_memory, 4 * MEMORY_MB)
    assert failure.value.problem in (DocumentProblem.TOO_LARGE, DocumentProblem.CRASHED)
    assert "memory" in failure.value.message
    await still_works(strict_pool)


async def test_cancelling_the_task_stops_the_worker(strict_pool: ParserPool) -> None:
    _status, _value, before = await strict_pool.run(workers.answer, 0)
    hanging = asyncio.ensure_future(strict_pool.run(workers.sleep_forever))
    await asyncio.sleep(0.3)  # the worker has taken the task
    hanging.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hanging
    started = time.monotonic()
    _status, _value, after = await strict_pool.run(workers.answer, 0)
    assert after != before  # the hanging worker was stopped, not left running
    assert time.monotonic() - started < TIMEOUT  # and the next task did not wait for the time limit


async def test_a_real_pdf_is_parsed_and_chunked_in_a_worker(
    parser_pool: ParserPool,
    tmp_path: Path,
) -> None:
    path = pdf_file(tmp_path, "two.pdf", ["First page text.", "Second page text."])
    [output] = await parser_pool.parse(
        str(path), DocumentFormat.PDF, ReadOptions(ocr_enabled=False), ChunkPolicy.fit(1000)
    )
    document = output.document
    assert document.text == "First page text.\n\nSecond page text."
    assert document.page_offsets == [0, len("First page text.\n\n")]
    assert [(span.start, span.end) for span in output.chunks] == [(0, len(document.text))]


async def test_parse_failures_keep_their_problem_across_the_process_boundary(
    parser_pool: ParserPool,
    tmp_path: Path,
) -> None:
    path = encrypted_pdf(tmp_path, "locked.pdf", "Secret.", "pw")
    with pytest.raises(ReadFailure) as failure:
        await parser_pool.parse(str(path), DocumentFormat.PDF, ReadOptions(), ChunkPolicy.fit(1000))
    assert failure.value.problem is DocumentProblem.PASSWORD_REQUIRED
    assert "Password required" in failure.value.message


def test_readers_that_cannot_start_say_why(tmp_path: Path) -> None:
    """A temporary folder whose path is too long for the fork server's socket: the error says so and what
    to do, instead of the pool's empty "()" (a fresh process: this one's fork server is already running)."""
    long_folder = tmp_path / ("t" * 110)
    long_folder.mkdir()
    script = (
        "import asyncio\n"
        "from coderai_desktop.ingest.pool import ParserPool, PoolLimits\n"
        "from tests.fakes import workers\n"
        "pool = ParserPool(PoolLimits(workers=1, timeout_seconds=10, memory_mb=512))\n"
        "try:\n"
        "    asyncio.run(pool.run(workers.answer, 1))\n"
        "except Exception as error:\n"
        "    print(error)\n"
        "pool.close()\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "TMPDIR": str(long_folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.stdout.strip() == (
        "The document readers could not be started: the temporary folder's path is too long for a socket "
        f"({long_folder}). Set TMPDIR to a folder with a shorter path."
    ), ran.stderr
