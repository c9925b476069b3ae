"""Transient faults of a provider through real HTTP: our layer retries them (alone: no extra requests from the
SDK's own retries), waiting as long as the server asks, and the document is coded. Faults that outlast the
retries: test_lasting_faults.py."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.enums import JobItemStatus, JobStatus
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.export.service import ExportService
from coderai_desktop.llm import client as client_module
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import Configure, Corpus, item_statuses


async def run_one(jobs: JobService, corpus: Corpus, name: str = "plan-01.txt") -> JobSummary:
    job = await jobs.start(corpus.project_id, document_ids=[corpus.ids[name]])
    return await jobs.run(job.id)


def coded(context: AppContext, job: JobSummary) -> bool:
    return job.status is JobStatus.COMPLETED and set(item_statuses(context, job.id).values()) == {
        JobItemStatus.DONE
    }


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between attempts that the retry layer asks for, recorded instead of slept."""
    recorded: list[float] = []

    async def record(seconds: float) -> None:
        recorded.append(seconds)

    with_retries = client_module.with_retries

    def recording(
        call: Callable[[], Awaitable[object]], base_delay: float, *_sleep: object
    ) -> Awaitable[object]:
        return with_retries(call, base_delay, record)

    monkeypatch.setattr(client_module, "with_retries", recording)
    return recorded


async def test_a_429_is_retried_after_the_wait_the_server_asked_for(
    jobs: JobService, corpus: Corpus, server: FakeOpenAI, context: AppContext, waits: list[float]
) -> None:
    server.fail_next(429, retry_after=1)

    job = await run_one(jobs, corpus)

    assert coded(context, job)
    assert len(server.requests) == 2
    assert waits == [1.0], "Retry-After: 1 honoured (the base retry delay is 0.01 s)"


@pytest.mark.parametrize(
    ("fault", "requests"),
    [
        (lambda server: server.fail_next(500), 2),
        (lambda server: server.fail_next(500, times=2), 3),
        (lambda server: server.malformed_next(), 2),
    ],
    ids=["a 500", "two 500s", "a reply that is not JSON"],
)
async def test_a_fault_that_clears_is_retried_by_our_layer_alone(
    jobs: JobService,
    corpus: Corpus,
    server: FakeOpenAI,
    context: AppContext,
    fault: Callable[[FakeOpenAI], None],
    requests: int,
) -> None:
    fault(server)

    job = await run_one(jobs, corpus)

    assert coded(context, job)
    assert len(server.requests) == requests, "no extra requests from the SDK's own retries"


async def test_an_answer_cut_short_is_repaired_with_a_second_request(
    exports: ExportService, jobs: JobService, corpus: Corpus, server: FakeOpenAI, context: AppContext
) -> None:
    server.truncated_next()

    job = await run_one(jobs, corpus)

    assert coded(context, job)
    first, repair = server.requests
    assert [m["role"] for m in repair["messages"]] == ["system", "user", "user", "assistant", "user"]
    assert repair["messages"][:3] == first["messages"]
    assert "not one complete JSON object" in repair["messages"][-1]["content"]
    assert repair["max_completion_tokens"] == 2 * first["max_completion_tokens"], "room to finish it"
    table = await exports.table(corpus.project_id)
    assert table.records()[0]["budget"] == corpus.plans["plan-01.txt"].budget


async def test_a_request_that_hangs_past_the_timeout_is_retried(
    jobs: JobService, corpus: Corpus, server: FakeOpenAI, context: AppContext, configure: Configure
) -> None:
    await configure(request_timeout=0.5)
    server.hang_next(5)
    started = time.monotonic()

    job = await run_one(jobs, corpus)

    assert coded(context, job)
    assert len(server.requests) == 2
    assert time.monotonic() - started < 4, "the hung request was abandoned at the timeout"
