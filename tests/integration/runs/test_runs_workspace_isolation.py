"""Another person's JobService cannot see, steer or read a run of someone else's workspace (on SQLite, and
on PostgreSQL where row-level security enforces it too): each attempt is refused exactly as for a job or
project that does not exist, and the owner's run is left as it was."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.export.service import ExportService
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.pipeline.jobs import JobService
from tests.conftest import PASSWORD
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import BACKENDS
from tests.integration.runs.conftest import HEARTBEAT, NAMES, PROJECT, Configure, MakeCorpus

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """The test's data folder on the backend the test is parametrised with (overrides the runs' settings)."""
    return Settings(
        data_dir=tmp_path / "data", db_url=database_url, login_failure_delay=0.01, ocr_enabled=False
    )


async def refused(call: Callable[[], Awaitable[Any]]) -> str:
    with pytest.raises(NotFoundError) as refusal:
        await call()
    return str(refusal.value)


async def test_another_workspace_cannot_see_steer_or_read_a_run(
    exports: ExportService,
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    parser_pool: ParserPool,
) -> None:
    corpus = await make_corpus(3)
    sample = await jobs.run((await jobs.start(corpus.project_id, sample=1, seed=1)).id)
    assert sample.status is JobStatus.COMPLETED
    full = await jobs.pause((await jobs.start(corpus.project_id)).id)
    owner_view = await jobs.get(full.id)
    assert (owner_view.status, owner_view.documents_total) == (JobStatus.PAUSED, 2)
    sent = len(server.requests)

    ben = await context.accounts.create_account("ben", PASSWORD)
    providers = ProviderService(context.database, ben, context.secrets, environ={}, retry_delay=0.01)
    documents = DocumentService(context.database, ben, context.settings, parser_pool)
    other = JobService(context.database, ben, context.settings, providers, documents, HEARTBEAT)
    others_exports = ExportService(context.database, ben)

    no_job = await refused(lambda: other.get(987654))
    assert no_job == "There is no job 987654 in your workspace."
    for job_id in (full.id, sample.id):
        expected = no_job.replace("987654", str(job_id))
        assert await refused(lambda job_id=job_id: other.get(job_id)) == expected
        assert await refused(lambda job_id=job_id: other.pause(job_id)) == expected
        assert await refused(lambda job_id=job_id: other.cancel(job_id)) == expected
        assert await refused(lambda job_id=job_id: other.resume(job_id)) == expected
        assert await refused(lambda job_id=job_id: other.log(job_id)) == expected
    no_project = f"There is no project {corpus.project_id} in your workspace."
    assert await refused(lambda: other.jobs(corpus.project_id)) == no_project
    assert await refused(lambda: others_exports.table(corpus.project_id)) == no_project
    assert await refused(lambda: other.start(corpus.project_id)) == no_project
    assert await refused(lambda: other.estimate(corpus.project_id)) == no_project
    assert (
        await refused(lambda: others_exports.table(PROJECT))
        == f"There is no project named {PROJECT!r} in your workspace."
    )
    assert await other.interrupted() == []
    assert [job.id for job in await jobs.interrupted()] == [full.id]

    # Ben's own project of the same name shows none of Ana's results or runs.
    await context.projects(ben).create_project(ProjectContext(name=PROJECT))
    assert (await others_exports.table(PROJECT)).rows == []
    assert await other.jobs(PROJECT) == []

    assert await jobs.get(full.id) == owner_view, "untouched by the attempts"
    assert [entry.message for entry in await jobs.log(sample.id)][-1] == "1 coded, 0 failed"
    assert len(server.requests) == sent, "nothing was sent on Ben's behalf"
    done = await jobs.resume(full.id)
    assert (done.status, done.documents_processed) == (JobStatus.COMPLETED, 2)
    table = await exports.table(corpus.project_id)
    assert len(table.rows) == 3
    for row in table.records():
        assert {name: row[name] for name in NAMES} == corpus.plans[row["document"]].expected
