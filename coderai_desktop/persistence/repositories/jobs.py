"""Processing jobs of one workspace: the jobs, their per-document items, the log and the results."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from coderai_desktop.domain.enums import (
    DATASET_JOB_TYPES,
    UNFINISHED_JOB_STATUSES,
    JobItemStatus,
    JobStatus,
    LogEventType,
)
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.run_locks import RunLocks, Runner, stale_before
from coderai_desktop.persistence.tables import Extraction, JobItem, ProcessingJob, ProcessingLog


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

    def claim(self, job_id: int, runner: Runner) -> bool:
        """Make `runner` the job's runner in one compare-and-set, so that of several processes asking at
        once exactly one wins. The caller holds the job's lock. A RUNNING job is taken over only from a
        runner that went quiet, or from the one recorded here if its process is gone from this computer."""
        job = ProcessingJob
        recorded = self.require(job_id)
        dead = runner_of(recorded)
        takeover = job.heartbeat_at.is_(None) | (job.heartbeat_at < stale_before())
        if dead is not None and dead.gone:
            takeover |= (job.runner_host == dead.host) & (job.runner_pid == dead.pid)
        claimed = self.session.execute(
            sa.update(job)
            .where(
                job.workspace_id == self.workspace_id,
                job.id == job_id,
                job.status.in_((JobStatus.PENDING, JobStatus.PAUSED))
                | ((job.status == JobStatus.RUNNING) & takeover),
            )
            .values(
                status=JobStatus.RUNNING,
                runner_host=runner.host,
                runner_pid=runner.pid,
                heartbeat_at=datetime.now(UTC),
                pause_reason=None,
            )
            .execution_options(synchronize_session=False)
        )
        self.session.expire_all()  # the job's row as the database now has it
        return claimed.rowcount == 1  # type: ignore[attr-defined]

    def active(self, project_id: int, locks: RunLocks) -> ProcessingJob | None:
        """The project's job that a live process is running right now, if any."""
        job = self.unfinished(project_id)
        return job if job is not None and is_running(job, locks) else None

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


def is_running(job: ProcessingJob, locks: RunLocks) -> bool:
    """Whether a live process runs the job now (a RUNNING job whose runner died is only interrupted)."""
    return job.status is JobStatus.RUNNING and locks.runner_alive(job.id, runner_of(job), job.heartbeat_at)


def runner_of(job: ProcessingJob) -> Runner | None:
    """The process recorded as running the job (None for jobs from before runners were recorded)."""
    if job.runner_host is None or job.runner_pid is None:
        return None
    return Runner(job.runner_host, job.runner_pid)


def summary(job: ProcessingJob) -> JobSummary:
    """The job as the app shows it (runs page, `coderai job`, the export's run sheet)."""
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
        batch=bool(job.settings.get("batch")),
        models=job.settings.get("models") or {},
    )
