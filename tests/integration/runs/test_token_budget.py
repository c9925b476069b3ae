"""A token budget stops a run before the document that would exceed it; raising it lets the run finish."""

from __future__ import annotations

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.enums import JobItemStatus, JobStatus, LogEventType
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.tables import Project
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import Configure, Corpus, events, item_statuses


async def document_estimate(jobs: JobService, corpus: Corpus) -> int:
    """The most tokens (in + out) the budget check expects any one document of the corpus to take."""
    largest = 0
    for document_id in corpus.ids.values():
        estimate = await jobs.estimate(corpus.project_id, document_ids=[document_id])
        largest = max(largest, estimate.input_tokens + estimate.output_tokens)
    return largest


async def set_budget(
    how: str, budget: int, providers: ProviderService, context: AppContext, corpus: Corpus
) -> None:
    if how == "project overrides":
        await providers.save_project_overrides(corpus.project_id, {"token_budget": budget})
        return
    with context.database.transaction() as session:
        project = session.get(Project, corpus.project_id)
        assert project is not None
        project.token_budget = budget


@pytest.mark.parametrize("how", ["project overrides", "project row"])
async def test_a_run_pauses_at_the_budget_and_completes_once_it_is_raised(
    jobs: JobService,
    providers: ProviderService,
    corpus: Corpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    how: str,
) -> None:
    await configure(concurrency=1)
    budget = await document_estimate(jobs, corpus) + 1  # room for one document, not two
    await set_budget(how, budget, providers, context, corpus)
    job = await jobs.start(corpus.project_id)

    paused = await jobs.run(job.id)

    assert paused.status is JobStatus.PAUSED
    assert paused.pause_reason is not None
    assert paused.pause_reason.startswith(f"The token budget of {budget:,} would be exceeded")
    assert "Raise the budget" in paused.pause_reason
    spent = paused.tokens_in + paused.tokens_out
    statuses = list(item_statuses(context, job.id).values())
    assert statuses.count(JobItemStatus.DONE) == paused.documents_processed == len(server.requests) >= 1
    assert statuses.count(JobItemStatus.PENDING) == len(corpus.ids) - paused.documents_processed > 0
    assert (LogEventType.JOB_PAUSED, None) in events(context, job.id)

    await set_budget(how, 10_000_000, providers, context, corpus)
    done = await jobs.resume(job.id)

    assert (done.status, done.documents_processed) == (JobStatus.COMPLETED, len(corpus.ids))
    assert len(server.requests) == len(corpus.ids)
    assert spent <= budget, f"the paused run spent {spent:,} tokens of a budget of {budget:,}"


async def test_a_budget_too_small_for_any_document_sends_nothing(
    jobs: JobService, providers: ProviderService, corpus: Corpus, server: FakeOpenAI, context: AppContext
) -> None:
    await providers.save_project_overrides(corpus.project_id, {"token_budget": 100})

    paused = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert paused.status is JobStatus.PAUSED
    assert (
        paused.pause_reason is not None and "The token budget of 100 would be exceeded" in paused.pause_reason
    )
    assert (paused.documents_processed, paused.documents_failed, server.requests) == (0, 0, [])
    assert set(item_statuses(context, paused.id).values()) == {JobItemStatus.PENDING}
