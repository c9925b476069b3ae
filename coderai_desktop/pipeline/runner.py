"""One worker of a job: documents processed concurrently, each one's results written atomically, counters
and the log kept live, and a stop that loses nothing (pause, cancel, budget, failures in a row, app closed).

The worker claims documents from the database a few at a time (other workers, in other processes or on
other computers, claim the others), and forms packs of them (short ones travel several to a call, see
packing.py; the others alone); each document of a pack is still let in, and its outcome stored, on its
own. When nothing is left to claim but other workers still code some, it waits: should one of them die,
its documents come back and are coded here.

Pause and cancel are requests written to the job's row; every worker sees them before each document and
at its heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from functools import partial

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.domain.job import JobProgress
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.client import LLMClient
from coderai_desktop.llm.errors import (
    CircuitOpenError,
    ModelNotFoundError,
    ProviderAuthError,
    ProviderUnreachableError,
    StructuredOutputUnsupportedError,
)
from coderai_desktop.log_context import log_context
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.run_locks import HEARTBEAT_SECONDS
from coderai_desktop.persistence.storage_errors import storage_problem
from coderai_desktop.persistence.worker_liveness import WorkerLiveness
from coderai_desktop.pipeline.documents import load_document
from coderai_desktop.pipeline.escalation import Extractor, run_extractor, with_escalation
from coderai_desktop.pipeline.extractor import DocumentInput, DocumentResult
from coderai_desktop.pipeline.packed_extraction import Answered, PackedExtractor, PackResult, with_spent
from coderai_desktop.pipeline.packing import PackRule, expected, shares
from coderai_desktop.pipeline.planning import RunSetup
from coderai_desktop.pipeline.run_store import LOST, Claim, RunStore

logger = logging.getLogger(__name__)

Progress = Callable[[JobProgress], None]
# Documents in progress per call the provider may have in flight (the client's limit): while some load
# or store their document, the others keep every call slot busy.
WORKERS_PER_CALL = 2
# Documents claimed at a time: enough to form a pack with few round trips, few enough that a worker does
# not hold back what the others could be coding.
CLAIM_SIZE = 4
# How often a worker with nothing left to claim looks whether the others are done, or gave some back.
IDLE_SECONDS = 0.5
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


class JobRunner:
    """The tasks coding documents, the heartbeat and the stops; what they read and write is the
    RunStore's business."""

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
        *,
        account_id: int | None = None,
        join: bool = False,
    ):
        self._database = database
        self._job_id = job_id
        self._setup = setup
        self._documents = documents
        self._progress = progress
        self._heartbeat_seconds = heartbeat_seconds
        self._extractor = run_extractor(client, setup)
        self._client = client
        self._packing = PackRule.of(setup)
        self._packed = PackedExtractor(client, setup.variables, setup.plans)
        self._forming = asyncio.Lock()
        self._claimed: deque[int] = deque()  # documents claimed and not taken into a pack yet
        self._none_left = False  # the last claim found nothing
        self._held: DocumentInput | None = None  # taken from the claimed; it did not fit the last pack
        self._join = join
        self._store = RunStore(workspace_id, job_id, setup, WorkerLiveness.of(database.engine), account_id)
        self._tasks: list[asyncio.Task[None]] = []
        self._calls = 0
        self._fatal = False
        self._started_at = time.monotonic()

    async def run(self) -> None:
        with log_context(job=self._job_id):  # the workers start inside: every line names the job
            try:
                await self._run()
            except Exception as error:
                problem = await self._stopped_by(error)
                if problem is error:
                    raise
                raise problem from error

    async def _run(self) -> None:
        try:
            await self._database.run(partial(self._store.enlist, join=self._join))
            await self._run_enlisted()
        finally:
            self._store.release()

    async def _run_enlisted(self) -> None:
        await self._emit()
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            while True:
                await self._code_claimable()
                if not await self._database.run(self._store.others_at_work):
                    break
                # Then claim what they gave back, if anything; or leave once the last one is done.
                await asyncio.sleep(min(IDLE_SECONDS, self._heartbeat_seconds))
                self._none_left = False
        except asyncio.CancelledError:  # the app is closing: the last worker pauses the job
            await asyncio.shield(self._database.run(partial(self._store.leave, closing=APP_CLOSED)))
            raise
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        elapsed = time.monotonic() - self._started_at
        await self._database.run(partial(self._store.leave, calls=self._calls, elapsed=elapsed))
        if self._store.lost:
            raise CoderAIError(LOST)
        await self._emit()

    async def _code_claimable(self) -> None:
        """Code documents until there are none left to claim (or the worker is to stop)."""
        self._tasks = [
            asyncio.create_task(self._work())
            for _ in range(WORKERS_PER_CALL * max(1, self._setup.settings.concurrency))
        ]
        # A task stopped on purpose (cancel, a fatal error) ends quietly; a bug does not.
        outcomes = await asyncio.gather(*self._tasks, return_exceptions=True)
        if errors := [outcome for outcome in outcomes if isinstance(outcome, Exception)]:
            raise errors[0]

    async def _work(self) -> None:
        while self._store.stop is None and not self._store.lost:
            async with self._forming:  # one pack at a time: tasks would share out a few documents
                pack = await self._next_pack()
            if not pack:
                return
            await self._process(pack)

    async def _next_pack(self) -> list[DocumentInput]:
        """The next pack: one document, unless short ones fit together; none when nothing is left. The
        first document that does not fit is held for the next pack. A document claimed but not let in (the
        run stopped) goes back to the other workers when this one leaves."""
        first = self._held or await self._take()
        if first is None:
            return []
        pack, self._held = [first], None
        while not self._packing.alone(pack[0]) and (document := await self._take()) is not None:
            if not self._packing.fits(pack, document):
                self._held = document
                break
            pack.append(document)
        return pack

    async def _take(self) -> DocumentInput | None:
        """The next claimed document, claiming more when this worker has none."""
        if not self._claimed and not self._none_left:
            claimed = await self._database.run(partial(self._store.claim_documents, limit=CLAIM_SIZE))
            self._claimed.extend(claimed)
            self._none_left = not claimed
        return await self._load(self._claimed.popleft()) if self._claimed else None

    async def _load(self, document_id: int) -> DocumentInput:
        return await load_document(self._documents, document_id, self._setup.policy)

    async def _process(self, pack: list[DocumentInput]) -> None:
        """Each document with one write: its values (or its failure), its item, the counters and the log
        together. Until then the document is only claimed: a worker killed mid-call leaves it to be coded
        again, by another worker or a resume."""
        claimed = await self._let_in(pack)
        packed = PackResult()
        if len(claimed) > 1:
            packed = await self._packed.extract([document for document, _claim in claimed])
        if isinstance(packed.error, FATAL):  # each document alone would meet it: the first one reports it
            await self._fail(*claimed[0], packed.error)
            return
        # Escalation follows a packed document as it follows one coded alone.
        answered = with_escalation(Answered(packed.coded), self._client, self._setup)
        for document, claim in claimed:  # let in: each is coded, as a document in flight is
            in_pack = document.id in packed.coded
            result = await self._code(answered if in_pack else self._extractor, document, claim)
            if result is None:
                if self._fatal:
                    return  # the pack's other documents would meet it too: they stay pending, untouched
                continue
            if (spent := packed.spent.get(document.id)) is not None:
                result = with_spent(result, spent)
            await self._store_result(document, claim, result)

    async def _let_in(self, pack: list[DocumentInput]) -> list[tuple[DocumentInput, Claim]]:
        """The documents of the pack the job lets in, each with its share of the pack's tokens (a pack
        shortened by a stop or the budget is coded as it is)."""
        claimed = []
        for document, tokens in zip(pack, shares(expected(self._setup, pack).tokens, len(pack)), strict=True):
            claim = Claim(utcnow(), tokens)
            progress = await self._database.run(partial(self._store.let_in, document=document, claim=claim))
            if progress is None:
                break  # the job stopped: asked to, or the budget would be exceeded
            self._report(progress)
            claimed.append((document, claim))
        return claimed

    async def _code(
        self, extractor: Extractor, document: DocumentInput, claim: Claim
    ) -> DocumentResult | None:
        """The document's result; None when it failed (the failure is stored)."""
        try:
            return await extractor.extract(document)
        except CoderAIError as error:
            await self._fail(document, claim, error)
            return None

    async def _fail(self, document: DocumentInput, claim: Claim, error: CoderAIError) -> None:
        message = str(error)
        fatal = isinstance(error, FATAL)
        self._report(
            await self._database.run(lambda s: self._store.store_failure(s, document, claim, message, fatal))
        )
        if fatal:  # the other documents in progress would meet it too: they stay pending, untouched
            self._fatal = True
            self._stop_tasks()

    async def _store_result(self, document: DocumentInput, claim: Claim, result: DocumentResult) -> None:
        self._calls += result.calls
        try:
            self._report(
                await self._database.run(lambda s: self._store.store_result(s, document, claim, result))
            )
        except Exception as error:
            if storage_problem(error, self._database.location) is not None:
                self._store.stop = JobStatus.PAUSED  # every document would meet it: stop calling the provider
                self._stop_tasks()
            raise

    async def _stopped_by(self, error: Exception) -> Exception:
        """What to tell the person whose run a worker's error stopped: a full disk (or read-only or
        damaged database) in plain words, with the job paused if the database can still say so."""
        problem = storage_problem(error, self._database.location)
        if problem is None:
            return error
        with contextlib.suppress(Exception):  # the disk may still be full: resuming works all the same
            await self._database.run(lambda s: self._store.set_status(s, JobStatus.PAUSED, str(problem)))
        return problem

    def _stop_tasks(self) -> None:
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()

    async def _heartbeat(self) -> None:
        """Says the worker is alive, and notices a pause or cancel asked for by anyone, or that others
        found this worker dead."""
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            if not await self._database.run(self._store.beat):
                continue
            if self._store.stop == JobStatus.CANCELLED or self._store.lost:
                self._stop_tasks()  # calls in flight are abandoned: what they would store is not wanted

    async def _emit(self) -> None:
        if self._progress is not None:
            self._report(await self._database.run(self._store.progress))

    def _report(self, progress: JobProgress) -> None:
        if self._progress is not None:
            self._progress(progress)
