"""Runs through the provider's Batch API, over real HTTP to the fake server's files and batches: the same
values as a live run, failed lines asked again, a restart while parts are out, cancel, expiry, parts within
the limits, and `coderai run PROJECT --full --batch`."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.enums import JobItemStatus, JobStatus
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.persistence.engine import Database, create_engine
from coderai_desktop.persistence.tables import BatchPart, BatchRequest
from coderai_desktop.pipeline import batch_jobs as batch_jobs_module
from coderai_desktop.pipeline.batch_parts import PartLimits
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import Cli
from tests.integration.runs.conftest import (
    NAMES,
    Configure,
    Corpus,
    MakeCorpus,
    extractions,
    item_statuses,
    items,
    job_service,
    on_each_backend,
    values_per_document,
    variable_names,
    wait_for,
)

POLL = 0.05


@pytest.fixture
async def batch_jobs(jobs: JobService, configure: Configure) -> JobService:
    """The job service polling fast; live runs without packing (a batch codes one document per request)."""
    await configure(pack_token_budget=0, price_input_per_million=2.0, price_output_per_million=8.0)
    jobs.batches.poll_seconds = POLL
    return jobs


def coded(context: AppContext, corpus: Corpus, job_id: int) -> dict[tuple[str, str], tuple[Any, ...]]:
    """What a job stored, by (file name, variable): the value, its evidence and status."""
    names = variable_names(context)
    return {
        (corpus.name_of(row.document_id), names[row.variable_id]): (
            row.value,
            row.confidence,
            row.evidence_quote,
            row.char_start,
            row.char_end,
            row.match_status,
            row.status,
        )
        for row in extractions(context, job_id)
    }


def parts(context: AppContext, job_id: int) -> list[BatchPart]:
    with context.database.transaction() as session:
        return list(
            session.scalars(sa.select(BatchPart).where(BatchPart.job_id == job_id).order_by(BatchPart.id))
        )


def request_statuses(context: AppContext, job_id: int) -> list[str]:
    with context.database.transaction() as session:
        query = sa.select(BatchRequest.status).where(BatchRequest.job_id == job_id).order_by(BatchRequest.id)
        return list(session.scalars(query))


@on_each_backend
async def test_a_batch_run_codes_every_document_as_a_live_run_does_at_the_batch_price(
    batch_jobs: JobService, make_corpus: MakeCorpus, server: FakeOpenAI, context: AppContext
) -> None:
    live_corpus = await make_corpus(5, name="Run A")
    batch_corpus = await make_corpus(5, name="Run B")
    live = await batch_jobs.run((await batch_jobs.start(live_corpus.project_id)).id)
    live_requests = len(server.requests)
    server.reset()

    job = await batch_jobs.start(batch_corpus.project_id, batch=True)
    assert job.batch
    done = await batch_jobs.run(job.id)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 5, 0)
    assert server.requests == [], "nothing was asked live"
    [lines] = server.batches.created
    assert len(lines) == live_requests == 5
    assert coded(context, batch_corpus, job.id) == coded(context, live_corpus, live.id)
    assert len(coded(context, batch_corpus, job.id)) == 5 * len(NAMES)
    assert (done.tokens_in, done.tokens_out) == (live.tokens_in, live.tokens_out)
    assert done.cost == pytest.approx(live.cost / 2, rel=0.01) and done.cost > 0
    assert [part.status for part in parts(context, job.id)] == ["collected"]
    assert set(request_statuses(context, job.id)) == {"answered"}
    assert done.pause_reason is None, "nothing is waited for any more"


async def test_an_entity_project_asks_its_entities_then_codes_them_in_a_second_part(
    batch_jobs: JobService, make_corpus: MakeCorpus, server: FakeOpenAI, context: AppContext
) -> None:
    parties = VariableSpec(name="role", type="text", instructions="The party's role.")
    text = "entity: Acme\nentity: Globex\n[Acme] role: seller\n[Globex] role: buyer\n"
    project = ProjectContext(
        name="Contracts",
        unit_of_observation="ENTITY",
        entity_identification_pattern="each party named on an 'entity:' line",
    )
    corpus = await make_corpus(
        0, name="Contracts", variables=[parties], project=project, extra={"nda.txt": text}
    )

    done = await batch_jobs.run((await batch_jobs.start(corpus.project_id, batch=True)).id)

    assert done.status is JobStatus.COMPLETED
    assert len(server.batches.created) == 2, "the entities first, then their values"
    rows = extractions(context, done.id)
    assert sorted((row.entity_text, row.value) for row in rows) == [("Acme", "seller"), ("Globex", "buyer")]


@on_each_backend
async def test_failed_lines_are_asked_live_and_every_document_is_coded_once(
    batch_jobs: JobService, make_corpus: MakeCorpus, server: FakeOpenAI, context: AppContext
) -> None:
    corpus = await make_corpus(6)
    server.batches.fail_lines(2)

    done = await batch_jobs.run((await batch_jobs.start(corpus.project_id, batch=True)).id)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 6, 0)
    assert len(server.requests) == 2, "the two failed lines, asked live"
    assert values_per_document(context, done.id) == dict.fromkeys(corpus.ids.values(), len(NAMES))
    assert [part.failed_count for part in parts(context, done.id)] == [2]
    # Those two are paid at the live price, the others at the batch's half (cached tokens cost as input).
    asked_live = {corpus.ids[name] for name, n in corpus.requests_per_document(server.requests).items() if n}
    full_price = {
        document: (row.tokens_in * 2.0 + row.tokens_out * 8.0) / 1e6
        for document, row in items(context, done.id).items()
    }
    expected = sum(cost if document in asked_live else cost / 2 for document, cost in full_price.items())
    assert len(asked_live) == 2 and done.cost == pytest.approx(expected)


async def test_a_line_that_fails_live_too_fails_its_document_with_a_clear_message(
    batch_jobs: JobService, make_corpus: MakeCorpus, server: FakeOpenAI, context: AppContext
) -> None:
    corpus = await make_corpus(3)
    server.batches.fail_lines(1)
    server.fail_next(400, message="This request is not allowed.", times=5)

    done = await batch_jobs.run((await batch_jobs.start(corpus.project_id, batch=True)).id)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 2, 1)
    [failed] = [item for item in item_statuses(context, done.id).values() if item is JobItemStatus.FAILED]
    assert failed is JobItemStatus.FAILED
    log = "\n".join(entry.message for entry in await batch_jobs.log(done.id))
    assert "This request is not allowed." in log


@on_each_backend
async def test_a_restart_while_a_part_is_out_picks_it_up_from_the_stored_batch_ids(
    batch_jobs: JobService,
    make_corpus: MakeCorpus,
    server: FakeOpenAI,
    context: AppContext,
    user: UserSession,
    parser_pool: ParserPool,
) -> None:
    corpus = await make_corpus(4)
    server.batches.hold = True
    job = await batch_jobs.start(corpus.project_id, batch=True)
    first = asyncio.create_task(batch_jobs.run(job.id))
    await wait_for(lambda: _true(len(server.batches.created) == 1))
    await wait_for(lambda: _waits(batch_jobs, job.id))
    first.cancel()  # the app closes
    with pytest.raises(asyncio.CancelledError):
        await first
    stopped = await batch_jobs.get(job.id)
    assert stopped.status is JobStatus.PAUSED and stopped.documents_processed == 0
    assert [offered.id for offered in await batch_jobs.interrupted()] == [job.id]
    [remote] = [part.remote_id for part in parts(context, job.id)]
    assert remote in server.batches.batches

    # Another process of the app, on its own engine, opens the same database and polls the part.
    database = Database(create_engine(context.settings.database_url))
    try:
        restarted = job_service(context, user, parser_pool, database)
        restarted.batches.poll_seconds = POLL
        server.batches.hold = False
        done = await restarted.resume(job.id)
    finally:
        database.close()

    assert (done.status, done.documents_processed, done.pause_reason) == (JobStatus.COMPLETED, 4, None)
    assert len(server.batches.created) == 1, "nothing was submitted twice"
    assert server.requests == []
    assert values_per_document(context, job.id) == dict.fromkeys(corpus.ids.values(), len(NAMES))


@on_each_backend
async def test_a_batch_created_just_before_the_app_died_is_found_again_not_submitted_twice(
    batch_jobs: JobService, make_corpus: MakeCorpus, server: FakeOpenAI, context: AppContext
) -> None:
    """The app died after the provider created the batch and before its id was stored: the part is found
    again at the provider by the marker it was created with, and its answers collected."""
    corpus = await make_corpus(3)
    server.batches.hold = True
    job = await batch_jobs.start(corpus.project_id, batch=True)
    first = asyncio.create_task(batch_jobs.run(job.id))
    await wait_for(lambda: _waits(batch_jobs, job.id))
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    [part] = parts(context, job.id)
    with context.database.transaction() as session:  # as if the id had never been written
        session.execute(
            sa.update(BatchPart).where(BatchPart.id == part.id).values(remote_id=None, status="uploading")
        )

    server.batches.hold = False
    done = await batch_jobs.resume(job.id)

    assert (done.status, done.documents_processed) == (JobStatus.COMPLETED, 3)
    assert len(server.batches.created) == 1, "the batch was not submitted a second time"
    [found] = parts(context, job.id)
    assert found.remote_id == part.remote_id and found.status == "collected"
    assert values_per_document(context, job.id) == dict.fromkeys(corpus.ids.values(), len(NAMES))


@on_each_backend
async def test_cancel_cancels_the_remote_batch_and_keeps_what_is_done(
    batch_jobs: JobService, make_corpus: MakeCorpus, server: FakeOpenAI, context: AppContext
) -> None:
    corpus = await make_corpus(4)
    batch_jobs.batches.limits = PartLimits(requests=2)
    server.batches.hold = True
    job = await batch_jobs.start(corpus.project_id, batch=True)
    running = asyncio.create_task(batch_jobs.run(job.id))
    await wait_for(lambda: _true(len(server.batches.created) == 2))
    first, second = server.batches.batches
    server.batches.finish(first)  # the first part is answered; the second is cancelled before it is
    await wait_for(lambda: _coded(batch_jobs, job.id, 2))
    # Its answers are stored before the part is marked collected: cancel once it is, so that the first part
    # is not still "out" (a provider refuses to cancel a finished batch; the app then only logs it).
    await wait_for(lambda: _true(parts(context, job.id)[0].status == "collected"))

    cancelled = await batch_jobs.cancel(job.id)
    done = await asyncio.wait_for(running, 5)

    assert cancelled.status is done.status is JobStatus.CANCELLED
    assert server.batches.cancelled == [second]
    assert server.batches.batches[second].status in ("cancelling", "cancelled")
    assert done.documents_processed == 2
    assert len(values_per_document(context, job.id)) == 2, "the coded documents keep their values"
    assert [part.status for part in parts(context, job.id)] == ["collected", "cancelled"]


@on_each_backend
async def test_an_expired_part_submits_its_unanswered_requests_again(
    batch_jobs: JobService, make_corpus: MakeCorpus, server: FakeOpenAI, context: AppContext
) -> None:
    corpus = await make_corpus(4)
    server.batches.expire_next()

    done = await batch_jobs.run((await batch_jobs.start(corpus.project_id, batch=True)).id)

    assert (done.status, done.documents_processed) == (JobStatus.COMPLETED, 4)
    first, again = server.batches.created
    assert (len(first), len(again)) == (4, 2), "half answered before it expired; the rest asked again"
    assert {line["custom_id"] for line in again} < {line["custom_id"] for line in first}
    assert server.requests == []
    assert values_per_document(context, done.id) == dict.fromkeys(corpus.ids.values(), len(NAMES))


async def test_requests_go_in_parts_within_the_request_and_size_limits(
    batch_jobs: JobService, make_corpus: MakeCorpus, server: FakeOpenAI, context: AppContext
) -> None:
    corpus = await make_corpus(7)
    batch_jobs.batches.limits = PartLimits(requests=3)

    done = await batch_jobs.run((await batch_jobs.start(corpus.project_id, batch=True)).id)
    assert [len(lines) for lines in server.batches.created] == [3, 3, 1]
    assert done.documents_processed == 7

    other = await make_corpus(3, name="By size")
    line = max(len(str(lines[0])) for lines in server.batches.created)
    batch_jobs.batches.limits = PartLimits(bytes=int(line * 1.5))  # one line's worth, not two
    server.batches.created.clear()
    await batch_jobs.run((await batch_jobs.start(other.project_id, batch=True)).id)
    assert [len(lines) for lines in server.batches.created] == [1, 1, 1]


async def test_a_compatible_server_has_no_batch_api(
    batch_jobs: JobService, configure: Configure, corpus: Corpus
) -> None:
    await configure(kind="compatible")
    with pytest.raises(InvalidInputError, match="no Batch API"):
        await batch_jobs.start(corpus.project_id, batch=True)


@pytest.fixture
async def survey(make_corpus: MakeCorpus) -> Corpus:
    """Three documents; the CLI sets the provider up."""
    return await make_corpus(3, name="Survey")


def test_coderai_run_full_batch_waits_polls_and_codes_every_document(
    coderai: Cli, survey: Corpus, server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_jobs_module, "POLL_SECONDS", POLL)
    server.batches.delay = 0.3

    result = coderai("run", "Survey", "--full", "--batch")

    assert result.code == 0, result.err
    assert "Job 1 completed: 3 coded, 0 failed" in result.out
    assert "1 batch part at the provider: 0 of 3 requests answered" in result.err
    assert len(server.batches.created) == 1 and server.requests == []


async def _true(value: bool) -> bool:
    return value


async def _waits(jobs: JobService, job_id: int) -> bool:
    return "at the provider" in ((await jobs.get(job_id)).pause_reason or "")


async def _coded(jobs: JobService, job_id: int, count: int) -> bool:
    return (await jobs.get(job_id)).documents_processed >= count
