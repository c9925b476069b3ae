"""`coderai run|estimate|jobs|job`: coding documents with the LLM, headless."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from coderai_desktop.commands.common import (
    SubParsers,
    add_command,
    add_group,
    log_in,
    log_in_for_job,
    print_table,
    project_as_written,
)
from coderai_desktop.commands.projects import PROJECT_HELP
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.job import JOB_TYPE_WORDS, Estimate, JobProgress, JobSummary, SecondOpinion
from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.formatting import duration, local_time, money, shorten

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext
    from coderai_desktop.pipeline.jobs import JobService

BAR_WIDTH = 30


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    run = commands.add_parser(
        "run",
        help="code documents with the LLM (a sample, chosen documents, or all)",
        description=(
            "Code documents with the LLM. A run can be paused (Ctrl+C) and resumed: nothing is lost. "
            "With --second-opinion (or --second-temperature), the sample is then coded a second time by "
            "another model (or at another temperature), to compare with; that coding never enters the "
            "dataset. --of-job asks for the second opinion of an earlier sample."
        ),
        parents=[common],
    )
    run.add_argument("project", help=PROJECT_HELP)
    which = run.add_mutually_exclusive_group(required=True)
    which.add_argument("--sample", type=int, metavar="N", help="a random sample of N ready documents")
    which.add_argument("--documents", type=int, nargs="+", metavar="ID", help="these documents (ids)")
    which.add_argument(
        "--full", action="store_true", help="every ready document not yet coded with these prompts"
    )
    which.add_argument(
        "--of-job",
        type=int,
        metavar="ID",
        help="no new sample: the second opinion of this earlier sample run (see `coderai jobs PROJECT`)",
    )
    run.add_argument(
        "--second-opinion",
        metavar="MODEL",
        help="then code the sample's documents again with MODEL, to compare (kept out of the dataset)",
    )
    run.add_argument(
        "--second-temperature",
        type=float,
        metavar="T",
        help="the second opinion's temperature (default: the sample's); alone: the same model at T",
    )
    run.add_argument(
        "--concurrency", type=int, help="documents coded at once (default: the provider setting)"
    )
    run.add_argument(
        "--mode", choices=[mode.value for mode in ExtractionMode], help="one call per group, or per variable"
    )
    run.add_argument("--seed", type=int, help="random seed of the sample (to draw the same sample again)")
    run.add_argument(
        "--batch",
        action="store_true",
        help=(
            "through the provider's Batch API (OpenAI, Azure OpenAI): half price, answers within 24 hours; "
            "this command waits and polls (Ctrl+C stops waiting: `coderai job resume ID` picks it up again)"
        ),
    )
    run.set_defaults(handler=run_job)
    estimate = commands.add_parser("estimate", help="tokens, cost and time of a run", parents=[common])
    estimate.add_argument("project", help=PROJECT_HELP)
    estimate.add_argument(
        "--sample", type=int, metavar="N", help="for a sample of N documents (default: all)"
    )
    estimate.set_defaults(handler=estimate_run)
    jobs = commands.add_parser("jobs", help="a project's runs", parents=[common])
    jobs.add_argument("project", help=PROJECT_HELP)
    jobs.set_defaults(handler=list_jobs)
    actions = add_group(commands, "job", "pause, resume or cancel a run")
    for name, handler, text in (
        ("pause", pause_job, "pause a run (it finishes the documents in progress)"),
        ("resume", resume_job, "resume a paused or interrupted run here, or help with a running one"),
        ("cancel", cancel_job, "cancel a run (results so far are kept)"),
        ("log", show_log, "what happened in a run, document by document"),
    ):
        command = add_command(actions, name, handler, text, common)
        command.add_argument("id", type=int, help="job id (see `coderai jobs PROJECT`)")
        if name == "resume":
            command.add_argument(
                "--worker",
                action="store_true",
                help=(
                    "help with a run that other computers are running (a lab's PostgreSQL database): "
                    "this process codes documents beside them; a paused run is started"
                ),
            )


async def run_job(context: AppContext, args: argparse.Namespace) -> int:
    opinion = _second_opinion(args)
    user = await log_in(context, args)
    jobs = context.jobs(user)
    mode = ExtractionMode(args.mode) if args.mode else None
    if opinion is not None and args.of_job is not None:
        return await _second_opinion_run(jobs, args, opinion, args.of_job)
    if opinion is not None:  # refused now rather than after the sample has been paid for
        await jobs.check_second_opinion(args.project, opinion, mode=mode)
    job = await jobs.start(
        args.project,
        sample=args.sample,
        document_ids=args.documents,
        mode=mode,
        concurrency=args.concurrency,
        seed=args.seed,
        batch=args.batch,
    )
    print(f"Job {job.id}: coding {job.documents_total} documents ({job.mode}, {job.model}).", file=sys.stderr)
    code = await _run_here(jobs, job.id, batch=job.batch)
    if opinion is None:
        return code
    if code != 0:
        print(
            f"No second opinion: sample job {job.id} did not finish. Once it has, ask for it with "
            f"`coderai run {shlex.quote(project_as_written(args))} --of-job {job.id}{_opinion_options(opinion)}`.",
            file=sys.stderr,
        )
        return code
    return await _second_opinion_run(jobs, args, opinion, job.id)


def _second_opinion(args: argparse.Namespace) -> SecondOpinion | None:
    """The second opinion asked for, if any; the combinations that make no sense refused plainly."""
    if args.second_opinion is None and args.second_temperature is None:
        if args.of_job is not None:
            raise InvalidInputError(
                "--of-job names the sample a second opinion codes again: add --second-opinion MODEL "
                "(or --second-temperature T for the same model at another temperature)."
            )
        return None
    if args.full:
        raise InvalidInputError(
            "A second opinion re-codes a sample: use --sample N (or --of-job ID for an earlier sample), "
            "not --full."
        )
    if args.of_job is not None and (args.mode or args.seed is not None):
        raise InvalidInputError(
            "--mode and --seed choose how a new sample is coded; with --of-job the second opinion codes "
            "the sample's documents the way the sample was."
        )
    return SecondOpinion(args.second_opinion, args.second_temperature)


async def _second_opinion_run(
    jobs: JobService, args: argparse.Namespace, opinion: SecondOpinion, of_job: int
) -> int:
    estimate = await jobs.estimate_second_opinion(args.project, opinion, of_job=of_job)
    print(
        f"Second opinion of job {of_job} by {opinion.describe()}: {_estimate_line(estimate)}", file=sys.stderr
    )
    job = await jobs.start_second_opinion(args.project, opinion, of_job=of_job, concurrency=args.concurrency)
    print(
        f"Job {job.id}: coding the {job.documents_total} documents of job {of_job} again "
        f"({job.mode}, {SecondOpinion(job.model, opinion.temperature).describe()}).",
        file=sys.stderr,
    )
    return await _run_here(jobs, job.id)


def _estimate_line(estimate: Estimate) -> str:
    return (
        f"{estimate.documents} documents, {estimate.calls} calls, about "
        f"{estimate.input_tokens + estimate.output_tokens:,} tokens, {money(estimate.cost)} "
        "(at the prices in the provider settings)."
    )


def _opinion_options(opinion: SecondOpinion) -> str:
    model = f" --second-opinion {shlex.quote(opinion.model)}" if opinion.model else ""
    temperature = f" --second-temperature {opinion.temperature:g}" if opinion.temperature is not None else ""
    return model + temperature


async def resume_job(context: AppContext, args: argparse.Namespace) -> int:
    user = await log_in_for_job(context, args)
    jobs = context.jobs(user)
    return await _run_here(jobs, args.id, batch=(await jobs.get(args.id)).batch, join=args.worker)


async def _run_here(jobs: JobService, job_id: int, *, batch: bool = False, join: bool = False) -> int:
    printer = _batch_printer() if batch else _progress_printer()
    try:
        return _report(await jobs.run(job_id, printer, join=join))
    except asyncio.CancelledError:  # Ctrl+C: the last worker to leave has recorded the job as paused
        print(
            f"\nJob {job_id}: this process stopped. Other workers coding it go on; if there were none, "
            f"it is paused: resume it with `coderai job resume {job_id}`.",
            file=sys.stderr,
        )
        raise


async def pause_job(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in_for_job(context, args)
    job = await context.jobs(user).pause(args.id)
    print(f"Job {job.id} is {job.status.lower()}; resume it with `coderai job resume {job.id}`.")


async def cancel_job(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in_for_job(context, args)
    job = await context.jobs(user).cancel(args.id)
    print(
        f"Job {job.id} is cancelled; the {job.documents_processed} documents coded so far keep their results."
    )


async def show_log(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in_for_job(context, args)
    for entry in await context.jobs(user).log(args.id):
        print(entry.line())


async def estimate_run(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    estimate = await context.jobs(user).estimate(args.project, sample=args.sample)
    basis = "measured on the last run" if estimate.measured else "assumed; measured after the first run"
    print(f"Documents:      {estimate.documents}")
    print(f"Calls:          {estimate.calls}")
    print(f"Input tokens:   {estimate.input_tokens:,}{_cached_share(estimate)}")
    print(f"Output tokens:  {estimate.output_tokens:,} (at most)")
    print(f"Cost:           {money(estimate.cost)} (at the prices in the provider settings)")
    if (alone := estimate.without_packing) is not None:
        print(f"Packing:        {estimate.documents_per_call:.1f} documents per call (short ones together)")
        print(
            f"Without it:     {alone.calls} calls, {alone.input_tokens:,} input tokens, "
            f"{alone.output_tokens:,} output tokens, {money(alone.cost)}"
        )
    if estimate.batch_cost is not None:
        print(
            f"As a batch:     {money(estimate.batch_cost)} (--batch: the Batch API's price, results within 24 hours)"
        )
    print(
        f"Time:           about {duration(estimate.seconds)} ({estimate.seconds_per_call:.1f} s per call, {basis})"
    )


def _cached_share(estimate: Estimate) -> str:
    if not estimate.cached_tokens:
        return ""
    return f" ({estimate.cached_tokens:,} expected from the provider's prompt cache, at its cached price)"


async def list_jobs(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    jobs = await context.jobs(user).jobs(args.project)
    if not jobs:
        print("No runs yet. Start one with: coderai run PROJECT --sample 10")
        return
    rows = [
        (
            job.id,
            JOB_TYPE_WORDS[job.job_type],
            job.status.lower(),
            f"{job.documents_processed}/{job.documents_total}",
            job.documents_failed,
            f"{job.tokens_in + job.tokens_out:,}",
            money(job.cost),
            job.model,
            local_time(job.started_at) if job.started_at else "",
            shorten(job.pause_reason or "", 60),
        )
        for job in jobs
    ]
    print_table(
        ("ID", "TYPE", "STATUS", "DONE", "FAILED", "TOKENS", "COST", "MODEL", "STARTED", "NOTE"), rows
    )
    for job in jobs:
        if job.workers:
            print(f"Job {job.id}: {job.workers_line()}.")


def _cached(job: JobSummary) -> str:
    """The prompt tokens the provider read from its cache, which cost less: worth saying when there are any."""
    return f" ({job.tokens_cached:,} of the prompt tokens cached)" if job.tokens_cached else ""


def _report(job: JobSummary) -> int:
    if sys.stderr.isatty():
        print(file=sys.stderr)  # below the progress bar
    print(
        f"Job {job.id} {job.status.lower()}: {job.documents_processed} coded, {job.documents_failed} failed, "
        f"{job.tokens_in + job.tokens_out:,} tokens{_cached(job)}, {money(job.cost)}."
    )
    if job.status is JobStatus.PAUSED:
        print(f"{job.pause_reason or 'Paused.'} Resume with `coderai job resume {job.id}`.")
        return 1
    return 0 if job.status is JobStatus.COMPLETED else 1


def _progress_printer() -> Callable[[JobProgress], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(progress: JobProgress) -> None:
        print(_bar(progress, shorten(progress.current, 30)).ljust(110), end="", file=sys.stderr, flush=True)

    return show


def _batch_printer() -> Callable[[JobProgress], None]:
    """The bar with what the batch job waits for; without a terminal, a line each time that changes."""
    said: list[str] = []

    def show(progress: JobProgress) -> None:
        waiting = progress.message if progress.status is JobStatus.RUNNING else ""
        if sys.stderr.isatty():
            print(_bar(progress, shorten(waiting, 70)).ljust(150), end="", file=sys.stderr, flush=True)
        elif waiting and waiting not in said[-1:]:
            said.append(waiting)
            print(_bar(progress, waiting).lstrip("\r"), file=sys.stderr, flush=True)

    return show


def _bar(progress: JobProgress, note: str) -> str:
    done = progress.processed + progress.failed
    filled = int(BAR_WIDTH * done / max(1, progress.total))
    failed = f", {progress.failed} failed" if progress.failed else ""
    return (
        f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{progress.total}{failed}, "
        f"{progress.tokens_in + progress.tokens_out:,} tokens, {money(progress.cost)} {note}"
    )
