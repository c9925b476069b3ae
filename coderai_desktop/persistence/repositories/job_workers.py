"""The workers of a run (processes, on one computer or several) and the documents each has claimed.

A worker claims a few PENDING items at a time (`job_items.worker_id`); its claims go back to the pool when
it ends, or when any other worker finds it dead (its liveness lock gone, see worker_liveness.py).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from coderai_desktop.domain.enums import JobItemStatus
from coderai_desktop.domain.job import WorkerSummary
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.repositories.scoped import WorkspaceRepository
from coderai_desktop.persistence.run_locks import Runner
from coderai_desktop.persistence.tables import Account, JobItem, JobWorker
from coderai_desktop.persistence.worker_liveness import WorkerLiveness

# Items a worker may hold: claimed and not started (PENDING), or being coded (RUNNING).
HELD = (JobItemStatus.PENDING, JobItemStatus.RUNNING)


class JobWorkerRepository(WorkspaceRepository[JobWorker]):
    model = JobWorker
    noun = "worker"

    def enlist(self, job_id: int, runner: Runner, account_id: int | None) -> JobWorker:
        return self.add(JobWorker(job_id=job_id, host=runner.host, pid=runner.pid, account_id=account_id))

    def unended(self, job_id: int) -> list[JobWorker]:
        query = self.select().where(JobWorker.job_id == job_id, JobWorker.ended_at.is_(None))
        return list(self.session.scalars(query.order_by(JobWorker.id)))

    def live(self, job_id: int, liveness: WorkerLiveness) -> list[JobWorker]:
        """The job's workers alive now (reading only: the dead ones are left for a worker to release)."""
        workers = self.unended(job_id)
        alive = liveness.alive(self.session, workers)
        return [worker for worker in workers if worker.id in alive]

    def release_dead(self, job_id: int, liveness: WorkerLiveness) -> list[JobWorker]:
        """End the job's dead workers and give their claims back, and documents left RUNNING by no worker
        (a run that crashed before this version recorded workers); the live ones."""
        workers = self.unended(job_id)
        alive = liveness.alive(self.session, workers)
        for worker in workers:
            if worker.id not in alive:
                self.end(worker.id)
        self.session.execute(
            sa.update(JobItem)
            .where(
                JobItem.workspace_id == self.workspace_id,
                JobItem.job_id == job_id,
                JobItem.status == JobItemStatus.RUNNING,
                JobItem.worker_id.is_(None),
            )
            .values(status=JobItemStatus.PENDING, tokens_in=0)
        )
        return [worker for worker in workers if worker.id in alive]

    def end(self, worker_id: int) -> None:
        """The worker has stopped: its row says when, and what it claimed goes back to the pool (a
        document it was coding is PENDING again, its reserved tokens freed)."""
        self.session.execute(
            sa.update(JobWorker)
            .where(self._scoped(JobWorker.id == worker_id), JobWorker.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        self.session.execute(
            sa.update(JobItem)
            .where(
                JobItem.workspace_id == self.workspace_id,
                JobItem.worker_id == worker_id,
                JobItem.status.in_(HELD),
            )
            .values(worker_id=None, status=JobItemStatus.PENDING, tokens_in=0)
        )

    def claim(self, job_id: int, worker_id: int, limit: int | None) -> list[int]:
        """Up to `limit` (None: all) of the job's unclaimed PENDING documents, now the worker's, in order.
        Rows another worker is claiming at this moment are skipped, not waited for (PostgreSQL); SQLite
        ignores FOR UPDATE, its one writer serialises the claims."""
        free = (
            sa.select(JobItem.id)
            .where(
                JobItem.workspace_id == self.workspace_id,
                JobItem.job_id == job_id,
                JobItem.status == JobItemStatus.PENDING,
                JobItem.worker_id.is_(None),
            )
            .order_by(JobItem.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        item_ids = list(self.session.scalars(free))
        if not item_ids:
            return []
        claimed = self.session.execute(
            sa.update(JobItem)
            .where(
                JobItem.workspace_id == self.workspace_id,
                JobItem.id.in_(item_ids),
                JobItem.worker_id.is_(None),  # not taken since (SQLite)
            )
            .values(worker_id=worker_id)
            .returning(JobItem.id, JobItem.document_id)
        )
        return [document_id for _item, document_id in sorted(claimed.all())]

    def beat(self, worker_id: int) -> None:
        self.session.execute(
            sa.update(JobWorker).where(self._scoped(JobWorker.id == worker_id)).values(heartbeat_at=utcnow())
        )

    def count_done(self, worker_id: int) -> None:
        self.session.execute(
            sa.update(JobWorker)
            .where(self._scoped(JobWorker.id == worker_id))
            .values(documents_done=JobWorker.documents_done + 1)
        )

    def summaries(self, job_ids: Iterable[int], liveness: WorkerLiveness) -> dict[int, list[WorkerSummary]]:
        """The live workers of each of the jobs, with the login each works for."""
        rows = self.session.execute(
            sa.select(JobWorker, Account.login)
            .outerjoin(Account, Account.id == JobWorker.account_id)
            .where(
                self._scoped(JobWorker.job_id.in_(list(job_ids))),
                JobWorker.ended_at.is_(None),
            )
            .order_by(JobWorker.id)
        ).all()
        alive = liveness.alive(self.session, [worker for worker, _login in rows])
        found: dict[int, list[WorkerSummary]] = {}
        for worker, login in rows:
            if worker.id in alive:
                found.setdefault(worker.job_id, []).append(
                    WorkerSummary(
                        host=worker.host,
                        pid=worker.pid,
                        login=login,
                        documents_done=worker.documents_done,
                        last_seen=worker.heartbeat_at,
                    )
                )
        return found

    def _scoped(self, condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
        return sa.and_(JobWorker.workspace_id == self.workspace_id, condition)
