"""The database side of running a job, each step one transaction on the database thread: claim the job,
let each document in or not (a stop asked for, the token budget), store its values or its failure with the
counters and the log, keep the heartbeat, and finish the job."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import JobItemStatus, JobStatus, LogEventType
from coderai_desktop.domain.errors import ConflictError
from coderai_desktop.domain.job import JOB_TYPE_WORDS, JobProgress
from coderai_desktop.llm.client import Usage
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.repositories.jobs import JobRepository, runner_of
from coderai_desktop.persistence.run_locks import Runner
from coderai_desktop.persistence.tables import JobItem, ProcessingJob
from coderai_desktop.pipeline.escalation import EscalatedValue
from coderai_desktop.pipeline.extractor import DocumentInput, DocumentResult
from coderai_desktop.pipeline.model_costs import cost_by_model, usage_by_model, with_model_usage
from coderai_desktop.pipeline.planning import RunSetup
from coderai_desktop.pipeline.shared_values import share_values
from coderai_desktop.pipeline.values import ExtractedValue

logger = logging.getLogger(__name__)

FAILURES_BEFORE_PAUSE = 10


class Claim(NamedTuple):
    """A document being coded: since when, and the tokens it is expected to use."""

    started: datetime
    tokens: int


class RunStore:
    """One run's reads and writes of its job. Remembers why the run stops early (`stop`) and the tokens of
    the documents being coded, reserved against the budget until their outcome is stored."""

    def __init__(
        self, workspace_id: int, job_id: int, setup: RunSetup, runner: Runner, *, batch: bool = False
    ):
        self._workspace_id = workspace_id
        self._batch = batch  # answers of a provider batch job: at the batch price
        self._job_id = job_id
        self._setup = setup
        self._runner = runner
        self.stop: JobStatus | None = None  # a status the run was asked for, or must take
        self._in_flight_tokens = 0

    def begin(self, session: Session) -> list[int]:
        """Claim the job for this process; the documents left to code."""
        jobs = self._jobs(session)
        if not jobs.claim(self._job_id, self._runner):
            raise ConflictError(_taken_message(self._job(session)))
        job = self._job(session)
        resumed = job.started_at is not None
        job.started_at = job.started_at or utcnow()
        queue = [
            item.document_id for item in jobs.items(job.id, (JobItemStatus.PENDING, JobItemStatus.FAILED))
        ]
        jobs.log(
            job,
            LogEventType.JOB_RESUMED if resumed else LogEventType.JOB_STARTED,
            f"{JOB_TYPE_WORDS[job.job_type]} run: {len(queue)} of {job.documents_total} documents to code",
        )
        return queue

    def should_stop(self, session: Session) -> bool:
        job = self._job(session)
        if job.status is not JobStatus.RUNNING or runner_of(job) != self._runner:
            self.stop = job.status  # asked to stop, or taken over after this process went quiet
        return self.stop is not None

    def set_status(self, session: Session, status: JobStatus, reason: str | None) -> None:
        job = self._job(session)
        if job.status is not JobStatus.RUNNING or runner_of(job) != self._runner:
            return
        job.status, job.pause_reason = status, reason
        event = LogEventType.JOB_PAUSED if status is JobStatus.PAUSED else LogEventType.JOB_CANCELLED
        self._jobs(session).log(job, event, reason or "")
        logger.info("Job %s %s: %s", job.id, status.lower(), reason)

    def beat(self, session: Session) -> None:
        job = self._job(session)
        if job.status is JobStatus.RUNNING and runner_of(job) == self._runner:
            job.heartbeat_at = utcnow()

    def claim(self, session: Session, document: DocumentInput, claim: Claim) -> JobProgress | None:
        """Whether to code the document: not if the job has stopped or the budget would be exceeded.
        Its tokens are reserved until its outcome is stored (all on the database thread, in turn)."""
        if self.should_stop(session):
            return None
        job = self._job(session)
        if problem := self._budget_problem(job, claim.tokens):
            self._request_stop(session, JobStatus.PAUSED, problem)
            return None
        self._in_flight_tokens += claim.tokens
        return _progress(job, document.file_name)

    def store_failure(
        self, session: Session, document: DocumentInput, claim: Claim, message: str, fatal: bool
    ) -> JobProgress:
        jobs = self._jobs(session)
        job = self._job(session)
        self._settle(session, job, document, claim, status=JobItemStatus.FAILED, error_message=message)
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
        self, session: Session, document: DocumentInput, claim: Claim, result: DocumentResult
    ) -> JobProgress:
        """The document's values, its item and the job's counters in one transaction."""
        jobs = self._jobs(session)
        rows = self._rows(document.id, result)
        jobs.replace_results(self._job_id, document.id, rows)
        usage = result.usage
        job = self._job(session)
        share_values(session, self._workspace_id, job, document, rows)  # its near-duplicates, coded once
        self._settle(
            session,
            job,
            document,
            claim,
            status=JobItemStatus.DONE,
            error_message=None,
            tokens_in=usage.input_tokens,
            tokens_out=usage.output_tokens,
        )
        # Only this runner writes the counters (pause and cancel requests write the status alone).
        job.documents_processed += 1
        job.consecutive_failures = 0
        job.tokens_in += usage.input_tokens
        job.tokens_out += usage.output_tokens
        job.tokens_cached += usage.cached_tokens  # billed at the cached price
        by_model = usage_by_model(result, self._setup)  # each model at its price
        job.cost += cost_by_model(self._setup.settings, by_model, batch=self._batch)
        job.settings = with_model_usage(job.settings, self._setup.settings, by_model, batch=self._batch)
        units = len(result.units)
        jobs.log(
            job, LogEventType.DOC_COMPLETED, document.file_name, document.id, calls=result.calls, units=units
        )
        return _progress(job, document.file_name)

    def finish(self, session: Session, calls: int, elapsed: float) -> None:
        """Complete the job if nothing is left to code; keep the run's pace (`calls` in `elapsed` seconds)."""
        job = self._job(session)
        if runner_of(job) != self._runner:
            return  # taken over by another process after this one went quiet: that one finishes it
        if calls:  # for estimates of the next runs: wall time per call at this concurrency
            in_flight = min(self._setup.settings.concurrency, max(1, job.documents_total))
            job.settings = {**job.settings, "calls": calls, "seconds_per_call": elapsed * in_flight / calls}
        if job.status is not JobStatus.RUNNING:
            return  # paused or cancelled: the reason is already logged
        remaining = self._jobs(session).items(job.id, (JobItemStatus.PENDING,))
        if remaining:
            return
        job.status, job.finished_at = JobStatus.COMPLETED, utcnow()
        self._jobs(session).log(
            job, LogEventType.JOB_COMPLETED, f"{job.documents_processed} coded, {job.documents_failed} failed"
        )

    def progress(self, session: Session) -> JobProgress:
        return _progress(self._job(session))

    def _jobs(self, session: Session) -> JobRepository:
        return JobRepository(session, self._workspace_id)

    def _job(self, session: Session) -> ProcessingJob:
        return self._jobs(session).require(self._job_id)

    def _request_stop(self, session: Session, status: JobStatus, reason: str) -> None:
        self.stop = status
        self.set_status(session, status, reason)

    def _budget_problem(self, job: ProcessingJob, upcoming: int) -> str | None:
        budget = self._setup.settings.token_budget
        if budget is None:
            return None
        used = job.tokens_in + job.tokens_out
        if used + self._in_flight_tokens + upcoming <= budget:
            return None
        return (
            f"The token budget of {budget:,} would be exceeded: {used:,} tokens used so far, and the next "
            f"document needs about {upcoming:,}. Raise the budget in the provider settings, then resume."
        )

    def _settle(
        self, session: Session, job: ProcessingJob, document: DocumentInput, claim: Claim, **values: Any
    ) -> None:
        """The document's item, DONE or FAILED, with the log of its start; its tokens no longer reserved."""
        self._in_flight_tokens -= claim.tokens
        jobs = self._jobs(session)
        if jobs.item(job.id, document.id).status is JobItemStatus.FAILED:
            job.documents_failed -= 1  # tried again: it counts once, whichever way it ends this time
        jobs.set_item(
            job.id,
            document.id,
            started_at=claim.started,
            finished_at=utcnow(),
            attempts=JobItem.attempts + 1,
            **values,
        )
        jobs.log(job, LogEventType.DOC_STARTED, document.file_name, document.id, at=claim.started)

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


def _taken_message(job: ProcessingJob) -> str:
    if job.status is JobStatus.RUNNING and (runner := runner_of(job)) is not None:
        return f"Job {job.id} is already running ({runner.describe()}); it was left to that process."
    if job.status is JobStatus.RUNNING:
        return f"Job {job.id} is already running in another window or terminal."
    return f"Job {job.id} is {job.status.lower()}: there is nothing left to run."


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
