"""The database side of one worker of a run, each step one transaction on the database thread: enlist
(start, resume or join the job), claim documents a few at a time, let each one in or not (a stop asked for,
the token budget), store its values or its failure with the counters and the log, keep the heartbeat, and
leave (completing the job when nothing is left, pausing it when the last worker is closed).

Several workers, in several processes, may work on one job: every step that reads and changes the job's
counters or status locks its row (JobRepository.lock), so no update is lost between them. Storing a
document locks it last, to hold it only until the commit; claims of dead workers are given back before it
is taken, so that no step waits for the job's row while holding documents another step waits for.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import UNFINISHED_JOB_STATUSES, JobItemStatus, JobStatus, LogEventType
from coderai_desktop.domain.errors import ConflictError, InvalidInputError
from coderai_desktop.domain.job import JOB_TYPE_WORDS, JobProgress
from coderai_desktop.llm.client import Usage
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.repositories.job_workers import JobWorkerRepository
from coderai_desktop.persistence.repositories.jobs import JobRepository
from coderai_desktop.persistence.run_locks import Runner
from coderai_desktop.persistence.tables import JobItem, JobWorker, ProcessingJob
from coderai_desktop.persistence.worker_liveness import HeldLock, WorkerLiveness
from coderai_desktop.pipeline.escalation import EscalatedValue
from coderai_desktop.pipeline.extractor import DocumentInput, DocumentResult
from coderai_desktop.pipeline.model_costs import cost_by_model, usage_by_model, with_model_usage
from coderai_desktop.pipeline.planning import RunSetup
from coderai_desktop.pipeline.shared_values import share_values
from coderai_desktop.pipeline.values import ExtractedValue

logger = logging.getLogger(__name__)

FAILURES_BEFORE_PAUSE = 10
LOST = (
    "This worker lost its hold on the run (its connection to the database dropped, or another worker "
    "found it silent): it stopped, and the documents it was coding went back to the other workers. "
    "Resume the job to help again."
)


class Claim(NamedTuple):
    """A document being coded: since when, and the tokens it is expected to use."""

    started: datetime
    tokens: int


class RunStore:
    """One worker's reads and writes of its job. Remembers why the worker stops early (`stop`: a status
    the job was asked for or must take; `lost`: others found this worker dead)."""

    def __init__(
        self,
        workspace_id: int,
        job_id: int,
        setup: RunSetup,
        liveness: WorkerLiveness,
        account_id: int | None = None,
        *,
        batch: bool = False,
    ):
        self._workspace_id = workspace_id
        self._batch = batch  # answers of a provider batch job: at the batch price
        self._job_id = job_id
        self._setup = setup
        self._liveness = liveness
        self._account_id = account_id
        self._runner = Runner.this_process()
        self.worker_id: int | None = None
        self._held: HeldLock | None = None
        self.stop: JobStatus | None = None
        self.lost = False

    def enlist(self, session: Session, join: bool = False) -> None:
        """Become a worker of the job: start or resume it, or (`join`) help with it while it runs
        elsewhere. The worker's liveness lock is taken before its row is committed: no one can see the
        row without the lock, and think it dead."""
        jobs, workers = self._jobs(session), self._workers(session)
        workers.release_dead(self._job_id, self._liveness)
        job = jobs.lock(self._job_id)
        live = workers.live(job.id, self._liveness)
        refuse_to_work(job, live, join=join, shared=self._liveness.shared and not self._batch)
        joining = job.status is JobStatus.RUNNING and bool(live)
        resumed = job.started_at is not None
        if not joining:
            job.documents_failed -= jobs.retry_failed(job.id)  # tried again: counted again when they end
            job.status, job.pause_reason = JobStatus.RUNNING, None
            job.started_at = job.started_at or utcnow()
        worker = workers.enlist(job.id, self._runner, self._account_id)
        job.runner_host, job.runner_pid, job.heartbeat_at = self._runner.host, self._runner.pid, utcnow()
        left = jobs.count_items(job.id, (JobItemStatus.PENDING,))
        kind = JOB_TYPE_WORDS[job.job_type]
        if joining:
            event, said = LogEventType.JOB_RESUMED, f"{self._runner.describe()} joins the {kind} run"
        else:
            event = LogEventType.JOB_RESUMED if resumed else LogEventType.JOB_STARTED
            said = f"{kind} run"
        jobs.log(job, event, f"{said}: {left} of {job.documents_total} documents to code")
        self._held = self._liveness.hold(worker.id)
        self.worker_id = worker.id

    def release(self) -> None:
        """Let go of the worker's liveness lock (once its row is ended, or on the way out of an error:
        the next worker to look then ends it and takes its claims back)."""
        if self._held is not None:
            self._held.release()
            self._held = None

    def claim_documents(self, session: Session, limit: int | None) -> list[int]:
        """Up to `limit` (None: all) more documents for this worker, after giving back those of workers
        found dead; none once the job is to stop."""
        if self.should_stop(session):
            return []
        workers = self._workers(session)
        workers.release_dead(self._job_id, self._liveness)
        return workers.claim(self._job_id, self._me, limit)

    def others_at_work(self, session: Session) -> bool:
        """Whether documents are still being coded by other live workers, or were just given back by dead
        ones: this worker waits for them rather than leave a run another's death could stall."""
        if self.should_stop(session):
            return False
        self._workers(session).release_dead(self._job_id, self._liveness)
        return bool(
            self._jobs(session).count_items(self._job_id, (JobItemStatus.PENDING, JobItemStatus.RUNNING))
        )

    def should_stop(self, session: Session, job: ProcessingJob | None = None) -> bool:
        job = job or self._job(session)
        if job.status is not JobStatus.RUNNING:
            self.stop = job.status  # asked to stop (pause, cancel), by anyone
        return self.stop is not None or self.lost

    def set_status(self, session: Session, status: JobStatus, reason: str | None) -> None:
        """Pause or cancel the job, for every worker (each sees it at its next check)."""
        job = self._jobs(session).lock(self._job_id)
        if job.status is not JobStatus.RUNNING:
            return
        job.status, job.pause_reason = status, reason
        event = LogEventType.JOB_PAUSED if status is JobStatus.PAUSED else LogEventType.JOB_CANCELLED
        self._jobs(session).log(job, event, reason or "")
        logger.info("Job %s %s: %s", job.id, status.lower(), reason)

    def beat(self, session: Session) -> bool:
        """Say this worker is alive; whether it is to stop (the job paused or cancelled, or this worker
        found dead by another, its lock gone with its connection)."""
        workers = self._workers(session)
        me = workers.require(self._me)
        if me.ended_at is not None or not self._liveness.alive(session, [me]):
            self.lost = True
            return True
        workers.beat(me.id)
        job = self._job(session)
        if job.status is JobStatus.RUNNING:
            job.heartbeat_at = utcnow()
        return self.should_stop(session, job)

    def let_in(self, session: Session, document: DocumentInput, claim: Claim) -> JobProgress | None:
        """Whether to code the document now: not if the job has stopped, or the budget would be exceeded
        counting what every worker is coding. Its tokens are reserved until its outcome is stored."""
        jobs = self._jobs(session)
        budget = self._setup.settings.token_budget
        job = jobs.lock(self._job_id) if budget is not None else self._job(session)  # one check at a time
        if self.should_stop(session, job):
            return None
        if problem := _budget_problem(budget, job, jobs, claim.tokens):
            self._request_stop(session, JobStatus.PAUSED, problem)
            return None
        if not jobs.start_item(job.id, document.id, self._me, claim.started, claim.tokens):
            self.lost = True  # given to another worker: this one was found dead
            return None
        return _progress(job, document.file_name)

    def store_failure(
        self, session: Session, document: DocumentInput, claim: Claim, message: str, fatal: bool
    ) -> JobProgress:
        jobs = self._jobs(session)
        job = self._job(session)
        if not self._settle(
            session, job, document, claim, status=JobItemStatus.FAILED, error_message=message
        ):
            return _progress(job, document.file_name)
        job = jobs.lock(self._job_id)  # the counters last
        job.documents_failed += 1
        job.consecutive_failures += 1
        jobs.log(job, LogEventType.DOC_FAILED, f"{document.file_name}: {message}", document.id)
        if fatal:  # every document would meet it: stop now instead of failing them one by one
            self._request_stop(session, JobStatus.PAUSED, message)
        elif job.consecutive_failures >= FAILURES_BEFORE_PAUSE:
            self._request_stop(
                session,
                JobStatus.PAUSED,
                f"{FAILURES_BEFORE_PAUSE} documents failed in a row; the last one said: {message}",
            )
        return _progress(job, document.file_name, f"{document.file_name}: {message}")

    def store_result(
        self,
        session: Session,
        document: DocumentInput,
        claim: Claim,
        result: DocumentResult,
        asked_live: dict[str, Usage] | None = None,
    ) -> JobProgress:
        """The document's values, its item and the job's counters in one transaction, the job's row locked
        for the counters (last: until the commit) so that those of several workers add up. In a batch job,
        `asked_live` is the usage (by model) of the calls asked live, at the live price."""
        jobs = self._jobs(session)
        job = self._job(session)
        usage = result.usage
        settled = self._settle(
            session,
            job,
            document,
            claim,
            status=JobItemStatus.DONE,
            error_message=None,
            tokens_in=usage.input_tokens,
            tokens_out=usage.output_tokens,
        )
        if not settled:
            return _progress(job, document.file_name)
        rows = self._rows(document.id, result)
        jobs.replace_results(self._job_id, document.id, rows)
        share_values(session, self._workspace_id, job, document, rows)  # its near-duplicates, coded once
        job = jobs.lock(self._job_id)
        job.documents_processed += 1
        job.consecutive_failures = 0
        job.tokens_in += usage.input_tokens
        job.tokens_out += usage.output_tokens
        job.tokens_cached += usage.cached_tokens  # billed at the cached price
        by_model = usage_by_model(result, self._setup)  # each model at its price
        settings, batch = self._setup.settings, self._batch
        job.cost += cost_by_model(settings, by_model, batch=batch, asked_live=asked_live)
        job.settings = with_model_usage(job.settings, settings, by_model, batch=batch, asked_live=asked_live)
        units = len(result.units)
        jobs.log(
            job, LogEventType.DOC_COMPLETED, document.file_name, document.id, calls=result.calls, units=units
        )
        return _progress(job, document.file_name)

    def leave(
        self, session: Session, calls: int = 0, elapsed: float = 0.0, *, closing: str | None = None
    ) -> None:
        """This worker stops: its unstarted claims go back, its row is ended. The last worker completes the
        job when nothing is left to code, or, when the app is `closing` (the reason), pauses it; a worker
        that leaves others at work changes nothing of the job. Keeps the pace (`calls` in `elapsed` s)."""
        jobs, workers = self._jobs(session), self._workers(session)
        workers.end(self._me)
        others = workers.release_dead(self._job_id, self._liveness)
        job = jobs.lock(self._job_id)
        if calls:  # for estimates of the next runs: wall time per call at this concurrency
            in_flight = min(self._setup.settings.concurrency, max(1, job.documents_total))
            job.settings = {**job.settings, "calls": calls, "seconds_per_call": elapsed * in_flight / calls}
        if job.status is not JobStatus.RUNNING or self.lost:
            return  # paused or cancelled (the reason is logged); or left to the workers that took over
        if not jobs.count_items(job.id, (JobItemStatus.PENDING, JobItemStatus.RUNNING)):
            job.status, job.finished_at = JobStatus.COMPLETED, utcnow()
            jobs.log(
                job,
                LogEventType.JOB_COMPLETED,
                f"{job.documents_processed} coded, {job.documents_failed} failed",
            )
        elif closing is not None and not others:
            job.status, job.pause_reason = JobStatus.PAUSED, closing
            jobs.log(job, LogEventType.JOB_PAUSED, closing)

    def note(self, session: Session, said: str | None) -> JobProgress:
        """What the job waits for (None: nothing), on its row for the runs list (a batch job)."""
        job = self._job(session)
        if job.status is JobStatus.RUNNING:
            job.pause_reason = said
        return _progress(job)

    def progress(self, session: Session) -> JobProgress:
        return _progress(self._job(session))

    @property
    def _me(self) -> int:
        assert self.worker_id is not None, "enlist first"
        return self.worker_id

    def _jobs(self, session: Session) -> JobRepository:
        return JobRepository(session, self._workspace_id)

    def _workers(self, session: Session) -> JobWorkerRepository:
        return JobWorkerRepository(session, self._workspace_id)

    def _job(self, session: Session) -> ProcessingJob:
        return self._jobs(session).require(self._job_id)

    def _request_stop(self, session: Session, status: JobStatus, reason: str) -> None:
        self.stop = status
        self.set_status(session, status, reason)

    def _settle(
        self, session: Session, job: ProcessingJob, document: DocumentInput, claim: Claim, **values: Any
    ) -> bool:
        """The document's item, DONE or FAILED, with the log of its start; False (nothing written) when the
        document is no longer this worker's: found dead meanwhile, its claims went to others."""
        settled = self._jobs(session).settle_item(
            job.id,
            document.id,
            self._me,
            finished_at=utcnow(),
            attempts=JobItem.attempts + 1,
            **{"tokens_in": 0, "tokens_out": 0, **values},  # a failure frees its reserved tokens
        )
        if not settled:
            self.lost = True
            logger.warning("%s was given to another worker: its outcome here is dropped", document.file_name)
            return False
        self._workers(session).count_done(self._me)
        self._jobs(session).log(
            job, LogEventType.DOC_STARTED, document.file_name, document.id, at=claim.started
        )
        return True

    def _rows(self, document_id: int, result: DocumentResult) -> list[dict[str, Any]]:
        shares = _usage_shares(result)
        plans = {plan.scope_key: plan for plan in self._setup.plans}
        rows = []
        for unit in result.units:
            for value in unit.values:
                prompt = self._setup.prompts.get(value.scope_key or "")
                share = shares.get(_usage_key(value), Usage())
                plan = plans.get(value.scope_key or "")
                escalated = value if isinstance(value, EscalatedValue) else None
                evidence = value.evidence
                rows.append(
                    {
                        "project_id": self._setup.project_id,
                        "document_id": document_id,
                        "entity_index": unit.entity.index if unit.entity else None,
                        "entity_text": unit.entity.name if unit.entity else None,
                        "variable_id": self._setup.variable_ids[value.variable],
                        "value": value.value,
                        "raw_value": json.dumps(value.raw, ensure_ascii=False, default=str),
                        "confidence": value.confidence,
                        "evidence_quote": evidence.quote,
                        "char_start": evidence.start,
                        "char_end": evidence.end,
                        "page": evidence.page,
                        "match_status": evidence.status,
                        "status": value.status,
                        "error_message": value.note,
                        "prompt_id": prompt.id if prompt else None,
                        # The model that produced the value in force (a plan's own, the escalation model's).
                        "model": escalated.model
                        if escalated
                        else (plan and plan.model) or self._setup.settings.model,
                        "temperature": escalated.temperature
                        if escalated
                        else (plan.temperature if plan else None),
                        "tokens_in": share.input_tokens,
                        "tokens_out": share.output_tokens,
                        "escalated_from": escalated.first_answer() if escalated else None,
                        "created_at": utcnow(),
                    }
                )
        return rows


