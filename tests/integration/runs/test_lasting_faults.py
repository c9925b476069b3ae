"""Faults that outlast the retries. A document whose answer stays unusable, whose requests keep failing or
whose prompt the server cuts fails alone, with a message a person can act on, and the others are coded. A
fault every document would meet (a refused key, an unknown model, no JSON-schema output, a server that
cannot be reached) pauses the job at once with what to do, as do ten failures in a row; a resume after the
fix loses nothing that was already coded."""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import JobItemStatus, JobStatus
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.export.service import ExportService
from coderai_desktop.llm import client as client_module
from coderai_desktop.llm.resilience import MAX_RETRIES, CircuitBreaker
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.pipeline.runner import WORKERS_PER_CALL
from tests.fakes.openai_server import FakeOpenAI, default_responder, document_of
from tests.integration.runs.conftest import (
    NAMES,
    Configure,
    Corpus,
    MakeCorpus,
    closed_port,
    coded_at_least,
    extractions,
    item_statuses,
    items,
    values_per_document,
)

ATTEMPTS = MAX_RETRIES + 1


@pytest.fixture(autouse=True)
def quick_circuit_breaker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The breaker half-opens after 0.05 s instead of 30 s: after a document has used up its retries, the
    next one does not wait half a minute for the breaker (Retry-After of an open breaker is honoured)."""
    monkeypatch.setattr(client_module, "CircuitBreaker", functools.partial(CircuitBreaker, reset_after=0.05))


async def run_all(jobs: JobService, corpus: Corpus) -> JobSummary:
    return await asyncio.wait_for(jobs.run((await jobs.start(corpus.project_id)).id), 30)


def outcome(context: AppContext, corpus: Corpus, job: JobSummary) -> dict[str, tuple[JobItemStatus, str]]:
    return {
        corpus.name_of(document): (row.status, row.error_message or "")
        for document, row in items(context, job.id).items()
    }


def only_failure(context: AppContext, corpus: Corpus, job: JobSummary) -> tuple[str, str]:
    """The file name and error message of the job's one failed document."""
    [failure] = [
        (name, message)
        for name, (status, message) in outcome(context, corpus, job).items()
        if status is JobItemStatus.FAILED
    ]
    return failure


def answering(name: str, answer: str) -> Callable[[dict], dict | str]:
    """The default answers, except `answer` (every time) for the document `name`."""

    def responder(request: dict) -> dict | str:
        if f"Municipal plan {name}" in (document_of(request) or ""):
            return answer
        return default_responder(request)

    return responder


def stopped_early(context: AppContext, job: JobSummary, concurrency: int) -> None:
    """Paused at once: the documents in progress met the error (FAILED), those coded before stay DONE, and
    every other one waits untouched (PENDING) instead of failing in turn."""
    assert job.status is JobStatus.PAUSED
    statuses = Counter(item_statuses(context, job.id).values())
    assert set(statuses) <= {JobItemStatus.DONE, JobItemStatus.FAILED, JobItemStatus.PENDING}
    assert (statuses[JobItemStatus.DONE], statuses[JobItemStatus.FAILED]) == (
        job.documents_processed,
        job.documents_failed,
    )
    assert 1 <= statuses[JobItemStatus.FAILED] <= concurrency, f"{statuses} : failed one by one"
    assert statuses[JobItemStatus.PENDING] >= statuses.total() / 2


# --- one document fails, the others are coded ----------------------------------------------------------


@pytest.mark.parametrize("answer", ["prose", "broken JSON", "cut short"])
async def test_an_answer_that_stays_unusable_fails_that_document_only(
    exports: ExportService,
    jobs: JobService,
    corpus: Corpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    answer: str,
) -> None:
    await configure(concurrency=1)  # one document at a time: scripted faults land on the first one's requests
    if answer == "cut short":
        server.truncated_next(2)  # the answer, and the repair's answer
    elif answer == "broken JSON":
        server.responder = answering("plan-02.txt", '{"title": {"value": "Clean Air Plan 2", "confid')
    else:
        server.responder = answering("plan-02.txt", "Sorry, I can only answer questions about cooking.")

    done = await run_all(jobs, corpus)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 3, 1)
    failed, message = only_failure(context, corpus, done)
    assert failed == ("plan-02.txt" if answer != "cut short" else corpus.document_in(server.requests[0]))
    assert message.startswith("The model's answer was not valid JSON, even after asking again.")
    assert "Try another model" in message
    assert corpus.requests_per_document(server.requests)[failed] == 2, "one repair request"
    assert corpus.ids[failed] not in values_per_document(context, done.id)
    table = await exports.table(corpus.project_id)
    assert sorted(row["document"] for row in table.records()) == sorted(set(corpus.ids) - {failed})
    corpus.check_results(table)


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (lambda server: server.malformed_next(ATTEMPTS), ["not valid JSON"]),
        (
            lambda server: server.hang_next(10, times=ATTEMPTS),  # far longer than the timeout
            ["did not answer within 0.2 seconds", "raise the request timeout"],
        ),
    ],
    ids=["a reply that is never JSON", "a request that always hangs"],
)
async def test_a_fault_on_every_attempt_fails_that_document_with_a_final_message(
    jobs: JobService,
    corpus: Corpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    fault: Callable[[FakeOpenAI], None],
    words: list[str],
) -> None:
    await configure(concurrency=1, request_timeout=0.2)
    fault(server)  # on every attempt of the first document

    done = await run_all(jobs, corpus)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 3, 1)
    _failed, message = only_failure(context, corpus, done)
    assert all(word in message for word in words), message
    assert "retrying" not in message, f"the document has failed; nothing is being retried: {message!r}"


