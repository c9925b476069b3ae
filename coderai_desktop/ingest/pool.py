"""Parser processes (pebble): one file per task, a timeout per file, and a crash costs only that file.

PyMuPDF is not thread-safe and holds the GIL, so parsing never happens in the app's process. Workers are
capped in memory and recycled now and then.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.context
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessFuture, ProcessPool

from coderai_desktop.domain.enums import DocumentFormat, DocumentProblem
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.ingest import worker
from coderai_desktop.ingest.chunking import ChunkPolicy
from coderai_desktop.ingest.parsed import ReadFailure, ReadOptions
from coderai_desktop.ingest.worker import WorkerOutput

logger = logging.getLogger(__name__)
T = TypeVar("T")

TASKS_PER_WORKER = 200  # MuPDF keeps caches; a fresh process now and then keeps memory flat
# Imported once in the fork server and shared by every worker. Not the spreadsheet reader: pandas and
# openpyxl weigh more than all the others together, for a rare kind of file (bench_import with 2 workers:
# 400 MB resident with them, 270 MB without); the worker that gets a spreadsheet imports them (0.3 s).
PRELOADED = [
    "coderai_desktop.ingest.worker",
    *(f"coderai_desktop.ingest.readers.{name}" for name in ("pdf", "docx", "html", "txt")),
]


@dataclass(frozen=True)
class PoolLimits:
    workers: int
    timeout_seconds: float
    memory_mb: int


def _worker_context() -> multiprocessing.context.BaseContext:
    """Workers are never forked from the app (it may have Qt threads). A fork server, started once with the
    readers already imported, forks clean workers in milliseconds; Windows and frozen bundles spawn them.
    Either way every worker also imports the main script (for `coderai`, coderai_desktop.cli): whatever that
    imports at module level costs memory and start-up time in each worker."""
    if sys.platform == "win32" or getattr(sys, "frozen", False):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    return context


def _why(error: BaseException) -> str:
    """What made the pool break, in words: the innermost error it was raised from (the pool's own says
    nothing), with advice where there is some."""
    while (inner := error.__cause__ or error.__context__) is not None:
        error = inner
    if "AF_UNIX path too long" in str(error):  # the fork server's socket lives in the temporary folder
        return (
            f"the temporary folder's path is too long for a socket ({tempfile.gettempdir()}). Set TMPDIR to "
            "a folder with a shorter path."
        )
    return f"{type(error).__name__}: {error}." if str(error) else f"{type(error).__name__}."


class ParserPool:
    def __init__(self, limits: PoolLimits):
        self.limits = limits
        self._pool: ProcessPool | None = None

    async def parse(
        self, path: str, kind: DocumentFormat, options: ReadOptions, policy: ChunkPolicy
    ) -> list[WorkerOutput]:
        """The parsed documents of one file, or ReadFailure; cancelling stops the worker."""
        return await self.run(worker.parse_file, path, kind, options, policy)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run a module-level function in a worker, turning timeouts, crashes and bugs into ReadFailure."""
        # Off the event loop: the first task starts the pool, which forks or spawns the workers.
        future = await asyncio.to_thread(self._schedule, function, args)
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            raise ReadFailure(
                DocumentProblem.TIMED_OUT,
                f"Reading the file took longer than {self.limits.timeout_seconds:.0f} seconds and was stopped. "
                "It may be damaged, or very large (raise the time limit in the settings).",
            ) from None
        except ProcessExpired as error:
            logger.warning("A parser process died on %s (exit code %s)", args[:1], error.exitcode)
            raise ReadFailure(
                DocumentProblem.CRASHED,
                f"The reader stopped abruptly on this file (exit code {error.exitcode}): it is probably damaged, "
                "or needs more memory than allowed.",
            ) from None
        except (ReadFailure, CoderAIError):  # already in words a person can act on
            raise
        except MemoryError:
            raise ReadFailure(
                DocumentProblem.TOO_LARGE,
                "Reading the file needed more memory than allowed; it may be a zip bomb.",
            ) from None
        except Exception as error:  # a bug in a reader or a library: keep the details for the log
            logger.error(
                "Unexpected error reading %s: %r\n%s", args[:1], error, getattr(error, "traceback", "")
            )
            raise ReadFailure(
                DocumentProblem.UNREADABLE_FORMAT,
                f"The file could not be read because of an unexpected error ({type(error).__name__}); "
                "the details are in the log file.",
            ) from None

    def _schedule(self, function: Callable[..., T], args: tuple[Any, ...]) -> ProcessFuture[T]:
        for attempt in (1, 2):
            try:
                return self._processes().schedule(function, args=args, timeout=self.limits.timeout_seconds)
            except RuntimeError as error:  # the pool broke (its workers could not start): start afresh once
                logger.warning("Parser pool failed (%s); restarting it", error)
                self.close()
                if attempt == 2:
                    raise CoderAIError(f"The document readers could not be started: {_why(error)}") from error
        raise AssertionError("unreachable")

    def _processes(self) -> ProcessPool:
        if self._pool is None:
            self._pool = ProcessPool(
                max_workers=self.limits.workers,
                max_tasks=TASKS_PER_WORKER,
                initializer=worker.initialise,
                initargs=(self.limits.memory_mb,),
                context=_worker_context(),
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool.join()
            self._pool = None
