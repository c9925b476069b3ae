"""Which documents of a project repeat which: signatures for documents imported before they were kept,
the links (documents.duplicate_of) worked out afresh from all signatures after each import, re-read or
deletion and before a run, and the researcher's "code separately"."""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy.orm import Session

from coderai_desktop.domain.document import DocumentSummary, DuplicateGroup
from coderai_desktop.ingest import near_duplicates
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.report import ImportReport, Outcome
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.documents import DocumentRepository

logger = logging.getLogger(__name__)

# Old documents are read this many at a time, and signed in a worker process this many characters a task.
DOCUMENTS_READ_AT_ONCE = 500
CHARACTERS_PER_TASK = 2_000_000


def signatures(texts: list[str]) -> list[bytes]:
    """Runs in a worker process."""
    return [near_duplicates.signature(text) for text in texts]


class DuplicateLinks:
    def __init__(self, database: Database, workspace_id: int, pool: ParserPool):
        self._database = database
        self._workspace_id = workspace_id
        self._pool = pool

    async def refresh(self, project_id: int) -> None:
        """Sign the ready documents that have no signature yet, then link every near-duplicate to the
        earliest document it repeats (so when that one is deleted, the next one takes its place)."""
        unsigned = await self._database.run(lambda s: self._documents(s).unsigned(project_id))
        if unsigned:
            logger.info("Signing %s documents of project %s for near-duplicates", len(unsigned), project_id)
        for start in range(0, len(unsigned), DOCUMENTS_READ_AT_ONCE):
            batch = unsigned[start : start + DOCUMENTS_READ_AT_ONCE]
            texts = await self._database.run(lambda s: self._documents(s).texts(batch))  # noqa: B023
            for part in _by_characters(texts):
                await self._sign(part)
        await self._database.run(lambda s: self._link(s, project_id))

    async def groups(self, project_id: int) -> list[DuplicateGroup]:
        """Each document that others repeat, with them, in the order they were imported."""

        def read(session: Session) -> list[DuplicateGroup]:
            documents = [
                DocumentSummary.model_validate(row, from_attributes=True)
                for row in self._documents(session).of_project(project_id)
            ]
            by_id = {document.id: document for document in documents}
            copies: dict[int, list[DocumentSummary]] = {}
            for document in documents:
                if document.duplicate_of in by_id:
                    copies.setdefault(document.duplicate_of, []).append(document)
            return [DuplicateGroup(original=by_id[first], duplicates=rest) for first, rest in copies.items()]

        return await self._database.run(read)

    async def set_code_separately(self, document_ids: list[int], separately: bool) -> int:
        def update(session: Session) -> int:
            documents = self._documents(session)
            for document_id in document_ids:
                documents.update(document_id, code_separately=separately)
            return len(document_ids)

        return await self._database.run(update)

    async def annotate(self, report: ImportReport) -> ImportReport:
        """The import's report, saying of each imported document that repeats another which one."""
        imported = [item.document_id for item in report.outcomes if item.outcome is Outcome.IMPORTED]

        def originals(session: Session) -> dict[int, str]:
            documents = self._documents(session)
            rows = documents.of_ids([document_id for document_id in imported if document_id is not None])
            linked = documents.of_ids([row.duplicate_of for row in rows if row.duplicate_of is not None])
            names = {row.id: row.file_name for row in linked}
            return {row.id: names[row.duplicate_of] for row in rows if row.duplicate_of in names}

        same_as = await self._database.run(originals) if imported else {}
        report.outcomes = [
            dataclasses.replace(item, detail=f"{item.detail}; same text as {same_as[item.document_id]}")
            if item.outcome is Outcome.IMPORTED and item.document_id in same_as
            else item
            for item in report.outcomes
        ]
        return report

    async def _sign(self, texts: list[tuple[int, str]]) -> None:
        signed = await self._pool.run(signatures, [text for _, text in texts])
        found = dict(zip([document_id for document_id, _ in texts], signed, strict=True))
        await self._database.run(lambda s: self._documents(s).set_signatures(found))

    def _link(self, session: Session, project_id: int) -> None:
        documents = self._documents(session)
        documents.link_duplicates(project_id, near_duplicates.originals(documents.signatures(project_id)))

    def _documents(self, session: Session) -> DocumentRepository:
        return DocumentRepository(session, self._workspace_id)


def _by_characters(texts: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    parts: list[list[tuple[int, str]]] = [[]]
    size = 0
    for item in texts:
        if parts[-1] and size + len(item[1]) > CHARACTERS_PER_TASK:
            parts.append([])
            size = 0
        parts[-1].append(item)
        size += len(item[1])
    return [part for part in parts if part]
