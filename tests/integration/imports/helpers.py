"""Helpers of the import tests: looking at what an import stored."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.enums import DocumentStatus
from coderai_desktop.ingest.report import ImportReport, Outcome
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.tables import Document, DocumentChunk

PROJECT = "Housing plans"


def folder(path: Path) -> Path:
    """The folder, created (the generators of tests/fakes/documents.py write into existing folders)."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def rows(context: AppContext, workspace_id: int) -> list[Document]:
    """Every document of the workspace, with its text loaded, in id order."""
    with context.database.transaction() as session:
        found = DocumentRepository(session, workspace_id).select().order_by(Document.id)
        documents = list(session.scalars(found))
        for document in documents:
            _ = document.text, document.page_offsets  # load the deferred columns while the session is open
        return documents


def chunks(session: Session, document_id: int) -> list[DocumentChunk]:
    query = sa.select(DocumentChunk).where(DocumentChunk.document_id == document_id)
    return list(session.scalars(query.order_by(DocumentChunk.chunk_index)))


def by_name(report: ImportReport) -> dict[str, tuple[Outcome, str]]:
    return {item.name: (item.outcome, item.detail) for item in report.outcomes}


def statuses(context: AppContext, workspace_id: int) -> dict[str, DocumentStatus]:
    return {row.file_name: row.status for row in rows(context, workspace_id)}
