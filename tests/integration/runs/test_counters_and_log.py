"""A job's counters add up (documents, tokens, cost), its log tells the story in order, and the project's
status follows its runs."""

from __future__ import annotations

import asyncio

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import JobItemStatus, JobStatus, LogEventType, ProjectStatus
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import (
    Configure,
    Corpus,
    events,
    items,
    on_each_backend,
    reported_usage,
    wait_for,
)
from tests.unit.json_log import json_lines

PRICE_IN, PRICE_OUT = 2.0, 8.0  # dollars per million tokens


@on_each_backend
async def test_tokens_and_cost_add_up_over_items_and_requests(
    jobs: JobService, corpus: Corpus, configure: Configure, server: FakeOpenAI, context: AppContext
) -> None:
    await configure(price_input_per_million=PRICE_IN, price_output_per_million=PRICE_OUT)

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert (done.documents_total, done.documents_processed, done.documents_failed) == (4, 4, 0)
    rows = items(context, done.id).values()
    reported = [reported_usage(request) for request in server.requests]
    assert done.tokens_in == sum(row.tokens_in for row in rows) == sum(usage[0] for usage in reported)
    assert done.tokens_out == sum(row.tokens_out for row in rows) == sum(usage[1] for usage in reported)
    assert all(row.tokens_in > 0 and row.tokens_out > 0 and row.attempts == 1 for row in rows)
    assert done.cost == pytest.approx((done.tokens_in * PRICE_IN + done.tokens_out * PRICE_OUT) / 1e6)
    assert done.cost > 0


async def test_the_log_records_each_document_in_order_and_failures_are_counted(
    jobs: JobService, corpus: Corpus, configure: Configure, server: FakeOpenAI, context: AppContext
) -> None:
    await configure(concurrency=1)
    server.fail_next(400)
    job = await jobs.start(corpus.project_id)
    first, *others = list(items(context, job.id))

    done = await jobs.run(job.id)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 3, 1)
    assert done.consecutive_failures == 0, "a success resets the run of failures"
    expected = [
        (LogEventType.JOB_STARTED, None),
        (LogEventType.DOC_STARTED, first),
        (LogEventType.DOC_FAILED, first),
        *[
            pair
            for document in others
            for pair in ((LogEventType.DOC_STARTED, document), (LogEventType.DOC_COMPLETED, document))
        ],
        (LogEventType.JOB_COMPLETED, None),
    ]
    assert events(context, job.id) == expected
    failed = items(context, job.id)[first]
    assert failed.status is JobItemStatus.FAILED and "refused the request (400" in (
        failed.error_message or ""
    )

    retry = await jobs.start(corpus.project_id)
    assert list(items(context, retry.id)) == [first], "the next full run takes the failed document only"


async def test_the_project_status_follows_its_runs(
    jobs: JobService, corpus: Corpus, server: FakeOpenAI, context: AppContext, user: UserSession
) -> None:
    projects = context.projects(user)

    async def status() -> ProjectStatus:
        return (await projects.get_project(corpus.project_id)).status

    assert await status() is ProjectStatus.SCHEMA_DEFINED
    sample = await jobs.start(corpus.project_id, sample=1, seed=2)
    await jobs.run(sample.id)
    assert await status() is ProjectStatus.SAMPLE_COMPLETE

    server.latency = 0.2
    full = await jobs.start(corpus.project_id)
    running = asyncio.create_task(jobs.run(full.id))

    async def processing() -> bool:
        return await status() is ProjectStatus.PROCESSING

    await wait_for(processing, timeout=5)
    assert not running.done()
    assert (await running).status is JobStatus.COMPLETED
    assert await status() is ProjectStatus.COMPLETE


async def test_the_log_file_names_the_job_and_document_of_each_line_with_its_duration(
    jobs: JobService, corpus: Corpus, configure: Configure, context: AppContext
) -> None:
    await configure(concurrency=2)
    with json_lines() as records:
        done = await jobs.run((await jobs.start(corpus.project_id)).id)

    coded = [r for r in records() if r["message"].startswith("Coded in")]
    assert sorted(r["document"] for r in coded) == sorted(items(context, done.id))
    assert {r["job"] for r in coded} == {done.id}, "lines from the workers carry the job"
    assert all(r["duration_ms"] >= 0 for r in coded)
