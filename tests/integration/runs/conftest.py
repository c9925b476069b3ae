"""Fixtures of the run tests: a fake OpenAI-compatible server on real HTTP per test, a project with a small
codebook that covers every variable type, READY text documents of `name: value` lines imported through
the real importer (on ONE parser pool for the whole session: spawning parsers costs about a second), the
provider configured for the fake server, and a JobService with fast retries and heartbeats. A test marked
`on_each_backend` runs on a SQLite file, and on PostgreSQL when CODERAI_TEST_PG_URL is set."""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from langchain_openai.chat_models._client_utils import _cached_async_httpx_client

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.enums import DocumentStatus, JobItemStatus, JobStatus, LogEventType
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.export.model import Table
from coderai_desktop.export.service import ExportService
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.tables import (
    Document,
    Extraction,
    JobItem,
    JobWorker,
    ProcessingLog,
    Variable,
)
from coderai_desktop.pipeline.jobs import JobService
from tests.conftest import PASSWORD
from tests.fakes.documents import text_file
from tests.fakes.openai_server import FakeOpenAI, default_responder, document_of
from tests.integration.conftest import BACKENDS, Cli, CliResult

PROJECT = "Clean air plans"
MODEL = "fake-model"
API_KEY = "sk-test"
RETRY_DELAY = 0.01
HEARTBEAT = 0.2


def on_each_backend(test: Callable[..., Any]) -> Callable[..., Any]:
    """Run `test` on each database (see BACKENDS): its `settings`, and so its context, use that database."""
    by_backend = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
    return pytest.mark.usefixtures("database_url")(by_backend(test))


def on_postgres(test: Callable[..., Any]) -> Callable[..., Any]:
    """Run `test` on PostgreSQL only (several workers on one run need a lab's database)."""
    postgres = pytest.mark.parametrize("database_url", BACKENDS[1:], indirect=True)
    return pytest.mark.usefixtures("database_url")(postgres(test))


# The codebook: every type, a variable that keeps all its values, and a dependency.
VARIABLES = [
    VariableSpec(name="title", type="text", instructions="The plan's title."),
    VariableSpec(name="budget", type="number", instructions="The plan's budget in euros."),
    VariableSpec(name="adopted", type="date", instructions="When the plan was adopted."),
    VariableSpec(name="binding", type="boolean", instructions="Whether the plan is legally binding."),
    VariableSpec(
        name="sector",
        type="category",
        instructions="The sector the plan is about.",
        categories=[{"value": "energy"}, {"value": "transport"}, {"value": "housing"}],
    ),
    VariableSpec(
        name="topics",
        type="text",
        instructions="Every topic the plan covers.",
        if_multiple_values="all",
        max_values=5,
    ),
    VariableSpec(
        name="target_year",
        type="number",
        instructions="The year the binding targets must be met.",
        depends_on={"variable": "binding", "operator": "equals", "value": True},
    ),
]
NAMES = [variable.name for variable in VARIABLES]
SECTORS = ("energy", "transport", "housing")


@dataclass(frozen=True)
class Plan:
    """What one generated document says (and so what a run must find in it)."""

    name: str
    title: str
    budget: int
    adopted: str
    binding: bool
    sector: str
    topics: tuple[str, ...]
    target_year: int

    def text(self, filler: str = "") -> str:
        lines = [
            f"Municipal plan {self.name}",
            "",
            f"title: {self.title}",
            f"budget: {self.budget}",
            f"adopted: {self.adopted}",
            f"binding: {'yes' if self.binding else 'no'}",
            f"sector: {self.sector}",
            *(f"topics: {topic}" for topic in self.topics),
            f"target_year: {self.target_year}",
        ]
        return "\n".join(lines) + (f"\n\n{filler}" if filler else "") + "\n"

    @property
    def expected(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "budget": self.budget,
            "adopted": self.adopted,
            "binding": self.binding,
            "sector": self.sector,
            "topics": list(self.topics),
            "target_year": self.target_year if self.binding else None,
        }


