"""The project's path for the Overview: where a project stands on the way from documents to an exported
dataset, and the next step. Everything is read in one transaction; the numbers (agreement above all) are
worked out on a worker thread, so neither the database thread nor a window's event loop waits for them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import DocumentStatus, JobType
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.project_path import LastExport, ProjectPath
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.jobs import JobRepository, summary
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.pipeline import path_stages
from coderai_desktop.review.agreement import measure_agreement
from coderai_desktop.review.records import ProjectRecords, read_records


@dataclass(frozen=True)
class PathFacts:
    """What the path is made of, as read in one transaction."""

    project_id: int
    documents: dict[DocumentStatus, int]
    variables: int
    jobs: list[JobSummary]  # oldest first
    coded: int  # documents a sample or full run has coded
    sample: ProjectRecords | None  # the values of the sample runs, with the reviews (None: no sample run)
    compared: ProjectRecords  # what agreement reads (the dataset's values that something compares)
    last_export: LastExport | None


class ProjectPathService:
    def __init__(self, database: Database, user: UserSession, providers: ProviderService):
        self._database = database
        self._user = user
        self._providers = providers

    async def path(self, project: ProjectRef) -> ProjectPath:
        facts = await self._database.run(lambda session: self.facts(session, project))
        try:
            token_budget = (await self._providers.settings(facts.project_id)).token_budget
        except ValueError:  # settings this version cannot read: the Run page says so; here, no budget shown
            token_budget = None
        return await asyncio.to_thread(path_of, facts, token_budget)

    def facts(self, session: Session, ref: ProjectRef) -> PathFacts:
        workspace = self._user.workspace_id
        project = ProjectRepository(session, workspace).resolve(ref)
        job_rows = JobRepository(session, workspace)
        jobs = [summary(job) for job in job_rows.of_project(project.id)]
        sampled = any(job.job_type is JobType.SAMPLE for job in jobs)
        compared = read_records(session, workspace, project.id, compared_only=True)
        return PathFacts(
            project_id=project.id,
            documents=DocumentRepository(session, workspace).status_counts(project.id),
            variables=len(compared.variables),
            jobs=jobs,
            coded=job_rows.coded_documents(project.id),
            sample=read_records(
                session, workspace, project.id, job_types=(JobType.SAMPLE,), second_opinions=False
            )
            if sampled
            else None,
            compared=compared,
            last_export=LastExport.from_json(project.last_export),
        )


def path_of(facts: PathFacts, token_budget: int | None) -> ProjectPath:
    """The stages from what was read (the agreement statistics are computed here: call it off the loop).
    Verdicts rest on the point estimates only, so no bootstrap intervals are drawn."""
    agreement = measure_agreement(facts.compared, bootstrap=0)
    stages = path_stages.Stages(facts.jobs)
    review = stages.review(facts.sample)
    return ProjectPath.of(
        facts.project_id,
        [
            stages.documents(facts.documents),
            stages.codebook(facts.variables),
            stages.sample(facts.sample),
            review,
            stages.agreement(agreement, review),
            stages.full_run(facts.documents.get(DocumentStatus.READY, 0), facts.coded, token_budget),
            stages.export(facts.last_export),
        ],
        spent=stages.spent,
        tokens=stages.tokens,
        token_budget=token_budget,
    )