async def test_a_server_that_cuts_the_prompt_fails_that_document_with_the_reason(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, server: FakeOpenAI, context: AppContext
) -> None:
    long_text = "budget: 5\n\n" + "The council discussed the plan at length. " * 150
    corpus = await make_corpus(1, extra={"long.txt": long_text})
    server.prompt_tokens = lambda request: 5

    done = await run_all(jobs, corpus)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 1, 1)
    rows = items(context, done.id)
    assert rows[corpus.ids["plan-01.txt"]].status is JobItemStatus.DONE
    failed = rows[corpus.ids["long.txt"]]
    assert failed.status is JobItemStatus.FAILED
    assert failed.error_message is not None
    assert "read 5 prompt tokens" in failed.error_message and "context" in failed.error_message


# --- the job pauses ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "structured_outputs", "words"),
    [
        ({"model": "gpt-nope"}, True, ["has no model named 'gpt-nope'"]),
        (
            {"kind": "openai", "strict_schema": None},
            False,
            ["refused structured output", "coderai provider test"],
        ),
    ],
    ids=["an unknown model", "a server without JSON-schema output"],
)
async def test_a_fault_every_document_would_meet_pauses_the_job_at_once(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    provider: dict[str, Any],
    structured_outputs: bool,
    words: list[str],
) -> None:
    await configure(concurrency=3, **provider)
    corpus = await make_corpus(12)
    server.structured_outputs = structured_outputs

    paused = await run_all(jobs, corpus)

    assert paused.pause_reason is not None
    assert all(word in paused.pause_reason for word in words), paused.pause_reason
    stopped_early(context, paused, concurrency=3)


async def test_a_key_refused_mid_run_pauses_the_job_at_once_and_a_resume_after_fixing_it_loses_nothing(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    user: UserSession,
) -> None:
    await configure(concurrency=3)
    corpus = await make_corpus(12)
    server.latency = 0.15
    job = await jobs.start(corpus.project_id)
    running = asyncio.create_task(jobs.run(job.id))

    await coded_at_least(jobs, job.id, 2)
    server.api_key = "sk-rotated-key-5678"  # the key was revoked and replaced at the provider
    paused = await asyncio.wait_for(running, 10)

    assert paused.pause_reason is not None
    assert "refused the API key" in paused.pause_reason and "Settings > API Keys" in paused.pause_reason
    stopped_early(context, paused, concurrency=3)
    assert paused.documents_processed >= 2
    refused = {
        row.error_message for row in items(context, job.id).values() if row.status is JobItemStatus.FAILED
    }
    assert refused == {paused.pause_reason}, "the documents in flight failed with the refusal"
    coded = set(values_per_document(context, job.id))
    kept = {row.id for row in extractions(context, job.id)}
    assert len(coded) == paused.documents_processed and len(kept) == len(coded) * len(NAMES)

    await context.secrets.set_api_key(user.workspace_id, "openai", "sk-rotated-key-5678")
    server.latency = 0.0
    server.reset()
    done = await jobs.resume(job.id)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 12, 0)
    resent = {
        corpus.ids[name] for name, count in corpus.requests_per_document(server.requests).items() if count
    }
    assert resent == set(corpus.ids.values()) - coded
    assert kept <= {row.id for row in extractions(context, job.id)}
    assert values_per_document(context, job.id) == dict.fromkeys(corpus.ids.values(), len(NAMES))


async def test_a_server_that_cannot_be_reached_pauses_the_job_and_loses_nothing(
    jobs: JobService, corpus: Corpus, configure: Configure, context: AppContext
) -> None:
    await configure(concurrency=1, base_url=f"http://127.0.0.1:{closed_port()}/v1")

    paused = await run_all(jobs, corpus)

    assert paused.status is JobStatus.PAUSED, (paused.status, paused.documents_failed)
    assert paused.pause_reason is not None and "Cannot reach http://127.0.0.1:" in paused.pause_reason
    assert "that the server is running" in paused.pause_reason
    assert paused.documents_failed <= 1, "stopped at the first document, not after failing them all"

    await configure(concurrency=1)  # the server is back (the right address)
    done = await jobs.resume(paused.id)
    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 4, 0)
    assert values_per_document(context, done.id) == dict.fromkeys(corpus.ids.values(), len(NAMES))


async def test_ten_documents_failing_in_a_row_pause_the_job(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, server: FakeOpenAI, context: AppContext
) -> None:
    await configure(concurrency=1)  # one call at a time (see test_concurrency.py for start(concurrency))
    corpus = await make_corpus(14)
    server.fail_next(400, times=14, message="Scripted: this request is not accepted.")
    job = await jobs.start(corpus.project_id)

    paused = await jobs.run(job.id)

    assert paused.status is JobStatus.PAUSED
    assert paused.pause_reason is not None
    assert paused.pause_reason.startswith("10 documents failed in a row")
    assert "this request is not accepted" in paused.pause_reason
    # The document waiting for the call slot when the tenth failed (WORKERS_PER_CALL) may be called too.
    failed = paused.documents_failed
    assert 10 <= failed <= 10 + WORKERS_PER_CALL - 1 and paused.documents_processed == 0
    assert len(server.requests) == failed
    statuses = sorted(item_statuses(context, job.id).values())
    assert statuses == [JobItemStatus.FAILED] * failed + [JobItemStatus.PENDING] * (14 - failed)
