"""Provider batch jobs (OpenAI / Azure Batch API) of a run: the parts submitted, and each request with its
answer once a part finishes. Stored so that a batch run survives the app closing: on start the app polls
the parts still out and picks the answers up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coderai_desktop.persistence.base import (
    Base,
    created_at_column,
    id_in_workspace,
    owned_by,
    table_options,
    updated_at_column,
    workspace_id_column,
)


class BatchPart(Base):
    """One remote batch: one uploaded JSONL file of requests."""

    __tablename__ = "batch_parts"
    __table_args__ = table_options(
        id_in_workspace("batch_parts"),
        owned_by("processing_jobs", "job_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    job_id: Mapped[int] = mapped_column(index=True)
    remote_id: Mapped[str | None] = mapped_column(sa.String(200))  # the provider's batch id
    input_file_id: Mapped[str | None] = mapped_column(sa.String(200))
    output_file_id: Mapped[str | None] = mapped_column(sa.String(200))
    error_file_id: Mapped[str | None] = mapped_column(sa.String(200))
    # The provider's words: validating, in_progress, finalizing, completed, failed, expired, cancelling,
    # cancelled; and "collected" once its answers are stored here.
    status: Mapped[str] = mapped_column(sa.String(32))
    request_count: Mapped[int] = mapped_column(default=0)
    failed_count: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class BatchRequest(Base):
    """One chat request of a batch run, keyed by what it asks (the same request is asked once)."""

    __tablename__ = "batch_requests"
    __table_args__ = table_options(
        owned_by("processing_jobs", "job_id"),
        owned_by("documents", "document_id"),
        sa.UniqueConstraint("job_id", "custom_id"),
        sa.Index("ix_batch_requests_job_status", "job_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    job_id: Mapped[int] = mapped_column()
    part_id: Mapped[int | None] = mapped_column(index=True)
    document_id: Mapped[int] = mapped_column()
    custom_id: Mapped[str] = mapped_column(sa.String(64))  # a hash of the request body
    body: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # the /v1/chat/completions request
    # "waiting" (not yet submitted), "submitted", "answered", "failed"
    status: Mapped[str] = mapped_column(sa.String(16))
    answer: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)  # the chat completion returned
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
