"""One unfinished job per project: the service refuses a second one by name, and so does the database."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import JobStatus, JobType
from coderai_desktop.domain.errors import ConflictError
from coderai_desktop.persistence.tables import ProcessingJob
from coderai_desktop.pipeline.jobs import JobService
from tests.integration.runs.conftest import Corpus


@pytest.mark.parametrize("state", [JobStatus.PENDING, JobStatus.PAUSED])
async def test_a_second_start_while_a_job_is_unfinished_names_that_job(
    jobs: JobService, corpus: Corpus, state: JobStatus
) -> None:
    first = await jobs.start(corpus.project_id, sample=2, seed=1)
    if state is JobStatus.PAUSED:
        await jobs.pause(first.id)

    with pytest.raises(ConflictError, match=rf"unfinished run \(job {first.id}, {state.lower()}, 0 of 2"):
        await jobs.start(corpus.project_id)

    assert [job.id for job in await jobs.jobs(corpus.project_id)] == [first.id]
    await jobs.cancel(first.id)
    assert (await jobs.start(corpus.project_id)).id != first.id, "a finished job no longer blocks"


async def test_the_database_refuses_a_second_unfinished_job(
    jobs: JobService, corpus: Corpus, context: AppContext, user: UserSession
) -> None:
    await jobs.start(corpus.project_id, sample=1, seed=1)

    second = ProcessingJob(
        workspace_id=user.workspace_id,
        project_id=corpus.project_id,
        job_type=JobType.FULL,
        status=JobStatus.RUNNING,
    )
    with (
        pytest.raises(IntegrityError, match="UNIQUE constraint failed"),
        context.database.transaction() as session,
    ):
        session.add(second)
        session.flush()
