"""Running a job: documents processed concurrently, each one's results written atomically, counters and
the log kept live, and a stop that loses nothing (pause, cancel, budget, failures in a row, app closed).

Pause and cancel are requests written to the job's row; the runner, in this process or in another one
(a `coderai run` in a terminal), sees them before each document and at every heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import JobItemStatus, JobStatus, LogEventType
from coderai_desktop.domain.errors import CoderAIError, ConflictError
from coderai_desktop.domain.job import JOB_TYPE_WORDS, JobProgress
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.ingest.tokens import estimate_tokens
from coderai_desktop.llm.client import LLMClient, Usage
from coderai_desktop.llm.errors import (
    CircuitOpenError,
    ModelNotFoundError,
    ProviderAuthError,
    ProviderUnreachableError,
    StructuredOutputUnsupportedError,
)
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.jobs import JobRepository, runner_of
from coderai_desktop.persistence.run_locks import HEARTBEAT_SECONDS, Runner
from coderai_desktop.persistence.storage_errors import storage_problem
from coderai_desktop.persistence.tables import JobItem, ProcessingJob
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentInput, DocumentResult
from coderai_desktop.pipeline.planning import RunSetup

logger = logging.getLogger(__name__)

Progress = Callable[[JobProgress], None]
FAILURES_BEFORE_PAUSE = 10
# Documents in progress per call the provider may have in flight (the client's limit): while some load
# or store their document, the others keep every call slot busy.
WORKERS_PER_CALL = 2
# Errors that every document would meet (after the client's retries): pause the job at once rather than
# fail document after document.
FATAL = (
    ProviderAuthError,
    ModelNotFoundError,
    StructuredOutputUnsupportedError,
    ProviderUnreachableError,
    CircuitOpenError,
)
APP_CLOSED = (
    "Stopped before it finished (the app was closed, or Ctrl+C); resume it to continue where it stopped."
)


class Claim(NamedTuple):
    """A document being coded: since when, and the tokens it is expected to use."""

    started: datetime
    tokens: int


class JobRunner:
    def __init__(
        self,
        database: Database,
        workspace_id: int,
        job_id: int,
        setup: RunSetup,
        client: LLMClient,
        documents: DocumentService,
        progress: Progress | None = None,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ):
        self._database = database
        self._workspace_id = workspace_id
        self._job_id = job_id
        self._setup = setup
        self._documents = documents
        self._progress = progress
        self._heartbeat_seconds = heartbeat_seconds
        self._extractor = DocumentExtractor(
            client, setup.context, setup.variables, setup.plans, setup.entity_plan
        )
        self._stop: str | None = None  # why the run stops early: a status it was asked for
        self._workers: list[asyncio.Task[None]] = []
        self._calls = 0
        self._in_flight_tokens = 0  # estimated tokens of the documents being coded: kept for the budget
        self._started_at = time.monotonic()
        self._runner = Runner.this_process()

    async def run(self) -> None:
        try:
            await self._run()
        except Exception as error:
            problem = await self._stopped_by(error)
            if problem is error:
                raise
            raise problem from error

    async def _run(self) -> None:
        queue = await self._database.run(self._begin)
        await self._emit()
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            pending: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
            for item in queue:
                pending.put_nowait(item)
            self._workers = [
                asyncio.create_task(self._work(pending))
                for _ in range(min(WORKERS_PER_CALL * self._setup.settings.concurrency, len(queue)) or 1)
            ]
            # A worker stopped on purpose (cancel, a fatal error) ends quietly; a bug does not.
            outcomes = await asyncio.gather(*self._workers, return_exceptions=True)
            if errors := [outcome for outcome in outcomes if isinstance(outcome, Exception)]:
                raise errors[0]
        except asyncio.CancelledError:
            if self._stop is None:  # not a cancel the user asked for: the app is closing
                await asyncio.shield(
                    self._database.run(lambda s: self._set_status(s, JobStatus.PAUSED, APP_CLOSED))
                )
            raise
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        await self._database.run(self._finish)
        await self._emit()

    async def _work(self, pending: asyncio.Queue[tuple[int, str]]) -> None:
        while not pending.empty() and self._stop is None:
            document_id, name = pending.get_nowait()
            await self._process(document_id, name)

    async def _process(self, document_id: int, name: str) -> None:
        """One document, with one write: its values (or its failure), its item, the counters and the log
        together. Until then the document is still PENDING, so a run killed mid-call codes it again."""
        document = await self._load(document_id, name)
        claim = Claim(utcnow(), estimate_document_tokens(self._setup, document))
        claimed = await self._database.run(lambda s: self._claim(s, document, claim))
        if claimed is None:
            return  # the job stopped: asked to, or the budget would be exceeded
        self._report(claimed)
        try:
            result = await self._extractor.extract(document)
        except CoderAIError as error:
            message = str(error)
            fatal = isinstance(error, FATAL)
            self._report(await self._database.run(lambda s: self._failed(s, document, claim, message, fatal)))
            if fatal:  # the other documents in progress would meet it too: they stay pending, untouched
                self._stop_workers()
            return
        self._calls += result.calls
        try:
            self._report(await self._database.run(lambda s: self._store(s, document, claim, result)))
        except Exception as error:
            if storage_problem(error, self._database.location) is not None:
                self._stop = JobStatus.PAUSED  # every document would meet it: stop calling the provider
                self._stop_workers()
            raise

    async def _stopped_by(self, error: Exception) -> Exception:
        """What to tell the person whose run a worker's error stopped: a full disk (or read-only or
        damaged database) in plain words, with the job paused if the database can still say so."""
        problem = storage_problem(error, self._database.location)
        if problem is None:
            return error
        with contextlib.suppress(Exception):  # the disk may still be full: resuming works all the same
            await self._database.run(lambda s: self._set_status(s, JobStatus.PAUSED, str(problem)))
        return problem

    def _stop_workers(self) -> None:
        current = asyncio.current_task()
        for worker in self._workers:
            if worker is not current:
                worker.cancel()

    async def _load(self, document_id: int, name: str) -> DocumentInput:
        text = await self._documents.document_text(document_id)
        chunks = await self._documents.chunks(document_id, self._setup.policy)
        return DocumentInput(document_id, name, text.text, text.page_offsets, chunks)

    async def _heartbeat(self) -> None:
        """Says the job is alive, and notices a pause or cancel asked for by another window or process."""
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            await self._database.run(self._beat)
            if await self._database.run(self._should_stop) and self._stop == JobStatus.CANCELLED:
                self._stop_workers()  # calls in flight are abandoned: a cancelled job keeps only what is done

    # --- database work (on the database thread) ---------------------------------------------------

    def _jobs(self, session: Session) -> JobRepository:
        return JobRepository(session, self._workspace_id)

    def _job(self, session: Session) -> ProcessingJob:
        return self._jobs(session).require(self._job_id)

    def _begin(self, session: Session) -> list[tuple[int, str]]:
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
        names = {
            row.id: row.file_name for row in DocumentRepository(session, self._workspace_id).of_ids(queue)
        }
        return [(document_id, names.get(document_id, str(document_id))) for document_id in queue]

    def _should_stop(self, session: Session) -> bool:
        job = self._job(session)
        if job.status is not JobStatus.RUNNING or runner_of(job) != self._runner:
            self._stop = job.status  # asked to stop, or taken over after this process went quiet
        return self._stop is not None

    def _request_stop(self, session: Session, status: JobStatus, reason: str) -> None:
        self._stop = status
        self._set_status(session, status, reason)

    def _set_status(self, session: Session, status: JobStatus, reason: str | None) -> None:
        job = self._job(session)
        if job.status is not JobStatus.RUNNING or runner_of(job) != self._runner:
            return
        job.status, job.pause_reason = status, reason
        event = LogEventType.JOB_PAUSED if status is JobStatus.PAUSED else LogEventType.JOB_CANCELLED
        self._jobs(session).log(job, event, reason or "")
        logger.info("Job %s %s: %s", job.id, status.lower(), reason)

    def _beat(self, session: Session) -> None:
        job = self._job(session)
        if job.status is JobStatus.RUNNING and runner_of(job) == self._runner:
            job.heartbeat_at = utcnow()

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

    def _claim(self, session: Session, document: DocumentInput, claim: Claim) -> JobProgress | None:
        """Whether to code the document: not if the job has stopped or the budget would be exceeded.
        Its tokens are reserved until its outcome is stored (all on the database thread, in turn)."""
        if self._should_stop(session):
            return None
        job = self._job(session)
        if problem := self._budget_problem(job, claim.tokens):
            self._request_stop(session, JobStatus.PAUSED, problem)
            return None
        self._in_flight_tokens += claim.tokens
        return _progress(job, document.file_name)

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

    def _failed(
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

    def _store(
        self, session: Session, document: DocumentInput, claim: Claim, result: DocumentResult
    ) -> JobProgress:
        """The document's values, its item and the job's counters in one transaction."""
        jobs = self._jobs(session)
        jobs.replace_results(self._job_id, document.id, self._rows(document.id, result))
        usage = result.usage
        job = self._job(session)
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
        job.cost += self._setup.settings.cost(usage.input_tokens, usage.output_tokens)
        units = len(result.units)
        jobs.log(
            job, LogEventType.DOC_COMPLETED, document.file_name, document.id, calls=result.calls, units=units
        )
        return _progress(job, document.file_name)

    def _rows(self, document_id: int, result: DocumentResult) -> list[dict[str, Any]]:
        shares = _usage_shares(result)
        rows = []
        for unit in result.units:
            for value in unit.values:
                prompt = self._setup.prompts.get(value.scope_key or "")
                share = shares.get(value.scope_key or "", Usage())
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
                        "model": self._setup.settings.model,
                        "temperature": next(
                            (
                                plan.temperature
                                for plan in self._setup.plans
                                if plan.scope_key == value.scope_key
                            ),
                            None,
                        ),
                        "tokens_in": share.input_tokens,
                        "tokens_out": share.output_tokens,
                        "created_at": utcnow(),
                    }
                )
        return rows

    def _finish(self, session: Session) -> None:
        job = self._job(session)
        if runner_of(job) != self._runner:
            return  # taken over by another process after this one went quiet: that one finishes it
        if self._calls:  # for estimates of the next runs: wall time per call at this concurrency
            in_flight = min(self._setup.settings.concurrency, max(1, job.documents_total))
            elapsed = time.monotonic() - self._started_at
            job.settings = {
                **job.settings,
                "calls": self._calls,
                "seconds_per_call": elapsed * in_flight / self._calls,
            }
        if job.status is not JobStatus.RUNNING:
            return  # paused or cancelled: the reason is already logged
        remaining = self._jobs(session).items(job.id, (JobItemStatus.PENDING,))
        if remaining:
            return
        job.status, job.finished_at = JobStatus.COMPLETED, utcnow()
        self._jobs(session).log(
            job, LogEventType.JOB_COMPLETED, f"{job.documents_processed} coded, {job.documents_failed} failed"
        )

    async def _emit(self) -> None:
        if self._progress is not None:
            self._report(await self._database.run(lambda s: _progress(self._job(s))))

    def _report(self, progress: JobProgress) -> None:
        if self._progress is not None:
            self._progress(progress)


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


def estimate_document_tokens(setup: RunSetup, document: DocumentInput) -> int:
    """Input and output tokens one document will take (an entity project: as if it had one entity)."""
    chunks = [document.text[span.start : span.end] for span in document.chunks] or [document.text]
    total = 0
    for plan in setup.all_plans:
        prompt = estimate_tokens(plan.system_prompt) + estimate_tokens(plan.instruction)
        total += sum(prompt + estimate_tokens(chunk) + plan.max_tokens // 2 for chunk in chunks)
    return total


def _usage_shares(result: DocumentResult) -> dict[str, Usage]:
    """Each call scope's tokens shared evenly among the values it produced."""
    counts: dict[str, int] = {}
    for unit in result.units:
        for value in unit.values:
            counts[value.scope_key or ""] = counts.get(value.scope_key or "", 0) + 1
    shares = {}
    for scope, usage in result.usage_by_scope.items():
        count = max(1, counts.get(scope, 1))
        shares[scope] = Usage(
            usage.input_tokens // count, usage.output_tokens // count, usage.cached_tokens // count
        )
    return shares
