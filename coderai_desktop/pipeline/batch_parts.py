"""The parts of a batch run at the provider: requests waiting are submitted in parts within the provider's
limits, parts still out are polled, and the answers of a finished part are stored (its failed lines to be
asked live; an expired or cancelled part's unanswered requests to be submitted again)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from sqlalchemy.orm import Session

from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.llm.batch_api import MAX_BYTES, MAX_REQUESTS, BatchAPI, RemoteBatch
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.batches import (
    CANCELLED,
    COLLECTED,
    BatchRepository,
    Waiting,
)
from coderai_desktop.persistence.tables.batches import BatchPart

logger = logging.getLogger(__name__)

RESUBMITTED = ("expired", "cancelled")  # unanswered requests go into a new part (unless the job is cancelled)


@dataclass(frozen=True)
class PartLimits:
    """What one input file may hold (the provider's limits; tests use small ones)."""

    requests: int = MAX_REQUESTS
    bytes: int = MAX_BYTES


PROVIDER_LIMITS = PartLimits()


@dataclass(frozen=True)
class Outstanding:
    """The parts still at the provider, and their requests answered so far (as the provider counts)."""

    parts: int = 0
    answered: int = 0
    requests: int = 0

    def describe(self) -> str:
        noun = "batch part" if self.parts == 1 else "batch parts"
        return (
            f"{self.parts} {noun} at the provider: {self.answered:,} of {self.requests:,} requests answered"
        )


class BatchParts:
    def __init__(self, database: Database, workspace_id: int, job_id: int, api: BatchAPI, limits: PartLimits):
        self._database = database
        self._workspace_id = workspace_id
        self._job_id = job_id
        self._api = api
        self._limits = limits

    async def submit(self) -> int:
        """Submit every waiting request; the number of parts started."""
        waiting = await self._database.run(lambda s: self._parts(s).waiting(self._job_id))
        groups = list(self._split(waiting))
        for lines, ids in groups:
            part_id, marker = await self._database.run(partial(self._add_part, request_ids=ids))
            try:
                remote = await self._api.submit(b"".join(lines), marker)
            except CoderAIError as error:
                why = str(error)
                await self._database.run(partial(self._give_back, part_id=part_id, why=why))
                raise
            await self._database.run(partial(self._started, part_id=part_id, remote=remote))
            logger.info("Batch part %s submitted: %s requests, batch %s", part_id, len(ids), remote.id)
        return len(groups)

    async def poll(self) -> tuple[bool, Outstanding]:
        """Collect the parts that finished: whether any answers came in, and what is still out."""
        parts = await self._database.run(lambda s: self._parts(s).outstanding(self._job_id))
        collected, out = False, Outstanding()
        for part in parts:
            if part.remote_id is None:  # the app stopped while submitting it: did the provider get it?
                remote = await self._api.find(marker_of(part), part.created_at)
                if remote is None:  # no: its requests wait again
                    await self._database.run(partial(self._give_back, part_id=part.id, why="upload stopped"))
                    continue
                await self._database.run(partial(self._started, part_id=part.id, remote=remote))
                logger.info("Batch part %s found at the provider: batch %s", part.id, remote.id)
            else:
                remote = await self._api.retrieve(part.remote_id)
            if remote.finished:
                await self._collect(part.id, remote)
                collected = True
            else:
                out = Outstanding(
                    out.parts + 1,
                    out.answered + remote.completed + remote.failed,
                    out.requests + part.request_count,
                )
        return collected, out

    async def cancel(self) -> int:
        """Cancel the parts still out; the number cancelled. Each is closed before the provider is asked, so
        that a second cancel (the window's and the runner's) or a poll in between leaves it be."""
        remote_ids = await self._database.run(self._close_outstanding)
        for remote_id in filter(None, remote_ids):
            try:
                await self._api.cancel(remote_id)
            except CoderAIError as error:  # finished meanwhile, say: nothing left to cancel
                logger.warning("Batch %s could not be cancelled: %s", remote_id, error)
        return len(remote_ids)

    def _close_outstanding(self, session: Session) -> list[str | None]:
        parts = self._parts(session).outstanding(self._job_id)
        for part in parts:
            self._close(session, part.id, CANCELLED, "Cancelled.")
        return [part.remote_id for part in parts]

    def _split(self, waiting: list[Waiting]) -> list[tuple[list[bytes], list[int]]]:
        groups: list[tuple[list[bytes], list[int]]] = []
        size = 0
        for request in waiting:
            line = self._api.line(request.custom_id, request.body)
            if (
                not groups
                or len(groups[-1][1]) >= self._limits.requests
                or size + len(line) > self._limits.bytes
            ):
                groups.append(([], []))
                size = 0
            groups[-1][0].append(line)
            groups[-1][1].append(request.id)
            size += len(line)
        return groups

    async def _collect(self, part_id: int, remote: RemoteBatch) -> None:
        answers: dict[str, dict] = {}
        failures: dict[str, str] = {}
        for file_id in (remote.output_file_id, remote.error_file_id):
            for line in await self._api.results(file_id) if file_id else []:
                response = line.get("response") or {}
                if response.get("status_code") == 200:
                    answers[line["custom_id"]] = response["body"]
                elif (error := _line_error(line)) != "batch_expired":
                    failures[line["custom_id"]] = error

        def store(session: Session) -> None:
            parts = self._parts(session)
            if parts.require(part_id).status == CANCELLED:
                return  # cancelled while its answers were downloaded: the job keeps what was collected before
            parts.store_answers(self._job_id, answers)
            parts.store_failures(self._job_id, failures)
            part = parts.require(part_id)
            if remote.status in RESUBMITTED:
                again = parts.resubmit(part)
                note = f"{remote.status}: {len(answers)} answered, {again} submitted again"
            else:
                missing = parts.unanswered(part)
                why = remote.errors or "the batch returned no answer for it"
                parts.store_failures(self._job_id, dict.fromkeys(missing, f"Batch {remote.status}: {why}"))
                note = f"{remote.status}: {len(answers)} answered, {len(failures) + len(missing)} failed"
            part.output_file_id, part.error_file_id = remote.output_file_id, remote.error_file_id
            part.failed_count = len(failures)
            self._close(session, part_id, COLLECTED, note)

        await self._database.run(store)
        logger.info(
            "Batch %s collected (%s answers, %s failed lines)", remote.id, len(answers), len(failures)
        )

    def _add_part(self, session: Session, request_ids: list[int]) -> tuple[int, str]:
        part = self._parts(session).add_part(self._job_id, request_ids)
        return part.id, marker_of(part)

    def _started(self, session: Session, part_id: int, remote: RemoteBatch) -> None:
        part = self._parts(session).require(part_id)
        part.remote_id, part.status = remote.id, remote.status

    def _give_back(self, session: Session, part_id: int, why: str) -> None:
        parts = self._parts(session)
        parts.resubmit(parts.require(part_id))
        self._close(session, part_id, CANCELLED, why)

    def _close(self, session: Session, part_id: int, status: str, message: str) -> None:
        part: BatchPart = self._parts(session).require(part_id)
        part.status, part.message = status, message

    def _parts(self, session: Session) -> BatchRepository:
        return BatchRepository(session, self._workspace_id)


def marker_of(part: BatchPart) -> str:
    """What the part's batch is marked with at the provider: its job, its id and when it was recorded (to
    the microsecond), which another database's part will not share."""
    return f"job {part.job_id} part {part.id} at {part.created_at.timestamp():.6f}"


def _line_error(line: dict) -> str:
    """A failed line's error in the provider's words (an error object, or a non-200 response's body)."""
    error = line.get("error") or {}
    if error.get("code") == "batch_expired":
        return "batch_expired"
    response = line.get("response") or {}
    body_error = (response.get("body") or {}).get("error") or {}
    message = error.get("message") or body_error.get("message") or "no answer"
    status = response.get("status_code")
    return f"{message} (HTTP {status})" if status else message
