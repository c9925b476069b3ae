"""Imported documents (their text and where it came from) and the chunks cut from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from coderai_desktop.domain.enums import DocumentFormat, DocumentProblem, DocumentStatus
from coderai_desktop.persistence.base import (
    Base,
    created_at_column,
    enum_column,
    id_in_workspace,
    owned_by,
    table_options,
    updated_at_column,
    workspace_id_column,
)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = table_options(
        id_in_workspace("documents"),
        owned_by("projects", "project_id"),
        sa.UniqueConstraint("project_id", "sha256"),
        sa.Index("ix_documents_project_status", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column()
    file_name: Mapped[str] = mapped_column(sa.String(500))
    original_path: Mapped[str] = mapped_column(sa.Text)
    stored_path: Mapped[str | None] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    format: Mapped[DocumentFormat] = enum_column(DocumentFormat)
    page_count: Mapped[int | None]
    word_count: Mapped[int | None]
    char_count: Mapped[int | None]
    encoding: Mapped[str | None] = mapped_column(sa.String(64))
    # Large: loaded only when asked for, never by a listing.
    text: Mapped[str | None] = deferred(mapped_column(sa.Text))
    # Character offset at which each page starts, so a quote's offset gives its page.
    page_offsets: Mapped[list[int] | None] = deferred(mapped_column(sa.JSON))
    status: Mapped[DocumentStatus] = enum_column(DocumentStatus, default=DocumentStatus.UPLOADED)
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    problem: Mapped[DocumentProblem | None] = enum_column(DocumentProblem)
    warnings: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # E.g. the other columns of a CSV corpus row; they travel into exports.
    import_metadata: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    chunk_count: Mapped[int] = mapped_column(default=0)
    # Near-duplicates: a MinHash signature of the text's shingles, the earlier document this one repeats
    # (no foreign key: when that one goes, this one is coded on its own), and the researcher's wish to code
    # it separately all the same.
    text_signature: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    duplicate_of: Mapped[int | None] = mapped_column(index=True)
    code_separately: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class DocumentChunk(Base):
    """A span of a document's text that fits a model's token budget; kept per budget."""

    __tablename__ = "document_chunks"
    __table_args__ = table_options(
        owned_by("documents", "document_id"),
        sa.UniqueConstraint("document_id", "token_budget", "chunk_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    document_id: Mapped[int] = mapped_column()
    token_budget: Mapped[int]
    chunk_index: Mapped[int]
    char_start: Mapped[int]
    char_end: Mapped[int]
    token_estimate: Mapped[int]
    overlap_chars: Mapped[int] = mapped_column(default=0)
