"""A provider (or a proxy before it) whose error body repeats the API key: the key reaches no job, item or log
row, no terminal output of `run`, `provider test`, `jobs` or `job log`, no export and no file of the data
folder. The key comes from OPENAI_API_KEY, which nothing registers but the client that uses it; echoed bare
it can only be masked because the app knows it, echoed in a header it is masked by its shape too."""

from __future__ import annotations

import asyncio
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.logging_setup import MASK
from coderai_desktop.persistence.tables import JobItem, ProcessingJob, ProcessingLog
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import Cli
from tests.integration.runs.conftest import MODEL, PROJECT, MakeCorpus, on_each_backend

# No known key shape: only the app knowing the key can mask it.
KEY = f"lab{uuid.uuid4().hex}{uuid.uuid4().hex[:6]}"
ECHOES = {
    "bare key": f"Incorrect API key provided: {KEY}. You can find your key in your account.",
    "header": f"Unauthorized request (headers: {{'authorization': 'Bearer {KEY}'}})",
}


@pytest.fixture
def echoing_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=KEY, models=(MODEL,)) as fake:
        yield fake


@pytest.mark.parametrize("echo", ECHOES)
@on_each_backend
async def test_a_key_echoed_in_error_bodies_is_stored_printed_and_exported_nowhere(
    echo: str,
    echoing_server: FakeOpenAI,
    make_corpus: MakeCorpus,
    jobs: JobService,
    context: AppContext,
    user: UserSession,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    corpus = await make_corpus(3)

    async def use_server(timeout: float) -> None:
        """langchain-openai keeps one HTTP client per base URL and timeout for the whole process: commands
        run here one after another, each on its own event loop, need one each (as separate processes)."""
        await context.providers(user).save_workspace_settings(
            ProviderSettings(base_url=echoing_server.base_url, model=MODEL, request_timeout=timeout)
        )

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("CODERAI_USER", "ana")
    echoing_server.fail_next(401, times=1000, message=ECHOES[echo])
    url = context.settings.database_url
    exports = tmp_path / "exports"
    exports.mkdir()

    async def coderai(*args: str | Path) -> str:
        """The command in this process, on its own event loop in a thread (as in a terminal)."""
        result = await asyncio.to_thread(cli, "--db-url", url, "--data-dir", context.settings.data_dir, *args)
        return result.out + result.err

    await use_server(timeout=10)
    printed = [await coderai("provider", "test")]
    await use_server(timeout=11)
    printed.append(await coderai("run", PROJECT, "--sample", "2"))
    [job] = await jobs.jobs(corpus.project_id)
    assert job.status is JobStatus.PAUSED
    assert MASK in (job.pause_reason or ""), "the reason is kept, with the key masked"
    printed += [
        await coderai("jobs", PROJECT),
        await coderai("job", "log", str(job.id)),
        await coderai(
            "export",
            PROJECT,
            "--format",
            "json",
            "--out",
            exports / "data.json",
            "--codebook",
            exports / "c.md",
        ),
        await coderai(
            "export",
            PROJECT,
            "--format",
            "xlsx",
            "--out",
            exports / "data.xlsx",
            "--codebook",
            exports / "c.docx",
        ),
    ]

    assert echoing_server.requests, "the server was asked, and answered with the key"
    for output in printed:
        assert KEY not in output, output
    assert MASK in printed[0] and MASK in printed[1]
    for folder in (exports, context.settings.data_dir):
        for path in folder.rglob("*"):
            if path.is_file():
                assert KEY.encode() not in contents(path), path
    stored = stored_messages(context)
    assert any(MASK in message for message in stored), "the provider's words are kept, masked"
    assert not [message for message in stored if KEY in message]


def contents(path: Path) -> bytes:
    """A file's bytes; an XLSX or DOCX file's unzipped parts."""
    if not zipfile.is_zipfile(path):
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def stored_messages(context: AppContext) -> list[str]:
    """Every message a run stores from a provider: the job's reasons, its items' errors, its log."""
    columns = (
        ProcessingJob.pause_reason,
        ProcessingJob.error_message,
        JobItem.error_message,
        ProcessingLog.message,
    )
    with context.database.transaction() as session:
        return [value for column in columns for value in session.scalars(sa.select(column)) if value]


@pytest.mark.parametrize(
    "address",
    [
        f"https://lab:{KEY}@proxy.example/v1",
        f"https://proxy.example/v1?api-key={KEY}",
        f"http://h/v1?token={KEY}",
    ],
    ids=["user info", "api-key parameter", "token parameter"],  # the same in every test process
)
async def test_a_key_written_into_the_server_address_is_refused_and_never_saved(
    address: str, context: AppContext, user: UserSession, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODERAI_USER", "ana")
    url, folder = context.settings.database_url, context.settings.data_dir
    result = await asyncio.to_thread(
        cli,
        "--db-url",
        url,
        "--data-dir",
        folder,
        "provider",
        "set",
        "--kind",
        "compatible",
        "--base-url",
        address,
    )

    assert result.code == 1
    assert "base_url: the address contains a password or key" in result.err, result.err
    assert KEY not in result.out + result.err
    for path in folder.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
