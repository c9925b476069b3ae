"""Group commit: units of work submitted while the database is busy are written in one transaction.

Imports save thousands of small documents; one commit (and one fsync, with synchronous=FULL) per batch
instead of per document keeps the database thread from becoming the bottleneck. If a batch fails, each
of its units is retried on its own, so one bad unit fails alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy.orm import Session

from coderai_desktop.persistence.engine import Database

T = TypeVar("T")
Work = Callable[[Session], Any]


class GroupCommit:
    def __init__(self, database: Database, max_batch: int = 200):
        self._database = database
        self._max_batch = max_batch
        self._pending: list[tuple[Work, asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in a transaction shared with whatever else is waiting; return its result once
        committed."""
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        entry = (work, done)
        self._pending.append(entry)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        try:
            return cast(T, await done)
        except asyncio.CancelledError:
            # Cancelled before its batch was taken: it is never written. (One already being written
            # finishes: the database thread runs in order, so later work sees it.)
            with contextlib.suppress(ValueError):
                self._pending.remove(entry)
            raise

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
            try:
                results = await self._database.run(functools.partial(_run_all, batch=batch))
            except Exception:
                await self._one_by_one(batch)
            else:
                for (_work, done), result in zip(batch, results, strict=True):
                    if not done.done():
                        done.set_result(result)

    async def _one_by_one(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> None:
        for work, done in batch:
            try:
                result = await self._database.run(work)
            except Exception as error:
                if not done.done():
                    done.set_exception(error)
            else:
                if not done.done():
                    done.set_result(result)


def _run_all(session: Session, batch: list[tuple[Work, Any]]) -> list[Any]:
    return [work(session) for work, _done in batch]
