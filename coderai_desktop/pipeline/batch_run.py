"""Running a job through the provider's Batch API: rounds of coding from the batch's answers, between
polls of the parts still out.

A round codes every pending document with a ReplayClient: a document whose calls are all answered is
stored exactly as a live run stores it (RunStore: one transaction per document, counters, the log, cost at
the batch price); the calls not answered yet become requests, submitted in parts. The job then waits,
polling every `poll_seconds`; when a part finishes, its answers are stored and the next round runs. The
batch ids are in the database, so a run that stops (the app closed, Ctrl+C) resumes from them: the app
polls again on start. Pause and cancel work as in a live run; a cancel also cancels the parts still out.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Iterable
from functools import partial
from typing import cast

from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.domain.job import JobProgress
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.batch_api import BatchAPI
from coderai_desktop.llm.client import LLMClient
from coderai_desktop.log_context import log_context
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.batches import BatchRepository, Known
from coderai_desktop.persistence.run_locks import HEARTBEAT_SECONDS
from coderai_desktop.persistence.worker_liveness import WorkerLiveness
from coderai_desktop.pipeline.batch_parts import PROVIDER_LIMITS, BatchParts, PartLimits
from coderai_desktop.pipeline.batch_replay import NeedsAnswer, ReplayClient
from coderai_desktop.pipeline.documents import load_document
from coderai_desktop.pipeline.escalation import run_extractor
from coderai_desktop.pipeline.extractor import DocumentInput, DocumentResult
from coderai_desktop.pipeline.planning import RunSetup
from coderai_desktop.pipeline.run_store import Claim, RunStore
from coderai_desktop.pipeline.runner import APP_CLOSED, FATAL, Progress
from coderai_desktop.pipeline.token_estimates import document_usage

logger = logging.getLogger(__name__)

Outcome = DocumentResult | CoderAIError | None  # coded, failed, or waiting for answers
POLL_SECONDS = 60.0  # the provider answers within hours: a minute between polls costs nothing
ROUND_SIZE = 200  # documents whose requests are read, and that are coded, together


class BatchRunner:
    """The rounds and the polling; the parts at the provider are BatchParts', what is stored RunStore's."""

    def __init__(
        self,
        database: Database,
        workspace_id: int,
        job_id: int,
        setup: RunSetup,
        live: LLMClient,
        api: BatchAPI,
        documents: DocumentService,
        progress: Progress | None = None,
        *,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        poll_seconds: float = POLL_SECONDS,
        limits: PartLimits = PROVIDER_LIMITS,
    ):
        self._database = database
        self._workspace_id = workspace_id
        self._job_id = job_id
        self._setup = setup
        self._live = live
        self._documents = documents
        self._progress = progress
        self._heartbeat_seconds = heartbeat_seconds
        self._poll_seconds = poll_seconds
        self._api = api
        self._parts = BatchParts(database, workspace_id, job_id, api, limits)
        self._store = RunStore(workspace_id, job_id, setup, WorkerLiveness.of(database.engine), batch=True)
        self._wake = asyncio.Event()

    async def run(self) -> None:
        try:
            await self._run()
        finally:
            await self._api.close()

    async def _run(self) -> None:
        with log_context(job=self._job_id):
            try:
                await self._database.run(self._store.enlist)  # one worker: a batch is not shared out
                await self._run_enlisted()
            finally:
                self._store.release()

    async def _run_enlisted(self) -> None:
        pending = dict.fromkeys(await self._database.run(partial(self._store.claim_documents, limit=None)))
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            await self._rounds(pending)
        except asyncio.CancelledError:  # the app is closing: the job is paused
            await asyncio.shield(self._database.run(partial(self._store.leave, closing=APP_CLOSED)))
            raise
        except CoderAIError as error:  # the provider refused or failed a batch call: try again later
            await self._set_status(JobStatus.PAUSED, f"The batch job could not go on: {error}")
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        if self._store.stop is JobStatus.CANCELLED:
            await self._parts.cancel()
        await self._database.run(self._store.leave)
        await self._emit()

    async def _rounds(self, pending: dict[int, None]) -> None:
        collected = True  # the first round codes what earlier runs of the job already have answers for
        while pending and self._store.stop is None:
            if collected:
                await self._note(None)  # coding, not waiting
                await self._round(pending)
                if self._store.stop is not None or not pending:
                    return
                await self._parts.submit()
            collected, out = await self._parts.poll()
            if collected:
                continue
            if not out.parts:  # cannot happen unless a request was lost: say so rather than wait forever
                raise CoderAIError(
                    f"{len(pending)} documents wait for answers that no batch part will bring; resume the job."
                )
            await self._note(out.describe())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)

    async def _round(self, pending: dict[int, None]) -> None:
        """Code every pending document as far as the batch's answers go."""
        started = time.perf_counter()
        queue = list(pending)
        for start in range(0, len(queue), ROUND_SIZE):
            if self._store.stop is not None:
                return
            chunk = queue[start : start + ROUND_SIZE]
            known = await self._database.run(partial(self._known, document_ids=chunk))
            documents = [
                await load_document(self._documents, document_id, self._setup.policy) for document_id in chunk
            ]
            replays = [ReplayClient(self._live, known) for _ in documents]
            outcomes = await self._code(documents, replays)
            asked = {key for replay in replays for key in replay.asked}
            # Another document of the job may have asked the very same request already.
            if asked and (found := await self._database.run(partial(self._known, keys=asked))):
                known.update(found)
                for replay in replays:
                    replay.forget(found)
                outcomes = await self._code(documents, replays, outcomes)
            await self._store_round(documents, outcomes, replays, pending)
        logger.info("Batch round over %s documents in %.2f s", len(queue), time.perf_counter() - started)

    async def _code(
        self,
        documents: list[DocumentInput],
        replays: list[ReplayClient],
        earlier: list[Outcome] | None = None,
    ) -> list[Outcome]:
        """Each document's result, or its failure, or None: it waits for answers."""
        slots = asyncio.Semaphore(max(1, self._setup.settings.concurrency))
        setup = self._setup

        async def code(document: DocumentInput, replay: ReplayClient, before: Outcome) -> Outcome:
            if before is not None:
                return before
            # As a live run codes: escalation's calls go in the batch too.
            extractor = run_extractor(cast(LLMClient, replay), setup)
            async with slots:
                replay.start_document()
                try:
                    return await extractor.extract(document)
                except NeedsAnswer:
                    return None
                except CoderAIError as error:
                    return error
                finally:
                    await replay.settle()

        earlier = earlier or [None] * len(documents)
        return list(await asyncio.gather(*map(code, documents, replays, earlier)))

    async def _store_round(
        self,
        documents: list[DocumentInput],
        outcomes: list[Outcome],
        replays: list[ReplayClient],
        pending: dict[int, None],
    ) -> None:
        asked = {
            key: (d.id, body)
            for d, replay in zip(documents, replays, strict=True)
            for key, body in replay.asked.items()
        }
        answered = {key: answer for replay in replays for key, answer in replay.live_answers.items()}

        def record(session: Session) -> None:
            requests = self._requests(session)
            requests.add_requests(self._job_id, asked)
            requests.store_answers(self._job_id, answered)

        await self._database.run(record)
        for document, outcome, replay in zip(documents, outcomes, replays, strict=True):
            if outcome is None:
                continue
            expected = document_usage(self._setup, document)
            claim = Claim(utcnow(), expected.input_tokens + expected.output_tokens)
            if await self._database.run(partial(self._store.let_in, document=document, claim=claim)) is None:
                return  # the job stopped (asked to, or the budget)
            if isinstance(outcome, CoderAIError):
                message, fatal = str(outcome), isinstance(outcome, FATAL)
                progress = await self._database.run(
                    partial(
                        self._store.store_failure,
                        document=document,
                        claim=claim,
                        message=message,
                        fatal=fatal,
                    )
                )
            else:
                progress = await self._database.run(
                    partial(
                        self._store.store_result,
                        document=document,
                        claim=claim,
                        result=outcome,
                        asked_live=replay.asked_live,
                    )
                )
            del pending[document.id]
            self._report(progress)

    async def _note(self, said: str | None) -> None:
        """What the job waits for (None: nothing), on its row for the runs list and in the progress."""

        progress = await self._database.run(partial(self._store.note, said=said))
        self._report(dataclasses.replace(progress, message=said or ""))

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            if await self._database.run(self._store.beat):
                self._wake.set()

    async def _set_status(self, status: JobStatus, reason: str) -> None:
        await self._database.run(lambda s: self._store.set_status(s, status, reason))

    async def _emit(self) -> None:
        if self._progress is not None:
            self._report(await self._database.run(self._store.progress))

    def _report(self, progress: JobProgress) -> None:
        if self._progress is not None:
            self._progress(progress)

    def _known(
        self, session: Session, document_ids: Iterable[int] = (), keys: Iterable[str] = ()
    ) -> dict[str, Known]:
        return self._requests(session).known(self._job_id, document_ids, keys)

    def _requests(self, session: Session) -> BatchRepository:
        return BatchRepository(session, self._workspace_id)
