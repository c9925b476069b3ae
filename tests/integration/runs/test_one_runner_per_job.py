"""One job, one runner unless asked to help: two `coderai job resume N` started together (as two terminals on
this computer, and as two computers sharing the database) send each document once and count it once;
starting a job is won by exactly one of several connections at once; a project cannot be deleted under a
run that is coding it."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.errors import ConflictError
from coderai_desktop.persistence.engine import Database, create_engine
from coderai_desktop.persistence.worker_liveness import WorkerLiveness
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.pipeline.run_store import RunStore
from tests.fakes.openai_server import FakeOpenAI, default_responder
from tests.integration.runs.conftest import (
    PROJECT,
    Configure,
    MakeCorpus,
    coded_at_least,
    extractions,
    on_each_backend,
    start_cli,
)

DOCUMENTS = 12


@pytest.mark.parametrize("computers", ["one computer", "two computers"])
@on_each_backend
async def test_two_resumes_started_together_code_each_document_once(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    tmp_path: Path,
    computers: str,
) -> None:
    await configure(request_timeout=120.0)  # calls are held below for as long as the loser takes to start
    corpus = await make_corpus(DOCUMENTS)
    job = await jobs.start(corpus.project_id, concurrency=2)
    # The winner's calls wait until the loser has given up: however late the second process starts, the
    # run is still going on when it tries, whichever of the two wins.
    both_tried = threading.Event()
    server.responder = lambda request: both_tried.wait(120) and default_responder(request)
    # Two computers share only the database: each has its own data folder, so only the database decides.
    folders = [None, tmp_path / "other-computer"] if computers == "two computers" else [None, None]
    logs = [tmp_path / f"resume-{number}.txt" for number in (1, 2)]
    children = [
        start_cli(context, log, "job", "resume", str(job.id), data_dir=folder)
        for log, folder in zip(logs, folders, strict=True)
    ]
    await asyncio.to_thread(_first_to_exit, children, 120)
    both_tried.set()
    codes = [await asyncio.to_thread(child.wait, 120) for child in children]
    outputs = [log.read_text() for log in logs]

    assert sorted(codes) == [0, 1], outputs
    winner, loser = (outputs[0], outputs[1]) if codes[0] == 0 else (outputs[1], outputs[0])
    assert winner.startswith(f"Job {job.id} completed: {DOCUMENTS} coded, 0 failed"), winner
    assert f"Job {job.id} is already running" in loser and "Traceback" not in loser, loser
    assert set(corpus.requests_per_document(server.requests).values()) == {1}, "each document sent once"
    finished = await jobs.get(job.id)
    assert (finished.status, finished.documents_processed, finished.documents_failed) == (
        JobStatus.COMPLETED,
        DOCUMENTS,
        0,
    )
    tokens_per_document = Counter(row.document_id for row in extractions(context, job.id))
    assert len(tokens_per_document) == DOCUMENTS and len(set(tokens_per_document.values())) == 1


@on_each_backend
async def test_starting_a_job_is_won_by_exactly_one_of_several_connections_at_once(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, context: AppContext, user: UserSession
) -> None:
    corpus = await make_corpus(1)
    job = await jobs.start(corpus.project_id)
    setup = await jobs.setup(corpus.project_id)
    contenders = 4
    databases = [Database(create_engine(context.settings.database_url)) for _ in range(contenders)]
    try:
        for attempt in range(10):
            await jobs.pause(job.id)
            start = threading.Barrier(contenders)
            # Each stands for a process of its own: its engine, its worker lock.
            stores = [
                RunStore(user.workspace_id, job.id, setup, WorkerLiveness.of(database.engine))
                for database in databases
            ]

            def enlist(database: Database, store: RunStore, start: threading.Barrier = start) -> bool:
                start.wait()
                try:
                    with database.transaction() as session:
                        store.enlist(session)
                except ConflictError:
                    return False
                return True

            won = await asyncio.gather(
                *(
                    asyncio.to_thread(enlist, database, store)
                    for database, store in zip(databases, stores, strict=True)
                )
            )
            assert sum(won) == 1, f"attempt {attempt}: {won}"
            started = await jobs.get(job.id)
            assert started.status is JobStatus.RUNNING and len(started.workers) == 1
            stores[won.index(True)].release()  # the winner dies: the next attempt finds it dead
    finally:
        for database in databases:
            database.close()


@on_each_backend
async def test_a_project_cannot_be_deleted_while_a_run_codes_it(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    user: UserSession,
) -> None:
    corpus = await make_corpus(6)
    job = await jobs.start(corpus.project_id)
    server.latency = 0.2
    run = asyncio.create_task(jobs.run(job.id))
    projects = context.projects(user)
    try:
        await coded_at_least(jobs, job.id, 1)
        with pytest.raises(ConflictError, match=rf"{PROJECT} has a run in progress \(job {job.id}\)"):
            await projects.delete_project(corpus.project_id)
        await jobs.pause(job.id)
        await run
    finally:
        run.cancel()
    coded = len(extractions(context, job.id))
    assert coded, "the run kept what it coded"
    # Paused: nothing runs, so the project (and its paused run) can go.
    deleted = await projects.delete_project(corpus.project_id)
    assert deleted.id == corpus.project_id
    assert extractions(context, job.id) == []


def _first_to_exit(children: list[subprocess.Popen[bytes]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while all(child.poll() is None for child in children):
        assert time.monotonic() < deadline, "neither process gave up"
        time.sleep(0.05)
