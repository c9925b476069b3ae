"""A token budget holds when documents are coded in parallel: the documents already being coded count
against it, so a run never spends more than the budget allows, however slowly progress is shown."""

from __future__ import annotations

import time

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.enums import JobItemStatus, JobStatus
from coderai_desktop.domain.job import JobProgress
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import Configure, Corpus, item_statuses


def busy_window(_progress: JobProgress) -> None:
    """A progress callback that takes a moment, as a busy GUI's can (it blocks the event loop)."""
    time.sleep(0.05)


async def test_parallel_workers_do_not_overspend_the_budget(
    jobs: JobService,
    providers: ProviderService,
    corpus: Corpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    await configure(concurrency=4)  # as many calls at once as there are documents
    largest = 0
    for document_id in corpus.ids.values():
        estimate = await jobs.estimate(corpus.project_id, document_ids=[document_id])
        largest = max(largest, estimate.input_tokens + estimate.output_tokens)
    budget = largest + 1  # room for one document's estimate, not two
    await providers.save_project_overrides(corpus.project_id, {"token_budget": budget})
    job = await jobs.start(corpus.project_id)

    paused = await jobs.run(job.id, busy_window)

    spent = paused.tokens_in + paused.tokens_out
    assert spent <= budget, f"spent {spent:,} tokens of a {budget:,} budget"
    assert paused.status is JobStatus.PAUSED
    assert paused.pause_reason is not None and f"The token budget of {budget:,}" in paused.pause_reason
    assert paused.documents_processed == 1 and len(server.requests) == 1
    statuses = sorted(item_statuses(context, job.id).values())
    assert statuses == [JobItemStatus.DONE] + [JobItemStatus.PENDING] * (len(corpus.ids) - 1)