def plan(number: int) -> Plan:
    return Plan(
        name=f"plan-{number:02d}.txt",
        title=f"Clean Air Plan {number}",
        budget=1000 * (number + 1),
        adopted=f"20{10 + number % 15:02d}-0{1 + number % 9}-1{number % 10}",
        binding=number % 2 == 0,
        sector=SECTORS[number % 3],
        topics=("air quality", f"topic {number}"),
        target_year=2030 + number,
    )


@dataclass
class Corpus:
    """The project and its READY documents: file name -> document id, and file name -> text."""

    project_id: int
    ids: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    # Documents that were imported but are not READY (their file had no text, say): name -> id.
    not_ready: dict[str, int] = field(default_factory=dict)

    def name_of(self, document_id: int) -> str:
        return next(name for name, found in self.ids.items() if found == document_id)

    def document_in(self, request: dict) -> str:
        """The file name of the document a recorded request was about (by its text)."""
        # The app escapes delimiters inside a document (so it cannot close its own <document> block).
        sent = (
            (document_of(request) or "")
            .replace("</ document>", "</document>")
            .replace("< document>", "<document>")
        )
        matches = [name for name, text in self.texts.items() if text.strip() and text.strip() in sent]
        if not matches:  # a chunk: the longest document that contains it
            matches = [name for name, text in self.texts.items() if sent.strip() and sent.strip() in text]
        assert matches, "a request about no known document"
        return max(matches, key=lambda name: len(self.texts[name]))

    def requests_per_document(self, requests: list[dict]) -> dict[str, int]:
        counts = dict.fromkeys(self.ids, 0)
        for request in requests:
            counts[self.document_in(request)] += 1
        return counts

    def check_results(self, table: Table) -> None:
        """Every row of a results table holds exactly what its plan says."""
        for row in table.records():
            assert {name: row[name] for name in NAMES} == self.plans[row["document"]].expected, row[
                "document"
            ]


