"""Codebook versions: every saved codebook that differs is a new version with its reason and author; a run
records the version it codes with, and the project says which variables changed since then."""

from __future__ import annotations

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.projects.service import ProjectService
from tests.integration.runs.conftest import Corpus, MakeCorpus, on_each_backend


@pytest.fixture
def projects(context: AppContext, user: UserSession) -> ProjectService:
    return context.projects(user)


@pytest.fixture
async def corpus(make_corpus: MakeCorpus, configure: object) -> Corpus:
    return await make_corpus(3)


async def edit(projects: ProjectService, corpus: Corpus, variable: str, **changes: object) -> None:
    codebook = await projects.get_codebook(corpus.project_id)
    spec = next(v for v in codebook.variables if v.name == variable)
    for field, value in changes.items():
        setattr(spec, field, value)
    await projects.save_codebook(corpus.project_id, codebook, reason="edited in the Codebook page")


@on_each_backend
async def test_a_changed_codebook_is_a_new_version_with_its_reason_and_author(
    projects: ProjectService, corpus: Corpus
) -> None:
    first = await projects.codebook_versions(corpus.project_id)
    assert [(v.version, v.author) for v in first] == [(1, "ana")] and first[0].variable_count == 7
    await edit(projects, corpus, "budget", instructions="The plan's total budget, in euros.")
    await projects.save_codebook(
        corpus.project_id, await projects.get_codebook(corpus.project_id)
    )  # the same
    versions = await projects.codebook_versions(corpus.project_id)
    assert [(v.version, v.reason) for v in versions] == [
        (2, "edited in the Codebook page"),
        (1, first[0].reason),
    ]


@on_each_backend
async def test_the_variables_changed_since_the_last_run_are_named(
    projects: ProjectService, corpus: Corpus, jobs: JobService
) -> None:
    assert await projects.changed_since_last_run(corpus.project_id) == []  # no run yet
    await jobs.run((await jobs.start(corpus.project_id, sample=2, seed=1)).id)
    assert await projects.changed_since_last_run(corpus.project_id) == []
    await edit(projects, corpus, "sector", instructions="The main sector of the plan's measures.")
    await edit(projects, corpus, "budget", confidence_threshold=0.8)
    assert await projects.changed_since_last_run(corpus.project_id) == ["budget", "sector"]
    await jobs.run((await jobs.start(corpus.project_id)).id)  # the full run codes with the new version
    assert await projects.changed_since_last_run(corpus.project_id) == []
    codebook = await projects.get_codebook(corpus.project_id)
    assert codebook.project is not None
    codebook.project.description = "Plans of the larger towns."
    await projects.save_codebook(corpus.project_id, codebook)
    assert len(await projects.changed_since_last_run(corpus.project_id)) == 7  # every prompt changes


async def test_result_counts_and_thresholds_from_calibration_make_a_version(
    projects: ProjectService, corpus: Corpus, jobs: JobService, context: AppContext, user: UserSession
) -> None:
    await jobs.run((await jobs.start(corpus.project_id, sample=3, seed=1)).id)
    assert await projects.result_counts(corpus.project_id) == {
        name: 3 for name in ("title", "budget", "adopted", "binding", "sector", "topics", "target_year")
    }
    reviews = context.reviews(user)
    value = await reviews.find_value(corpus.project_id, "plan-01.txt", "sector")
    await reviews.review(value, FeedbackType.CORRECT)
    assert await reviews.apply_thresholds(corpus.project_id, {"sector": 0.85}) == {"sector": 0.85}
    versions = await projects.codebook_versions(corpus.project_id)
    assert (versions[0].version, versions[0].reason) == (2, "confidence thresholds from calibration")
