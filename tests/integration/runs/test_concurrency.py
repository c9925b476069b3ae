"""How many documents a run codes at once: the provider's concurrency, or the one the job was started with."""

from __future__ import annotations

import threading
import time

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.job import JobProgress
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI, default_responder
from tests.integration.runs.conftest import Configure, Corpus, MakeCorpus


class InFlight:
    """A responder that takes `seconds` to answer and counts the requests answered at the same time."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.now, self.most = seconds, 0, 0
        self._lock = threading.Lock()

    def __call__(self, request: dict) -> dict:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(self.seconds)
        with self._lock:
            self.now -= 1
        return default_responder(request)


async def test_the_provider_concurrency_bounds_the_requests_in_flight(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, server: FakeOpenAI
) -> None:
    await configure(concurrency=3)
    corpus = await make_corpus(6)
    server.responder = in_flight = InFlight(0.15)

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert done.status is JobStatus.COMPLETED
    assert in_flight.most == 3


async def test_a_job_started_with_concurrency_one_codes_one_document_at_a_time(
    jobs: JobService, corpus: Corpus, configure: Configure, server: FakeOpenAI
) -> None:
    await configure(concurrency=3)
    server.responder = in_flight = InFlight(0.05)

    done = await jobs.run((await jobs.start(corpus.project_id, concurrency=1)).id)

    assert done.status is JobStatus.COMPLETED
    assert in_flight.most == 1


async def started_before_any_finished(jobs: JobService, corpus: Corpus, concurrency: int | None) -> int:
    """How many documents a run has begun (its progress names them) before the first one is coded."""
    begun: set[str] = set()

    def progress(update: JobProgress) -> None:
        if update.current and update.processed + update.failed == 0:
            begun.add(update.current)

    ids = list(corpus.ids.values())
    job = await jobs.start(corpus.project_id, document_ids=ids, concurrency=concurrency)
    assert (await jobs.run(job.id, progress)).status is JobStatus.COMPLETED
    return len(begun)


async def test_a_jobs_own_concurrency_paces_it_like_the_providers(
    jobs: JobService, corpus: Corpus, configure: Configure, server: FakeOpenAI
) -> None:
    """Started with concurrency=1, a job takes on as many documents at once as under a provider concurrency
    of 1 (so a pause, the budget or a fatal error stops it as promptly)."""
    server.latency = 0.2
    await configure(concurrency=1)
    expected = await started_before_any_finished(jobs, corpus, None)

    await configure(concurrency=3)
    begun = await started_before_any_finished(jobs, corpus, 1)

    # Regression: the workers were once sized by the provider's concurrency rather than the job's, so
    # `--concurrency 1` took on documents 3x as fast and a pause or the budget let them all through.
    assert begun == expected
