"""Which documents a run codes: a reproducible random sample, chosen documents, or every READY document not
yet coded with the current prompts; a codebook change makes a new prompt version and a full run again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import Codebook, ProjectContext
from coderai_desktop.domain.enums import JobStatus, JobType, PromptReason
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.persistence.tables import Prompt
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import (
    NAMES,
    PROJECT,
    VARIABLES,
    Configure,
    Corpus,
    MakeCorpus,
    item_statuses,
    on_each_backend,
    values_per_document,
)


@pytest.fixture
async def mixed(make_corpus: MakeCorpus, configure: Configure) -> Corpus:
    """Six READY plans and one document that is not READY (its file has no text)."""
    corpus = await make_corpus(6, extra={"empty.txt": ""})
    assert len(corpus.ids) == 6 and list(corpus.not_ready) == ["empty.txt"]
    return corpus


async def test_a_sample_is_n_ready_documents_drawn_reproducibly_from_its_seed(
    jobs: JobService, mixed: Corpus, context: AppContext
) -> None:
    first = await jobs.start(mixed.project_id, sample=3, seed=11)
    chosen = set(item_statuses(context, first.id))
    assert (first.job_type, first.status, first.documents_total) == (JobType.SAMPLE, JobStatus.PENDING, 3)
    assert len(chosen) == 3 and chosen <= set(mixed.ids.values())

    await jobs.cancel(first.id)
    again = await jobs.start(mixed.project_id, sample=3, seed=11)
    assert set(item_statuses(context, again.id)) == chosen

    await jobs.cancel(again.id)
    everything = await jobs.start(mixed.project_id, sample=50, seed=1)
    assert set(item_statuses(context, everything.id)) == set(mixed.ids.values()), "never the empty one"


@on_each_backend
async def test_a_sample_codes_exactly_its_documents_then_a_full_run_takes_only_the_rest(
    jobs: JobService, mixed: Corpus, server: FakeOpenAI, context: AppContext
) -> None:
    sample = await jobs.start(mixed.project_id, sample=3, seed=7)
    sampled = set(item_statuses(context, sample.id))

    done = await jobs.run(sample.id)

    assert (done.job_type, done.status, done.documents_total) == (JobType.SAMPLE, JobStatus.COMPLETED, 3)
    assert (done.documents_processed, done.documents_failed) == (3, 0)
    assert mixed.requests_per_document(server.requests) == {
        name: int(document_id in sampled) for name, document_id in mixed.ids.items()
    }, "one call for each sampled document, none for the others"

    server.reset()
    full = await jobs.start(mixed.project_id)
    rest = set(mixed.ids.values()) - sampled
    assert (full.job_type, full.documents_total) == (JobType.FULL, len(rest))
    assert set(item_statuses(context, full.id)) == rest, "the READY documents not yet coded"
    finished = await jobs.run(full.id)

    assert (finished.status, finished.documents_processed) == (JobStatus.COMPLETED, len(rest))
    assert {mixed.ids[mixed.document_in(request)] for request in server.requests} == rest
    assert values_per_document(context) == dict.fromkeys(mixed.ids.values(), len(NAMES)), "each coded once"
    with pytest.raises(InvalidInputError, match="already coded with the current codebook and prompts"):
        await jobs.start(mixed.project_id)


async def test_chosen_documents_are_run_and_nothing_else(
    jobs: JobService, mixed: Corpus, server: FakeOpenAI, context: AppContext
) -> None:
    wanted = [mixed.ids["plan-02.txt"], mixed.ids["plan-05.txt"]]

    job = await jobs.start(mixed.project_id, document_ids=wanted)
    done = await jobs.run(job.id)

    assert set(item_statuses(context, job.id)) == set(wanted)
    assert done.status is JobStatus.COMPLETED and done.documents_processed == 2
    counts = mixed.requests_per_document(server.requests)
    assert {name for name, count in counts.items() if count} == {"plan-02.txt", "plan-05.txt"}


async def test_unknown_or_unready_chosen_documents_are_refused(jobs: JobService, mixed: Corpus) -> None:
    ready = mixed.ids["plan-01.txt"]
    with pytest.raises(InvalidInputError, match="has no documents 99999"):
        await jobs.start(mixed.project_id, document_ids=[ready, 99999])
    with pytest.raises(InvalidInputError, match=f"Documents {mixed.not_ready['empty.txt']} are not ready"):
        await jobs.start(mixed.project_id, document_ids=[ready, mixed.not_ready["empty.txt"]])
    assert await jobs.jobs(mixed.project_id) == [], "a refused start leaves no job behind"


def prompt_versions(context: AppContext, project_id: int) -> list[Prompt]:
    with context.database.transaction() as session:
        query = sa.select(Prompt).where(Prompt.project_id == project_id, Prompt.scope_key == "grouped:1")
        return list(session.scalars(query.order_by(Prompt.version)))


async def test_a_codebook_edit_makes_a_new_prompt_version_and_recodes_every_document(
    jobs: JobService, corpus: Corpus, context: AppContext, user: UserSession
) -> None:
    done = await jobs.run((await jobs.start(corpus.project_id)).id)
    assert done.status is JobStatus.COMPLETED
    [original] = prompt_versions(context, corpus.project_id)
    assert (original.version, original.is_active, original.reason) == (1, True, PromptReason.CREATED)

    edited = [
        spec.model_copy(update={"instructions": "The total budget in euros, all years together."})
        if spec.name == "budget"
        else spec
        for spec in VARIABLES
    ]
    await context.projects(user).save_codebook(corpus.project_id, Codebook(variables=edited))
    again = await jobs.start(corpus.project_id)

    assert set(item_statuses(context, again.id)) == set(corpus.ids.values())
    old, new = prompt_versions(context, corpus.project_id)
    assert (old.id, old.version, old.is_active) == (original.id, 1, False)
    assert old.system_prompt == original.system_prompt, "old versions are kept as they were"
    assert (new.version, new.is_active, new.reason) == (2, True, PromptReason.EDITED)
    assert "all years together" in new.system_prompt and "all years together" not in old.system_prompt

    await jobs.cancel(again.id)
    context_change = ProjectContext(name=PROJECT, description="Regional clean air plans since 2010.")
    await context.projects(user).save_codebook(
        corpus.project_id, Codebook(project=context_change, variables=edited)
    )
    await jobs.setup(corpus.project_id)

    versions = prompt_versions(context, corpus.project_id)
    assert [(p.version, p.is_active) for p in versions] == [(1, False), (2, False), (3, True)]
    assert versions[-1].reason is PromptReason.CONTEXT_CHANGED
