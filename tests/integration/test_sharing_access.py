"""A project coded by a real run (the fake OpenAI server), shared: a viewer reads its values and exports it
but changes nothing, with a plain message and the database untouched; an editor reviews, edits the
codebook, runs, codes blind and imports, and each of those records the editor, not the owner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.enums import FeedbackType, ShareAccess
from coderai_desktop.domain.errors import ReadOnlyProjectError
from coderai_desktop.export.model import ExportFormat
from coderai_desktop.persistence.tables import ExtractionFeedback, HumanCoding, Project, Prompt
from coderai_desktop.pipeline.jobs import JobService
from tests.conftest import PASSWORD
from tests.fakes.documents import text_file
from tests.integration.conftest import BACKENDS
from tests.integration.review.test_sheets_round_trip import read_rows, write_rows
from tests.integration.rows import snapshot
from tests.integration.runs import conftest as runs
from tests.integration.runs.conftest import Corpus, MakeCorpus

settings, server, configure, make_corpus = runs.settings, runs.server, runs.configure, runs.make_corpus
documents, providers, jobs = runs.documents, runs.providers, runs.jobs

pytestmark = [
    pytest.mark.parametrize("database_url", BACKENDS, indirect=True),
    pytest.mark.usefixtures("database_url"),
]

VIEWER_REFUSAL = (
    "ana shared this project with you as a viewer: you can read it and export it, not change it. "
    "Ask ana to make you an editor."
)


@dataclass(frozen=True)
class Shared:
    corpus: Corpus
    owner: UserSession
    viewer: UserSession  # ben, in ana's project
    editor: UserSession  # cleo, in ana's project


@pytest.fixture
async def shared(
    context: AppContext, user: UserSession, make_corpus: MakeCorpus, configure: object, jobs: JobService
) -> Shared:
    """ana's three plans, coded by a sample run, shared with ben as viewer and with cleo as editor."""
    corpus = await make_corpus(3)
    job = await jobs.run((await jobs.start(corpus.project_id, sample=3, seed=1)).id)
    assert job.documents_processed == 3
    sessions = []
    for login, access in (("ben", ShareAccess.VIEWER), ("cleo", ShareAccess.EDITOR)):
        member = await context.accounts.create_account(login, PASSWORD)
        await context.sharing(user).share(corpus.project_id, login, access)
        sharing = context.sharing(member)
        sessions.append(sharing.session_for(await sharing.find("ana", runs.PROJECT)))
    return Shared(corpus, user, *sessions)


def everything(context: AppContext) -> dict[str, list[tuple[Any, ...]]]:
    with context.database.engine.connect() as connection:
        return snapshot(connection)


async def refusal(attempt: Any) -> str:
    with pytest.raises(ReadOnlyProjectError) as refused:
        await attempt
    return str(refused.value)


def retitled(codebook: Codebook) -> Codebook:
    """The codebook with the title's instructions reworded: a variable edit."""
    variables = [
        spec.model_copy(update={"instructions": "The plan's full official title."})
        if spec.name == "title"
        else spec
        for spec in codebook.variables
    ]
    return codebook.model_copy(update={"variables": variables})


async def test_a_viewer_reads_and_exports_but_changes_nothing(
    context: AppContext, shared: Shared, tmp_path: Path
) -> None:
    project, viewer = shared.corpus.project_id, shared.viewer
    table = await context.exports(viewer).table(project)
    shared.corpus.check_results(table)
    assert table.records() == (await context.exports(shared.owner).table(project)).records()
    reviews = context.reviews(viewer)
    value = await reviews.find_value(project, "plan-01.txt", "title")
    assert await reviews.history(value) == []
    before = everything(context)

    result = await context.exports(viewer).export(project, ExportFormat.CSV, tmp_path / "ben.csv")
    assert result.rows == 3 and len(read_rows(tmp_path / "ben.csv")) == 3
    codebook = await context.projects(viewer).get_codebook(project)
    folder = tmp_path / "more"
    folder.mkdir()
    new_plan = text_file(folder, "plan-99.txt", runs.plan(99).text())
    attempts = {
        "review": reviews.review(value, FeedbackType.CORRECT),
        "variable edit": context.projects(viewer).save_codebook(project, retitled(codebook)),
        "run": context.jobs(viewer).start(project, sample=1),
        "import": context.documents(viewer).import_paths(project, [new_plan]),
        "delete": context.projects(viewer).delete_project(project),
    }
    assert {what: await refusal(attempt) for what, attempt in attempts.items()} == dict.fromkeys(
        attempts, VIEWER_REFUSAL
    )
    # Nothing reached the database, not even the note of the latest export that an owner's export leaves.
    assert everything(context) == before
    await context.exports(shared.owner).export(project, ExportFormat.CSV, tmp_path / "ana.csv")
    with context.database.transaction() as session:
        assert (
            session.scalar(sa.select(Project.last_export).where(Project.id == project))["file"] == "ana.csv"
        )


async def test_an_editors_changes_are_recorded_as_the_editors(
    context: AppContext, shared: Shared, tmp_path: Path
) -> None:
    project, editor = shared.corpus.project_id, shared.editor
    # The editor's run is paid with the editor's own key, saved under their own workspace.
    await context.secrets.set_api_key(editor.keys_workspace_id, "openai", runs.API_KEY)
    reviews = context.reviews(editor)
    value = await reviews.find_value(project, "plan-02.txt", "budget")
    await reviews.review(value, FeedbackType.INCORRECT, 12345, note="The budget table says otherwise.")
    assert [event.reviewer for event in await reviews.history(value)] == ["cleo"]

    projects = context.projects(editor)
    await projects.save_codebook(project, retitled(await projects.get_codebook(project)), reason="reworded")
    versions = await projects.codebook_versions(project)
    assert [(v.reason, v.author) for v in versions[:2]] == [
        ("reworded", "cleo"),
        ("created with the project", "ana"),
    ]

    folder = tmp_path / "more"
    folder.mkdir()
    report = await context.documents(editor).import_paths(
        project, [text_file(folder, "plan-99.txt", runs.plan(99).text())]
    )
    assert report.summary().startswith("1 imported")
    editors_jobs = context.jobs(editor)
    run = await editors_jobs.run(
        (await editors_jobs.start(project, document_ids=[*shared.corpus.ids.values()][:1])).id
    )
    assert run.documents_processed == 1

    sheet = tmp_path / "blind.csv"
    assert await reviews.export_blind_sheet(project, sheet, sample=2, seed=1) == 2
    rows = read_rows(sheet)
    for row in rows:
        row["sector"] = shared.corpus.plans[row["document"]].sector
    write_rows(sheet, rows)
    assert (await reviews.import_blind_sheet(project, sheet)).applied == 2

    with context.database.transaction() as session:
        reviewers = session.scalars(
            sa.select(ExtractionFeedback.account_id).where(ExtractionFeedback.extraction_id == value)
        )
        assert list(reviewers) == [editor.account_id]
        coders = session.execute(sa.select(HumanCoding.account_id, HumanCoding.coder).distinct()).all()
        assert [tuple(row) for row in coders] == [(editor.account_id, "cleo")]
        prompts = session.execute(
            sa.select(Prompt.variable_names, Prompt.account_id).order_by(Prompt.id)
        ).all()
    # The run made a new prompt version for the reworded title: cleo's; the first run's versions stay ana's.
    newest = [row for row in prompts if "title" in row.variable_names][-1]
    assert newest.account_id == editor.account_id
    assert {row.account_id for row in prompts} == {shared.owner.account_id, editor.account_id}
