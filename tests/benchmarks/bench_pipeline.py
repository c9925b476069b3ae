"""Extraction benchmark: the app's runs against a fake OpenAI-compatible server in another process.

Prints, in one run on the same generated corpus:
  1. throughput: LLM calls per second of a full run, against the limit concurrency / latency that the
     server's fixed latency allows (target: 90% of the limit or better), and against the bare OpenAI SDK
     sending the same documents to the same server at the same concurrency (what HTTP alone achieves);
  2. prompt tokens per document, one call per group of variables (the default) against one call per
     variable (the baseline), for 10 and 50 variables;
  3. the app's own CPU time per call during the throughput run (everything but the server);
  4. short documents: survey-like answers of 30-150 words with 10 variables, each in its own call and
     packed several to a call: prompt tokens per document as a ratio to the document's own tokens (target:
     at most 2x packed), calls per document, and accuracy (must not change with packing);
  5. the share of the prompt tokens that form the cacheable prefix (system prompt and instruction, the
     same in every call) for the ~700-word documents (target: over 80%), of all of them and of those that
     are not the document's text, and what the server read from its prompt cache in the throughput run.

Run: python tests/benchmarks/bench_pipeline.py [--documents 200] [--latency 0.5] [--concurrency 8]
     [--answers 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import openai
import psutil
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import Category, ProjectContext, VariableSpec
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.provider import (
    DEFAULT_PACK_TOKENS,
    ExtractionMode,
    ProviderKind,
    ProviderSettings,
)
from coderai_desktop.llm.prompts import messages, prefix_messages
from coderai_desktop.persistence.tables import ProcessingJob
from coderai_desktop.pipeline.documents import load_document
from coderai_desktop.text_tokens import estimate_tokens
from tests.fakes import documents

THROUGHPUT_TARGET = 0.90
PACKED_RATIO_TARGET = 2.0  # prompt tokens per short document, in units of its own tokens
PREFIX_SHARE_TARGET = 0.80
ANSWER_WORDS = (30, 150)
TOKEN_SAMPLE = 10  # documents per mode in the token comparison
SERVER = """
import sys, time
sys.path.insert(0, {root!r})
from tests.fakes.openai_server import FakeOpenAI
server = FakeOpenAI(latency={latency}).start()
server.batches.delay = {batch_delay}
print(server.base_url, flush=True)
time.sleep(10**6)
"""


@contextlib.contextmanager
def fake_server(latency: float, batch_delay: float = 0.0) -> Iterator[str]:
    """A FakeOpenAI in its own process, so that its work (answering calls, finishing batches after
    `batch_delay` seconds) is not counted as the app's."""
    root = str(Path(__file__).resolve().parents[2])
    code = SERVER.format(root=root, latency=latency, batch_delay=batch_delay)
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


async def use_server(
    context: AppContext, user: UserSession, base_url: str, concurrency: int, **settings: object
) -> None:
    provider = ProviderSettings(
        kind=ProviderKind.COMPATIBLE,
        base_url=base_url,
        model="fake-model",
        concurrency=concurrency,
        request_timeout=60,
        **settings,  # type: ignore[arg-type]
    )
    await context.providers(user).save_workspace_settings(provider)


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
    args.cached_share = done.tokens_cached / done.tokens_in  # for figure 5
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


def write_answers(folder: Path, count: int, specs: list[VariableSpec]) -> dict[str, dict[str, object]]:
    """Survey-like answers of 30-150 words, each giving a few of the variables in `NAME: VALUE` lines (what
    the fake server reads); what each answer gives, by file name (None: it does not say)."""
    expected: dict[str, dict[str, object]] = {}
    for number in range(count):
        rng = random.Random(number)
        given = rng.sample(specs, rng.randint(2, 5))
        lines = [answer_line(spec, number) for spec in given]
        words = max(10, rng.randint(*ANSWER_WORDS) - sum(len(line.split()) for line in lines))
        name = f"answer{number:04}.txt"
        (folder / name).write_text(documents.prose(number, words) + "\n" + "\n".join(lines) + "\n", "utf-8")
        expected[name] = {spec.name: coded_value(spec, number) if spec in given else None for spec in specs}
    return expected


def coded_value(spec: VariableSpec, seed: int) -> object:
    """The value a correct coding stores for answer_line(spec, seed)."""
    kind = spec.type.lower()
    values = {
        "text": f"Measure {seed}",
        "number": seed * 3 * 1000 + 500,
        "date": f"2021-0{1 + seed % 9}-15",
        "boolean": bool(seed % 2),
        "category": "option_b",
    }
    return values[kind]


def job_calls(context: AppContext, job_id: int) -> int:
    with context.database.transaction() as session:
        return int(
            session.scalars(sa.select(ProcessingJob.settings).where(ProcessingJob.id == job_id)).one()[
                "calls"
            ]
        )


