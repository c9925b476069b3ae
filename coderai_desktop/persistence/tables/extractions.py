"""Extracted values with their evidence and provenance, and the researchers' feedback on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coderai_desktop.domain.enums import ExtractionStatus, FeedbackType, MatchStatus
from coderai_desktop.persistence.base import (
    Base,
    created_at_column,
    enum_column,
    id_in_workspace,
    owned_by,
    table_options,
    workspace_id_column,
)


class Extraction(Base):
    """The AI's value for one (document or entity) x variable in one job; never overwritten by review."""

    __tablename__ = "extractions"
    __table_args__ = table_options(
        id_in_workspace("extractions"),
        owned_by("projects", "project_id"),
        owned_by("processing_jobs", "job_id"),
        owned_by("documents", "document_id"),
        owned_by("variables", "variable_id"),
        owned_by("prompts", "prompt_id"),
        # No duplicates per (job, document, entity, variable). NULLs are distinct in a unique index,
        # so document-level values (no entity) get their own index.
        sa.Index(
            "uq_extractions_document_value",
            "job_id",
            "document_id",
            "variable_id",
            unique=True,
            sqlite_where=sa.text("entity_index IS NULL"),
            postgresql_where=sa.text("entity_index IS NULL"),
        ),
        sa.Index(
            "uq_extractions_entity_value",
            "job_id",
            "document_id",
            "entity_index",
            "variable_id",
            unique=True,
            sqlite_where=sa.text("entity_index IS NOT NULL"),
            postgresql_where=sa.text("entity_index IS NOT NULL"),
        ),
        sa.Index("ix_extractions_document", "document_id"),
        sa.Index("ix_extractions_variable", "variable_id"),
        # Covers the read model's questions (which run coded each document last, and its units) without
        # reading the 500,000 rows of a large project.
        sa.Index(
            "ix_extractions_units", "workspace_id", "project_id", "document_id", "job_id", "entity_index"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column(index=True)
    job_id: Mapped[int] = mapped_column()
    document_id: Mapped[int] = mapped_column()
    entity_index: Mapped[int | None]
    entity_text: Mapped[str | None] = mapped_column(sa.Text)
    variable_id: Mapped[int] = mapped_column()
    value: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    raw_value: Mapped[str | None] = mapped_column(sa.Text)
    confidence: Mapped[float | None]
    evidence_quote: Mapped[str | None] = mapped_column(sa.Text)
    char_start: Mapped[int | None]
    char_end: Mapped[int | None]
    page: Mapped[int | None]
    match_status: Mapped[MatchStatus | None] = enum_column(MatchStatus)
    status: Mapped[ExtractionStatus] = enum_column(ExtractionStatus, default=ExtractionStatus.EXTRACTED)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    # The prompt version that produced the value, and the call's settings and usage.
    prompt_id: Mapped[int | None] = mapped_column(index=True)
    model: Mapped[str | None] = mapped_column(sa.String(200))
    temperature: Mapped[float | None]
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    # Escalation: the first model's answer ({value, confidence, evidence_quote, model}) when a stronger
    # model re-coded the value; the row itself holds the answer in force.
    escalated_from: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # A near-duplicate document coded once: the document whose values this row shares.
    shared_from_document_id: Mapped[int | None]
    created_at: Mapped[datetime] = created_at_column()


class ExtractionFeedback(Base):
    """A researcher's judgement of a value; the value itself is never changed. Every change is a new row
    and the latest applies: no type means "not reviewed" (a review cleared), and an undo row names the
    row it undid (`undoes_id`) and carries the state it restored."""

    __tablename__ = "extraction_feedback"
    __table_args__ = table_options(
        owned_by("extractions", "extraction_id"),
        # A value's review in force (its newest row) in one index lookup, also with every query scoped to
        # the workspace: without it a workspace's reviews are scanned once per value.
        sa.Index("ix_extraction_feedback_in_force", "workspace_id", "extraction_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    extraction_id: Mapped[int] = mapped_column(index=True)
    feedback_type: Mapped[FeedbackType | None] = enum_column(FeedbackType, nullable=True)
    undoes_id: Mapped[int | None]
    corrected_value: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    user_note: Mapped[str | None] = mapped_column(sa.Text)
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()


class HumanCoding(Base):
    """A researcher's own value for a unit x variable, coded without seeing the AI's (blind coding).
    Every import is a new row; a coder's latest row for a unit and variable applies."""

    __tablename__ = "human_codings"
    __table_args__ = table_options(
        owned_by("projects", "project_id"),
        owned_by("documents", "document_id"),
        owned_by("variables", "variable_id"),
        sa.Index("ix_human_codings_unit", "project_id", "document_id", "variable_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column()
    document_id: Mapped[int] = mapped_column()
    entity_index: Mapped[int | None]
    entity_text: Mapped[str | None] = mapped_column(sa.Text)
    variable_id: Mapped[int] = mapped_column()
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    coder: Mapped[str] = mapped_column(sa.String(200))  # the login name, readable after an account goes
    value: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
