"""What the policies cost: a member reading 20,000 values of a project runs each policy helper at most once for the
query (an InitPlan), not once per row, and takes well under twice as long as the same read of an unprotected
copy of the table. Prints the figures."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests.integration.lab.conftest import LabWithMembers, fill_project_as

pytestmark = pytest.mark.postgres

VALUES = 20_000
RUNS = 9


@pytest.fixture
async def coded(members: LabWithMembers, tmp_path: Path) -> int:
    """ana's project with 20,000 values, and the same rows in plain_extractions, a copy without security."""
    project = await fill_project_as(members.ana, tmp_path, "Climate plans", share_with=[])
    with members.ana.connect() as ana:
        ana.execute(
            "INSERT INTO extractions (workspace_id, project_id, job_id, document_id, variable_id, entity_index, "
            "value, confidence, evidence_quote, status, tokens_in, tokens_out, created_at) "
            "SELECT workspace_id, project_id, job_id, document_id, variable_id, g, value, confidence, "
            "evidence_quote, status, tokens_in, tokens_out, now() "
            "FROM extractions, generate_series(1, %s - 1) g WHERE project_id = %s",
            (VALUES, project),
        )
    with members.lab.owner() as owner:
        owner.execute("CREATE TABLE plain_extractions (LIKE extractions INCLUDING ALL)")
        owner.execute("INSERT INTO plain_extractions SELECT * FROM extractions")
        owner.execute("ANALYZE extractions")
        owner.execute("ANALYZE plain_extractions")
    return project


def read(table: str, workspace: int, project: int) -> sql.Composed:
    return sql.SQL("SELECT * FROM {} WHERE workspace_id = {} AND project_id = {}").format(
        sql.Identifier(table), workspace, project
    )


def test_a_member_reads_20000_values_at_well_under_twice_the_unprotected_cost(
    members: LabWithMembers, coded: int
) -> None:
    ana = members.ana
    with ana.connect() as member, members.lab.owner() as plain:
        protected = read("extractions", ana.workspace_id, coded)
        unprotected = read("plain_extractions", ana.workspace_id, coded)
        assert len(member.execute(protected).fetchall()) == VALUES

        plan = member.execute(sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + protected).fetchone()
        assert plan is not None
        subplans = list(_subplans(plan[0][0]["Plan"]))
        assert subplans and all(name.startswith("InitPlan") and loops <= 1 for name, loops in subplans), (
            subplans
        )

        reads = ((member, protected), (plain, unprotected))
        client = [_best(partial(_fetch_all, connection, query)) for connection, query in reads]
        server = [_best(partial(_server_seconds, connection, query)) for connection, query in reads]
    print(
        f"\nReading {VALUES} values as a member against an unprotected copy: {_compared(client)} in the app, "
        f"{_compared(server)} in the server"
    )
    assert client[0] / client[1] < 2


def _compared(seconds: list[float]) -> str:
    return f"{seconds[0] * 1000:.1f} ms against {seconds[1] * 1000:.1f} ms (x{seconds[0] / seconds[1]:.2f})"


def _fetch_all(connection: psycopg.Connection[Any], query: sql.Composed) -> None:
    connection.execute(query).fetchall()


def _server_seconds(connection: psycopg.Connection[Any], query: sql.Composed) -> float:
    plan = connection.execute(sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + query).fetchone()
    assert plan is not None
    return float(plan[0][0]["Execution Time"]) / 1000


def _subplans(node: dict[str, Any]) -> Iterator[tuple[str, int]]:
    if "Subplan Name" in node:
        yield node["Subplan Name"], node["Actual Loops"]
    for child in node.get("Plans", []):
        yield from _subplans(child)


def _best(work: Callable[[], float | None]) -> float:
    """The shortest of RUNS runs (of the time `work` returns, or else of the wall clock)."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        times.append(result if isinstance(result, float) else time.perf_counter() - started)
    return min(times)
