"""Pause, resume and cancel a running job, from this process or another one; closing the app mid-run; and the
heartbeat that tells a running job from one whose process died (see test_killed_run_resumes.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import JobItemStatus, JobStatus, LogEventType
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.persistence.engine import Database, create_engine
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.pipeline.runner import APP_CLOSED
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import (
    HEARTBEAT,
    NAMES,
    Configure,
    Corpus,
    MakeCorpus,
    coded_at_least,
    events,
    extractions,
    item_statuses,
    job_service,
    on_each_backend,
    values_per_document,
    wait_for,
)


@pytest.fixture
def other_jobs(context: AppContext, user: UserSession, parser_pool: ParserPool) -> Iterator[JobService]:
    """A JobService of "another process": its own engine on the same database."""
    database = Database(create_engine(context.settings.database_url))
    yield job_service(context, user, parser_pool, database)
    database.close()


@on_each_backend
@pytest.mark.parametrize("pauser", ["same", "other process"])
async def test_a_paused_job_resumes_without_coding_any_document_twice(
    jobs: JobService,
    other_jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    pauser: str,
) -> None:
    # Enough documents that some still wait when a pause lets the ones in progress finish.
    corpus = await make_corpus(10)
    server.latency = 0.3
    job = await jobs.start(corpus.project_id)
    running = asyncio.create_task(jobs.run(job.id))
    await coded_at_least(jobs, job.id, 1)

    await (jobs if pauser == "same" else other_jobs).pause(job.id)
    paused = await asyncio.wait_for(running, 5)

    assert (paused.status, paused.pause_reason) == (JobStatus.PAUSED, "Paused by you.")
    statuses = item_statuses(context, job.id)
    done_before = {document_id for document_id, status in statuses.items() if status is JobItemStatus.DONE}
    assert 1 <= len(done_before) == paused.documents_processed < len(corpus.ids)
    assert set(statuses.values()) == {JobItemStatus.DONE, JobItemStatus.PENDING}
    assert len(server.requests) == len(done_before), "every document sent before the pause was finished"
    kept = {row.id for row in extractions(context, job.id)}
    assert [offered.id for offered in await jobs.interrupted()] == [job.id]

    server.latency = 0.0
    resumed = await jobs.resume(job.id)

    assert (resumed.status, resumed.documents_processed, resumed.documents_failed) == (
        JobStatus.COMPLETED,
        len(corpus.ids),
        0,
    )
    assert set(corpus.requests_per_document(server.requests).values()) == {1}, "nothing was sent twice"
    assert kept <= {row.id for row in extractions(context, job.id)}, "the values coded before are kept"
    assert values_per_document(context, job.id) == dict.fromkeys(corpus.ids.values(), len(NAMES))
    log = [event for event, _document in events(context, job.id)]
    assert log[0] is LogEventType.JOB_STARTED and log[-1] is LogEventType.JOB_COMPLETED
    assert log.index(LogEventType.JOB_PAUSED) < log.index(LogEventType.JOB_RESUMED)
    assert await jobs.interrupted() == []


@pytest.mark.parametrize("canceller", ["same", "other process"])
async def test_cancel_stops_at_once_and_keeps_the_results_so_far(
    jobs: JobService,
    other_jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    canceller: str,
) -> None:
    corpus = await make_corpus(6)
    server.latency = 0.2
    job = await jobs.start(corpus.project_id)
    running = asyncio.create_task(jobs.run(job.id))
    await coded_at_least(jobs, job.id, 2)
    server.latency = 3.0  # the next requests take long: a cancel does not wait for them
    await asyncio.sleep(0.4)  # (the requests sent before, with the short latency, are answered by now)
    started = time.monotonic()
    await (jobs if canceller == "same" else other_jobs).cancel(job.id)
    [outcome] = await asyncio.wait_for(asyncio.gather(running, return_exceptions=True), 5)

    assert time.monotonic() - started < 1.5, "noticed within a few heartbeats, in-flight calls abandoned"
    cancelled = await jobs.get(job.id)
    assert cancelled.status is JobStatus.CANCELLED and cancelled.finished_at is not None
    statuses = item_statuses(context, job.id)
    done = {document_id for document_id, status in statuses.items() if status is JobItemStatus.DONE}
    assert len(done) == cancelled.documents_processed >= 2
    assert JobItemStatus.RUNNING not in statuses.values()
    assert set(values_per_document(context, job.id)) == done, "results so far are kept"
    # Regression: a cancel from elsewhere made run() raise CancelledError (a traceback in `coderai run`).
    assert not isinstance(outcome, BaseException), f"run() raised {outcome!r} instead of returning"
    assert outcome.status is JobStatus.CANCELLED


async def test_closing_the_app_mid_run_leaves_the_job_paused_and_offered_for_resuming(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, server: FakeOpenAI, context: AppContext
) -> None:
    corpus = await make_corpus(6)
    server.latency = 0.2
    job = await jobs.start(corpus.project_id)
    running = asyncio.create_task(jobs.run(job.id))
    await coded_at_least(jobs, job.id, 1)

    running.cancel()  # what closing the window does to the run's task
    with pytest.raises(asyncio.CancelledError):
        await running

    paused = await jobs.get(job.id)
    assert (paused.status, paused.pause_reason) == (JobStatus.PAUSED, APP_CLOSED)
    assert "closed" in APP_CLOSED
    assert JobItemStatus.RUNNING not in item_statuses(context, job.id).values()
    assert [offered.id for offered in await jobs.interrupted()] == [job.id]

    server.latency = 0.0
    assert (await jobs.resume(job.id)).status is JobStatus.COMPLETED
    assert set(corpus.requests_per_document(server.requests).values()) <= {1, 2}
    assert values_per_document(context, job.id) == dict.fromkeys(corpus.ids.values(), len(NAMES))
    assert await jobs.interrupted() == []


async def test_the_heartbeat_keeps_a_running_job_fresh(
    jobs: JobService, corpus: Corpus, server: FakeOpenAI
) -> None:
    server.latency = 2.0  # the first documents are still in flight while the test looks
    job = await jobs.start(corpus.project_id)
    running = asyncio.create_task(jobs.run(job.id))

    async def started() -> bool:
        return (await jobs.get(job.id)).heartbeat_at is not None

    await wait_for(started)
    first = (await jobs.get(job.id)).heartbeat_at
    await asyncio.sleep(3 * HEARTBEAT)
    later = (await jobs.get(job.id)).heartbeat_at

    assert first is not None and later is not None and later > first
    assert (await jobs.get(job.id)).documents_processed == 0, "it beats while documents are in flight"
    assert await jobs.interrupted() == [], "a job that beats is not offered for resuming"
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
