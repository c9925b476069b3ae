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
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import DocumentFormat, DocumentProblem, DocumentStatus
from coderai_desktop.formatting import count
from coderai_desktop.ingest.chunking import ChunkPolicy, ChunkSpan
from coderai_desktop.ingest.files import Candidate, sha256_of, store_copy, stored_path
from coderai_desktop.ingest.formats import TABULAR
from coderai_desktop.ingest.parsed import ParsedDocument, ReadFailure, ReadOptions
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.report import FileOutcome, ImportProgress, ImportReport, Outcome
from coderai_desktop.ingest.text import word_count
from coderai_desktop.ingest.worker import WorkerOutput
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.group_commit import GroupCommit
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.storage_errors import storage_problem
from coderai_desktop.persistence.tables import Document

logger = logging.getLogger(__name__)

Progress = Callable[[ImportProgress], None]

# Files handled at once per parser process: while one is parsed, others are hashed, copied or saved.
FILES_IN_FLIGHT_PER_WORKER = 4
READ_ELSEWHERE = "imported at the same moment by another window or command"


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
        self._saves = GroupCommit(database)

    async def run(
        self, plan: ImportPlan, candidates: list[Candidate], report: ImportReport, progress: Progress | None
    ) -> ImportReport:
        """Read the files, a few per worker at once so hashing, copying and saving overlap with parsing,
        reporting after each one."""
        slots = asyncio.Semaphore(self._pool.limits.workers * FILES_IN_FLIGHT_PER_WORKER)
        done, failed = 0, report.count(Outcome.FAILED)
        claimed: dict[str, tuple[int | None, str]] = {}  # this import's fingerprints -> (document, file)

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
        files = [asyncio.ensure_future(one(candidate)) for candidate in candidates]
        try:
            for outcomes in await asyncio.gather(*files):
                report.outcomes.extend(outcomes)
        except Exception as error:
            for file in files:  # a full disk (say) stops the import: what was saved stays, the rest waits
                file.cancel()
            if (problem := storage_problem(error, self._database.location)) is not None:
                raise problem from error
            raise
        return report

    async def _import_file(
        self, plan: ImportPlan, candidate: Candidate, claimed: dict[str, tuple[int | None, str]]
    ) -> list[FileOutcome]:
        path, name = candidate.path, candidate.path.name
        try:
            size = path.stat().st_size
            sha256 = await asyncio.to_thread(sha256_of, path)
            if candidate.kind in TABULAR:
                if sha256 in claimed:
                    return [FileOutcome(name, Outcome.DUPLICATE, f"same content as {claimed[sha256][1]}")]
                claimed[sha256] = (None, name)
                stored = await asyncio.to_thread(store_copy, path, plan.store, sha256)
                return await self._import_rows(plan, candidate, stored, size)
            document_id, duplicate_of = await self._database.run(
                lambda s: self._claim(s, plan, candidate, sha256, size, claimed)
            )
            if duplicate_of is not None:
                return [FileOutcome(name, Outcome.DUPLICATE, duplicate_of, document_id)]
            assert document_id is not None, "a file that is no duplicate has claimed its document"
            stored = await asyncio.to_thread(store_copy, path, plan.store, sha256)
        except IntegrityError:  # another window or command imported the same file at this very moment
            return [FileOutcome(name, Outcome.DUPLICATE, READ_ELSEWHERE)]
        except OSError as error:
            return [FileOutcome(name, Outcome.FAILED, f"cannot be read from disk: {error.strerror or error}")]
        return [
            await self.read_document(plan, document_id, str(stored), candidate.kind, name, size, again=False)
        ]

    async def read_document(
        self,
        plan: ImportPlan,
        document_id: int,
        stored: str,
        kind: DocumentFormat,
        name: str,
        size: int,
        *,
        again: bool = True,
    ) -> FileOutcome:
        """Read one stored file into its document, which ends READY with its text and chunks, or FAILED.

        An import (`again` False) never overwrites a document that another import of the same file, in
        another window or command, finished while this one was reading: that one counts it, this one
        reports a duplicate, so two reports never count one file twice."""
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
            if await self._saves.submit(lambda s: self._save(s, document_id, plan.policy, output, again)):
                return FileOutcome(name, Outcome.IMPORTED, _describe(output.document), document_id)
            return FileOutcome(name, Outcome.DUPLICATE, READ_ELSEWHERE, document_id)
        if not await self._saves.submit(lambda s: self._fail(s, document_id, failure, again)):
            return FileOutcome(name, Outcome.DUPLICATE, READ_ELSEWHERE, document_id)
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

    def _claim(
        self,
        session: Session,
        plan: ImportPlan,
        candidate: Candidate,
        sha256: str,
        size: int,
        claimed: dict[str, tuple[int | None, str]],
    ) -> tuple[int | None, str | None]:
        """The document this file is read into (new, or one that never got READY), or why it is a duplicate.

        Runs on the database thread, one file at a time, so two files with the same bytes in one import
        cannot both claim them."""
        documents = self._documents(session)
        existing = documents.by_sha256(plan.project_id, sha256)
        if existing is not None and existing.status is DocumentStatus.READY:
            return existing.id, f"already imported as {existing.file_name}"
        if sha256 in claimed:
            document_id, first = claimed[sha256]
            return document_id, f"same content as {first}"
        columns: dict[str, Any] = {
            "file_name": candidate.path.name,
            "original_path": str(candidate.path),
            "stored_path": str(stored_path(plan.store, sha256, candidate.path)),
            "sha256": sha256,
            "size_bytes": size,
            "format": candidate.kind,
            "status": DocumentStatus.UPLOADED,
            "problem": None,
            "error_message": None,
            "warnings": [],
        }
        if existing is None:
            document = documents.add(Document(project_id=plan.project_id, **columns))
            session.flush()
            document_id = document.id
        elif documents.update_unless_ready(existing.id, **columns):
            document_id = existing.id
        else:  # another import finished it since it was looked up
            return existing.id, f"already imported as {existing.file_name}"
        claimed[sha256] = (document_id, candidate.path.name)
        return document_id, None

    def _fail(self, session: Session, document_id: int, failure: ReadFailure, again: bool) -> bool:
        """Whether the failure was recorded (not if another import has read the document meanwhile)."""
        return self._finish(
            session,
            document_id,
            again,
            status=DocumentStatus.FAILED,
            problem=failure.problem,
            error_message=failure.message,
        )

    def _save(
        self, session: Session, document_id: int, policy: ChunkPolicy, output: WorkerOutput, again: bool
    ) -> bool:
        """The text and its chunks in one transaction: a document is READY with both or not at all.
        Whether it was saved (not if another import has read the document meanwhile)."""
        columns = _text_columns(output)
        if not self._finish(
            session,
            document_id,
            again,
            **columns,
            chunk_count=len(output.chunks),
            status=DocumentStatus.READY,
        ):
            return False
        self._documents(session).replace_chunks(document_id, policy.budget, _chunk_rows(output))
        return True

    def _finish(self, session: Session, document_id: int, again: bool, **columns: Any) -> bool:
        """A document's outcome; an import's only while no other import has finished it (see read_document)."""
        documents = self._documents(session)
        if again:
            documents.update(document_id, **columns)
            return True
        return documents.update_unless_ready(document_id, **columns)

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
            for column, value in _text_columns(output).items():
                setattr(document, column, value)
            document.chunk_count = len(output.chunks)
            document.status = DocumentStatus.READY
            documents.add(document)
            documents.replace_chunks(document.id, plan.policy.budget, _chunk_rows(output))
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


def _text_columns(output: WorkerOutput) -> dict[str, Any]:
    parsed = output.document
    return {
        "text": parsed.text,
        "text_signature": output.signature,
        "page_offsets": parsed.page_offsets,
        "page_count": parsed.page_count,
        "word_count": word_count(parsed.text),
        "char_count": len(parsed.text),
        "encoding": parsed.encoding,
        "warnings": parsed.warnings,
        "problem": None,
        "error_message": None,
    }


def chunk_row(span: ChunkSpan) -> dict[str, int]:
    """A chunk's columns, as DocumentRepository.replace_chunks takes them."""
    return {
        "chunk_index": span.index,
        "char_start": span.start,
        "char_end": span.end,
        "token_estimate": span.tokens,
        "overlap_chars": span.overlap,
    }


def _chunk_rows(output: WorkerOutput) -> list[dict[str, int]]:
    return [chunk_row(span) for span in output.chunks]


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
