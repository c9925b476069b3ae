"""Several workers on one run (a lab's PostgreSQL database): each claims documents a few at a time from the
database, so none is coded twice; their counters add up exactly; the token budget, pause and cancel hold
for all of them; a worker that closes leaves the run to the others, and one whose connection dies is seen
dead at once, its documents coded by the others. On SQLite a running job is left to its one process."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import JobItemStatus, JobStatus
from coderai_desktop.domain.errors import CoderAIError, ConflictError, InvalidInputError
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.engine import Database, create_engine
from coderai_desktop.persistence.repositories.job_workers import JobWorkerRepository
from coderai_desktop.persistence.run_locks import Runner
from coderai_desktop.persistence.worker_liveness import ADVISORY_CLASS, WorkerLiveness
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.pipeline.run_store import LOST
from coderai_desktop.pipeline.runner import APP_CLOSED
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import Cli
from tests.integration.runs.conftest import (
    PROJECT,
    Configure,
    MakeCorpus,
    check_coded_once,
    items,
    job_service,
    on_each_backend,
    on_postgres,
    wait_for,
    worker_rows,
)

PRICE_IN, PRICE_OUT = 2.0, 8.0  # dollars per million tokens


@pytest.fixture
def helper(context: AppContext, user: UserSession, parser_pool: ParserPool) -> Iterator[JobService]:
    """A JobService of another process (another computer): its own engine on the same database."""
    database = Database(create_engine(context.settings.database_url))
    yield job_service(context, user, parser_pool, database)
    database.close()


async def running_with(
    jobs: JobService, context: AppContext, job_id: int, workers: int, coding: int = 1
) -> JobSummary:
    """Wait until `workers` live workers are on the job and `coding` documents are being coded."""

    async def ready() -> bool:
        job = await jobs.get(job_id)
        statuses = [row.status for row in items(context, job_id).values()]
        return len(job.workers) == workers and statuses.count(JobItemStatus.RUNNING) >= coding

    await wait_for(ready, timeout=20)
    return await jobs.get(job_id)


@on_postgres
async def test_two_workers_code_each_document_once_and_their_counters_add_up(
    jobs: JobService,
    helper: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    await configure(concurrency=3, price_input_per_million=PRICE_IN, price_output_per_million=PRICE_OUT)
    corpus = await make_corpus(20)
    server.latency = 0.1
    job = await jobs.start(corpus.project_id)
    first, second = await two_workers(jobs, helper, context, job.id)

    ended = await asyncio.wait_for(asyncio.gather(first, second), 60)

    assert [outcome.status for outcome in ended] == [JobStatus.COMPLETED] * 2
    done = await jobs.get(job.id)
    check_coded_once(context, corpus, done)
    assert set(corpus.requests_per_document(server.requests).values()) == {1}, "nothing sent twice"
    assert done.cost == pytest.approx((done.tokens_in * PRICE_IN + done.tokens_out * PRICE_OUT) / 1e6)
    [model] = done.models.values()  # the per-model totals in the job's settings add up too
    assert (model["tokens_in"], model["tokens_out"]) == (done.tokens_in, done.tokens_out)
    assert model["cost"] == pytest.approx(done.cost)
    workers = worker_rows(context, job.id)
    assert len(workers) == 2 and all(row.ended_at is not None for row in workers)
    assert all(row.documents_done > 0 for row in workers) and sum(row.documents_done for row in workers) == 20
    assert done.workers == ()


@on_postgres
async def test_the_token_budget_holds_across_workers(
    jobs: JobService,
    helper: JobService,
    providers: ProviderService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    await configure(concurrency=1)  # each worker has two documents in progress per call slot
    corpus = await make_corpus(8)
    largest = 0
    for document_id in corpus.ids.values():
        estimate = await jobs.estimate(corpus.project_id, document_ids=[document_id])
        largest = max(largest, estimate.input_tokens + estimate.output_tokens)
    budget = 3 * largest + 1  # room for three documents' estimates, not four
    await providers.save_project_overrides(corpus.project_id, {"token_budget": budget})
    server.latency = 0.6
    job = await jobs.start(corpus.project_id)
    first = asyncio.create_task(jobs.run(job.id))
    await running_with(jobs, context, job.id, workers=1, coding=2)  # two reserved by the first worker

    second = asyncio.create_task(helper.run(job.id, join=True))
    ended = await asyncio.wait_for(asyncio.gather(first, second), 30)

    paused = await jobs.get(job.id)
    assert [outcome.status for outcome in ended] == [JobStatus.PAUSED] * 2
    assert paused.pause_reason is not None and f"The token budget of {budget:,}" in paused.pause_reason
    assert paused.documents_processed == 3, "the second worker let in one document, not two"
    assert paused.tokens_in + paused.tokens_out <= budget
    assert len(server.requests) == 3


@on_postgres
@pytest.mark.parametrize("stop", ["pause", "cancel"])
async def test_pause_and_cancel_reach_every_worker(
    jobs: JobService,
    helper: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    stop: str,
) -> None:
    corpus = await make_corpus(16)
    server.latency = 0.4
    job = await jobs.start(corpus.project_id)
    first, second = await two_workers(jobs, helper, context, job.id, coding=3)

    await (jobs.pause(job.id) if stop == "pause" else jobs.cancel(job.id))
    ended = await asyncio.wait_for(asyncio.gather(first, second), 10)

    status = JobStatus.PAUSED if stop == "pause" else JobStatus.CANCELLED
    assert [outcome.status for outcome in ended] == [status] * 2
    rows = items(context, job.id).values()
    assert {row.status for row in rows} <= {JobItemStatus.DONE, JobItemStatus.PENDING}, "none left running"
    assert all(row.worker_id is None for row in rows), "every claim given back"
    assert all(row.ended_at is not None for row in worker_rows(context, job.id))
    stopped = await jobs.get(job.id)
    assert stopped.documents_processed == sum(row.status is JobItemStatus.DONE for row in rows) < 16
    if stop == "pause":  # a resume codes the rest, each document once
        server.latency = 0.0
        resumed = await jobs.resume(job.id)
        check_coded_once(context, corpus, resumed)


@on_postgres
async def test_a_worker_closing_leaves_the_run_to_the_others_and_the_last_one_pauses_it(
    jobs: JobService,
    helper: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    corpus = await make_corpus(12)
    server.latency = 0.3
    job = await jobs.start(corpus.project_id)
    first, second = await two_workers(jobs, helper, context, job.id)

    first.cancel()  # this window is closed: the other worker goes on
    with pytest.raises(asyncio.CancelledError):
        await first
    going_on = await jobs.get(job.id)
    assert going_on.status is JobStatus.RUNNING and len(going_on.workers) == 1

    second.cancel()  # the last one closes: the run is paused, to resume later
    with pytest.raises(asyncio.CancelledError):
        await second
    paused = await jobs.get(job.id)
    assert (paused.status, paused.pause_reason, paused.workers) == (JobStatus.PAUSED, APP_CLOSED, ())
    assert all(row.worker_id is None for row in items(context, job.id).values())

    server.latency = 0.0
    check_coded_once(context, corpus, await helper.resume(job.id))


@on_postgres
async def test_a_worker_whose_connection_ends_is_dead_at_once_and_the_others_code_its_documents(
    jobs: JobService,
    helper: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    corpus = await make_corpus(10)
    server.latency = 0.4
    job = await jobs.start(corpus.project_id)
    first = asyncio.create_task(jobs.run(job.id))
    await running_with(jobs, context, job.id, workers=1, coding=2)
    [worker] = worker_rows(context, job.id)

    with context.database.transaction() as session:  # the coderai role may signal its own backends
        backend = session.scalar(
            sa.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = :class "
                "AND objid = :worker"
            ),
            {"class": ADVISORY_CLASS, "worker": worker.id},
        )
        assert session.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": backend})

    interrupted = await jobs.get(job.id)
    assert (interrupted.status, interrupted.workers) == (JobStatus.RUNNING, ()), "dead at once"
    assert [offered.id for offered in await jobs.interrupted()] == [job.id]
    with pytest.raises(CoderAIError, match="lost its hold on the run"):
        await asyncio.wait_for(first, 10)
    assert LOST.startswith("This worker lost its hold on the run")

    server.latency = 0.0
    finished = await helper.resume(job.id)  # not a join: nobody is working on it any more
    check_coded_once(context, corpus, finished)
    assert worker_rows(context, job.id)[0].ended_at is not None


@on_each_backend
async def test_a_running_job_names_its_workers_and_helping_needs_a_lab_database(
    jobs: JobService,
    helper: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    corpus = await make_corpus(6)
    server.latency = 0.3
    job = await jobs.start(corpus.project_id)
    first = asyncio.create_task(jobs.run(job.id))
    try:
        running = await running_with(jobs, context, job.id, workers=1)
        [worker] = running.workers
        assert (worker.login, worker.describe()) == ("ana", f"{helper_process()} (ana)")
        assert running.workers_line().startswith(f"Coded by 1 worker: {helper_process()} (ana), ")
        shared = context.database.engine.dialect.name == "postgresql"
        assert jobs.shares_runs is shared
        busy = rf"Job {job.id} is already running \({helper_process()}\); it was left to it\."
        with pytest.raises(ConflictError, match=busy) as refused:
            await helper.run(job.id)
        assert ("--worker" in str(refused.value)) is shared
        if not shared:
            with pytest.raises(InvalidInputError, match="only with a lab's PostgreSQL database"):
                await helper.run(job.id, join=True)
    finally:
        await jobs.pause(job.id)
        await first
    assert len(worker_rows(context, job.id)) == 1, "nobody else enlisted"


async def two_workers(
    jobs: JobService, helper: JobService, context: AppContext, job_id: int, coding: int = 1
) -> tuple[asyncio.Task[JobSummary], asyncio.Task[JobSummary]]:
    """The job run here, then joined by the helper once it is at work; both at work with `coding`
    documents being coded."""
    first = asyncio.create_task(jobs.run(job_id))
    await running_with(jobs, context, job_id, workers=1)
    second = asyncio.create_task(helper.run(job_id, join=True))
    await running_with(jobs, context, job_id, workers=2, coding=coding)
    return first, second


def helper_process() -> str:
    return f"process {os.getpid()} on this computer"


@on_postgres
async def test_a_claim_skips_the_documents_another_worker_is_claiming_without_waiting(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, context: AppContext, user: UserSession
) -> None:
    corpus = await make_corpus(6)
    job = await jobs.start(corpus.project_id)
    first_id, second_id = enlisted(context, user, job.id, 2)
    other = Database(create_engine(context.settings.database_url))
    try:
        with context.database.transaction() as first:
            mine = JobWorkerRepository(first, user.workspace_id).claim(job.id, first_id, 2)  # rows locked
            with other.transaction() as second:
                second.execute(sa.text("SET LOCAL lock_timeout = '2s'"))  # waiting would fail, not hang
                theirs = JobWorkerRepository(second, user.workspace_id).claim(job.id, second_id, 2)
    finally:
        other.close()
    ordered = sorted(corpus.ids.values())
    assert (mine, theirs) == (ordered[:2], ordered[2:4])
    claimed = {row.document_id: row.worker_id for row in items(context, job.id).values()}
    assert claimed == dict(zip(ordered, [first_id] * 2 + [second_id] * 2 + [None] * 2, strict=True))


@on_each_backend
async def test_a_dead_workers_claims_go_back_to_the_pool(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, context: AppContext, user: UserSession
) -> None:
    corpus = await make_corpus(4)
    job = await jobs.start(corpus.project_id)
    dead, live = enlisted(context, user, job.id, 2)  # neither holds its lock yet
    liveness = WorkerLiveness.of(context.database.engine)
    held = liveness.hold(live)
    try:
        with context.database.transaction() as session:
            workers = JobWorkerRepository(session, user.workspace_id)
            assert len(workers.claim(job.id, dead, None)) == 4
            assert workers.claim(job.id, live, None) == [], "all taken"
            assert [worker.id for worker in workers.release_dead(job.id, liveness)] == [live]
            assert workers.claim(job.id, live, None) == sorted(corpus.ids.values())
    finally:
        held.release()
    assert [row.ended_at is not None for row in worker_rows(context, job.id)] == [True, False]


def enlisted(context: AppContext, user: UserSession, job_id: int, count: int) -> list[int]:
    """`count` worker rows for the job, as processes of this computer would add them."""
    with context.database.transaction() as session:
        workers = JobWorkerRepository(session, user.workspace_id)
        return [workers.enlist(job_id, Runner.this_process(), user.account_id).id for _ in range(count)]


@on_each_backend
async def test_the_cli_lists_the_workers_and_says_how_to_help(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    cli: Cli,
) -> None:
    corpus = await make_corpus(6)
    server.latency = 0.3
    job = await jobs.start(corpus.project_id)
    shared = context.database.engine.dialect.name == "postgresql"
    running = asyncio.create_task(jobs.run(job.id))
    try:
        await running_with(jobs, context, job.id, workers=1)
        as_ana = ("--db-url", context.settings.database_url, "--user", "ana")
        listed = await asyncio.to_thread(cli, *as_ana, "jobs", PROJECT)
        resumed = await asyncio.to_thread(cli, *as_ana, "job", "resume", str(job.id))
        if not shared:  # (on PostgreSQL it would help: test_three_workers.py)
            helped = await asyncio.to_thread(cli, *as_ana, "job", "resume", str(job.id), "--worker")
            assert helped.code == 1 and "only with a lab's PostgreSQL database" in helped.err, helped.err
    finally:
        await jobs.pause(job.id)
        await running
    assert listed.code == 0 and f"Job {job.id}: Coded by 1 worker: {helper_process()} (ana), " in listed.out
    assert resumed.code == 1 and f"Job {job.id} is already running ({helper_process()})" in resumed.err
    assert (f"`coderai job resume {job.id} --worker`" in resumed.err) is shared, resumed.err
