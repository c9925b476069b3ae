"""The batch parts of a batch run and the requests they carry (see persistence/tables/batches.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa

from coderai_desktop.persistence.repositories.scoped import WorkspaceRepository
from coderai_desktop.persistence.tables.batches import BatchPart, BatchRequest

# Request statuses.
WAITING, SUBMITTED, ANSWERED, FAILED = "waiting", "submitted", "answered", "failed"
# Part statuses of ours beside the provider's: being uploaded (no batch id yet), answers stored.
UPLOADING, COLLECTED, CANCELLED = "uploading", "collected", "cancelled"
DONE_WITH = (COLLECTED, CANCELLED)
LOOKUP_SIZE = 500  # custom ids per IN (...) query


@dataclass(frozen=True)
class Known:
    """A request the run already asked: where it stands, and its answer (a chat completion) if any."""

    status: str
    answer: dict[str, Any] | None


@dataclass(frozen=True)
class Waiting:
    id: int
    custom_id: str
    body: dict[str, Any]


class BatchRepository(WorkspaceRepository[BatchPart]):
    model = BatchPart
    noun = "batch part"

    def outstanding(self, job_id: int) -> list[BatchPart]:
        """Parts whose answers are not stored yet (at the provider, or being uploaded)."""
        query = self.select().where(BatchPart.job_id == job_id, BatchPart.status.not_in(DONE_WITH))
        return list(self.session.scalars(query.order_by(BatchPart.id)))

    def known(
        self, job_id: int, document_ids: Iterable[int] = (), keys: Iterable[str] = ()
    ) -> dict[str, Known]:
        """The requests of these documents, and those of these custom ids (another document may have
        asked the very same request first)."""
        found: dict[str, Known] = {}
        for column, values in (
            (BatchRequest.document_id, list(document_ids)),
            (BatchRequest.custom_id, list(keys)),
        ):
            for start in range(0, len(values), LOOKUP_SIZE):
                query = sa.select(BatchRequest.custom_id, BatchRequest.status, BatchRequest.answer).where(
                    self._requests(job_id), column.in_(values[start : start + LOOKUP_SIZE])
                )
                for key, status, answer in self.session.execute(query):
                    found[str(key)] = Known(str(status), cast(dict[str, Any] | None, answer))
        return found

    def add_requests(self, job_id: int, asked: dict[str, tuple[int, dict[str, Any]]]) -> None:
        """New requests (custom id -> (document id, body)), waiting to be submitted; one already asked is
        not asked twice."""
        existing = set(self.known(job_id, keys=asked))
        rows = [
            {
                "workspace_id": self.workspace_id,
                "job_id": job_id,
                "document_id": document_id,
                "custom_id": key,
                "body": body,
                "status": WAITING,
            }
            for key, (document_id, body) in asked.items()
            if key not in existing
        ]
        if rows:
            self.session.execute(sa.insert(BatchRequest), rows)

    def store_answers(self, job_id: int, answers: dict[str, dict[str, Any]]) -> None:
        for key, answer in answers.items():
            self._set(job_id, [key], status=ANSWERED, answer=answer, error=None)

    def store_failures(self, job_id: int, errors: dict[str, str]) -> None:
        for key, error in errors.items():
            self._set(job_id, [key], status=FAILED, error=error)

    def waiting(self, job_id: int) -> list[Waiting]:
        query = (
            sa.select(BatchRequest.id, BatchRequest.custom_id, BatchRequest.body)
            .where(self._requests(job_id), BatchRequest.status == WAITING)
            .order_by(BatchRequest.id)
        )
        rows = self.session.execute(query)
        return [
            Waiting(cast(int, request_id), str(key), cast(dict[str, Any], body))
            for request_id, key, body in rows
        ]

    def add_part(self, job_id: int, request_ids: list[int]) -> BatchPart:
        """A part being uploaded, its requests in it."""
        part = self.add(BatchPart(job_id=job_id, status=UPLOADING, request_count=len(request_ids)))
        for start in range(0, len(request_ids), LOOKUP_SIZE):
            self.session.execute(
                sa.update(BatchRequest)
                .where(self._requests(job_id), BatchRequest.id.in_(request_ids[start : start + LOOKUP_SIZE]))
                .values(part_id=part.id, status=SUBMITTED)
            )
        return part

    def unanswered(self, part: BatchPart) -> list[str]:
        query = sa.select(BatchRequest.custom_id).where(
            self._requests(part.job_id), BatchRequest.part_id == part.id, BatchRequest.status == SUBMITTED
        )
        return list(self.session.scalars(query))

    def resubmit(self, part: BatchPart) -> int:
        """The part's unanswered requests wait for another part (it expired, or was never uploaded)."""
        return self._set(part.job_id, self.unanswered(part), status=WAITING, part_id=None)

    def answered_in(self, job_id: int) -> int:
        query = sa.select(sa.func.count()).where(self._requests(job_id), BatchRequest.status == ANSWERED)
        return int(self.session.scalar(query) or 0)

    def _set(self, job_id: int, keys: list[str], **values: Any) -> int:
        changed = 0
        for start in range(0, len(keys), LOOKUP_SIZE):
            result = self.session.execute(
                sa.update(BatchRequest)
                .where(self._requests(job_id), BatchRequest.custom_id.in_(keys[start : start + LOOKUP_SIZE]))
                .values(**values)
            )
            changed += result.rowcount  # type: ignore[attr-defined]
        return changed

    def _requests(self, job_id: int) -> sa.ColumnElement[bool]:
        return sa.and_(BatchRequest.workspace_id == self.workspace_id, BatchRequest.job_id == job_id)
