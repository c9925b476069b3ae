"""Extraction benchmark: the app's runs against a fake OpenAI-compatible server in another process.

Prints, in one run on the same generated corpus:
  1. throughput: LLM calls per second of a full run, against the limit concurrency / latency that the
     server's fixed latency allows (target: 90% of the limit or better), and against the bare OpenAI SDK
     sending the same documents to the same server at the same concurrency (what HTTP alone achieves);
  2. prompt tokens per document, one call per group of variables (the default) against one call per
     variable (the baseline), for 10 and 50 variables;
  3. the app's own CPU time per call during the throughput run (everything but the server).

Run: python tests/benchmarks/bench_pipeline.py [--documents 200] [--latency 0.5] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import openai
import psutil

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import Category, ProjectContext, VariableSpec
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.provider import ExtractionMode, ProviderKind, ProviderSettings
from tests.fakes import documents

THROUGHPUT_TARGET = 0.90
TOKEN_SAMPLE = 10  # documents per mode in the token comparison
SERVER = """
import sys, time
sys.path.insert(0, {root!r})
from tests.fakes.openai_server import FakeOpenAI
server = FakeOpenAI(latency={latency}).start()
print(server.base_url, flush=True)
time.sleep(10**6)
"""


@contextlib.contextmanager
def fake_server(latency: float) -> Iterator[str]:
    """A FakeOpenAI in its own process, so that its work is not counted as the app's."""
    root = str(Path(__file__).resolve().parents[2])
    code = SERVER.format(root=root, latency=latency)
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait()


def variables(count: int) -> list[VariableSpec]:
    """A codebook of `count` variables cycling through the five types."""
    kinds = ["text", "number", "date", "boolean", "category"]
    specs = []
    for number in range(1, count + 1):
        kind = kinds[(number - 1) % len(kinds)]
        categories = (
            [Category(value=f"option_{letter}", definition=f"Option {letter} applies.") for letter in "abcd"]
            if kind == "category"
            else []
        )
        specs.append(
            VariableSpec(
                name=f"var_{number:02}",
                type=kind,
                instructions=f"The {kind} value the document gives for aspect {number} of the policy.",
                categories=categories,
            )
        )
    return specs


def answer_line(spec: VariableSpec, seed: int) -> str:
    values = {
        "text": f"Measure {seed}",
        "number": f"{seed * 3},500",
        "date": f"2021-0{1 + seed % 9}-15",
        "boolean": "yes" if seed % 2 else "no",
        "category": "option_b",
    }
    return f"{spec.name}: {values[spec.type.lower()]}"


def write_corpus(folder: Path, count: int, specs: list[VariableSpec]) -> None:
    """Text documents of about 700 words each, with a `NAME: VALUE` line per variable to find."""
    for number in range(count):
        lines = "\n".join(answer_line(spec, number) for spec in specs)
        body = documents.paragraphs(number, 6, words=(80, 160))
        (folder / f"doc{number:04}.txt").write_text(f"{body}\n\n{lines}\n", encoding="utf-8")


async def project_with_corpus(
    context: AppContext, user: UserSession, name: str, specs: list[VariableSpec], folder: Path, count: int
) -> int:
    folder.mkdir()
    write_corpus(folder, count, specs)
    project = await context.projects(user).create_project(ProjectContext(name=name), specs)
    await context.documents(user).import_paths(project.id, [folder])
    return project.id


async def use_server(context: AppContext, user: UserSession, base_url: str, concurrency: int) -> None:
    settings = ProviderSettings(
        kind=ProviderKind.COMPATIBLE,
        base_url=base_url,
        model="fake-model",
        concurrency=concurrency,
        request_timeout=60,
    )
    await context.providers(user).save_workspace_settings(settings)