async def short_documents(
    context: AppContext, user: UserSession, args: argparse.Namespace, work: Path
) -> None:
    """Figure 4: the same answers coded alone and packed, in two projects."""
    specs = variables(10)
    folder = work / "answers"
    folder.mkdir()
    expected = write_answers(folder, args.answers, specs)
    own_tokens = sum(estimate_tokens(path.read_text("utf-8")) for path in folder.iterdir())
    print(
        f"4. Short documents: {args.answers} survey answers of {ANSWER_WORDS[0]}-{ANSWER_WORDS[1]} words, "
        f"10 variables, {own_tokens / args.answers:.0f} tokens each on average:"
    )
    accuracy = {}
    with fake_server(0.0) as base_url:
        for label, budget in (("alone", 0), ("packed", DEFAULT_PACK_TOKENS)):
            await use_server(context, user, base_url, args.concurrency, pack_token_budget=budget)
            project = await context.projects(user).create_project(
                ProjectContext(name=f"Survey {label}"), specs
            )
            await context.documents(user).import_paths(project.id, [folder])
            jobs = context.jobs(user)
            estimate = await jobs.estimate(project.id)
            started = time.perf_counter()
            done = await jobs.run((await jobs.start(project.id)).id)
            elapsed = time.perf_counter() - started
            assert done.status is JobStatus.COMPLETED and done.documents_failed == 0, done
            accuracy[label] = await scored(context, user, project.id, expected)
            calls = job_calls(context, done.id)
            ratio = done.tokens_in / own_tokens
            target = ""
            if label == "packed":
                verdict = "meets" if ratio <= PACKED_RATIO_TARGET else "MISSES"
                target = f" ({verdict} the {PACKED_RATIO_TARGET:g}x target)"
            print(
                f"   {label:>6}: {done.tokens_in / done.documents_processed:,.0f} prompt tokens per answer = "
                f"{ratio:.2f}x its own tokens{target}; {calls / done.documents_processed:.3f} calls per "
                f"answer ({calls} calls, estimate said {estimate.calls}); accuracy {accuracy[label]:.2%}; "
                f"{elapsed:.1f} s"
            )
    same = "unchanged" if accuracy["alone"] == accuracy["packed"] else "CHANGED"
    print(f"   accuracy {same} by packing")


async def scored(context: AppContext, user: UserSession, project: int, expected: dict[str, dict]) -> float:
    """The share of (answer, variable) values stored as expected."""
    table = await context.exports(user).table(project)
    right = total = 0
    for row in table.records():
        for name, value in expected[row["document"]].items():
            total += 1
            right += row[name] == value
    return right / total


async def prefix_share(context: AppContext, user: UserSession, args: argparse.Namespace, work: Path) -> None:
    """Figure 5, on the ~700-word documents of figure 2: the prefix's share of all prompt tokens, and of the
    prompt tokens that are not the document's text (what repeats from call to call)."""
    jobs = context.jobs(user)
    print("5. Cacheable prefix of the prompt (system prompt and instruction), ~700-word documents:")
    for count in (10, 50):
        project = f"Tokens {count}"
        setup = await jobs.setup(project)
        plan = setup.plans[0]
        ids = [summary.id for summary in await context.documents(user).list_documents(project)]
        for strict, form in ((False, "JSON mode, schema in the prompt"), (True, "strict schema")):
            # A strict schema travels in response_format, read (and cached) before the messages.
            schema = estimate_tokens(json.dumps(plan.schema, ensure_ascii=False)) if strict else 0
            prefix = total = text = 0
            for document_id in ids:
                document = await load_document(context.documents(user), document_id, setup.policy)
                prefix += schema + sum(
                    estimate_tokens(m["content"]) for m in prefix_messages(plan, strict=strict)
                )
                sent = messages(plan, document.text, strict=strict)
                total += schema + sum(estimate_tokens(m["content"]) for m in sent)
                text += estimate_tokens(document.text)
            verdict = "meets" if prefix / total > PREFIX_SHARE_TARGET else "MISSES"
            print(
                f"   {count} variables, {form}: {prefix / total:.0%} of the prompt tokens ({verdict} the "
                f"{PREFIX_SHARE_TARGET:.0%} target); {prefix / (total - text):.0%} of those that are not the "
                "document's text"
            )
    print(
        f"   the server's prompt cache in the throughput run (10 variables): {args.cached_share:.0%} of prompt tokens"
    )


@contextlib.asynccontextmanager
async def bench_workspace() -> AsyncIterator[tuple[AppContext, UserSession, Path]]:
    """A fresh data folder with one account, removed afterwards; the fake server's key in the environment
    (no system keyring needed)."""
    os.environ["OPENAI_API_KEY"] = "sk-test"
    work = Path(tempfile.mkdtemp(prefix="coderai-bench-"))
    context = AppContext.open(Settings(data_dir=work / "data", login_failure_delay=0.0))
    try:
        yield context, await context.accounts.create_account("bench", "benchmark password"), work
    finally:
        context.close()
        shutil.rmtree(work, ignore_errors=True)


async def main(args: argparse.Namespace) -> None:
    async with bench_workspace() as (context, user, work):
        print(
            f"Corpus: {args.documents} text documents of ~700 words; fake server in its own process; "
            f"SQLite in {work}"
        )
        cpu = await throughput(context, user, args, work)
        await tokens(context, user, args, work)
        print(cpu)
        await short_documents(context, user, args, work)
        await prefix_share(context, user, args, work)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.5, help="the server's fixed latency in seconds")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--answers", type=int, default=1000, help="short documents in figure 4")
    asyncio.run(main(parser.parse_args()))
