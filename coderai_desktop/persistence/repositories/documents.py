"""Documents of one workspace, and their chunks."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from coderai_desktop.domain.enums import DocumentStatus
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import Document, DocumentChunk


class DocumentRepository(ProjectPartRepository[Document]):
    model = Document
    noun = "document"

    def by_sha256(self, project_id: int, sha256: str) -> Document | None:
        query = self.select().where(Document.project_id == project_id, Document.sha256 == sha256)
        return self.session.scalars(query).first()

    def of_ids(self, document_ids: list[int]) -> list[Document]:
        query = self.select().where(Document.id.in_(document_ids)).order_by(Document.id)
        return list(self.session.scalars(query))

    def update_unless_ready(self, document_id: int, **values: Any) -> bool:
        """Set columns of a document that is not READY, in one statement: a compare-and-set, so that of two
        imports of one file at once only one finishes (or restarts) it. Whether it was set."""
        statement = sa.update(Document).where(
            Document.id == document_id,
            Document.workspace_id == self.workspace_id,
            Document.status != DocumentStatus.READY,
        )
        return bool(self.session.execute(statement.values(**values)).rowcount)  # type: ignore[attr-defined]

    def replace_chunks(self, document_id: int, budget: int, spans: list[dict[str, Any]]) -> None:
        """The document's chunks for one token budget (chunks for other budgets are kept)."""
        self.session.execute(
            sa.delete(DocumentChunk).where(
                DocumentChunk.workspace_id == self.workspace_id,
                DocumentChunk.document_id == document_id,
                DocumentChunk.token_budget == budget,
            )
        )
        if spans:
            rows = [
                {
                    "workspace_id": self.workspace_id,
                    "document_id": document_id,
                    "token_budget": budget,
                    **span,
                }
                for span in spans
            ]
            self.session.execute(sa.insert(DocumentChunk), rows)

    def chunks(self, document_id: int, budget: int) -> list[DocumentChunk]:
        query = (
            sa.select(DocumentChunk)
            .where(
                DocumentChunk.workspace_id == self.workspace_id,
                DocumentChunk.document_id == document_id,
                DocumentChunk.token_budget == budget,
            )
            .order_by(DocumentChunk.chunk_index)
        )
        return list(self.session.scalars(query))

    def stored_path_users(self, stored_path: str) -> int:
        """How many documents share a stored file (the rows of one spreadsheet share it)."""
        query = sa.select(sa.func.count()).where(
            Document.workspace_id == self.workspace_id, Document.stored_path == stored_path
        )
        return int(self.session.scalar(query) or 0)

    # --- near-duplicates (ingest/near_duplicates.py) ------------------------------------------------

    def unsigned(self, project_id: int) -> list[int]:
        """Ready documents without a text signature (imported before signatures were kept)."""
        return list(
            self.session.scalars(
                sa.select(Document.id)
                .where(*self._ready(project_id), Document.text_signature.is_(None))
                .order_by(Document.id)
            )
        )

    def texts(self, document_ids: list[int]) -> list[tuple[int, str]]:
        query = sa.select(Document.id, Document.text).where(
            Document.workspace_id == self.workspace_id, Document.id.in_(document_ids)
        )
        return [(document_id, text or "") for document_id, text in self.session.execute(query)]

    def set_signatures(self, signatures: dict[int, bytes]) -> None:
        for document_id, signature in signatures.items():
            self.update(document_id, text_signature=signature)

    def signatures(self, project_id: int) -> list[tuple[int, bytes]]:
        """(id, signature) of the project's ready documents that have one."""
        query = sa.select(Document.id, Document.text_signature).where(
            *self._ready(project_id), Document.text_signature.is_not(None)
        )
        rows = self.session.execute(query)
        return [(document_id, signature) for document_id, signature in rows if signature is not None]

    def link_duplicates(self, project_id: int, originals: dict[int, int]) -> None:
        """Make `originals` (document -> the document it repeats) the project's links, and nothing else."""
        query = sa.select(Document.id, Document.duplicate_of).where(
            Document.workspace_id == self.workspace_id, Document.project_id == project_id
        )
        for document_id, linked in self.session.execute(query).all():
            if linked != originals.get(document_id):
                self.update(document_id, duplicate_of=originals.get(document_id))

    def shared_links(self, project_id: int) -> dict[int, int]:
        """Ready near-duplicates coded with the document they repeat: document -> that document."""
        query = sa.select(Document.id, Document.duplicate_of).where(
            *self._ready(project_id), Document.duplicate_of.is_not(None), Document.code_separately.is_(False)
        )
        rows = self.session.execute(query)
        return {document_id: original for document_id, original in rows if original is not None}

    def shared_copies(self, document_id: int) -> list[Document]:
        """The ready documents that repeat this one and are coded with it (not separately)."""
        query = self.select().where(
            Document.duplicate_of == document_id,
            Document.status == DocumentStatus.READY,
            Document.code_separately.is_(False),
        )
        return list(self.session.scalars(query.order_by(Document.id)))

    def _ready(self, project_id: int) -> tuple[Any, ...]:
        return (
            Document.workspace_id == self.workspace_id,
            Document.project_id == project_id,
            Document.status == DocumentStatus.READY,
        )

    def status_counts(self, project_id: int) -> dict[DocumentStatus, int]:
        """How many of a project's documents are in each status (statuses with none are left out)."""
        query = (
            sa.select(Document.status, sa.func.count())
            .where(Document.workspace_id == self.workspace_id, Document.project_id == project_id)
            .group_by(Document.status)
        )
        return {status: int(n) for status, n in self.session.execute(query)}
