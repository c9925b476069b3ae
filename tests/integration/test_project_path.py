"""The project's path (the Overview's stages) as a project goes from an empty project to an exported dataset,
with real imports, runs through the fake OpenAI server, reviews and exports, on SQLite and PostgreSQL; and
the latest export recorded on the project."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.domain.project_path import ProjectPath, StageKey, StageState
from coderai_desktop.export.model import ExportFormat
from coderai_desktop.export.service import ExportService
from coderai_desktop.formatting import money
from coderai_desktop.persistence.tables import Extraction, Project
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.pipeline.path_stages import when
from coderai_desktop.pipeline.project_path import ProjectPathService
from coderai_desktop.review.service import ReviewService
from tests.conftest import PASSWORD
from tests.integration.review import conftest as review
from tests.integration.runs import conftest as runs
from tests.integration.runs.conftest import Configure, MakeCorpus, on_each_backend

# The fixtures of the run and review tests (a fake server, a configured provider, corpora, services).
settings, server, configure, make_corpus = runs.settings, runs.server, runs.configure, runs.make_corpus
documents, providers, jobs, exports = runs.documents, runs.providers, runs.jobs, runs.exports
reviews, sampled = review.reviews, review.sampled

DONE, CURRENT, TODO, ATTENTION = StageState.DONE, StageState.CURRENT, StageState.TODO, StageState.ATTENTION
CORRECT, INCORRECT = FeedbackType.CORRECT, FeedbackType.INCORRECT
ORDER = [
    StageKey.DOCUMENTS,
    StageKey.CODEBOOK,
    StageKey.SAMPLE,
    StageKey.REVIEW,
    StageKey.AGREEMENT,
    StageKey.FULL_RUN,
    StageKey.EXPORT,
]


@pytest.fixture
def paths(context: AppContext, user: UserSession) -> ProjectPathService:
    return context.project_path(user)


def states(path: ProjectPath) -> dict[StageKey, StageState]:
    return {stage.key: stage.state for stage in path.stages}


def detail(path: ProjectPath, key: StageKey) -> str:
    return path.stage(key).detail


def next_step(path: ProjectPath) -> tuple[StageKey, str, str] | None:
    stage = path.next
    return None if stage is None else (stage.key, stage.page, stage.button)


def sample_values(context: AppContext, job_id: int) -> int:
    with context.database.transaction() as session:
        query = sa.select(sa.func.count()).select_from(Extraction).where(Extraction.job_id == job_id)
        return int(session.scalar(query) or 0)


@on_each_backend
async def test_the_path_follows_a_project_from_import_to_export(
    context: AppContext,
    user: UserSession,
    paths: ProjectPathService,
    make_corpus: MakeCorpus,
    configure: Configure,
    jobs: JobService,
    reviews: ReviewService,
    exports: ExportService,
    tmp_path: Path,
) -> None:
    # An empty project: the path starts at the documents.
    empty = await context.projects(user).create_project(ProjectContext(name="Empty"))
    path = await paths.path(empty.id)
    assert [stage.key for stage in path.stages] == ORDER
    assert states(path) == {StageKey.DOCUMENTS: CURRENT} | dict.fromkeys(ORDER[1:], TODO)
    assert detail(path, StageKey.DOCUMENTS) == "No documents yet"
    assert detail(path, StageKey.CODEBOOK) == "No variables yet"
    assert next_step(path) == (StageKey.DOCUMENTS, "documents", "Import documents")

    # Twenty plans and an empty file that cannot be read; the codebook of seven variables; prices and a budget.
    await configure(price_input_per_million=2.0, price_output_per_million=8.0, token_budget=5_000_000)
    corpus = await make_corpus(20, extra={"empty.txt": ""})
    project = corpus.project_id
    assert list(corpus.not_ready) == ["empty.txt"]
    path = await paths.path(project)
    assert path.stage(StageKey.DOCUMENTS).state is ATTENTION and path.stage(StageKey.DOCUMENTS).passed
    assert detail(path, StageKey.DOCUMENTS) == "20 ready, 1 could not be read"
    assert (path.stage(StageKey.CODEBOOK).state, detail(path, StageKey.CODEBOOK)) == (DONE, "7 variables")
    assert (path.stage(StageKey.SAMPLE).state, detail(path, StageKey.SAMPLE)) == (
        CURRENT,
        "No sample coded yet",
    )
    assert next_step(path) == (StageKey.SAMPLE, "run", "Run a sample")
    assert detail(path, StageKey.FULL_RUN) == "Not started · budget 5,000,000 tokens per run"
    assert path.token_budget == 5_000_000 and path.spent == 0

    # A sample of twelve: next, review it.
    sample = await jobs.run((await jobs.start(project, sample=12, seed=1)).id)
    values = sample_values(context, sample.id)
    assert values == 12 * 7
    path = await paths.path(project)
    assert (path.stage(StageKey.SAMPLE).state, detail(path, StageKey.SAMPLE)) == (
        DONE,
        "12 documents coded in the sample",
    )
    assert path.stage(StageKey.REVIEW).state is CURRENT
    assert detail(path, StageKey.REVIEW) == f"0 of {values} sampled values reviewed"
    assert next_step(path) == (StageKey.REVIEW, "results", "Review the sample")
    assert path.stage(StageKey.AGREEMENT).detail == "Not measured yet: agreement needs reviewed values"
    assert path.spent == pytest.approx(sample.cost) and sample.cost > 0
    assert money(sample.cost) in detail(path, StageKey.FULL_RUN)

    # Half way: every value of the first six documents reviewed (sector wrong in four of them).
    queue = await reviews.queue(project)
    first = sorted({item.document for item in queue})[:6]
    wrong = set(first[:4])
    for item in queue:
        if item.document in first:
            if item.variable == "sector" and item.document in wrong:
                other = next(s for s in runs.SECTORS if s != item.value)
                await reviews.review(item.extraction_id, INCORRECT, other)
            else:
                await reviews.review(item.extraction_id, CORRECT)
    path = await paths.path(project)
    assert detail(path, StageKey.REVIEW) == (
        f"42 of {values} sampled values reviewed; 7 variables have fewer than 10 reviewed"
    )
    assert path.stage(StageKey.REVIEW).state is CURRENT
    assert path.stage(StageKey.AGREEMENT).state is TODO
    assert detail(path, StageKey.AGREEMENT) == "No verdict yet: a variable needs 10 reviewed units"

    # The whole sample reviewed: five variables meet the level, sector needs work, and target_year (which
    # applies to binding plans only) has too few units for a verdict.
    for item in await reviews.queue(project):
        if item.variable == "sector" and item.document in sorted({i.document for i in queue})[6:8]:
            other = next(s for s in runs.SECTORS if s != item.value)
            await reviews.review(item.extraction_id, INCORRECT, other)
        else:
            await reviews.review(item.extraction_id, CORRECT)
    path = await paths.path(project)
    assert (path.stage(StageKey.REVIEW).state, detail(path, StageKey.REVIEW)) == (
        DONE,
        f"{values} of {values} sampled values reviewed",
    )
    agreement = path.stage(StageKey.AGREEMENT)
    assert (agreement.state, agreement.passed) == (ATTENTION, False)
    assert agreement.detail == (
        "5 of 7 variables meet the 0.80 reliability level; refine sector; target_year needs more reviewed units"
    )
    assert next_step(path) == (StageKey.AGREEMENT, "quality", "Open Quality")

    # The full corpus anyway: the eight documents the sample did not code; the path moves on to the export.
    full = await jobs.run((await jobs.start(project)).id)
    assert full.documents_processed == 8
    path = await paths.path(project)
    spent = sample.cost + full.cost
    assert path.spent == pytest.approx(spent)
    assert (path.stage(StageKey.FULL_RUN).state, detail(path, StageKey.FULL_RUN)) == (
        DONE,
        f"20 of 20 documents coded · {money(spent)} spent so far · budget 5,000,000 tokens per run",
    )
    assert (path.stage(StageKey.AGREEMENT).state, path.stage(StageKey.AGREEMENT).passed) == (ATTENTION, True)
    assert next_step(path) == (StageKey.EXPORT, "export", "Export the dataset")

    # Exported: every stage passed, nothing left to do.
    await exports.export(project, ExportFormat.CSV, tmp_path / "plans.csv")
    path = await paths.path(project)
    exported = path.stage(StageKey.EXPORT)
    assert exported.state is DONE and exported.detail.startswith("Exported ")
    assert exported.detail.endswith(" as CSV (20 rows) to plans.csv")
    assert path.next is None
    assert [stage.state for stage in path.stages] == [ATTENTION, DONE, DONE, DONE, ATTENTION, DONE, DONE]


@on_each_backend
async def test_an_export_is_recorded_on_the_project_and_a_later_run_asks_for_another(
    context: AppContext,
    paths: ProjectPathService,
    sampled: review.Sampled,
    jobs: JobService,
    exports: ExportService,
    tmp_path: Path,
) -> None:
    project = sampled.corpus.project_id

    def row() -> tuple[dict | None, datetime]:
        with context.database.transaction() as session:
            found = session.scalars(sa.select(Project).where(Project.id == project)).one()
            return found.last_export, found.updated_at

    assert row()[0] is None
    updated = row()[1]
    before = datetime.now(UTC)
    folder = tmp_path / "out"
    folder.mkdir()
    await exports.export(project, ExportFormat.JSON, folder / "plans.json")
    recorded, updated_after = row()
    assert recorded is not None and set(recorded) == {"at", "format", "rows", "file"}
    assert (recorded["format"], recorded["rows"], recorded["file"]) == ("json", 12, "plans.json")
    at = datetime.fromisoformat(recorded["at"])
    assert before - (datetime.now(UTC) - before) <= at <= datetime.now(UTC)
    assert updated_after == updated  # exporting changes nothing of the project itself
    path = await paths.path(project)
    # Only a sample was coded: the export is not yet the corpus's dataset.
    assert detail(path, StageKey.EXPORT) == (
        f"Exported {when(at)} as JSON (12 rows) to plans.json, before the full run"
    )

    # The latest export replaces the note; the long CSV says what it is.
    await exports.export(project, ExportFormat.CSV_LONG, folder / "values.csv")
    recorded = row()[0]
    assert recorded is not None and (recorded["format"], recorded["file"]) == ("csv-long", "values.csv")
    assert "as CSV (one row per value)" in detail(await paths.path(project), StageKey.EXPORT)

    # A run finished after the export: the dataset changed, export again.
    await jobs.run((await jobs.start(project, sample=2, seed=3)).id)
    stage = (await paths.path(project)).stage(StageKey.EXPORT)
    assert (stage.state, stage.passed, stage.button) == (ATTENTION, False, "Export again")
    assert stage.detail.endswith("; runs finished since")


async def test_a_run_in_progress_holds_the_path_and_another_workspace_sees_nothing(
    context: AppContext,
    paths: ProjectPathService,
    make_corpus: MakeCorpus,
    configure: Configure,
    jobs: JobService,
) -> None:
    project = (await make_corpus(4)).project_id
    await jobs.run((await jobs.start(project, sample=2, seed=1)).id)
    waiting = await jobs.start(project)  # the two other documents, not running yet
    path = await paths.path(project)
    full = path.stage(StageKey.FULL_RUN)
    assert (full.state, full.button) == (CURRENT, "Open the run")
    assert (
        full.detail.startswith("Waiting: 0 of 2 documents coded · ") and " tokens used so far" in full.detail
    )
    # The full run went ahead of the sample's review: the sample's stages no longer hold the path up.
    assert (path.stage(StageKey.REVIEW).state, path.stage(StageKey.REVIEW).passed) == (TODO, True)
    assert next_step(path) == (StageKey.FULL_RUN, "run", "Open the run")
    await jobs.cancel(waiting.id)
    path = await paths.path(project)
    assert detail(path, StageKey.FULL_RUN).startswith("Stopped before it finished · ")
    assert next_step(path) == (StageKey.FULL_RUN, "run", "Run the full corpus")

    bob = await context.accounts.create_account("bob", PASSWORD)
    with pytest.raises(NotFoundError):
        await context.project_path(bob).path(project)
