"""A `coderai run` killed with SIGKILL mid-run (power cut, OOM killer: no cleanup at all), on each database: the
job stays RUNNING, but its worker's lock ended with the process (an OS lock on SQLite, an advisory lock on
PostgreSQL), so the job is offered at once, not after its heartbeat goes stale, and `coderai job resume`
right away codes every document exactly once, sending none of those coded before the kill again and
keeping what they stored."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.enums import JobItemStatus, JobStatus, JobType
from coderai_desktop.export.service import ExportService
from coderai_desktop.persistence.tables import JobItem, ProcessingJob
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import Cli
from tests.integration.runs.conftest import (
    NAMES,
    PROJECT,
    Configure,
    MakeCorpus,
    check_coded_once,
    extractions,
    item_statuses,
    on_each_backend,
    start_cli,
    wait_for,
)

DOCUMENTS = 10
KILL_AFTER = 3  # documents coded


@on_each_backend
async def test_a_killed_run_is_offered_at_once_and_resumed_without_coding_anything_twice(
    exports: ExportService,
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    cli: Cli,
    tmp_path: Path,
) -> None:
    corpus = await make_corpus(DOCUMENTS)
    server.latency = 0.2  # slow enough to kill the process between documents
    log = tmp_path / "coderai-run.txt"
    child = start_cli(context, log, "run", PROJECT, "--full", "--concurrency", "2")
    try:

        async def some_coded() -> bool:
            assert child.poll() is None, f"the run ended before it was killed:\n{log.read_text()}"
            listed = await jobs.jobs(corpus.project_id)
            return bool(listed) and listed[0].documents_processed >= KILL_AFTER

        await wait_for(some_coded, timeout=30)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    [job] = await jobs.jobs(corpus.project_id)
    at_kill = item_statuses(context, job.id)
    coded = {document for document, status in at_kill.items() if status is JobItemStatus.DONE}
    stored = {row.id for row in extractions(context, job.id)}
    assert (job.job_type, job.status, job.documents_total) == (JobType.FULL, JobStatus.RUNNING, DOCUMENTS), (
        "killed: nobody wrote that it stopped"
    )
    assert KILL_AFTER <= len(coded) == job.documents_processed < DOCUMENTS, "killed in the middle"
    assert set(at_kill.values()) <= {JobItemStatus.DONE, JobItemStatus.RUNNING, JobItemStatus.PENDING}
    assert len(stored) == len(coded) * len(NAMES), "each coded document's values, once"

    # Its heartbeat is still recent, but its lock died with it: no worker is alive, it is offered at once.
    assert job.runner == f"process {child.pid} on this computer" and job.workers == ()
    assert [offered.id for offered in await jobs.interrupted()] == [job.id]
    server.latency = 0.0
    server.reset()

    # `coderai job resume` at once, in this process (its own event loop, in a thread).
    url = context.settings.database_url
    resumed = await asyncio.to_thread(cli, "--db-url", url, "--user", "ana", "job", "resume", str(job.id))

    assert resumed.code == 0, resumed.err
    assert resumed.out.startswith(f"Job {job.id} completed: {DOCUMENTS} coded, 0 failed"), resumed.out
    finished = await jobs.get(job.id)
    assert (finished.status, finished.documents_processed, finished.documents_failed) == (
        JobStatus.COMPLETED,
        DOCUMENTS,
        0,
    )
    after = item_statuses(context, job.id)
    assert sorted(after) == sorted(corpus.ids.values()), "one item per document"
    assert set(after.values()) == {JobItemStatus.DONE}
    sent_again = {
        corpus.ids[name] for name, count in corpus.requests_per_document(server.requests).items() if count
    }
    assert sent_again == set(corpus.ids.values()) - coded, "documents coded before the kill are not re-sent"
    rows = extractions(context, job.id)
    values = Counter((row.document_id, row.variable_id) for row in rows)
    assert len(values) == DOCUMENTS * len(NAMES) and set(values.values()) == {1}, "one set of values each"
    assert stored <= {row.id for row in rows}, "what the killed process stored is kept as it was"
    table = await exports.table(corpus.project_id)
    assert len(table.rows) == DOCUMENTS
    corpus.check_results(table)
    assert await jobs.interrupted() == []


@on_each_backend
async def test_a_run_killed_before_workers_were_recorded_is_resumed(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, server: FakeOpenAI, context: AppContext
) -> None:
    """A run killed under a version that recorded no workers (before schema 0010) left documents RUNNING
    claimed by nobody: a resume codes them again instead of waiting for a worker that never comes."""
    corpus = await make_corpus(4)
    job = await jobs.start(corpus.project_id)
    await jobs.pause(job.id)
    in_flight = sorted(corpus.ids.values())[:2]
    with context.database.transaction() as session:
        session.execute(
            sa.update(JobItem)
            .where(JobItem.job_id == job.id, JobItem.document_id.in_(in_flight))
            .values(status=JobItemStatus.RUNNING, tokens_in=500, worker_id=None)
        )
        session.execute(
            sa.update(ProcessingJob).where(ProcessingJob.id == job.id).values(status=JobStatus.RUNNING)
        )
    assert [offered.id for offered in await jobs.interrupted()] == [job.id]

    resumed = await asyncio.wait_for(jobs.resume(job.id), 30)

    check_coded_once(context, corpus, resumed)
    assert set(corpus.requests_per_document(server.requests).values()) == {1}
