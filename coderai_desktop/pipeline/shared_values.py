"""Near-duplicates coded once: when a document's values are stored, the documents that repeat it (and are
not to be coded separately) get the same values as their own rows, marked as shared from it, with each
quote located again in their own text (a different header shifts every offset)."""

from __future__ import annotations

from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import JobItemStatus, LogEventType
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.jobs import JobRepository
from coderai_desktop.persistence.tables import Extraction, JobItem, ProcessingJob
from coderai_desktop.pipeline.extractor import DocumentInput
from coderai_desktop.pipeline.grounding import Grounder


def late_copies(
    session: Session, workspace_id: int, project_id: int, prompt_key: str
) -> dict[int, tuple[int, int]]:
    """Copies found after their original was coded with these prompts (imported later), not coded
    themselves: copy -> (its original, the job that coded the original)."""
    coded_in = JobRepository(session, workspace_id).coded_in(project_id, prompt_key)
    links = DocumentRepository(session, workspace_id).shared_links(project_id)
    return {
        copy: (original, coded_in[original])
        for copy, original in links.items()
        if copy not in coded_in and original in coded_in
    }


def share_coded(session: Session, workspace_id: int, project_id: int, prompt_key: str) -> None:
    """The late copies get their original's values now, in the job that coded it (see late_copies)."""
    jobs = JobRepository(session, workspace_id)
    documents = DocumentRepository(session, workspace_id)
    for original, job_id in sorted(set(late_copies(session, workspace_id, project_id, prompt_key).values())):
        query = sa.select(Extraction).where(
            Extraction.workspace_id == workspace_id,
            Extraction.job_id == job_id,
            Extraction.document_id == original,
        )
        rows = [_stored(row) for row in session.scalars(query)]
        name = documents.require(original).file_name
        share_values(session, workspace_id, jobs.require(job_id), DocumentRef(original, name), rows)


def share_values(
    session: Session,
    workspace_id: int,
    job: ProcessingJob,
    original: DocumentRef | DocumentInput,
    rows: list[dict[str, Any]],
) -> set[int]:
    """Give the original's value rows (as stored for it in `job`) to its shared copies, each with a DONE
    item in the job, so that later runs count them as coded; the copies that got them. A copy that is in
    the job on its own (a job from before it was found to repeat the original) is left to be coded itself."""
    jobs = JobRepository(session, workspace_id)
    copies = DocumentRepository(session, workspace_id).shared_copies(original.id)
    in_job = set(
        session.scalars(
            sa.select(JobItem.document_id).where(
                JobItem.workspace_id == workspace_id,
                JobItem.job_id == job.id,
                JobItem.document_id.in_([copy.id for copy in copies]),
            )
        )
    )
    shared = set()
    for copy in copies:
        if copy.id in in_job:
            continue
        shared.add(copy.id)
        grounder = Grounder(copy.text or "", copy.page_offsets)
        jobs.replace_results(job.id, copy.id, [_shared(row, copy.id, original.id, grounder) for row in rows])
        jobs.add_items(job.id, [copy.id])
        now = utcnow()
        jobs.set_item(job.id, copy.id, status=JobItemStatus.DONE, started_at=now, finished_at=now)
        message = f"{copy.file_name}: same text as {original.file_name}, its values shared"
        jobs.log(job, LogEventType.DOC_COMPLETED, message, copy.id, shared_from=original.id)
    return shared


class DocumentRef(NamedTuple):
    id: int
    file_name: str


def _stored(row: Extraction) -> dict[str, Any]:
    """A stored value as the rows RunStore writes: every column but the ones the insert sets."""
    return {
        column.key: getattr(row, column.key)
        for column in Extraction.__table__.columns
        if column.key not in ("id", "workspace_id", "job_id", "created_at")
    }


def _shared(row: dict[str, Any], document_id: int, original_id: int, grounder: Grounder) -> dict[str, Any]:
    evidence = grounder.locate(row["evidence_quote"])
    return {
        **row,
        "document_id": document_id,
        "shared_from_document_id": original_id,
        "char_start": evidence.start,
        "char_end": evidence.end,
        "page": evidence.page,
        "match_status": evidence.status,
        "tokens_in": 0,  # the original's call paid for them
        "tokens_out": 0,
    }