async def throughput(context: AppContext, user: UserSession, args: argparse.Namespace, work: Path) -> str:
    """Prints figure 1; returns figure 3, the CPU time per call measured in the same run."""
    project = await project_with_corpus(
        context, user, "Throughput", variables(10), work / "t", args.documents
    )
    with fake_server(args.latency) as base_url:
        await use_server(context, user, base_url, args.concurrency)
        jobs = context.jobs(user)
        job = await jobs.start(project)
        me = psutil.Process()
        cpu_before, started = me.cpu_times(), time.perf_counter()
        done = await jobs.run(job.id)
        elapsed, cpu_after = time.perf_counter() - started, me.cpu_times()
        bare = await bare_sdk_rate(base_url, work / "t", args.concurrency)
    assert done.status is JobStatus.COMPLETED and done.documents_failed == 0, done
    calls = done.documents_processed  # one grouped call per document: 10 variables, no chunking
    rate, limit = calls / elapsed, args.concurrency / args.latency
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    verdict = "meets" if rate / limit >= THROUGHPUT_TARGET else "MISSES"
    print(f"1. Throughput: {calls} calls in {elapsed:.2f} s = {rate:.1f} calls/s")
    print(
        f"   limit {args.concurrency} concurrent / {args.latency:.2f} s latency = {limit:.1f} calls/s; "
        f"ratio {rate / limit:.2f} ({verdict} the {THROUGHPUT_TARGET:.0%} target)"
    )
    print(f"   bare OpenAI SDK, same documents and server: {bare:.1f} calls/s; ratio {rate / bare:.2f}")
    return f"3. App CPU time per call: {1000 * cpu / calls:.1f} ms ({cpu:.2f} s of CPU for {calls} calls)"


async def bare_sdk_rate(base_url: str, folder: Path, concurrency: int) -> float:
    """Calls per second of the OpenAI SDK alone, one call per document of `folder`, `concurrency` at once."""
    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
    slots = asyncio.Semaphore(concurrency)
    texts = [path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())]

    async def call(text: str) -> None:
        async with slots:
            await client.chat.completions.create(
                model="fake-model",
                messages=[{"role": "user", "content": text}],
                response_format={"type": "json_object"},
            )

    started = time.perf_counter()
    await asyncio.gather(*(call(text) for text in texts))
    elapsed = time.perf_counter() - started
    await client.close()
    return len(texts) / elapsed


async def tokens(context: AppContext, user: UserSession, args: argparse.Namespace, work: Path) -> None:
    print(f"2. Prompt tokens per document ({TOKEN_SAMPLE} documents, same documents in both modes):")
    with fake_server(0.0) as base_url:
        await use_server(context, user, base_url, args.concurrency)
        jobs = context.jobs(user)
        for count in (10, 50):
            specs = variables(count)
            project = await project_with_corpus(
                context, user, f"Tokens {count}", specs, work / f"v{count}", TOKEN_SAMPLE
            )
            per_document = {}
            for mode in (ExtractionMode.GROUPED, ExtractionMode.PER_VARIABLE):
                job = await jobs.start(project, sample=TOKEN_SAMPLE, mode=mode, seed=1)
                done = await jobs.run(job.id)
                assert done.status is JobStatus.COMPLETED and done.documents_failed == 0, done
                per_document[mode] = done.tokens_in / done.documents_processed
            grouped, single = per_document[ExtractionMode.GROUPED], per_document[ExtractionMode.PER_VARIABLE]
            print(
                f"   {count} variables: grouped {grouped:,.0f}, per-variable {single:,.0f} "
                f"({single / grouped:.1f}x more; grouped uses {grouped / single:.0%} of the baseline)"
            )


async def main(args: argparse.Namespace) -> None:
    os.environ["OPENAI_API_KEY"] = "sk-test"  # the fake server's key; no system keyring needed
    work = Path(tempfile.mkdtemp(prefix="coderai-bench-"))
    context = AppContext.open(Settings(data_dir=work / "data", login_failure_delay=0.0))
    try:
        user = await context.accounts.create_account("bench", "benchmark password")
        print(
            f"Corpus: {args.documents} text documents of ~700 words; fake server in its own process; "
            f"SQLite in {work}"
        )
        cpu = await throughput(context, user, args, work)
        await tokens(context, user, args, work)
        print(cpu)
    finally:
        context.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.5, help="the server's fixed latency in seconds")
    parser.add_argument("--concurrency", type=int, default=8)
    asyncio.run(main(parser.parse_args()))
