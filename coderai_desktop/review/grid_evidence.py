"""What the results grid's evidence panel shows of one value: the document's text with the passage's
offsets, the value as the dataset holds it, and where it came from (model, prompt version, run)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from coderai_desktop.domain.dataset import ValueEvidence
from coderai_desktop.domain.enums import DocumentFormat
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.persistence.repositories.dataset import DatasetRepository
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.extractions import ExtractionRepository
from coderai_desktop.persistence.repositories.jobs import JobRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository
from coderai_desktop.persistence.tables import Document


def evidence_of(session: Session, workspace_id: int, extraction_id: int) -> ValueEvidence:
    return page_source(session, workspace_id, extraction_id)[0]


def page_source(session: Session, workspace_id: int, extraction_id: int) -> tuple[ValueEvidence, str | None]:
    """The evidence, and the stored PDF its page can be rendered from (None: not a PDF with a text layer,
    or the file is gone)."""
    extraction = ExtractionRepository(session, workspace_id).require(extraction_id)
    variable = VariableRepository(session, workspace_id).require(extraction.variable_id)
    documents = DocumentRepository(session, workspace_id)
    document = documents.require(extraction.document_id)
    job = JobRepository(session, workspace_id).require(extraction.job_id)
    unit = (extraction.document_id, extraction.entity_index)
    cell = (
        DatasetRepository(session, workspace_id, (job.job_type,))
        .cells(extraction.project_id, [unit])[unit]
        .get(variable.name)
    )
    if cell is None or cell.extraction_id != extraction_id:
        raise NotFoundError("This value is no longer in the dataset: a later run coded the document again.")
    path = _renderable(document)
    original = None if cell.shared_from is None else documents.get(cell.shared_from)
    evidence = ValueEvidence(
        extraction_id=extraction_id,
        document_id=document.id,
        document=document.file_name,
        variable=variable.name,
        entity_text=extraction.entity_text,
        value=cell.value,
        confidence=cell.confidence,
        threshold=cell.threshold,
        quote=cell.evidence,
        match_status=cell.match_status,
        char_start=cell.char_start,
        char_end=cell.char_end,
        page=cell.page,
        status=cell.status,
        note=cell.note,
        model=cell.model,
        prompt_version=cell.prompt_version,
        job_id=cell.job_id,
        job_type=job.job_type.value,
        text=document.text or "",
        page_offsets=list(document.page_offsets or []),
        has_page_image=path is not None and cell.page is not None,
        ai_value=cell.ai_value,
        feedback=cell.feedback,
        reviewed_by=cell.reviewed_by,
        review_note=cell.review_note,
        shared_from=None if cell.shared_from is None else _name(original, cell.shared_from),
    )
    return evidence, path


def _name(document: Document | None, document_id: int) -> str:
    return document.file_name if document is not None else f"document {document_id} (deleted since)"


def _renderable(document: Document) -> str | None:
    if document.format is not DocumentFormat.PDF or not document.char_count or not document.stored_path:
        return None
    return document.stored_path if Path(document.stored_path).is_file() else None
