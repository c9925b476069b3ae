"""Runs of a project: estimate, start (a sample or every document), run, pause, resume, cancel, list.

One unfinished job per project (enforced by the database). A job that stopped without finishing (paused,
the app closed, the computer crashed) resumes where it stopped: finished documents are skipped. On a lab's
PostgreSQL database, other processes (other computers) can join a running job as workers: each codes
documents it claims, and every one shows the shared progress.

A second opinion codes a sample's documents again with another model or temperature, and the sample's
prompt versions, to compare with: its values are kept beside the sample's and never enter the dataset.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.enums import (
    UNFINISHED_JOB_STATUSES,
    DocumentStatus,
    JobItemStatus,
    JobStatus,
    JobType,
    LogEventType,
    ProjectStatus,
)
from coderai_desktop.domain.errors import ConflictError, InvalidInputError
from coderai_desktop.domain.job import Estimate, JobSummary, LogEntry, SecondOpinion
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.provider import ExtractionMode, ProviderKind, ProviderSettings
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.batch_api import supports_batches
from coderai_desktop.llm.prompts import as_sent, messages
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.codebooks import CodebookVersionRepository
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.job_workers import JobWorkerRepository
from coderai_desktop.persistence.repositories.jobs import JobRepository, summary
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.run_locks import HEARTBEAT_SECONDS
from coderai_desktop.persistence.tables import ProcessingJob
from coderai_desktop.persistence.worker_liveness import WorkerLiveness
from coderai_desktop.pipeline.batch_jobs import BATCH_SETTING, BatchJobs, check_batches
from coderai_desktop.pipeline.documents import load_document
from coderai_desktop.pipeline.model_costs import past_unsure_share, priced_run
from coderai_desktop.pipeline.packing import Expected, Packer, PackRule, expected
from coderai_desktop.pipeline.planning import RunSetup, prepare
from coderai_desktop.pipeline.run_store import refuse_to_work
from coderai_desktop.pipeline.runner import JobRunner, Progress
from coderai_desktop.pipeline.shared_values import late_copies, share_coded

logger = logging.getLogger(__name__)

ASSUMED_SECONDS_PER_CALL = 5.0
DOCUMENT_PLACEHOLDER, ENTITY_PLACEHOLDER = "{document}", "{entity}"


@dataclass(frozen=True)
class Recoding:
    """What a second opinion codes: the documents its sample coded, with the sample's setup (its mode, the
    prompt versions it used) given the opinion's model and temperature."""

    of_job: int
    documents: list[int]
    setup: RunSetup


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
        self._liveness = WorkerLiveness.of(database.engine)
        self.batches = BatchJobs(database, user.workspace_id, providers)

    async def setup(self, project: ProjectRef, mode: ExtractionMode | None = None) -> RunSetup:
        settings = await self._providers.settings(project)
        if mode is not None:
            settings = settings.overridden({"mode": mode})
        return await self._database.run(
            lambda s: prepare(s, self._user.workspace_id, project, settings, self._app, self._user.account_id)
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
        batch: bool = False,
    ) -> JobSummary:
        """A new job (not yet running) for a random sample, chosen documents, or (neither) every document
        not yet coded with the current prompts; `batch`: through the provider's Batch API."""
        await self._documents.find_duplicates(project)  # documents imported before signatures were kept
        setup = await self.setup(project, mode)
        settings = (
            setup.settings if concurrency is None else setup.settings.overridden({"concurrency": concurrency})
        )
        if batch:
            check_batches(settings)
        # Copies imported after their original was coded with these prompts share its values: not coded.
        workspace = self._user.workspace_id
        await self._database.run(lambda s: share_coded(s, workspace, setup.project_id, setup.prompt_key))

        def create(session: Session) -> JobSummary:
            self._refuse_unfinished(session, setup.project_id)
            chosen, job_type, selection = self._choose(session, setup, sample, document_ids, seed)
            job = ProcessingJob(
                project_id=setup.project_id,
                job_type=job_type,
                status=JobStatus.PENDING,
                selection=selection,
                settings=_job_settings(setup, settings)
                | self._codebook_version(session, setup)
                | ({BATCH_SETTING: True} if batch else {}),
            )
            return self._add_pending(session, job, chosen)

        return await self._create(create)

    @property
    def shares_runs(self) -> bool:
        """Whether several processes (several computers) can work on one run: a lab's PostgreSQL database."""
        return self._liveness.shared

    async def run(self, job_id: int, progress: Progress | None = None, *, join: bool = False) -> JobSummary:
        """Run (or resume) a job until it finishes, is paused or is cancelled. A job that live workers
        already run is refused, unless `join`: then this process works on it beside them (PostgreSQL)."""
        job = await self.get(job_id)
        if job.status not in UNFINISHED_JOB_STATUSES:
            raise InvalidInputError(f"Job {job_id} is {job.status.lower()}: there is nothing left to run.")
        stored = await self._stored_settings(job_id)
        batch = bool(stored.get(BATCH_SETTING))  # a batch job is polled by one process: none joins it
        join = join and not batch

        def check(session: Session) -> None:  # early, before the setup: the runner checks again, atomically
            row = self._jobs(session).require(job_id)
            live = JobWorkerRepository(session, self._user.workspace_id).live(job_id, self._liveness)
            refuse_to_work(row, live, join=join, shared=self.shares_runs and not batch)

        await self._database.run(check)
        return await self._run(job, stored, progress, join)

    async def _run(
        self, job: JobSummary, stored: dict[str, Any], progress: Progress | None, join: bool
    ) -> JobSummary:
        job_id = job.id
        if job.job_type is JobType.SECOND_OPINION:
            setup = await self._second_opinion_setup(job, stored)
        else:
            setup = await self.setup(job.project_id, ExtractionMode(job.mode))
        settings = setup.settings.overridden({"concurrency": stored["concurrency"]})
        client = await self._providers.client(settings)
        await self._database.run(lambda s: self._mark_project_running(s, job_id))
        # The job's own concurrency, for its workers too.
        setup = dataclasses.replace(setup, settings=settings)
        if stored.get(BATCH_SETTING):
            batched = await self.batches.runner(
                job_id, setup, client, self._documents, progress, self._heartbeat_seconds
            )
            await batched.run()
        else:
            runner = JobRunner(
                self._database,
                self._user.workspace_id,
                job_id,
                setup,
                client,
                self._documents,
                progress,
                self._heartbeat_seconds,
                account_id=self._user.account_id,
                join=join,
            )
            await runner.run()
        await self._database.run(lambda s: self._update_project_status(s, job_id))
        return await self.get(job_id)

    async def start_second_opinion(
        self,
        project: ProjectRef,
        opinion: SecondOpinion,
        *,
        of_job: int | None = None,
        concurrency: int | None = None,
    ) -> JobSummary:
        """A new job (not yet running) that codes again the documents sample job `of_job` coded (by default
        the project's latest sample that coded any), with the sample's prompt versions and the opinion's
        model and temperature. Nothing about the project's prompts or status changes."""
        settings = await self._providers.settings(project)
        if concurrency is not None:
            settings = settings.overridden({"concurrency": concurrency})

        def create(session: Session) -> JobSummary:
            project_id = ProjectRepository(session, self._user.workspace_id).resolve(project).id
            self._refuse_unfinished(session, project_id)
            recoding = self._recoding(session, project_id, settings, opinion, of_job)
            setup = recoding.setup
            job = ProcessingJob(
                project_id=project_id,
                job_type=JobType.SECOND_OPINION,
                status=JobStatus.PENDING,
                selection={"mode": "second opinion", "of_job": recoding.of_job},
                settings={
                    **_job_settings(setup, setup.settings),
                    "second_opinion": {
                        "model": setup.settings.model,
                        "temperature": opinion.temperature,
                        "of_job": recoding.of_job,
                    },
                },
            )
            return self._add_pending(session, job, recoding.documents)

        return await self._create(create)

    async def estimate_second_opinion(
        self, project: ProjectRef, opinion: SecondOpinion, *, of_job: int | None = None
    ) -> Estimate:
        """What `estimate` says of the documents a second opinion would code again (see
        `start_second_opinion`). The cost is at the prices configured in the provider settings, which are
        the project model's: another model's prices may differ."""
        settings = await self._providers.settings(project)

        def read(session: Session) -> Recoding:
            project_id = ProjectRepository(session, self._user.workspace_id).resolve(project).id
            return self._recoding(session, project_id, settings, opinion, of_job)

        recoding = await self._database.run(read)
        return await self._estimate(recoding.setup, recoding.documents)

    async def check_second_opinion(
        self, project: ProjectRef, opinion: SecondOpinion, *, mode: ExtractionMode | None = None
    ) -> None:
        """Refuse, before a sample is run for it, a second opinion that would code the sample exactly as
        the sample will be coded (the same model and temperatures)."""
        setup = await self.setup(project, mode)
        if _as_before(setup, _with_opinion(setup, opinion)):
            raise InvalidInputError(_as_before_message(setup, opinion, "the sample"))

    async def pause(self, job_id: int, reason: str = "Paused by you.") -> JobSummary:
        return await self._request(job_id, JobStatus.PAUSED, reason, LogEventType.JOB_PAUSED)

    async def cancel(self, job_id: int) -> JobSummary:
        job = await self._request(
            job_id, JobStatus.CANCELLED, "Cancelled by you.", LogEventType.JOB_CANCELLED
        )
        if job.batch:  # its runner, if any, cancels them too when it stops: whichever comes first
            await self.batches.cancel(job_id, await self._providers.settings(job.project_id))
        return job

    async def resume(
        self, job_id: int, progress: Progress | None = None, *, join: bool = False
    ) -> JobSummary:
        return await self.run(job_id, progress, join=join)

    async def get(self, job_id: int) -> JobSummary:
        return await self._database.run(lambda s: self._summaries(s, [self._jobs(s).require(job_id)])[0])

    async def jobs(self, project: ProjectRef) -> list[JobSummary]:
        def listing(session: Session) -> list[JobSummary]:
            project_id = ProjectRepository(session, self._user.workspace_id).resolve(project).id
            return self._summaries(session, list(reversed(self._jobs(session).of_project(project_id))))

        return await self._database.run(listing)

    def _summaries(self, session: Session, jobs: list[ProcessingJob]) -> list[JobSummary]:
        """The jobs as the app shows them, each running one with its live workers."""
        running = [job.id for job in jobs if job.status is JobStatus.RUNNING]
        workers = JobWorkerRepository(session, self._user.workspace_id).summaries(running, self._liveness)
        return [summary(job, workers.get(job.id, [])) for job in jobs]

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
            jobs = self._jobs(session)
            return [summary(job) for job in jobs.all_unfinished() if not jobs.is_running(job, self._liveness)]

        return await self._database.run(read)

    async def estimate(
        self, project: ProjectRef, *, sample: int | None = None, document_ids: list[int] | None = None
    ) -> Estimate:
        """Tokens, cost and time of a run before it starts (entity projects: as if one entity per document)."""
        setup = await self.setup(project)
        chosen = await self._database.run(lambda s: self._choose(s, setup, sample, document_ids, 0)[0])
        return await self._estimate(setup, chosen)

    async def _estimate(self, setup: RunSetup, chosen: list[int]) -> Estimate:
        """With short documents packed as the run will pack them, and (when that changes it) without."""
        packer = Packer(PackRule.of(setup))
        packed = alone = Expected()
        # The kinds of call already sent, packed or alone: their prefix is then read from the cache.
        sent_packed: set[str] = set()
        sent_alone: set[str] = set()
        for document_id in chosen:
            document = await load_document(self._documents, document_id, setup.policy)
            alone += expected(setup, [document], sent_alone)
            if (pack := packer.add(document)) is not None:
                packed += expected(setup, pack, sent_packed)
        if (pack := packer.close()) is not None:
            packed += expected(setup, pack, sent_packed)
        per_call, measured = await self._database.run(lambda s: self._seconds_per_call(s, setup.project_id))
        workspace = self._user.workspace_id
        unsure = await self._database.run(lambda s: past_unsure_share(s, workspace, setup.project_id))

        def priced(totals: Expected) -> Estimate:
            # Each model's price, escalation too.
            run = priced_run(setup, totals, unsure)
            seconds = run.calls * per_call / setup.settings.concurrency
            return Estimate(
                len(chosen),
                run.calls,
                run.tokens_in,
                run.tokens_out,
                run.cost,
                seconds,
                per_call,
                measured,
                cached_tokens=totals.cached_tokens,
            )

        unpacked = priced(alone)
        batch_cost = (
            unpacked.cost * setup.settings.batch_price_factor if supports_batches(setup.settings) else None
        )
        if packed == alone:
            return dataclasses.replace(unpacked, batch_cost=batch_cost)
        return dataclasses.replace(
            priced(packed),
            documents_per_call=alone.calls / packed.calls,
            without_packing=unpacked,
            batch_cost=batch_cost,
        )

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

    async def _create(self, create: Callable[[Session], JobSummary]) -> JobSummary:
        try:
            return await self._database.run(create)
        except IntegrityError as error:  # another window started one at the same moment
            raise ConflictError(
                "This project already has an unfinished run; resume or cancel it first."
            ) from error

    def _refuse_unfinished(self, session: Session, project_id: int) -> None:
        if (unfinished := self._jobs(session).unfinished(project_id)) is not None:
            raise ConflictError(_unfinished_message(unfinished))

    def _add_pending(self, session: Session, job: ProcessingJob, documents: list[int]) -> JobSummary:
        """The new job with an item per document (one unfinished job per project: the database says so)."""
        job.documents_total = len(documents)
        jobs = self._jobs(session)
        jobs.add(job)
        jobs.add_items(job.id, documents)
        return summary(job)

    def _codebook_version(self, session: Session, setup: RunSetup) -> dict[str, object]:
        """The codebook version a run codes with (what "changed since the last run" compares with)."""
        version = CodebookVersionRepository(session, self._user.workspace_id).latest(setup.project_id)
        return {} if version is None else {"codebook_version": version.id}

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
        """The documents to code, less the near-duplicates of documents among them: those are coded once,
        and get their original's values when it is stored (RunStore.store_result)."""
        chosen, job_type, selection = self._select(session, setup, sample, document_ids, seed)
        originals = DocumentRepository(session, self._user.workspace_id).shared_links(setup.project_id)
        among = set(chosen)
        coded = [document_id for document_id in chosen if originals.get(document_id) not in among]
        if len(coded) < len(chosen):
            selection = {**selection, "coded_with_original": len(chosen) - len(coded)}
        return coded, job_type, selection

    def _select(
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
            # Distinct texts: a near-duplicate is drawn only when the text it repeats is not ready.
            links = DocumentRepository(session, self._user.workspace_id).shared_links(setup.project_id)
            readable = set(ready)
            pool = [document_id for document_id in ready if links.get(document_id) not in readable]
            chosen = sorted(random.Random(seed).sample(pool, min(sample, len(pool))))
            return chosen, JobType.SAMPLE, {"mode": "random", "size": sample, "seed": seed}
        # Copies imported after their original was coded share its values (start gives them) rather than
        # being coded.
        late = late_copies(session, self._user.workspace_id, setup.project_id, setup.prompt_key)
        done = self._jobs(session).done_documents(setup.project_id, setup.prompt_key) | set(late)
        remaining = [document_id for document_id in ready if document_id not in done]
        if not remaining:
            raise InvalidInputError(
                "Every ready document is already coded with the current codebook and prompts."
            )
        return remaining, JobType.FULL, {"mode": "all", "skipped_up_to_date": len(ready) - len(remaining)}

    def _recoding(
        self,
        session: Session,
        project_id: int,
        settings: ProviderSettings,
        opinion: SecondOpinion,
        of_job: int | None,
    ) -> Recoding:
        sample, documents = self._coded_sample(session, project_id, of_job)
        setup = self._sample_setup(session, project_id, settings, sample)
        recoded = _with_opinion(setup, opinion)
        if _as_before(setup, recoded):
            raise InvalidInputError(_as_before_message(setup, opinion, f"sample job {sample.id}"))
        return Recoding(sample.id, documents, recoded)

    def _coded_sample(
        self, session: Session, project_id: int, of_job: int | None
    ) -> tuple[ProcessingJob, list[int]]:
        """The sample a second opinion re-codes, and the (still ready) documents it coded."""
        jobs = self._jobs(session)
        documents = DocumentRepository(session, self._user.workspace_id).of_project(project_id)
        ready = {row.id for row in documents if row.status is DocumentStatus.READY}

        def coded(job: ProcessingJob) -> list[int]:
            done = jobs.items(job.id, (JobItemStatus.DONE,))
            return [item.document_id for item in done if item.document_id in ready]

        if of_job is None:
            for earlier in reversed(jobs.of_project(project_id)):
                if earlier.job_type is JobType.SAMPLE and (chosen := coded(earlier)):
                    return earlier, chosen
            raise InvalidInputError(
                "The project has no coded sample yet: run a sample first, then ask for its second opinion."
            )
        job = jobs.get(of_job)  # another workspace's job reads as missing, as one of another project does
        if job is None or job.project_id != project_id or job.job_type is not JobType.SAMPLE:
            raise InvalidInputError(
                f"Job {of_job} is not a sample run of this project: a second opinion codes a sample again "
                "(the project's runs list the samples)."
            )
        if not (chosen := coded(job)):
            raise InvalidInputError(
                f"Sample job {of_job} has not coded any document: resume it first, or choose another sample."
            )
        return job, chosen

    def _sample_setup(
        self,
        session: Session,
        project_id: int,
        settings: ProviderSettings,
        sample: ProcessingJob,
        advice: str = "Run a new sample, then ask for its second opinion.",
    ) -> RunSetup:
        """The setup the sample was coded with: its mode, and the prompts synced with ITS model (the main
        one), which must still be the versions it used. When they are not (the codebook changed since),
        the error rolls back the new versions `prepare` made: the project's prompts stay as they were."""
        stored = sample.settings
        settings = settings.overridden(
            {"mode": stored.get("mode", settings.mode), "model": stored.get("model", settings.model)}
        )
        setup = prepare(
            session, self._user.workspace_id, project_id, settings, self._app, self._user.account_id
        )
        used = {key: ref.get("id") for key, ref in (stored.get("prompts") or {}).items()}
        if {key: ref.id for key, ref in setup.prompts.items()} != used:
            raise ConflictError(
                f"The codebook or its prompts changed since sample job {sample.id} was coded, so a second "
                f"opinion would not ask the same questions. {advice}"
            )
        return setup

    async def _second_opinion_setup(self, job: JobSummary, stored: dict[str, Any]) -> RunSetup:
        asked = stored["second_opinion"]
        opinion = SecondOpinion(asked.get("model"), asked.get("temperature"))
        settings = await self._providers.settings(job.project_id)

        def read(session: Session) -> RunSetup:
            sample = self._jobs(session).require(int(asked["of_job"]))
            advice = f"Cancel job {job.id}, run a new sample, then ask for its second opinion."
            return _with_opinion(
                self._sample_setup(session, job.project_id, settings, sample, advice), opinion
            )

        return await self._database.run(read)

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
        if job.status is not JobStatus.COMPLETED or job.job_type is JobType.SECOND_OPINION:
            return  # a second opinion codes nothing of the dataset
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

    async def _stored_settings(self, job_id: int) -> dict[str, Any]:
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


def _with_opinion(setup: RunSetup, opinion: SecondOpinion) -> RunSetup:
    """The setup with the opinion's model (for the client and the stored values) and temperature (for
    every call, entity identification too)."""
    settings = setup.settings
    if opinion.model is not None and opinion.model != settings.model:
        if settings.kind is ProviderKind.AZURE:  # the values would record a model that did not code them
            raise InvalidInputError(
                f"On Azure OpenAI the deployment in the provider settings ({settings.azure_deployment}) "
                f"decides which model answers, so a second opinion cannot be asked of {opinion.model} here. "
                "Ask for a second opinion at another temperature instead."
            )
        settings = settings.overridden({"model": opinion.model})
    temperature = opinion.temperature
    if temperature is None:
        return dataclasses.replace(setup, settings=settings)
    entities = setup.entity_plan
    return dataclasses.replace(
        setup,
        settings=settings,
        plans=[dataclasses.replace(plan, temperature=temperature) for plan in setup.plans],
        entity_plan=dataclasses.replace(entities, temperature=temperature) if entities else None,
    )


def _as_before(setup: RunSetup, recoded: RunSetup) -> bool:
    return recoded.settings.model == setup.settings.model and [
        plan.temperature for plan in recoded.all_plans
    ] == [plan.temperature for plan in setup.all_plans]


def _as_before_message(setup: RunSetup, opinion: SecondOpinion, sample: str) -> str:
    temperatures = ", ".join(f"{t:g}" for t in sorted({plan.temperature for plan in setup.all_plans}))
    return (
        f"A second opinion by {opinion.describe()} would code {sample} exactly as before "
        f"({setup.settings.model} at temperature {temperatures}): choose another model or another temperature."
    )


def _unfinished_message(job: ProcessingJob) -> str:
    return (
        f"This project has an unfinished run (job {job.id}, {job.status.lower()}, {job.documents_processed} of "
        f"{job.documents_total} documents done). Resume it, or cancel it, before starting another."
    )