# --- the app -------------------------------------------------------------------------------------------


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The test's data folder, without OCR (overrides the settings fixture of tests/conftest.py); a test
    marked `on_each_backend` uses the database it is parametrised with."""
    url = request.getfixturevalue("database_url") if "database_url" in request.fixturenames else ""
    return Settings(data_dir=tmp_path / "data", db_url=url, login_failure_delay=0.01, ocr_enabled=False)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=API_KEY, models=(MODEL,)) as fake:
        yield fake


@pytest.fixture
def documents(context: AppContext, user: UserSession, parser_pool: ParserPool) -> DocumentService:
    return DocumentService(context.database, user, context.settings, parser_pool)


@pytest.fixture
def providers(context: AppContext, user: UserSession) -> ProviderService:
    return ProviderService(context.database, user, context.secrets, environ={}, retry_delay=RETRY_DELAY)


@pytest.fixture
def exports(context: AppContext, user: UserSession) -> ExportService:
    return ExportService(context.database, user)


@pytest.fixture
def jobs(
    context: AppContext, user: UserSession, providers: ProviderService, documents: DocumentService
) -> JobService:
    return JobService(
        context.database, user, context.settings, providers, documents, heartbeat_seconds=HEARTBEAT
    )


def job_service(
    context: AppContext, user: UserSession, parser_pool: ParserPool, database: Database | None = None
) -> JobService:
    """A JobService built as the `jobs` fixture's is, for another user or on another engine (`database`:
    what another process of the app would open on the same data)."""
    database = database or context.database
    providers = ProviderService(database, user, context.secrets, environ={}, retry_delay=RETRY_DELAY)
    documents = DocumentService(database, user, context.settings, parser_pool)
    return JobService(database, user, context.settings, providers, documents, heartbeat_seconds=HEARTBEAT)


Configure = Callable[..., Awaitable[ProviderSettings]]


@pytest.fixture
async def configure(context: AppContext, user: UserSession, server: FakeOpenAI) -> Configure:
    """Save workspace provider settings for the fake server (with `overrides`), and the key in the keyring."""
    await context.secrets.set_api_key(user.workspace_id, "openai", API_KEY)

    async def save(**overrides: Any) -> ProviderSettings:
        fields: dict[str, Any] = {
            "kind": "openai",
            "base_url": server.base_url,
            "model": MODEL,
            "request_timeout": 10.0,
            "concurrency": 2,
            # One call per document, as these tests count them; test_packing.py turns packing on.
            "pack_token_budget": 0,
        }
        provider = ProviderSettings(**{**fields, **overrides})
        await context.providers(user).save_workspace_settings(provider)
        return provider

    await save()
    return save


MakeCorpus = Callable[..., Awaitable[Corpus]]


@pytest.fixture
def make_corpus(
    context: AppContext, user: UserSession, documents: DocumentService, tmp_path: Path
) -> MakeCorpus:
    """A project with `variables` (the codebook above by default) and one READY text document per plan,
    plus `extra` documents given as file name -> text."""

    async def make(
        count: int = 4,
        *,
        name: str = PROJECT,
        variables: list[VariableSpec] | None = None,
        project: ProjectContext | None = None,
        extra: dict[str, str] | None = None,
        filler: str = "",
    ) -> Corpus:
        summary = await context.projects(user).create_project(
            project or ProjectContext(name=name, description="Municipal clean air plans."),
            VARIABLES if variables is None else variables,
        )
        folder = tmp_path / f"files-{summary.id}"
        folder.mkdir()
        plans = [plan(number) for number in range(1, count + 1)]
        texts = {item.name: item.text(filler) for item in plans}
        texts.update(extra or {})
        for file_name, text in texts.items():
            text_file(folder, file_name, text)
        await documents.import_paths(summary.id, [folder])
        corpus = Corpus(summary.id, plans={item.name: item for item in plans})
        with context.database.transaction() as session:
            rows = session.scalars(sa.select(Document).where(Document.project_id == summary.id))
            for row in rows:
                if row.status is DocumentStatus.READY:
                    corpus.ids[row.file_name] = row.id
                    corpus.texts[row.file_name] = row.text or ""
                else:
                    corpus.not_ready[row.file_name] = row.id
        assert set(corpus.ids) | set(corpus.not_ready) == set(texts), "every file became a document"
        return corpus

    return make


@pytest.fixture
async def corpus(make_corpus: MakeCorpus, configure: Configure) -> Corpus:
    """The standard project: four plans, provider configured (grouped mode, concurrency 2)."""
    return await make_corpus(4)


# --- looking at what a run stored ----------------------------------------------------------------------


def items(context: AppContext, job_id: int) -> dict[int, JobItem]:
    with context.database.transaction() as session:
        rows = session.scalars(sa.select(JobItem).where(JobItem.job_id == job_id).order_by(JobItem.id))
        return {row.document_id: row for row in rows}


def check_coded_once(context: AppContext, corpus: Corpus, job: JobSummary) -> None:
    """One set of values per document, the counters equal to the items, no document left claimed."""
    values = Counter((row.document_id, row.variable_id) for row in extractions(context, job.id))
    assert len(values) == len(corpus.ids) * len(NAMES) and set(values.values()) == {1}
    rows = items(context, job.id).values()
    assert {row.status for row in rows} == {JobItemStatus.DONE}
    assert [row.worker_id for row in rows if row.worker_id is not None] == [], "no document left claimed"
    assert (job.status, job.documents_processed, job.documents_failed) == (JobStatus.COMPLETED, len(rows), 0)
    assert job.tokens_in == sum(row.tokens_in for row in rows)
    assert job.tokens_out == sum(row.tokens_out for row in rows)


def worker_rows(context: AppContext, job_id: int) -> list[JobWorker]:
    with context.database.transaction() as session:
        return list(
            session.scalars(sa.select(JobWorker).where(JobWorker.job_id == job_id).order_by(JobWorker.id))
        )


def item_statuses(context: AppContext, job_id: int) -> dict[int, JobItemStatus]:
    return {document_id: row.status for document_id, row in items(context, job_id).items()}


def extractions(context: AppContext, job_id: int | None = None) -> list[Extraction]:
    with context.database.transaction() as session:
        query = sa.select(Extraction).order_by(Extraction.id)
        if job_id is not None:
            query = query.where(Extraction.job_id == job_id)
        return list(session.scalars(query))


def events(context: AppContext, job_id: int) -> list[tuple[LogEventType, int | None]]:
    with context.database.transaction() as session:
        rows = session.scalars(
            sa.select(ProcessingLog).where(ProcessingLog.job_id == job_id).order_by(ProcessingLog.id)
        )
        return [(row.event_type, row.document_id) for row in rows]


def values_per_document(context: AppContext, job_id: int | None = None) -> Counter[int]:
    return Counter(row.document_id for row in extractions(context, job_id))


def variable_names(context: AppContext) -> dict[int, str]:
    with context.database.transaction() as session:
        return {row.id: row.name for row in session.scalars(sa.select(Variable))}


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Poll until `condition()` is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s")
        await asyncio.sleep(0.02)


async def coded_at_least(jobs: JobService, job_id: int, count: int) -> None:
    """Wait until the job has coded `count` documents."""

    async def enough() -> bool:
        return (await jobs.get(job_id)).documents_processed >= count

    await wait_for(enough)


def start_cli(
    context: AppContext, log: Path, *args: str, data_dir: Path | None = None
) -> subprocess.Popen[bytes]:
    """`coderai ARGS...` as a real process on the context's database (in `data_dir`, to stand for another
    computer), in its own process group so that SIGKILL reaches its workers too; its output goes to `log`.
    The key comes from OPENAI_API_KEY: the child has no keyring."""
    environment = {
        **os.environ,
        "CODERAI_DATA_DIR": str(data_dir or context.settings.data_dir),
        "CODERAI_DB_URL": context.settings.database_url,
        "CODERAI_USER": "ana",
        "CODERAI_PASSWORD": PASSWORD,
        "OPENAI_API_KEY": API_KEY,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",  # never the developer's keyring
    }
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "coderai_desktop", *args],
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


# --- the fake server --------------------------------------------------------------------------------------


def reported_usage(request: dict) -> tuple[int, int]:
    """The prompt and completion tokens the fake server reports for a request its default responder answered
    (see its module docstring)."""
    prompt = math.ceil(sum(len(message["content"]) for message in request["messages"]) / 4)
    answer = json.dumps(default_responder(request), ensure_ascii=False)
    return prompt, math.ceil(len(answer) / 4)


def closed_port() -> int:
    """A local port nothing listens on (bound, then released: connecting to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def packing_off(context: AppContext, user: UserSession) -> None:
    """Workspace settings that code each document in its own call, as the CLI tests count them (`coderai
    provider set` keeps what it is not given)."""
    await context.providers(user).save_workspace_settings(ProviderSettings(pack_token_budget=0))


@pytest.fixture
def coderai(
    cli: Cli, user: UserSession, server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, packing_off: None
) -> Cli:
    """`coderai ...` as Ana with OPENAI_API_KEY set and the provider configured for the fake server."""
    monkeypatch.setenv("CODERAI_USER", "ana")
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)

    def run(*args: str | Path) -> CliResult:
        _cached_async_httpx_client.cache_clear()  # a fresh HTTP client for each command's event loop
        result = cli(*args)
        assert "Traceback" not in result.err + result.out
        return result

    configured = run("provider", "set", "--kind", "openai", "--base-url", server.base_url, "--model", MODEL)
    assert configured.code == 0
    return run
