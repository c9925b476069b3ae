"""Extracted values of one workspace, the researchers' reviews of them and their own (blind) codings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from coderai_desktop.domain.enums import DATASET_JOB_TYPES, JobType
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository, WorkspaceRepository
from coderai_desktop.persistence.tables import (
    Account,
    Document,
    Extraction,
    ExtractionFeedback,
    HumanCoding,
    ProcessingJob,
)


class ExtractionRepository(ProjectPartRepository[Extraction]):
    model = Extraction
    noun = "value"

    def latest_values(
        self,
        project_id: int,
        *columns: Any,
        job_types: Sequence[JobType] = DATASET_JOB_TYPES,
        document_ids: Sequence[int] | None = None,
    ) -> sa.Select[Any]:
        """`columns` (of Extraction, and Document.file_name) of each document's values from the latest
        run of `job_types` that coded it: the values a dataset holds (the one rule for the export, the
        review and agreement). `document_ids`: of these documents only (a window of the grid)."""
        of_documents = sa.true() if document_ids is None else Extraction.document_id.in_(document_ids)
        latest = self.latest_jobs(project_id, job_types, document_ids)
        return (
            sa.select(*columns)
            .select_from(Extraction)
            .join(
                latest,
                sa.and_(latest.c.document_id == Extraction.document_id, latest.c.job_id == Extraction.job_id),
            )
            .join(Document, Document.id == Extraction.document_id)
            .where(
                Extraction.workspace_id == self.workspace_id,
                Extraction.project_id == project_id,
                of_documents,
            )
        )

    def latest_jobs(
        self, project_id: int, job_types: Sequence[JobType], document_ids: Sequence[int] | None = None
    ) -> sa.Subquery:
        """(document_id, job_id): the latest run of `job_types` that coded each document (NULL: none did;
        a join on job_id leaves those documents out). Asked per
        document, newest run first, from an index: a few lookups per document instead of reading every
        value of the project (500,000 in a large one)."""
        newest = (
            sa.select(ProcessingJob.id)
            .where(
                ProcessingJob.workspace_id == self.workspace_id,
                ProcessingJob.project_id == project_id,
                ProcessingJob.job_type.in_(job_types),
                sa.exists()
                .where(
                    Extraction.workspace_id == self.workspace_id,
                    Extraction.project_id == project_id,
                    Extraction.document_id == Document.id,
                    Extraction.job_id == ProcessingJob.id,
                )
                .correlate(Document, ProcessingJob),
            )
            .order_by(ProcessingJob.id.desc())
            .limit(1)
            .correlate(Document)
            .scalar_subquery()
        )
        return (
            sa.select(Document.id.label("document_id"), newest.label("job_id"))
            .where(
                Document.workspace_id == self.workspace_id,
                Document.project_id == project_id,
                sa.true() if document_ids is None else Document.id.in_(document_ids),
            )
            .subquery()
        )


class ReviewRepository(WorkspaceRepository[ExtractionFeedback]):
    """Reviews are never changed: every change is a new row, and the latest row of a value applies."""

    model = ExtractionFeedback
    noun = "review"

    def history(self, extraction_id: int) -> list[ExtractionFeedback]:
        query = self.select().where(ExtractionFeedback.extraction_id == extraction_id)
        return list(self.session.scalars(query.order_by(ExtractionFeedback.id)))

    def latest(self, project_id: int) -> dict[int, sa.Row[Any]]:
        """Extraction id -> its latest review (extraction_id, feedback_type, corrected_value, user_note),
        for the values of a project that are reviewed now (a latest row without a type says the review
        was cleared or undone). Columns, not objects: a project may have 100,000 reviews."""
        newest = (
            sa.select(sa.func.max(ExtractionFeedback.id))
            .join(Extraction, Extraction.id == ExtractionFeedback.extraction_id)
            .where(ExtractionFeedback.workspace_id == self.workspace_id, Extraction.project_id == project_id)
            .group_by(ExtractionFeedback.extraction_id)
        )
        query = sa.select(
            ExtractionFeedback.extraction_id,
            ExtractionFeedback.feedback_type,
            ExtractionFeedback.corrected_value,
            ExtractionFeedback.user_note,
        ).where(ExtractionFeedback.workspace_id == self.workspace_id, ExtractionFeedback.id.in_(newest))
        return {
            row.extraction_id: row for row in self.session.execute(query) if row.feedback_type is not None
        }

    def project_history(
        self, project_id: int, document_ids: Sequence[int] | None = None
    ) -> dict[int, list[sa.Row[Any]]]:
        """Extraction id -> every review row of the value, oldest first (id, extraction_id, feedback_type,
        corrected_value, user_note, undoes_id, created_at, and the login of the account that wrote it:
        None once the account is deleted), for a project's values (of `document_ids` only, if given), in
        one query. Columns, not objects."""
        query = (
            sa.select(
                ExtractionFeedback.id,
                ExtractionFeedback.extraction_id,
                ExtractionFeedback.feedback_type,
                ExtractionFeedback.corrected_value,
                ExtractionFeedback.user_note,
                ExtractionFeedback.undoes_id,
                ExtractionFeedback.created_at,
                Account.login,
            )
            .join(Extraction, Extraction.id == ExtractionFeedback.extraction_id)
            .outerjoin(Account, Account.id == ExtractionFeedback.account_id)
            .where(
                ExtractionFeedback.workspace_id == self.workspace_id,
                Extraction.workspace_id == self.workspace_id,
                Extraction.project_id == project_id,
                sa.true() if document_ids is None else Extraction.document_id.in_(document_ids),
            )
            .order_by(ExtractionFeedback.extraction_id, ExtractionFeedback.id)
        )
        history: dict[int, list[sa.Row[Any]]] = {}
        for row in self.session.execute(query):
            history.setdefault(row.extraction_id, []).append(row)
        return history


class CodingRepository(ProjectPartRepository[HumanCoding]):
    """Blind codings; a coder's latest row for a unit and variable applies."""

    model = HumanCoding
    noun = "coding"

    def latest(self, project_id: int) -> list[HumanCoding]:
        newest = (
            sa.select(sa.func.max(HumanCoding.id))
            .where(HumanCoding.workspace_id == self.workspace_id, HumanCoding.project_id == project_id)
            .group_by(
                HumanCoding.coder, HumanCoding.document_id, HumanCoding.entity_index, HumanCoding.variable_id
            )
        )
        query = self.select().where(HumanCoding.id.in_(newest)).order_by(HumanCoding.id)
        return list(self.session.scalars(query))