def refuse_to_work(job: ProcessingJob, live: list[JobWorker], *, join: bool, shared: bool) -> None:
    """Refuse to work on a job that has nothing left to run, or that live workers run already (unless
    joining them, where several processes may share a run: a lab's PostgreSQL database)."""
    if job.status not in UNFINISHED_JOB_STATUSES:
        raise ConflictError(f"Job {job.id} is {job.status.lower()}: there is nothing left to run.")
    if job.status is not JobStatus.RUNNING or not live:
        return
    who = "; ".join(Runner(worker.host, worker.pid).describe() for worker in live)
    busy = f"Job {job.id} is already running ({who})"
    if not shared and join:
        raise InvalidInputError(
            f"{busy}. Several computers can work on one run only with a lab's PostgreSQL database; "
            "this database is a file on this computer, so the run is left to that process."
        )
    if not join:
        help_with = (
            f" To help with it from here, use `coderai job resume {job.id} --worker`." if shared else ""
        )
        raise ConflictError(f"{busy}; it was left to {'them' if len(live) > 1 else 'it'}.{help_with}")


def _budget_problem(budget: int | None, job: ProcessingJob, jobs: JobRepository, upcoming: int) -> str | None:
    """Whether a document expected to use `upcoming` tokens would take the job past its budget, counting
    the tokens used so far and those reserved by the documents every worker is coding."""
    if budget is None:
        return None
    used = job.tokens_in + job.tokens_out
    if used + jobs.reserved_tokens(job.id) + upcoming <= budget:
        return None
    return (
        f"The token budget of {budget:,} would be exceeded: {used:,} tokens used so far, and the next "
        f"document needs about {upcoming:,}. Raise the budget in the provider settings, then resume."
    )


def _progress(job: ProcessingJob, current: str = "", message: str = "") -> JobProgress:
    return JobProgress(
        job.id,
        job.status,
        job.documents_total,
        job.documents_processed,
        job.documents_failed,
        job.tokens_in,
        job.tokens_out,
        job.cost,
        current,
        message or (job.pause_reason or ""),
    )


def _usage_key(value: ExtractedValue) -> str:
    """The calls whose tokens a value shares: its plan's, or the escalation calls that re-coded it."""
    return value.usage_key if isinstance(value, EscalatedValue) else value.scope_key or ""


def _usage_shares(result: DocumentResult) -> dict[str, Usage]:
    """Each call scope's tokens shared evenly among the values it produced."""
    counts: dict[str, int] = {}
    for unit in result.units:
        for value in unit.values:
            counts[_usage_key(value)] = counts.get(_usage_key(value), 0) + 1
    shares = {}
    for scope, usage in result.usage_by_scope.items():
        count = max(1, counts.get(scope, 1))
        shares[scope] = Usage(
            usage.input_tokens // count, usage.output_tokens // count, usage.cached_tokens // count
        )
    return shares
