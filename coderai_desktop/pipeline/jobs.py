"""Runs of a project: estimate, start (a sample or every document), run, pause, resume, cancel, list.

One unfinished job per project (enforced by the database). A job that stopped without finishing (paused,
the app closed, the computer crashed) resumes where it stopped: finished documents are skipped.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.enums import (
    UNFINISHED_JOB_STATUSES,
    DocumentStatus,
    JobStatus,
    JobType,
    LogEventType,
    ProjectStatus,
)
from coderai_desktop.domain.errors import ConflictError, InvalidInputError
from coderai_desktop.domain.job import Estimate, JobSummary, LogEntry
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.provider import ExtractionMode, ProviderSettings
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.prompts import as_sent, messages
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.jobs import JobRepository, is_running, summary
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.run_locks import HEARTBEAT_SECONDS, RunLocks
from coderai_desktop.persistence.tables import ProcessingJob
from coderai_desktop.pipeline.documents import load_document
from coderai_desktop.pipeline.planning import RunSetup, prepare
from coderai_desktop.pipeline.runner import JobRunner, Progress, estimate_document_tokens

logger = logging.getLogger(__name__)

ASSUMED_SECONDS_PER_CALL = 5.0
DOCUMENT_PLACEHOLDER, ENTITY_PLACEHOLDER = "{document}", "{entity}"


@dataclass(frozen=True)
class PromptPreview:
    scope_key: str
    version: int
    variables: list[str]
    messages: list[dict[str, str]]
    schema: dict[str, Any]
    model: str
    temperature: float
    max_tokens: int
    chunks: int


class JobService:
    def __init__(
        self,
        database: Database,
        user: UserSession,
        app: Settings,
        providers: ProviderService,
        documents: DocumentService,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ):
        self._database = database
        self._user = user
        self._app = app
        self._providers = providers
        self._documents = documents
        self._heartbeat_seconds = heartbeat_seconds
        self._locks = RunLocks.of(app.data_dir, database.engine)

    async def setup(self, project: ProjectRef, mode: ExtractionMode | None = None) -> RunSetup:
        settings = await self._providers.settings(project)
        if mode is not None:
            settings = settings.overridden({"mode": mode})
        return await self._database.run(
            lambda s: prepare(s, self._user.workspace_id, project, settings, self._app)
        )

    async def start(
        self,
        project: ProjectRef,
        *,
        sample: int | None = None,
        document_ids: list[int] | None = None,
        mode: ExtractionMode | None = None,
        concurrency: int | None = None,
        seed: int | None = None,
    ) -> JobSummary:
        """A new job (not yet running) for a random sample, chosen documents, or (neither) every document
        not yet coded with the current prompts."""
        setup = await self.setup(project, mode)
        settings = (
            setup.settings if concurrency is None else setup.settings.overridden({"concurrency": concurrency})
        )

        def create(session: Session) -> JobSummary:
            jobs = self._jobs(session)
            if (unfinished := jobs.unfinished(setup.project_id)) is not None:
                raise ConflictError(_unfinished_message(unfinished))
            chosen, job_type, selection = self._choose(session, setup, sample, document_ids, seed)
            job = jobs.add(
                ProcessingJob(
                    project_id=setup.project_id,
                    job_type=job_type,
                    status=JobStatus.PENDING,
                    selection=selection,
                    settings=_job_settings(setup, settings),
                    documents_total=len(chosen),
                )
            )
            jobs.add_items(job.id, chosen)
            return summary(job)

        try:
            return await self._database.run(create)
        except IntegrityError as error:  # another window started one at the same moment
            raise ConflictError(
                "This project already has an unfinished run; resume or cancel it first."
            ) from error

    async def run(self, job_id: int, progress: Progress | None = None) -> JobSummary:
        """Run (or resume) a job until it finishes, is paused or is cancelled. One process at a time: its
        lock on this computer, then an atomic claim in the database (JobRunner), decide which."""
        job = await self.get(job_id)
        if job.status not in UNFINISHED_JOB_STATUSES:
            raise InvalidInputError(f"Job {job_id} is {job.status.lower()}: there is nothing left to run.")
        lock = self._locks.acquire(job_id)
        if lock is None:
            who = f" ({job.runner})" if job.runner and job.status is JobStatus.RUNNING else ""
            raise ConflictError(f"Job {job_id} is already running{who} in another window or terminal.")
        try:
            return await self._run_holding_lock(job, progress)
        finally:
            lock.release()

    async def _run_holding_lock(self, job: JobSummary, progress: Progress | None) -> JobSummary:
        job_id = job.id
        setup = await self.setup(job.project_id, ExtractionMode(job.mode))
        settings = setup.settings.overridden(
            {"concurrency": (await self._stored_settings(job_id))["concurrency"]}
        )
        client = await self._providers.client(settings)
        await self._database.run(lambda s: self._mark_project_running(s, job_id))
        runner = JobRunner(
            self._database,
            self._user.workspace_id,
            job_id,
            dataclasses.replace(setup, settings=settings),  # the job's own concurrency, for its workers too
            client,
            self._documents,
            progress,
            self._heartbeat_seconds,
        )
        await runner.run()
        await self._database.run(lambda s: self._update_project_status(s, job_id))
        return await self.get(job_id)

    async def pause(self, job_id: int, reason: str = "Paused by you.") -> JobSummary:
        return await self._request(job_id, JobStatus.PAUSED, reason, LogEventType.JOB_PAUSED)

    async def cancel(self, job_id: int) -> JobSummary:
        return await self._request(
            job_id, JobStatus.CANCELLED, "Cancelled by you.", LogEventType.JOB_CANCELLED
        )

    async def resume(self, job_id: int, progress: Progress | None = None) -> JobSummary:
        return await self.run(job_id, progress)

    async def get(self, job_id: int) -> JobSummary:
        return await self._database.run(lambda s: summary(self._jobs(s).require(job_id)))

    async def jobs(self, project: ProjectRef) -> list[JobSummary]:
        def listing(session: Session) -> list[JobSummary]:
            project_id = ProjectRepository(session, self._user.workspace_id).resolve(project).id
            rows = self._jobs(session).of_project(project_id)
            return [summary(row) for row in reversed(rows)]

        return await self._database.run(listing)

    async def log(self, job_id: int, limit: int = 500) -> list[LogEntry]:
        """The job's latest log entries, oldest first."""

        def read(session: Session) -> list[LogEntry]:
            jobs = self._jobs(session)
            jobs.require(job_id)  # another workspace's job reads as missing, not as an empty log
            return [LogEntry(row.created_at, row.event_type, row.message) for row in jobs.logs(job_id, limit)]

        return await self._database.run(read)

    async def interrupted(self) -> list[JobSummary]:
        """Unfinished jobs of the workspace that nothing is running: offered for resuming at start-up."""

        def read(session: Session) -> list[JobSummary]:
            unfinished = self._jobs(session).all_unfinished()
            return [summary(job) for job in unfinished if not is_running(job, self._locks)]

        return await self._database.run(read)

    async def estimate(
        self, project: ProjectRef, *, sample: int | None = None, document_ids: list[int] | None = None
    ) -> Estimate:
        """Tokens, cost and time of a run before it starts (entity projects: as if one entity per document)."""
        setup = await self.setup(project)
        chosen = await self._database.run(lambda s: self._choose(s, setup, sample, document_ids, 0)[0])
        tokens_in = tokens_out = calls = 0
        for document_id in chosen:
            document = await load_document(self._documents, document_id, setup.policy)
            chunk_count = max(1, len(document.chunks))
            total = estimate_document_tokens(setup, document)
            output = sum(plan.max_tokens // 2 for plan in setup.all_plans) * chunk_count
            tokens_in, tokens_out = tokens_in + total - output, tokens_out + output
            calls += len(setup.all_plans) * chunk_count
        per_call, measured = await self._database.run(lambda s: self._seconds_per_call(s, setup.project_id))
        seconds = calls * per_call / setup.settings.concurrency
        cost = setup.settings.cost(tokens_in, tokens_out)
        return Estimate(len(chosen), calls, tokens_in, tokens_out, cost, seconds, per_call, measured)

    async def preview(
        self, project: ProjectRef, variable: str | None = None, document_id: int | None = None
    ) -> list[PromptPreview]:
        """The exact messages and schema each call would send (for one document's first chunk, when given)."""
        setup = await self.setup(project)
        plans = setup.all_plans
        if variable is not None:
            plans = [plan for plan in setup.plans if variable in plan.variable_names]
            if not plans:
                raise InvalidInputError(f"The codebook has no variable named {variable!r}.")
        document, chunk_count = DOCUMENT_PLACEHOLDER, 1
        if document_id is not None:
            loaded = await load_document(self._documents, document_id, setup.policy)
            first = loaded.chunks[0]
            document, chunk_count = loaded.text[first.start : first.end], len(loaded.chunks)
        entity = ENTITY_PLACEHOLDER if setup.entity_plan is not None else None
        strict = setup.settings.uses_strict_schema
        return [
            PromptPreview(
                scope_key=plan.scope_key,
                version=setup.prompts[plan.scope_key].version,
                variables=plan.variable_names,
                messages=as_sent(  # what the server really receives (its template may drop system messages)
                    messages(
                        plan,
                        document,
                        entity=entity if plan is not setup.entity_plan else None,
                        strict=strict,
                    ),
                    keep_system=setup.settings.keeps_system_messages,
                ),
                schema=plan.schema,
                model=setup.settings.model,
                temperature=plan.temperature,
                max_tokens=plan.max_tokens,
                chunks=chunk_count,
            )
            for plan in plans
        ]

    # --- database work ----------------------------------------------------------------------------

    def _jobs(self, session: Session) -> JobRepository:
        return JobRepository(session, self._user.workspace_id)

    def _choose(
        self,
        session: Session,
        setup: RunSetup,
        sample: int | None,
        document_ids: list[int] | None,
        seed: int | None,
    ) -> tuple[list[int], JobType, dict[str, object]]:
        documents = DocumentRepository(session, self._user.workspace_id).of_project(setup.project_id)
        ready = [row.id for row in documents if row.status is DocumentStatus.READY]
        if document_ids:
            unknown = sorted(set(document_ids) - {row.id for row in documents})
            if unknown:
                raise InvalidInputError(f"The project has no documents {', '.join(map(str, unknown))}.")
            not_ready = sorted(set(document_ids) - set(ready))
            if not_ready:
                raise InvalidInputError(
                    f"Documents {', '.join(map(str, not_ready))} are not ready (failed or not read yet)."
                )
            return (
                list(dict.fromkeys(document_ids)),
                JobType.SAMPLE,
                {"mode": "chosen", "documents": document_ids},
            )
        if not ready:
            raise InvalidInputError("The project has no ready documents: import some first.")
        if sample is not None:
            if sample < 1:
                raise InvalidInputError("A sample needs at least one document.")
            seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
            chosen = sorted(random.Random(seed).sample(ready, min(sample, len(ready))))
            return chosen, JobType.SAMPLE, {"mode": "random", "size": sample, "seed": seed}
        done = self._jobs(session).done_documents(setup.project_id, setup.prompt_key)
        remaining = [document_id for document_id in ready if document_id not in done]
        if not remaining:
            raise InvalidInputError(
                "Every ready document is already coded with the current codebook and prompts."
            )
        return remaining, JobType.FULL, {"mode": "all", "skipped_up_to_date": len(ready) - len(remaining)}

    async def _request(self, job_id: int, status: JobStatus, reason: str, event: LogEventType) -> JobSummary:
        """Ask for a pause or a cancel: the job's runner, wherever it runs, stops at its next check."""

        def request(session: Session) -> JobSummary:
            jobs = self._jobs(session)
            job = jobs.require(job_id)
            if job.status not in UNFINISHED_JOB_STATUSES:
                raise InvalidInputError(
                    f"Job {job_id} is {job.status.lower()}: it cannot be {status.lower()}."
                )
            if job.status is not status:
                job.status, job.pause_reason = status, reason
                if status is JobStatus.CANCELLED:
                    job.finished_at = utcnow()
                jobs.log(job, event, reason)
            return summary(job)

        return await self._database.run(request)

    def _mark_project_running(self, session: Session, job_id: int) -> None:
        job = self._jobs(session).require(job_id)
        project = ProjectRepository(session, self._user.workspace_id).require(job.project_id)
        if job.job_type is JobType.FULL:
            project.status = ProjectStatus.PROCESSING

    def _update_project_status(self, session: Session, job_id: int) -> None:
        job = self._jobs(session).require(job_id)
        if job.status is not JobStatus.COMPLETED:
            return
        project = ProjectRepository(session, self._user.workspace_id).require(job.project_id)
        if job.job_type is JobType.FULL:
            project.status = ProjectStatus.COMPLETE
        elif project.status in (ProjectStatus.CREATED, ProjectStatus.SCHEMA_DEFINED):
            project.status = ProjectStatus.SAMPLE_COMPLETE

    def _seconds_per_call(self, session: Session, project_id: int) -> tuple[float, bool]:
        """Measured on the project's last finished run, if any."""
        for job in reversed(self._jobs(session).of_project(project_id)):
            measured = job.settings.get("seconds_per_call")
            if measured:
                return float(measured), True
        return ASSUMED_SECONDS_PER_CALL, False

    async def _stored_settings(self, job_id: int) -> dict[str, object]:
        return await self._database.run(lambda s: dict(self._jobs(s).require(job_id).settings))


def _job_settings(setup: RunSetup, settings: ProviderSettings) -> dict[str, object]:
    return {
        "mode": settings.mode.value,
        "model": settings.model,
        "provider": settings.kind.value,
        "concurrency": settings.concurrency,
        "prompt_key": setup.prompt_key,
        "prompts": {key: {"id": ref.id, "version": ref.version} for key, ref in setup.prompts.items()},
        "chunk_budget": setup.policy.budget,
        "started": utcnow().isoformat(),
    }


def _unfinished_message(job: ProcessingJob) -> str:
    return (
        f"This project has an unfinished run (job {job.id}, {job.status.lower()}, {job.documents_processed} of "
        f"{job.documents_total} documents done). Resume it, or cancel it, before starting another."
    )
