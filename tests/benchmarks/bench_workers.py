"""Workers benchmark: one run coded by 1, 2 and 4 worker processes on PostgreSQL, against a fake
OpenAI-compatible server in its own process with a fixed latency per call.

Each worker process is the app's JobService joining the run (what `coderai job resume ID --worker` does),
started and ready before the clock starts, with the job's provider concurrency as its own limit. Prints,
for each number of workers: documents per second, the speed-up against one worker, the ratio to the
ideal limit workers x concurrency / latency (one call per document: 10 variables, no chunking), and the
workers' CPU time per document, with the rate this computer's cores could give at that cost (workers on
one computer share its cores; on several computers each has its own).

Needs a PostgreSQL server: CODERAI_TEST_PG_URL (a role that may create databases); each figure gets a fresh
database, dropped afterwards. Without it the benchmark says so and stops.

Run: python tests/benchmarks/bench_workers.py [--documents 200] [--latency 0.2] [--concurrency 4]
     [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.persistence.engine import normalise_url
from tests.benchmarks.bench_pipeline import fake_server, project_with_corpus, use_server, variables
from tests.integration.conftest import PG_URL_VARIABLE, fresh_postgres_database

USER, PASSWORD = "bench", "benchmark password"
# A worker: the app opened on the database, logged in, ready; on "go", it joins the job until it ends.
WORKER = """
import asyncio, sys, time
sys.path.insert(0, {root!r})
from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings

async def main():
    context = AppContext.open(Settings(data_dir={data!r}, db_url={url!r}))
    jobs = context.jobs(await context.accounts.login({user!r}, {password!r}))
    print("ready", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    done = await jobs.run({job}, join=True)
    print(done.status, time.process_time() - cpu, flush=True)
    context.close()

asyncio.run(main())
"""


async def prepared_job(url: str, work: Path, base_url: str, args: argparse.Namespace) -> int:
    """A project of `args.documents` ~700-word documents on the fake server, and a job to code them all."""
    context = AppContext.open(Settings(data_dir=work / "data", db_url=url, login_failure_delay=0.0))
    try:
        user = await context.accounts.create_account(USER, PASSWORD)
        project = await project_with_corpus(
            context, user, "Workers", variables(10), work / "corpus", args.documents
        )
        await use_server(context, user, base_url, args.concurrency)
        return (await context.jobs(user).start(project)).id
    finally:
        context.close()


def rate(url: str, work: Path, job_id: int, workers: int) -> tuple[float, float]:
    """Documents per second of `workers` processes coding the job together, from "go" to the last exit;
    and their CPU seconds per document."""
    root = str(Path(__file__).resolve().parents[2])
    code = WORKER.format(
        root=root, data=str(work / "data"), url=url, user=USER, password=PASSWORD, job=job_id
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(workers)
    ]
    try:
        for process in processes:
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        ended = [process.stdout.readline().split() for process in processes if process.stdout]
        elapsed = time.perf_counter() - started
    finally:
        for process in processes:
            process.kill()
            process.wait()
    assert [status for status, _cpu in ended] == [JobStatus.COMPLETED] * workers, ended
    documents = documents_coded(url, job_id)
    return documents / elapsed, sum(float(cpu) for _status, cpu in ended) / documents


def documents_coded(url: str, job_id: int) -> int:
    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.connect() as connection:
            query = sa.text(
                "SELECT documents_processed, documents_failed FROM processing_jobs WHERE id = :job"
            )
            processed, failed = connection.execute(query, {"job": job_id}).one()
    finally:
        engine.dispose()
    assert failed == 0, f"{failed} documents failed"
    return int(processed)


def main(args: argparse.Namespace) -> None:
    server = os.environ.get(PG_URL_VARIABLE)
    if not server:
        print(f"Skipped: set {PG_URL_VARIABLE} to a PostgreSQL server (a role that may create databases).")
        return
    os.environ["OPENAI_API_KEY"] = "sk-test"
    print(
        f"{args.documents} documents of ~700 words, 10 variables (one call each); fake server in its own "
        f"process, {args.latency:.2f} s per call; {args.concurrency} calls at once per worker; PostgreSQL"
    )
    rates: dict[int, float] = {}
    cores = os.cpu_count() or 1
    with fake_server(args.latency) as base_url:
        for workers in args.workers:
            work = Path(tempfile.mkdtemp(prefix="coderai-bench-workers-"))
            try:
                with fresh_postgres_database(server) as url:
                    job_id = asyncio.run(prepared_job(url, work, base_url, args))
                    rates[workers], cpu = rate(url, work, job_id, workers)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            limit = workers * args.concurrency / args.latency
            base = rates[min(rates)]
            print(
                f"   {workers} worker{'s' if workers > 1 else ' '}: {rates[workers]:6.1f} documents/s; "
                f"speed-up {rates[workers] / base:.2f}x vs {min(rates)}; "
                f"ideal {limit:.1f}/s ({workers} x {args.concurrency} / {args.latency:.2f} s), "
                f"ratio {rates[workers] / limit:.2f}; workers' CPU {1000 * cpu:.0f} ms per document "
                f"(at most {cores / cpu:.0f}/s on this computer's {cores} cores)"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2, help="the server's fixed latency in seconds")
    parser.add_argument("--concurrency", type=int, default=4, help="the provider's calls at once, per worker")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    main(parser.parse_args())
