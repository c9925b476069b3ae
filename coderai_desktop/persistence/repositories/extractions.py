"""Extracted values of one workspace, the researchers' reviews of them and their own (blind) codings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa

from coderai_desktop.domain.enums import DATASET_JOB_TYPES, JobType
from coderai_desktop.persistence.repositories.blind_rounds import BlindRoundRepository
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository, WorkspaceRepository
from coderai_desktop.persistence.tables import (
    Account,
    Document,
    Extraction,
    ExtractionFeedback,
    HumanCoding,
    ProcessingJob,
)

# The advisory lock space of reviews on PostgreSQL ("REVW"); the other key is the value's id.
REVIEW_LOCKS = 0x52455657


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

    def lock_value(self, extraction_id: int) -> None:
        """Hold off other reviews of the value until this transaction ends, so that a review written after
        checking the one in force cannot cross another's: on PostgreSQL a transaction advisory lock on the
        value, on SQLite the database's write lock (taken by an UPDATE of nothing)."""
        if self.session.get_bind().dialect.name == "postgresql":
            key = sa.cast(extraction_id, sa.Integer)
            self.session.execute(
                sa.select(sa.func.pg_advisory_xact_lock(sa.cast(REVIEW_LOCKS, sa.Integer), key))
            )
        else:
            nothing = sa.update(ExtractionFeedback).where(sa.false()).values(id=ExtractionFeedback.id)
            self.session.execute(nothing, execution_options={"synchronize_session": False})

    def last(self, extraction_id: int) -> sa.Row[Any] | None:
        """The value's newest review row (id, feedback_type, undoes_id, created_at, and the login of its
        author: None once the account is deleted), or None when it has none."""
        query = (
            sa.select(
                ExtractionFeedback.id,
                ExtractionFeedback.feedback_type,
                ExtractionFeedback.undoes_id,
                ExtractionFeedback.created_at,
                Account.login,
            )
            .outerjoin(Account, Account.id == ExtractionFeedback.account_id)
            .where(
                ExtractionFeedback.workspace_id == self.workspace_id,
                ExtractionFeedback.extraction_id == extraction_id,
            )
            .order_by(ExtractionFeedback.id.desc())
            .limit(1)
        )
        return cast("sa.Row[Any] | None", self.session.execute(query).first())

    def latest(self, project_id: int, reviewer: int | None = None) -> dict[int, sa.Row[Any]]:
        """Extraction id -> its latest review (extraction_id, feedback_type, corrected_value, user_note),
        for the values of a project that are reviewed now (a latest row without a type says the review
        was cleared or undone). `reviewer` (an account id): that coder's latest review of each value
        instead, whoever reviewed it since. Columns, not objects: a project may have 100,000 reviews."""
        newest = self._newest(project_id).where(
            sa.true() if reviewer is None else ExtractionFeedback.account_id == reviewer
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

    def reviewers(self, project_id: int) -> dict[str, int]:
        """Login -> how many of the project's values that coder's latest review says are reviewed (not
        cleared), for every account that reviewed one."""
        newest = (
            self._newest(project_id)
            .where(ExtractionFeedback.account_id.is_not(None))
            .group_by(ExtractionFeedback.account_id)
        )
        query = (
            sa.select(Account.login, sa.func.count())
            .select_from(ExtractionFeedback)
            .join(Account, Account.id == ExtractionFeedback.account_id)
            .where(
                ExtractionFeedback.workspace_id == self.workspace_id,
                ExtractionFeedback.id.in_(newest),
                ExtractionFeedback.feedback_type.is_not(None),
            )
            .group_by(Account.login)
        )
        return {login: count for login, count in self.session.execute(query)}

    def _newest(self, project_id: int) -> sa.Select[Any]:
        """The id of each value's newest review row, for the values of a project (narrowed by the caller's
        further conditions, or made per reviewer by grouping further)."""
        return (
            sa.select(sa.func.max(ExtractionFeedback.id))
            .join(Extraction, Extraction.id == ExtractionFeedback.extraction_id)
            .where(ExtractionFeedback.workspace_id == self.workspace_id, Extraction.project_id == project_id)
            .group_by(ExtractionFeedback.extraction_id)
        )

    def project_history(
        self, project_id: int, document_ids: Sequence[int] | None = None, reviewer: int | None = None
    ) -> dict[int, list[sa.Row[Any]]]:
        """Extraction id -> every review row of the value, oldest first (id, extraction_id, feedback_type,
        corrected_value, user_note, undoes_id, created_at, and the login of the account that wrote it:
        None once the account is deleted), for a project's values (of `document_ids` only, if given), in
        one query; `reviewer` (an account id): only that coder's rows. Columns, not objects."""
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
                sa.true() if reviewer is None else ExtractionFeedback.account_id == reviewer,
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

    def visible(self, project_id: int, viewer: str | None) -> list[HumanCoding]:
        """The latest codings that `viewer` (a login; None: nobody in particular, e.g. a run) may see: not
        another coder's codings of a blind round's documents before every coder of the round is done."""
        sealed = BlindRoundRepository(self.session, self.workspace_id).sealed(project_id, viewer)
        return [c for c in self.latest(project_id) if (c.document_id, c.coder) not in sealed]

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
