"""Batch run benchmark: a full run through the Batch API of a fake server in another process, whose batches
finish `--delay` seconds after they are created.

Prints:
  1. documents per minute of the app's own CPU over the whole batch run (submitting, polling, coding the
     answers, storing them), and the CPU split between submitting, waiting and coding;
  2. the cost of waiting: the app's CPU per poll and per minute while the batch is out (polling every
     `--poll` seconds), which is what a researcher's laptop spends on a run that takes hours.

Run: python tests/benchmarks/bench_batch.py [--documents 500] [--delay 10] [--poll 1]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psutil

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.job import JobProgress
from coderai_desktop.domain.provider import ProviderKind, ProviderSettings
from tests.benchmarks.bench_pipeline import bench_workspace, fake_server, project_with_corpus, variables


def cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


async def main(args: argparse.Namespace) -> None:
    async with bench_workspace() as (context, user, work):
        project = await project_with_corpus(context, user, "Batch", variables(10), work / "b", args.documents)
        with fake_server(0.0, batch_delay=args.delay) as base_url:
            settings = ProviderSettings(kind=ProviderKind.OPENAI, base_url=base_url, model="fake-model")
            await context.providers(user).save_workspace_settings(settings)
            jobs = context.jobs(user)
            jobs.batches.poll_seconds = args.poll
            job = await jobs.start(project, batch=True)
            waits: list[tuple[float, float]] = []  # (wall, cpu) at each poll that found the batch still out

            def seen(progress: JobProgress) -> None:
                if "at the provider" in progress.message:
                    waits.append((time.perf_counter(), cpu_seconds()))

            cpu_before, started = cpu_seconds(), time.perf_counter()
            done = await jobs.run(job.id, seen)
            cpu_total, elapsed = cpu_seconds() - cpu_before, time.perf_counter() - started
        assert done.status is JobStatus.COMPLETED and done.documents_failed == 0, done
        assert len(waits) >= 2, "the batch finished before a second poll: raise --delay"
        first, last = waits[0], waits[-1]
        submitting = first[1] - cpu_before
        waiting = last[1] - first[1]
        coding = cpu_total - submitting - waiting
        polls = len(waits) - 1
        print(
            f"Corpus: {args.documents} documents of ~700 words, 10 variables; batch finishes after "
            f"{args.delay:g} s; poll every {args.poll:g} s; fake server in its own process; SQLite in {work}"
        )
        print(
            f"1. {done.documents_processed} documents in {elapsed:.1f} s, {cpu_total:.2f} s of app CPU: "
            f"{done.documents_processed / (cpu_total / 60):,.0f} documents per CPU-minute"
        )
        print(
            f"   CPU: building and submitting {submitting:.2f} s, waiting {waiting:.2f} s, "
            f"coding and storing the answers {coding:.2f} s"
        )
        print(
            f"2. Waiting: {polls} polls in {last[0] - first[0]:.1f} s: {1000 * waiting / max(polls, 1):.1f} ms "
            f"of CPU per poll, {waiting / max(last[0] - first[0], 1e-9) * 60:.2f} s of CPU per minute at this "
            "poll interval"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--delay", type=float, default=10.0, help="seconds until the fake's batches finish")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls")
    asyncio.run(main(parser.parse_args()))
