"""Processing jobs, their per-document work items (for exact resume) and the processing log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coderai_desktop.domain.enums import (
    UNFINISHED_JOB_STATUSES,
    JobItemStatus,
    JobStatus,
    JobType,
    LogEventType,
)
from coderai_desktop.persistence.base import (
    Base,
    UTCDateTime,
    created_at_column,
    enum_column,
    id_in_workspace,
    owned_by,
    table_options,
    updated_at_column,
    workspace_id_column,
)

# The partial index's condition, spelled as migration 0003 wrote it: status IN ('PENDING', ...). Another set
# of statuses would need a migration (tests/integration/test_migrations_match_models.py tells).
UNFINISHED_CONDITION = "status IN (" + ", ".join(f"'{status}'" for status in UNFINISHED_JOB_STATUSES) + ")"


class ProcessingJob(Base):
    __tablename__ = "processing_jobs"
    __table_args__ = table_options(
        id_in_workspace("processing_jobs"),
        owned_by("projects", "project_id"),
        # One job at a time per project: a second run must resume, or cancel, the unfinished one.
        sa.Index(
            "uq_processing_jobs_one_active",
            "project_id",
            unique=True,
            sqlite_where=sa.text(UNFINISHED_CONDITION),
            postgresql_where=sa.text(UNFINISHED_CONDITION),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column(index=True)
    job_type: Mapped[JobType] = enum_column(JobType)
    status: Mapped[JobStatus] = enum_column(JobStatus, default=JobStatus.PENDING)
    # How the documents were chosen ({"mode": "random", "size": 20, "seed": 7}, chosen ids, all ready);
    # the chosen documents themselves are the job's items.
    selection: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Model, mode, concurrency... as they were when the job started.
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    documents_total: Mapped[int] = mapped_column(default=0)
    documents_processed: Mapped[int] = mapped_column(default=0)
    documents_failed: Mapped[int] = mapped_column(default=0)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    tokens_in: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    tokens_out: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Of tokens_in, those the provider read from its prompt cache (billed at the cached price).
    tokens_cached: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    cost: Mapped[float] = mapped_column(default=0.0)
    pause_reason: Mapped[str | None] = mapped_column(sa.Text)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Touched every few seconds by the process running the job: a RUNNING job whose heartbeat stopped
    # was interrupted (the app was closed or killed) and can be resumed.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The process that claimed the job to run it (persistence/run_locks.py), to tell others who has it.
    runner_host: Mapped[str | None] = mapped_column(sa.String(255))
    runner_pid: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = updated_at_column()

    @property
    def progress(self) -> float:
        """Share of the chosen documents that are finished, successfully or not (0.0 to 1.0)."""
        if not self.documents_total:
            return 0.0
        return min(1.0, (self.documents_processed + self.documents_failed) / self.documents_total)


class JobItem(Base):
    """One chosen document of a job; DONE and FAILED items are skipped when the job resumes."""

    __tablename__ = "job_items"
    __table_args__ = table_options(
        owned_by("processing_jobs", "job_id"),
        owned_by("documents", "document_id"),
        sa.UniqueConstraint("job_id", "document_id"),
        sa.Index("ix_job_items_job_status", "job_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    job_id: Mapped[int] = mapped_column()
    document_id: Mapped[int] = mapped_column(index=True)
    status: Mapped[JobItemStatus] = enum_column(JobItemStatus, default=JobItemStatus.PENDING)
    # The worker coding this PENDING document now (one of a run's workers, see tables/lab.py): claimed,
    # so that no other worker codes it too; released when that worker ends or is found dead.
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job_workers.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(default=0)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    tokens_in: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    tokens_out: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProcessingLog(Base):
    __tablename__ = "processing_logs"
    __table_args__ = table_options(
        owned_by("projects", "project_id"),
        owned_by("processing_jobs", "job_id"),
        owned_by("documents", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column(index=True)
    job_id: Mapped[int | None] = mapped_column(index=True)
    document_id: Mapped[int | None] = mapped_column(index=True)
    event_type: Mapped[LogEventType] = enum_column(LogEventType)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    # "metadata" is reserved on declarative classes; the column keeps the name.
    details: Mapped[dict[str, Any]] = mapped_column("metadata", sa.JSON, default=dict)
    created_at: Mapped[datetime] = created_at_column()
