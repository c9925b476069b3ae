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
from typing import Any

from sqlalchemy.orm import Session

from coderai_desktop.persistence.engine import Database

Work = Callable[[Session], None]


class GroupCommit:
    def __init__(self, database: Database, max_batch: int = 200):
        self._database = database
        self._max_batch = max_batch
        self._pending: list[tuple[Work, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, work: Work) -> None:
        """Run `work(session)` in a transaction shared with whatever else is waiting; return once committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (work, done)
        self._pending.append(entry)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        try:
            await done
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
                await self._database.run(functools.partial(_run_all, batch=batch))
            except Exception:
                await self._one_by_one(batch)
            else:
                for _work, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _one_by_one(self, batch: list[tuple[Work, asyncio.Future[None]]]) -> None:
        for work, done in batch:
            try:
                await self._database.run(work)
            except Exception as error:
                if not done.done():
                    done.set_exception(error)
            else:
                if not done.done():
                    done.set_result(None)


def _run_all(session: Session, batch: list[tuple[Work, Any]]) -> None:
    for work, _done in batch:
        work(session)
