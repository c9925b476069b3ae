"""Group commit: work submitted together is written in few transactions; a bad unit fails alone; work
cancelled before it is written is never written."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.persistence.engine import Database, create_engine
from coderai_desktop.persistence.group_commit import GroupCommit


class CountingDatabase(Database):
    """Counts transactions, and can hold the database thread until released."""

    def __init__(self, url: str):
        super().__init__(create_engine(url))
        self.transactions = 0

    def _run_in_transaction(self, work: Callable[[Session], Any]) -> Any:
        self.transactions += 1
        return super()._run_in_transaction(work)


@pytest.fixture
def database(tmp_path: Path) -> Database:
    database = CountingDatabase(f"sqlite:///{tmp_path / 'group.sqlite3'}")
    with database.transaction() as session:
        session.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)"))
    database.transactions = 0
    yield database
    database.close()


def insert(body: str) -> Callable[[Session], None]:
    return lambda session: session.execute(sa.text("INSERT INTO notes (body) VALUES (:body)"), {"body": body})


def bodies(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(sa.text("SELECT body FROM notes ORDER BY body")))


async def test_work_submitted_together_is_written_in_few_transactions(database: CountingDatabase) -> None:
    commits = GroupCommit(database)
    await asyncio.gather(*(commits.submit(insert(f"note {number:03}")) for number in range(100)))
    assert bodies(database) == [f"note {number:03}" for number in range(100)]
    assert database.transactions <= 3  # the first alone, then what queued behind it


async def test_a_failing_unit_fails_alone(database: CountingDatabase) -> None:
    commits = GroupCommit(database)
    results = await asyncio.gather(
        *(commits.submit(insert(body)) for body in ("a", "b", "a", "c")), return_exceptions=True
    )
    assert [isinstance(result, sa.exc.IntegrityError) for result in results] == [False, False, True, False]
    assert bodies(database) == ["a", "b", "c"]


async def test_work_cancelled_before_it_is_written_is_never_written(database: CountingDatabase) -> None:
    commits = GroupCommit(database)
    first = asyncio.create_task(commits.submit(insert("first")))
    await asyncio.sleep(0)  # the writer has taken "first" to the database thread
    second = asyncio.create_task(commits.submit(insert("second")))
    await asyncio.sleep(0)
    second.cancel()
    await first
    with pytest.raises(asyncio.CancelledError):
        await second
    await database.run(lambda _session: None)
    assert bodies(database) == ["first"]
