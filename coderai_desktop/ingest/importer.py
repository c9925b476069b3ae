"""One import: each file is fingerprinted, copied into the store, read in a worker, chunked and saved.

Statuses go UPLOADED -> PARSED -> READY, or FAILED with the reason. A file whose document is already
READY is a duplicate; one whose document is not (the import was cancelled, the app was killed, the
password was missing) is read again into the same document, keeping its id.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import DocumentFormat, DocumentProblem, DocumentStatus
from coderai_desktop.formatting import count
from coderai_desktop.ingest.chunking import ChunkPolicy
from coderai_desktop.ingest.files import Candidate, sha256_of, store_copy
from coderai_desktop.ingest.formats import TABULAR
from coderai_desktop.ingest.parsed import ParsedDocument, ReadFailure, ReadOptions
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.report import FileOutcome, ImportProgress, ImportReport, Outcome
from coderai_desktop.ingest.text import word_count
from coderai_desktop.ingest.worker import WorkerOutput
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.tables import Document

logger = logging.getLogger(__name__)

Progress = Callable[[ImportProgress], None]


@dataclass(frozen=True)
class ImportPlan:
    """Everything one import needs to know besides the files."""

    project_id: int
    store: Path
    options: ReadOptions
    policy: ChunkPolicy
    max_file_bytes: int


class Importer:
    def __init__(self, database: Database, workspace_id: int, pool: ParserPool):
        self._database = database
        self._workspace_id = workspace_id
        self._pool = pool

    async def run(
        self, plan: ImportPlan, candidates: list[Candidate], report: ImportReport, progress: Progress | None
    ) -> ImportReport:
        """Read the files, as many at once as there are workers, reporting after each one."""
        slots = asyncio.Semaphore(self._pool.limits.workers)
        done, failed = 0, report.count(Outcome.FAILED)
        claimed: dict[str, str] = {}  # fingerprints of this import's files -> the first file's name

        async def one(candidate: Candidate) -> list[FileOutcome]:
            nonlocal done, failed
            async with slots:
                outcomes = await self._import_file(plan, candidate, claimed)
            done += 1
            failed += sum(1 for outcome in outcomes if outcome.outcome is Outcome.FAILED)
            if progress is not None:
                progress(ImportProgress(done, len(candidates), candidate.path.name, failed))
            return outcomes

        # Reported in the order the files were given, whatever order they finish in.
        for outcomes in await asyncio.gather(*(one(candidate) for candidate in candidates)):
            report.outcomes.extend(outcomes)
        return report

    async def _import_file(
        self, plan: ImportPlan, candidate: Candidate, claimed: dict[str, str]
    ) -> list[FileOutcome]:
        path, name = candidate.path, candidate.path.name
        try:
            size = path.stat().st_size
            sha256 = await asyncio.to_thread(sha256_of, path)
            ready = await self._database.run(lambda s: self._ready_duplicate(s, plan.project_id, sha256))
            if ready is not None:
                return [FileOutcome(name, Outcome.DUPLICATE, f"already imported as {ready[1]}", ready[0])]
            if sha256 in claimed:  # the same content twice in one import (two empty files, a copy...)
                return [FileOutcome(name, Outcome.DUPLICATE, f"same content as {claimed[sha256]}")]
            claimed[sha256] = name
            stored = await asyncio.to_thread(store_copy, path, plan.store, sha256)
        except OSError as error:
            return [FileOutcome(name, Outcome.FAILED, f"cannot be read from disk: {error.strerror or error}")]
        if candidate.kind in TABULAR:
            return await self._import_rows(plan, candidate, stored, size)
        try:
            document_id, duplicate_of = await self._database.run(
                lambda s: self._upload(s, plan, candidate, stored, sha256, size)
            )
        except IntegrityError:  # another window or command imported the same file at this very moment
            return [FileOutcome(name, Outcome.DUPLICATE, "imported at the same moment by another window")]
        if duplicate_of is not None:
            return [FileOutcome(name, Outcome.DUPLICATE, f"already imported as {duplicate_of}", document_id)]
        return [await self.read_document(plan, document_id, str(stored), candidate.kind, name, size)]

    async def read_document(
        self, plan: ImportPlan, document_id: int, stored: str, kind: DocumentFormat, name: str, size: int
    ) -> FileOutcome:
        """Read one stored file into its document: PARSED with its text, then READY with its chunks."""
        try:
            if size == 0:
                raise ReadFailure(DocumentProblem.NO_TEXT, "The file is empty.")
            _check_size(size, plan)
            [output] = await self._pool.parse(stored, kind, plan.options, plan.policy)
            if not output.document.text.strip():
                raise ReadFailure(DocumentProblem.NO_TEXT, "The file contains no text.")
        except ReadFailure as error:
            failure = error
        else:
            await self._database.run(lambda s: self._save_text(s, document_id, output.document))
            await self._database.run(lambda s: self._save_chunks(s, document_id, plan.policy, output))
            return FileOutcome(name, Outcome.IMPORTED, _describe(output.document), document_id)
        await self._database.run(lambda s: self._fail(s, document_id, failure))
        logger.info("Could not read %s: %s", name, failure.message)
        return FileOutcome(name, Outcome.FAILED, failure.message, document_id)

    async def _import_rows(
        self, plan: ImportPlan, candidate: Candidate, stored: Path, size: int
    ) -> list[FileOutcome]:
        """A spreadsheet: one READY document per row with text; the file itself is not a document."""
        name = candidate.path.name
        try:
            _check_size(size, plan)
            outputs = await self._pool.parse(str(stored), candidate.kind, plan.options, plan.policy)
        except ReadFailure as failure:
            return [FileOutcome(name, Outcome.FAILED, failure.message)]
        return await self._database.run(lambda s: self._save_rows(s, plan, candidate, stored, outputs))

    def _ready_duplicate(self, session: Session, project_id: int, sha256: str) -> tuple[int, str] | None:
        document = self._documents(session).by_sha256(project_id, sha256)
        ready = document is not None and document.status is DocumentStatus.READY
        return (document.id, document.file_name) if document and ready else None

    def _upload(
        self, session: Session, plan: ImportPlan, candidate: Candidate, stored: Path, sha256: str, size: int
    ) -> tuple[int, str | None]:
        """The document to read the file into (new, or one that never got READY), or the READY one it
        duplicates: found and written in one transaction."""
        documents = self._documents(session)
        existing = documents.by_sha256(plan.project_id, sha256)
        if existing is not None and existing.status is DocumentStatus.READY:
            return existing.id, existing.file_name
        document = existing or Document(project_id=plan.project_id)
        document.file_name = candidate.path.name
        document.original_path = str(candidate.path)
        document.stored_path = str(stored)
        document.sha256 = sha256
        document.size_bytes = size
        document.format = candidate.kind
        _reset(document)
        if existing is None:
            documents.add(document)
        session.flush()
        return document.id, None

    def _fail(self, session: Session, document_id: int, failure: ReadFailure) -> None:
        documents = self._documents(session)
        documents.mark_failed(documents.require(document_id), failure.problem, failure.message)

    def _save_text(self, session: Session, document_id: int, parsed: ParsedDocument) -> None:
        document = self._documents(session).require(document_id)
        _fill(document, parsed)
        document.status = DocumentStatus.PARSED

    def _save_chunks(
        self, session: Session, document_id: int, policy: ChunkPolicy, output: WorkerOutput
    ) -> None:
        documents = self._documents(session)
        document = documents.require(document_id)
        documents.replace_chunks(document, policy.budget, _chunk_rows(output))
        document.chunk_count = len(output.chunks)
        document.status = DocumentStatus.READY

    def _save_rows(
        self,
        session: Session,
        plan: ImportPlan,
        candidate: Candidate,
        stored: Path,
        outputs: list[WorkerOutput],
    ) -> list[FileOutcome]:
        documents = self._documents(session)
        outcomes = []
        for output in outputs:
            parsed = output.document
            name = f"{candidate.path.name} row {parsed.row}"
            if not parsed.text:
                outcomes.append(FileOutcome(name, Outcome.SKIPPED, "the text cell is empty"))
                continue
            row_sha = _row_sha256(parsed)
            if (existing := documents.by_sha256(plan.project_id, row_sha)) is not None:
                outcomes.append(
                    FileOutcome(name, Outcome.DUPLICATE, f"same as {existing.file_name}", existing.id)
                )
                continue
            document = Document(
                project_id=plan.project_id,
                file_name=name,
                original_path=str(candidate.path),
                stored_path=str(stored),
                sha256=row_sha,
                size_bytes=len(parsed.text.encode()),
                format=candidate.kind,
                import_metadata={
                    "source_file": candidate.path.name,
                    "row": parsed.row,
                    "columns": parsed.metadata,
                },
            )
            _fill(document, parsed)
            documents.add(document)
            documents.replace_chunks(document, plan.policy.budget, _chunk_rows(output))
            document.chunk_count = len(output.chunks)
            document.status = DocumentStatus.READY
            outcomes.append(FileOutcome(name, Outcome.IMPORTED, _describe(parsed), document.id))
        return outcomes

    def _documents(self, session: Session) -> DocumentRepository:
        return DocumentRepository(session, self._workspace_id)


def _check_size(size: int, plan: ImportPlan) -> None:
    if size > plan.max_file_bytes:
        raise ReadFailure(
            DocumentProblem.TOO_LARGE,
            f"The file is larger than {plan.max_file_bytes // 2**20} MB, the limit in the settings.",
        )


def _reset(document: Document) -> None:
    document.status = DocumentStatus.UPLOADED
    document.problem = None
    document.error_message = None
    document.warnings = []


def _fill(document: Document, parsed: ParsedDocument) -> None:
    document.text = parsed.text
    document.page_offsets = parsed.page_offsets
    document.page_count = parsed.page_count
    document.word_count = word_count(parsed.text)
    document.char_count = len(parsed.text)
    document.encoding = parsed.encoding
    document.warnings = parsed.warnings
    document.problem = None
    document.error_message = None


def _chunk_rows(output: WorkerOutput) -> list[dict[str, int]]:
    return [
        {
            "chunk_index": span.index,
            "char_start": span.start,
            "char_end": span.end,
            "token_estimate": span.tokens,
            "overlap_chars": span.overlap,
        }
        for span in output.chunks
    ]


def _row_sha256(parsed: ParsedDocument) -> str:
    """Rows are duplicates when their text and their other columns are the same."""
    content = json.dumps(
        {"text": parsed.text, "columns": parsed.metadata}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _describe(parsed: ParsedDocument) -> str:
    parts = [count(word_count(parsed.text), "word")]
    if parsed.page_count > 1:
        parts.insert(0, count(parsed.page_count, "page"))
    if parsed.warnings:
        parts.append(count(len(parsed.warnings), "warning"))
    return ", ".join(parts)
