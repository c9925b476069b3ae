"""Processing jobs of one workspace: the jobs, their per-document items, the log and the results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from coderai_desktop.domain.enums import (
    DATASET_JOB_TYPES,
    UNFINISHED_JOB_STATUSES,
    JobItemStatus,
    JobStatus,
    LogEventType,
)
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.domain.job import JobSummary, WorkerSummary
from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.repositories.job_workers import JobWorkerRepository
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.run_locks import Runner
from coderai_desktop.persistence.tables import Extraction, JobItem, ProcessingJob, ProcessingLog
from coderai_desktop.persistence.worker_liveness import WorkerLiveness


class JobRepository(ProjectPartRepository[ProcessingJob]):
    model = ProcessingJob
    noun = "job"

    def unfinished(self, project_id: int) -> ProcessingJob | None:
        query = self.select().where(
            ProcessingJob.project_id == project_id, ProcessingJob.status.in_(UNFINISHED_JOB_STATUSES)
        )
        return self.session.scalars(query).first()

    def all_unfinished(self) -> list[ProcessingJob]:
        return list(
            self.session.scalars(self.select().where(ProcessingJob.status.in_(UNFINISHED_JOB_STATUSES)))
        )

    def lock(self, job_id: int) -> ProcessingJob:
        """The job's row, locked until the transaction ends: the workers of a run change its counters and
        status one transaction at a time (PostgreSQL: FOR NO KEY UPDATE; SQLite: a first write takes the
        database's one write lock, and what is read after it is current)."""
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.execute(
                sa.update(ProcessingJob)
                .where(ProcessingJob.workspace_id == self.workspace_id, ProcessingJob.id == job_id)
                .values(id=ProcessingJob.id)
            )
        query = (
            self.select()
            .where(ProcessingJob.id == job_id)
            # NO KEY UPDATE: rows a transaction adds for the job (its log, items, values) hold a key share
            # lock on it, which a plain FOR UPDATE would wait for (two workers storing: a deadlock).
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)  # what the database has now, not what was read
        )
        job = self.session.scalars(query).first()
        if job is None:
            raise NotFoundError(f"There is no job {job_id} in your workspace.")
        return job

    def active(self, project_id: int, liveness: WorkerLiveness) -> ProcessingJob | None:
        """The project's job that a live process is working on right now, if any."""
        job = self.unfinished(project_id)
        return job if job is not None and self.is_running(job, liveness) else None

    def is_running(self, job: ProcessingJob, liveness: WorkerLiveness) -> bool:
        """Whether a live process works on the job now (a RUNNING job whose workers died is interrupted)."""
        workers = JobWorkerRepository(self.session, self.workspace_id)
        return job.status is JobStatus.RUNNING and bool(workers.live(job.id, liveness))

    def start_item(self, job_id: int, document_id: int, worker_id: int, at: datetime, tokens: int) -> bool:
        """The worker starts coding a document it claimed: RUNNING, its expected tokens reserved against
        the budget (in tokens_in until its outcome replaces them). False: the claim is no longer its own."""
        started = {"status": JobItemStatus.RUNNING, "started_at": at, "tokens_in": tokens, "tokens_out": 0}
        return self._update_claimed(job_id, document_id, worker_id, JobItemStatus.PENDING, started)

    def settle_item(self, job_id: int, document_id: int, worker_id: int, **values: Any) -> bool:
        """The outcome of a document the worker was coding (its claim released with it). False: it was no
        longer the worker's (found dead meanwhile, and the document given to another)."""
        return self._update_claimed(
            job_id, document_id, worker_id, JobItemStatus.RUNNING, {**values, "worker_id": None}
        )

    def reserved_tokens(self, job_id: int) -> int:
        """The tokens expected by the documents being coded now, by every worker of the job."""
        query = sa.select(sa.func.coalesce(sa.func.sum(JobItem.tokens_in), 0)).where(
            JobItem.workspace_id == self.workspace_id,
            JobItem.job_id == job_id,
            JobItem.status == JobItemStatus.RUNNING,
        )
        return int(self.session.scalar(query) or 0)

    def retry_failed(self, job_id: int) -> int:
        """Give the job's failed documents another try (a resumed run codes them again); how many."""
        retried = self.session.execute(
            sa.update(JobItem)
            .where(
                JobItem.workspace_id == self.workspace_id,
                JobItem.job_id == job_id,
                JobItem.status == JobItemStatus.FAILED,
            )
            .values(status=JobItemStatus.PENDING, worker_id=None)
        )
        return int(retried.rowcount)  # type: ignore[attr-defined]

    def count_items(self, job_id: int, statuses: tuple[JobItemStatus, ...]) -> int:
        query = sa.select(sa.func.count()).where(
            JobItem.workspace_id == self.workspace_id, JobItem.job_id == job_id, JobItem.status.in_(statuses)
        )
        return int(self.session.scalar(query) or 0)

    def items(self, job_id: int, statuses: tuple[JobItemStatus, ...] | None = None) -> list[JobItem]:
        query = sa.select(JobItem).where(JobItem.workspace_id == self.workspace_id, JobItem.job_id == job_id)
        if statuses is not None:
            query = query.where(JobItem.status.in_(statuses))
        return list(self.session.scalars(query.order_by(JobItem.id)))

    def item(self, job_id: int, document_id: int) -> JobItem:
        query = sa.select(JobItem).where(
            JobItem.workspace_id == self.workspace_id,
            JobItem.job_id == job_id,
            JobItem.document_id == document_id,
        )
        return self.session.scalars(query).one()

    def add_items(self, job_id: int, document_ids: list[int]) -> None:
        rows = [
            {"workspace_id": self.workspace_id, "job_id": job_id, "document_id": document_id}
            for document_id in document_ids
        ]
        if rows:
            self.session.execute(sa.insert(JobItem), rows)

    def set_item(self, job_id: int, document_id: int, **values: Any) -> None:
        self.session.execute(
            sa.update(JobItem)
            .where(
                JobItem.workspace_id == self.workspace_id,
                JobItem.job_id == job_id,
                JobItem.document_id == document_id,
            )
            .values(**values)
        )

    def _update_claimed(
        self, job_id: int, document_id: int, worker_id: int, status: JobItemStatus, values: dict[str, Any]
    ) -> bool:
        """Change an item the worker holds in `status`; False when it does not (any longer)."""
        updated = self.session.execute(
            sa.update(JobItem)
            .where(
                JobItem.workspace_id == self.workspace_id,
                JobItem.job_id == job_id,
                JobItem.document_id == document_id,
                JobItem.worker_id == worker_id,
                JobItem.status == status,
            )
            .values(values)
        )
        return bool(updated.rowcount == 1)  # type: ignore[attr-defined]

    def done_documents(self, project_id: int, prompt_key: str) -> set[int]:
        """Documents already coded with this set of prompt versions (a DONE item of a job that used them)."""
        return set(self.coded_in(project_id, prompt_key))

    def coded_in(self, project_id: int, prompt_key: str) -> dict[int, int]:
        """Each document coded with this set of prompt versions -> the latest job that coded it so."""
        query = (
            sa.select(JobItem.document_id, JobItem.job_id)
            .join(ProcessingJob, ProcessingJob.id == JobItem.job_id)
            .where(
                ProcessingJob.workspace_id == self.workspace_id,
                ProcessingJob.project_id == project_id,
                JobItem.status == JobItemStatus.DONE,
                ProcessingJob.job_type.in_(DATASET_JOB_TYPES),  # a second opinion does not code the dataset
            )
        )
        jobs = {
            job.id
            for job in self.session.scalars(self.select().where(ProcessingJob.project_id == project_id))
            if job.settings.get("prompt_key") == prompt_key
        }
        rows = self.session.execute(query.where(JobItem.job_id.in_(jobs)).order_by(JobItem.job_id))
        return {document_id: job_id for document_id, job_id in rows}

    def coded_documents(self, project_id: int) -> int:
        """How many of a project's documents a run of the dataset (sample or full) has coded."""
        query = (
            sa.select(sa.func.count(sa.distinct(JobItem.document_id)))
            .join(ProcessingJob, ProcessingJob.id == JobItem.job_id)
            .where(
                JobItem.workspace_id == self.workspace_id,
                ProcessingJob.workspace_id == self.workspace_id,
                ProcessingJob.project_id == project_id,
                ProcessingJob.job_type.in_(DATASET_JOB_TYPES),
                JobItem.status == JobItemStatus.DONE,
            )
        )
        return int(self.session.scalar(query) or 0)

    def log(
        self,
        job: ProcessingJob,
        event: LogEventType,
        message: str = "",
        document_id: int | None = None,
        *,
        at: datetime | None = None,
        **details: Any,
    ) -> None:
        self.session.add(
            ProcessingLog(
                workspace_id=self.workspace_id,
                project_id=job.project_id,
                job_id=job.id,
                document_id=document_id,
                event_type=event,
                message=message,
                details=details,
                created_at=at or utcnow(),
            )
        )

    def logs(self, job_id: int, limit: int = 200) -> list[ProcessingLog]:
        query = (
            sa.select(ProcessingLog)
            .where(ProcessingLog.workspace_id == self.workspace_id, ProcessingLog.job_id == job_id)
            .order_by(ProcessingLog.created_at.desc(), ProcessingLog.id.desc())
            .limit(limit)
        )
        return list(reversed(list(self.session.scalars(query))))  # in the order things happened

    def replace_results(self, job_id: int, document_id: int, rows: list[dict[str, Any]]) -> None:
        """A document's values in this job, replacing any from an earlier attempt (never duplicating)."""
        self.session.execute(
            sa.delete(Extraction).where(
                Extraction.workspace_id == self.workspace_id,
                Extraction.job_id == job_id,
                Extraction.document_id == document_id,
            )
        )
        if rows:
            self.session.execute(
                sa.insert(Extraction),
                [{**row, "workspace_id": self.workspace_id, "job_id": job_id} for row in rows],
            )


