"""Documents of a project: import files and folders, read them again, list, show and delete them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings, documents_folder
from coderai_desktop.domain.document import DocumentSummary, DocumentText, DuplicateGroup
from coderai_desktop.domain.enums import DocumentStatus
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.ingest.chunking import ChunkPolicy, ChunkSpan, plan_chunks
from coderai_desktop.ingest.duplicate_links import DuplicateLinks
from coderai_desktop.ingest.files import collect
from coderai_desktop.ingest.formats import TABULAR
from coderai_desktop.ingest.importer import Importer, ImportPlan, Progress, chunk_row
from coderai_desktop.ingest.languages import ocr_languages
from coderai_desktop.ingest.parsed import ReadOptions
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.report import FileOutcome, ImportProgress, ImportReport, Outcome
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.tables import Document

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportOptions:
    """What a person can say about an import: a PDF password, a spreadsheet's text column and sheet."""

    password: str | None = None
    text_column: str | None = None
    sheet: str | None = None


class DocumentService:
    def __init__(self, database: Database, user: UserSession, settings: Settings, pool: ParserPool):
        self._database = database
        self._user = user
        self._settings = settings
        self._pool = pool
        self._importer = Importer(database, user.workspace_id, pool)
        self._duplicates = DuplicateLinks(database, user.workspace_id, pool)

    async def import_paths(
        self,
        project: ProjectRef,
        paths: Iterable[Path],
        options: ImportOptions | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import files and folders; every file ends imported, duplicate, skipped or failed, with why."""
        plan = await self._plan(project, options or ImportOptions())
        candidates, skipped = await asyncio.to_thread(collect, list(paths))
        report = ImportReport([FileOutcome(item.path.name, Outcome.SKIPPED, item.reason) for item in skipped])
        logger.info("Importing %s files into project %s", len(candidates), plan.project_id)
        await self._importer.run(plan, candidates, report, progress)
        await self._duplicates.refresh(plan.project_id)
        logger.info("Import into project %s: %s", plan.project_id, report.summary())
        return await self._duplicates.annotate(report)

    async def reparse(
        self,
        project: ProjectRef,
        document_ids: list[int],
        password: str | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Read documents again from their stored copies (e.g. with a password), keeping their ids."""
        plan = await self._plan(project, ImportOptions(password=password))
        documents = await self._database.run(lambda s: self._stored(s, plan.project_id, document_ids))
        report = ImportReport()
        for done, document in enumerate(documents, start=1):
            stored = Path(document.stored_path or "")
            if stored.is_file():
                size = stored.stat().st_size
                report.outcomes.append(
                    await self._importer.read_document(
                        plan, document.id, str(stored), document.format, document.file_name, size
                    )
                )
            else:
                missing = "its stored copy is missing: import the file again"
                report.outcomes.append(FileOutcome(document.file_name, Outcome.FAILED, missing, document.id))
            if progress is not None:
                progress(
                    ImportProgress(done, len(documents), document.file_name, report.count(Outcome.FAILED))
                )
        await self._duplicates.refresh(plan.project_id)  # the text may have changed
        return report

    async def list_documents(self, project: ProjectRef) -> list[DocumentSummary]:
        def listing(session: Session) -> list[DocumentSummary]:
            project_id = self._projects(session).resolve(project).id
            return [
                _summary(row)
                for row in DocumentRepository(session, self._user.workspace_id).of_project(project_id)
            ]

        return await self._database.run(listing)

    async def chunks(self, document_id: int, policy: ChunkPolicy) -> list[ChunkSpan]:
        """The document's chunks for a model's budget: stored ones, or cut now from its stored text
        (in a worker process) and kept, so a model with a smaller context never re-reads the file."""

        def stored(session: Session) -> tuple[list[ChunkSpan], str | None]:
            documents = DocumentRepository(session, self._user.workspace_id)
            document = documents.require(document_id)
            if document.status is not DocumentStatus.READY:
                raise InvalidInputError(
                    f"{document.file_name} is not ready: it has no text to cut into chunks."
                )
            rows = documents.chunks(document_id, policy.budget)
            spans = [
                ChunkSpan(
                    row.chunk_index, row.char_start, row.char_end, row.token_estimate, row.overlap_chars
                )
                for row in rows
            ]
            return spans, None if spans else document.text or ""

        spans, text = await self._database.run(stored)
        if text is None:
            return spans
        spans = await self._pool.run(plan_chunks, text, policy)
        rows = [chunk_row(span) for span in spans]
        await self._database.run(
            lambda s: DocumentRepository(s, self._user.workspace_id).replace_chunks(
                document_id, policy.budget, rows
            )
        )
        return spans

    async def document_text(self, document_id: int) -> DocumentText:
        def read(session: Session) -> DocumentText:
            document = DocumentRepository(session, self._user.workspace_id).require(document_id)
            return DocumentText(
                id=document.id,
                file_name=document.file_name,
                text=document.text or "",
                page_offsets=document.page_offsets or [0],
            )

        return await self._database.run(read)

    async def delete_documents(self, document_ids: list[int]) -> int:
        """Delete documents with their chunks and results, and stored copies nothing else uses."""

        def delete(session: Session) -> tuple[list[Path], set[int]]:
            documents = DocumentRepository(session, self._user.workspace_id)
            rows = [documents.require(document_id) for document_id in document_ids]
            for row in rows:
                documents.delete(row.id)
            paths = {row.stored_path for row in rows if row.stored_path}
            orphans = [Path(path) for path in paths if documents.stored_path_users(path) == 0]
            return orphans, {row.project_id for row in rows}

        orphans, projects = await self._database.run(delete)
        for path in orphans:
            path.unlink(missing_ok=True)
        for project_id in projects:  # a deleted original's copies now repeat the next one, or nothing
            await self._duplicates.refresh(project_id)
        logger.info("Deleted %s documents", len(document_ids))
        return len(document_ids)

    async def find_duplicates(self, project: ProjectRef) -> list[DuplicateGroup]:
        """The project's near-duplicates, brought up to date (documents imported before signatures were
        kept are signed now): each document that later ones repeat, with them."""
        project_id = await self._database.run(lambda s: self._projects(s).resolve(project).id)
        await self._duplicates.refresh(project_id)
        return await self._duplicates.groups(project_id)

    async def set_code_separately(self, document_ids: list[int], separately: bool) -> int:
        """Whether near-duplicates are coded on their own (True) or share their original's values."""
        return await self._duplicates.set_code_separately(document_ids, separately)

    async def _plan(self, project: ProjectRef, options: ImportOptions) -> ImportPlan:
        settings = self._settings

        def resolve(session: Session) -> tuple[int, str]:
            row = self._projects(session).resolve(project)
            return row.id, row.language

        project_id, language = await self._database.run(resolve)
        policy = (
            ChunkPolicy.classic()
            if settings.chunking == "classic"
            else ChunkPolicy.fit(settings.chunk_token_budget)
        )
        read_options = ReadOptions(
            password=options.password,
            text_column=options.text_column,
            sheet=options.sheet,
            ocr_enabled=settings.ocr_enabled,
            ocr_languages=ocr_languages(language),
            ocr_dpi=settings.ocr_dpi,
            max_pdf_pages=settings.max_pdf_pages,
        )
        store = documents_folder(settings.workspace_store(self._user.workspace_id), project_id)
        return ImportPlan(project_id, store, read_options, policy, settings.max_file_mb * 2**20)

    def _stored(self, session: Session, project_id: int, document_ids: list[int]) -> list[Document]:
        documents = DocumentRepository(session, self._user.workspace_id)
        rows = [documents.require(document_id) for document_id in document_ids]
        for row in rows:
            if row.project_id != project_id:
                raise InvalidInputError(f"Document {row.id} belongs to another project.")
            if row.format in TABULAR:
                raise InvalidInputError(
                    f"{row.file_name} is a spreadsheet row: import the spreadsheet again to read it again."
                )
        return rows

    def _projects(self, session: Session) -> ProjectRepository:
        return ProjectRepository(session, self._user.workspace_id)


def _summary(row: Document) -> DocumentSummary:
    return DocumentSummary.model_validate(row, from_attributes=True)
