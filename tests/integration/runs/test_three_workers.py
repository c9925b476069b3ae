"""One run, three machines: a job of 40 documents coded by three `coderai job resume ID --worker` processes on
PostgreSQL, against a fake server that takes its time; one of them is killed with SIGKILL in the middle of
its calls. The documents it was coding go back to the other two, and every document is coded exactly once:
one set of values each, the job's counters equal to its items, no document left claimed, the job COMPLETED
by the last worker."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.enums import JobItemStatus
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import (
    Configure,
    MakeCorpus,
    check_coded_once,
    items,
    on_postgres,
    start_cli,
    wait_for,
    worker_rows,
)

DOCUMENTS = 40
WORKERS = 3


@on_postgres
async def test_three_worker_processes_code_each_document_once_though_one_is_killed(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    tmp_path: Path,
) -> None:
    await configure(concurrency=2)
    corpus = await make_corpus(DOCUMENTS)
    server.latency = 0.8
    job = await jobs.start(corpus.project_id)
    logs = [tmp_path / f"worker-{number}.txt" for number in range(WORKERS)]
    children = [start_cli(context, log, "job", "resume", str(job.id), "--worker") for log in logs]
    victim = children[0]
    try:

        async def victim_mid_run() -> bool:
            """All three at work, the victim with documents coded and others in flight."""
            for child, log in zip(children, logs, strict=True):
                assert child.poll() is None, f"a worker ended early:\n{log.read_text()}"
            rows = {row.pid: row for row in worker_rows(context, job.id)}
            mine = rows.get(victim.pid)
            if len(rows) < WORKERS or mine is None or mine.documents_done < 2:
                return False
            return any(
                item.worker_id == mine.id and item.status is JobItemStatus.RUNNING
                for item in items(context, job.id).values()
            )

        await wait_for(victim_mid_run, timeout=30)
        in_flight = {
            document
            for document, item in items(context, job.id).items()
            if item.status is JobItemStatus.RUNNING
        }
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        codes = [await asyncio.to_thread(child.wait, 60) for child in children[1:]]
    finally:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)
    outputs = [log.read_text() for log in logs[1:]]

    assert victim.returncode == -signal.SIGKILL
    assert codes == [0, 0], outputs
    assert all(f"Job {job.id} completed: {DOCUMENTS} coded, 0 failed" in output for output in outputs), (
        outputs
    )
    finished = await jobs.get(job.id)
    check_coded_once(context, corpus, finished)
    workers = worker_rows(context, job.id)
    assert len(workers) == WORKERS and all(row.ended_at is not None for row in workers)
    assert sum(row.documents_done for row in workers) == DOCUMENTS, "each document stored by one worker"
    sent = corpus.requests_per_document(server.requests)
    sent_again = {corpus.ids[name] for name, count in sent.items() if count > 1}
    assert min(sent.values()) == 1 and max(sent.values()) <= 2
    assert sent_again <= in_flight, "only what was in flight when the victim died was sent again"
