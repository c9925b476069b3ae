"""What the app shows of a run: a job's state and counters, its progress, and the estimate before it."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from coderai_desktop.domain.enums import UNFINISHED_JOB_STATUSES, JobStatus, JobType, LogEventType
from coderai_desktop.domain.errors import InvalidInputError

# The temperatures the providers accept (OpenAI's range; 0 is the most deterministic).
TEMPERATURES = (0.0, 2.0)


def process_words(host: str, pid: int) -> str:
    """'process 4242 on this computer', or on the computer named `host`."""
    where = "this computer" if host == socket.gethostname() else host
    return f"process {pid} on {where}"


class WorkerSummary(BaseModel):
    """A live process working on a run, one of possibly several on several computers."""

    model_config = ConfigDict(frozen=True)

    host: str
    pid: int
    login: str | None  # the account it works for (None when unknown)
    documents_done: int  # coded or failed by this worker
    last_seen: datetime  # its latest heartbeat

    def describe(self) -> str:
        """'process 4242 on lab-pc (ana)'."""
        return process_words(self.host, self.pid) + (f" ({self.login})" if self.login else "")


class JobSummary(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    id: int
    project_id: int
    job_type: JobType
    status: JobStatus
    documents_total: int
    documents_processed: int
    documents_failed: int
    consecutive_failures: int
    tokens_in: int
    tokens_out: int
    cost: float
    tokens_cached: int = 0  # of tokens_in, read from the provider's prompt cache
    pause_reason: str | None
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    mode: str
    model: str
    # The process that last started or joined the job ("process 4242 on this computer"), if any.
    runner: str | None = None
    # The processes working on it now (a RUNNING job; none: it was interrupted), first to join first.
    workers: tuple[WorkerSummary, ...] = ()
    batch: bool = False  # run through the provider's Batch API
    # Tokens and dollars per model when more than the project's model coded (a variable's own, escalation):
    # {"gpt-4o": {"tokens_in": ..., "tokens_out": ..., "tokens_cached": ..., "cost": ...}}
    models: dict[str, dict[str, float]] = {}

    @property
    def progress(self) -> float:
        if not self.documents_total:
            return 0.0
        return min(1.0, (self.documents_processed + self.documents_failed) / self.documents_total)

    @property
    def unfinished(self) -> bool:
        return self.status in UNFINISHED_JOB_STATUSES

    def workers_line(self) -> str:
        """'Coded by 2 workers: process 1 on lab-pc (ana), 12 documents, seen 14:03:05; ...' ('' for none)."""
        if not self.workers:
            return ""
        each = "; ".join(
            f"{worker.describe()}, {worker.documents_done} documents, "
            f"seen {worker.last_seen.astimezone():%H:%M:%S}"
            for worker in self.workers
        )
        noun = "worker" if len(self.workers) == 1 else "workers"
        return f"Coded by {len(self.workers)} {noun}: {each}"


@dataclass(frozen=True)
class JobProgress:
    """After each document and at each change of state; services emit it, GUI and CLI show it."""

    job_id: int
    status: JobStatus
    total: int
    processed: int
    failed: int
    tokens_in: int
    tokens_out: int
    cost: float
    current: str = ""
    message: str = ""


@dataclass(frozen=True)
class Estimate:
    documents: int
    calls: int
    input_tokens: int
    output_tokens: int
    cost: float
    seconds: float
    seconds_per_call: float
    measured: bool  # seconds per call measured on an earlier run of the project, or assumed
    # Documents (or chunks) per call: above 1 when short documents travel several to a call.
    documents_per_call: float = 1.0
    # The same run with every document in calls of its own, when packing changes it (None: it does not).
    without_packing: Estimate | None = None
    # Of input_tokens, those expected from the provider's prompt cache (priced at the cached price).
    cached_tokens: int = 0
    # The run through the provider's Batch API (each document in requests of its own, at the batch price);
    # None: the provider has none.
    batch_cost: float | None = None


@dataclass(frozen=True)
class SecondOpinion:
    """A sample coded a second time, to compare with: by another model, or by the same model at another
    temperature (None: as the sample was), or both. The second coding never enters the dataset."""

    model: str | None = None
    temperature: float | None = None

    def __post_init__(self) -> None:
        model = (self.model or "").strip() or None
        object.__setattr__(self, "model", model)
        if model is None and self.temperature is None:
            raise InvalidInputError("A second opinion needs another model, another temperature, or both.")
        low, high = TEMPERATURES
        if self.temperature is not None and not low <= self.temperature <= high:
            raise InvalidInputError(
                f"A temperature is between {low:g} and {high:g} (0 is the most deterministic), "
                f"not {self.temperature:g}."
            )

    def describe(self) -> str:
        """In words: 'gpt-4o-mini at temperature 0.7', 'gpt-4o-mini', 'the same model at temperature 0.7'."""
        who = self.model or "the same model"
        return who if self.temperature is None else f"{who} at temperature {self.temperature:g}"


JOB_TYPE_WORDS = {
    JobType.SAMPLE: "sample",
    JobType.FULL: "all documents",
    JobType.SECOND_OPINION: "second opinion",
}
EVENT_WORDS = {
    LogEventType.JOB_STARTED: "started",
    LogEventType.JOB_RESUMED: "resumed",
    LogEventType.DOC_STARTED: "coding",
    LogEventType.DOC_COMPLETED: "coded",
    LogEventType.DOC_FAILED: "failed",
    LogEventType.JOB_PAUSED: "paused",
    LogEventType.JOB_CANCELLED: "cancelled",
    LogEventType.JOB_COMPLETED: "finished",
    LogEventType.JOB_FAILED: "stopped",
}


@dataclass(frozen=True)
class LogEntry:
    """One line of a run's log: what happened to the run or to one of its documents."""

    created_at: datetime
    event: LogEventType
    message: str

    def line(self) -> str:
        moment = self.created_at.astimezone().strftime("%H:%M:%S")
        return f"{moment}  {EVENT_WORDS[self.event]:<9} {self.message}".rstrip()