def runner_of(job: ProcessingJob) -> Runner | None:
    """The process that last started or joined the job (None for jobs no process has run)."""
    if job.runner_host is None or job.runner_pid is None:
        return None
    return Runner(job.runner_host, job.runner_pid)


def summary(job: ProcessingJob, workers: Sequence[WorkerSummary] = ()) -> JobSummary:
    """The job as the app shows it (runs page, `coderai job`, the export's run sheet), with the `workers`
    alive on it."""
    return JobSummary(
        id=job.id,
        project_id=job.project_id,
        job_type=job.job_type,
        status=job.status,
        documents_total=job.documents_total,
        documents_processed=job.documents_processed,
        documents_failed=job.documents_failed,
        consecutive_failures=job.consecutive_failures,
        tokens_in=job.tokens_in,
        tokens_out=job.tokens_out,
        tokens_cached=job.tokens_cached,
        cost=job.cost,
        pause_reason=job.pause_reason,
        error_message=job.error_message,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        heartbeat_at=job.heartbeat_at,
        mode=str(job.settings.get("mode", ExtractionMode.GROUPED)),
        model=str(job.settings.get("model", "")),
        runner=runner.describe() if (runner := runner_of(job)) is not None else None,
        workers=tuple(workers),
        batch=bool(job.settings.get("batch")),
        models=job.settings.get("models") or {},
    )
