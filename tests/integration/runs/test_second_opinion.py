"""A second opinion: the documents a sample coded, coded again by another model (or the same model at
another temperature) with the sample's prompt versions, to compare with. Its values are kept beside the
sample's, record the model and temperature that produced them, and never enter the dataset; the project's
prompts and status do not change, and the next full run still codes exactly what no dataset run coded."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.enums import JobItemStatus, JobStatus, JobType, ProjectStatus
from coderai_desktop.domain.errors import ConflictError, InvalidInputError
from coderai_desktop.domain.job import SecondOpinion
from coderai_desktop.export.service import ExportService
from coderai_desktop.persistence.tables import ProcessingJob, Prompt
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.openai_server import FakeOpenAI, default_responder
from tests.integration.conftest import Cli
from tests.integration.runs.conftest import (
    API_KEY,
    MODEL,
    NAMES,
    PROJECT,
    Configure,
    Corpus,
    MakeCorpus,
    extractions,
    item_statuses,
    items,
    on_each_backend,
    variable_names,
)

SECOND = "second-model"
SAMPLE_TEMPERATURE = 0.1  # the lowest of the codebook's types (see test_results.py)


def responder(request: dict) -> dict:
    """The default answers; the second model reads every budget as twice what it is."""
    answer = default_responder(request)
    budget = answer.get("budget")
    if request.get("model") == SECOND and isinstance(budget, dict) and budget.get("value") is not None:
        answer["budget"] = {**budget, "value": budget["value"] * 2}
    return answer


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    """The fake server with two models (overrides the runs conftest's)."""
    with FakeOpenAI(api_key=API_KEY, models=(MODEL, SECOND), responder=responder) as fake:
        yield fake


def prompt_rows(context: AppContext) -> list[tuple[int, str, int, bool]]:
    with context.database.transaction() as session:
        rows = session.scalars(sa.select(Prompt).order_by(Prompt.id))
        return [(row.id, row.scope_key, row.version, row.is_active) for row in rows]


def stored(context: AppContext, job_id: int) -> tuple[dict, dict]:
    """The job's stored settings and selection."""
    with context.database.transaction() as session:
        job = session.scalars(sa.select(ProcessingJob).where(ProcessingJob.id == job_id)).one()
        return dict(job.settings), dict(job.selection)


async def run_sample(jobs: JobService, corpus: Corpus, size: int = 2) -> int:
    done = await jobs.run((await jobs.start(corpus.project_id, sample=size, seed=5)).id)
    assert done.status is JobStatus.COMPLETED
    return done.id


def budgets(context: AppContext, job_id: int) -> dict[int, Any]:
    budget = next(key for key, name in variable_names(context).items() if name == "budget")
    return {row.document_id: row.value for row in extractions(context, job_id) if row.variable_id == budget}


async def edit_budget(context: AppContext, user: UserSession, corpus: Corpus) -> None:
    """A researcher rewords the budget variable's instructions: its prompt changes."""
    projects = context.projects(user)
    codebook = await projects.get_codebook(corpus.project_id)
    edited = [
        variable.model_copy(update={"instructions": "The plan's total budget, in euros."})
        if variable.name == "budget"
        else variable
        for variable in codebook.variables
    ]
    await projects.save_codebook(corpus.project_id, Codebook(project=codebook.project, variables=edited))


@on_each_backend
async def test_another_model_codes_the_samples_documents_again_beside_the_dataset(
    jobs: JobService,
    exports: ExportService,
    corpus: Corpus,
    server: FakeOpenAI,
    context: AppContext,
    user: UserSession,
) -> None:
    sample = await run_sample(jobs, corpus)
    coded = sorted(items(context, sample))
    prompts_before = prompt_rows(context)
    sample_rows = extractions(context, sample)
    server.reset()

    opinion = SecondOpinion(SECOND)
    estimate = await jobs.estimate_second_opinion(corpus.project_id, opinion)
    job = await jobs.start_second_opinion(corpus.project_id, opinion)

    assert (job.job_type, job.status, job.documents_total, job.model) == (
        JobType.SECOND_OPINION,
        JobStatus.PENDING,
        2,
        SECOND,
    )
    settings, selection = stored(context, job.id)
    assert settings["second_opinion"] == {"model": SECOND, "temperature": None, "of_job": sample}
    assert selection == {"mode": "second opinion", "of_job": sample}
    assert settings["prompts"] == stored(context, sample)[0]["prompts"]
    assert sorted(items(context, job.id)) == coded

    done = await jobs.run(job.id)

    assert (done.status, done.documents_processed, done.documents_failed) == (JobStatus.COMPLETED, 2, 0)
    assert len(server.requests) == 2 and {request["model"] for request in server.requests} == {SECOND}
    rows = extractions(context, job.id)
    assert len(rows) == len(sample_rows) == 2 * len(NAMES)
    assert {row.model for row in rows} == {SECOND} and {row.model for row in sample_rows} == {MODEL}
    assert {row.temperature for row in rows} == {SAMPLE_TEMPERATURE}
    assert {row.prompt_id for row in rows} == {row.prompt_id for row in sample_rows}
    assert sorted({row.document_id for row in rows}) == coded
    first = budgets(context, sample)
    assert budgets(context, job.id) == {document: value * 2 for document, value in first.items()}
    assert prompt_rows(context) == prompts_before, "no new prompt version, the same ones active"
    project = await context.projects(user).get_project(corpus.project_id)
    assert project.status is ProjectStatus.SAMPLE_COMPLETE

    table = await exports.table(corpus.project_id)
    assert sorted(row["document_id"] for row in table.records()) == coded
    corpus.check_results(table)  # the sample's values: the second model's budgets are not there

    assert (estimate.documents, estimate.calls) == (2, 2)
    plain = await jobs.estimate(corpus.project_id, document_ids=coded)
    assert (estimate.input_tokens, estimate.output_tokens, estimate.cost) == (
        plain.input_tokens,
        plain.output_tokens,
        plain.cost,
    )

    full = await jobs.start(corpus.project_id)
    assert sorted(items(context, full.id)) == sorted(set(corpus.ids.values()) - set(coded))
    assert (await jobs.run(full.id)).status is JobStatus.COMPLETED
    table = await exports.table(corpus.project_id)
    assert sorted(row["document"] for row in table.records()) == sorted(corpus.ids)
    corpus.check_results(table)
    assert prompt_rows(context) == prompts_before


async def test_the_same_model_at_another_temperature_codes_an_earlier_sample(
    jobs: JobService, corpus: Corpus, server: FakeOpenAI, context: AppContext
) -> None:
    first = await run_sample(jobs, corpus, size=1)
    await run_sample(jobs, corpus, size=3)
    server.reset()

    job = await jobs.start_second_opinion(corpus.project_id, SecondOpinion(temperature=1.0), of_job=first)
    done = await jobs.run(job.id)

    assert (done.status, done.documents_processed, done.model) == (JobStatus.COMPLETED, 1, MODEL)
    assert sorted(items(context, job.id)) == sorted(items(context, first)), "the sample named, not the latest"
    assert [request["temperature"] for request in server.requests] == [1.0]
    assert [request["model"] for request in server.requests] == [MODEL]
    rows = extractions(context, job.id)
    assert {(row.model, row.temperature) for row in rows} == {(MODEL, 1.0)}
    assert stored(context, job.id)[0]["second_opinion"] == {
        "model": MODEL,
        "temperature": 1.0,
        "of_job": first,
    }


async def test_an_entity_project_identifies_entities_at_the_opinions_temperature_too(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, server: FakeOpenAI, context: AppContext
) -> None:
    from tests.integration.runs.test_entities import FIRM_VARIABLES, FIRMS, REPORT

    corpus = await make_corpus(0, project=FIRMS, variables=FIRM_VARIABLES, extra={"report.txt": REPORT})
    await run_sample(jobs, corpus, size=1)
    server.reset()

    done = await jobs.run((await jobs.start_second_opinion(corpus.project_id, SecondOpinion(SECOND, 0.9))).id)

    assert done.status is JobStatus.COMPLETED
    assert len(server.requests) == 2, "the entities, then the two entities together"
    assert {(request["model"], request["temperature"]) for request in server.requests} == {(SECOND, 0.9)}
    assert {(row.model, row.temperature) for row in extractions(context, done.id)} == {(SECOND, 0.9)}


async def test_what_a_second_opinion_refuses(
    jobs: JobService, make_corpus: MakeCorpus, corpus: Corpus, server: FakeOpenAI, context: AppContext
) -> None:
    opinion = SecondOpinion(SECOND)
    with pytest.raises(InvalidInputError, match="no coded sample yet: run a sample first"):
        await jobs.start_second_opinion(corpus.project_id, opinion)
    with pytest.raises(InvalidInputError, match="no coded sample yet"):
        await jobs.estimate_second_opinion(corpus.project_id, opinion)

    sample = await run_sample(jobs, corpus)
    for same in (SecondOpinion(MODEL), SecondOpinion(temperature=0.1), SecondOpinion(MODEL, 0.1)):
        with pytest.raises(InvalidInputError) as refused:
            await jobs.start_second_opinion(corpus.project_id, same, of_job=sample)
        assert str(refused.value) == (
            f"A second opinion by {same.describe()} would code sample job {sample} exactly as before "
            f"({MODEL} at temperature 0.1): choose another model or another temperature."
        )
    with pytest.raises(InvalidInputError, match="exactly as before"):
        await jobs.estimate_second_opinion(corpus.project_id, SecondOpinion(MODEL))

    other = await make_corpus(1, name="Other plans")
    other_sample = await run_sample(jobs, other, size=1)
    for wrong in (other_sample, 999):
        with pytest.raises(InvalidInputError, match=f"Job {wrong} is not a sample run of this project"):
            await jobs.start_second_opinion(corpus.project_id, opinion, of_job=wrong)

    full = await jobs.start(corpus.project_id)
    with pytest.raises(ConflictError, match=f"unfinished run \\(job {full.id}, pending"):
        await jobs.start_second_opinion(corpus.project_id, opinion)
    assert (await jobs.run(full.id)).status is JobStatus.COMPLETED
    with pytest.raises(InvalidInputError, match=f"Job {full.id} is not a sample run"):
        await jobs.start_second_opinion(corpus.project_id, opinion, of_job=full.id)

    with pytest.raises(InvalidInputError, match="another model, another temperature, or both"):
        SecondOpinion(" ")
    with pytest.raises(InvalidInputError, match="between 0 and 2"):
        SecondOpinion(SECOND, 2.5)

    assert [job.job_type for job in await jobs.jobs(corpus.project_id)] == [JobType.FULL, JobType.SAMPLE]
    server.reset()
    assert (await jobs.run((await jobs.start_second_opinion(corpus.project_id, opinion)).id)).status is (
        JobStatus.COMPLETED
    ), "the latest sample, though a full run came after it"
    assert len(server.requests) == 2


async def test_on_azure_another_model_is_refused_as_its_deployment_decides_the_model(
    jobs: JobService, corpus: Corpus, configure: Configure
) -> None:
    await configure(
        kind="azure", azure_endpoint="https://lab.openai.azure.com", azure_deployment="gpt-4o-lab"
    )

    with pytest.raises(InvalidInputError) as refused:
        await jobs.check_second_opinion(corpus.project_id, SecondOpinion(SECOND))

    assert str(refused.value) == (
        "On Azure OpenAI the deployment in the provider settings (gpt-4o-lab) decides which model answers, "
        f"so a second opinion cannot be asked of {SECOND} here. Ask for a second opinion at another "
        "temperature instead."
    )
    await jobs.check_second_opinion(corpus.project_id, SecondOpinion(temperature=1.0))


async def test_a_codebook_changed_since_the_sample_is_refused_without_touching_the_prompts(
    jobs: JobService, corpus: Corpus, context: AppContext, user: UserSession
) -> None:
    sample = await run_sample(jobs, corpus)
    await edit_budget(context, user, corpus)
    before = prompt_rows(context)

    for ask in (jobs.start_second_opinion, jobs.estimate_second_opinion):
        with pytest.raises(ConflictError) as refused:
            await ask(corpus.project_id, SecondOpinion(SECOND))
        assert str(refused.value) == (
            f"The codebook or its prompts changed since sample job {sample} was coded, so a second opinion "
            "would not ask the same questions. Run a new sample, then ask for its second opinion."
        )
    assert prompt_rows(context) == before, "the new versions prepared for the check were rolled back"
    assert len(await jobs.jobs(corpus.project_id)) == 1


async def test_a_codebook_changed_before_a_second_opinion_runs_stops_it_before_any_call(
    jobs: JobService, corpus: Corpus, server: FakeOpenAI, context: AppContext, user: UserSession
) -> None:
    await run_sample(jobs, corpus)
    job = await jobs.start_second_opinion(corpus.project_id, SecondOpinion(SECOND))
    await edit_budget(context, user, corpus)
    before = prompt_rows(context)
    server.reset()

    with pytest.raises(ConflictError, match=f"Cancel job {job.id}, run a new sample"):
        await jobs.run(job.id)

    assert (await jobs.get(job.id)).status is JobStatus.PENDING
    assert server.requests == [] and prompt_rows(context) == before


@on_each_backend
async def test_an_unknown_second_model_pauses_the_job_and_loses_nothing(
    jobs: JobService, exports: ExportService, corpus: Corpus, server: FakeOpenAI, context: AppContext
) -> None:
    sample = await run_sample(jobs, corpus)
    sample_rows = [(row.id, row.value) for row in extractions(context, sample)]
    table = await exports.table(corpus.project_id)

    job = await jobs.start_second_opinion(corpus.project_id, SecondOpinion("gpt-nope"))
    paused = await jobs.run(job.id)

    assert paused.status is JobStatus.PAUSED and paused.documents_processed == 0
    assert paused.pause_reason is not None
    assert "has no model named 'gpt-nope'" in paused.pause_reason
    assert "The model `gpt-nope` does not exist" in paused.pause_reason, "the server's own words"
    assert extractions(context, job.id) == []
    assert [(row.id, row.value) for row in extractions(context, sample)] == sample_rows
    assert (await exports.table(corpus.project_id)).records() == table.records()

    server.models = (*server.models, "gpt-nope")  # the model was deployed
    resumed = await jobs.resume(job.id)

    assert (resumed.status, resumed.documents_processed, resumed.documents_failed) == (
        JobStatus.COMPLETED,
        2,
        0,
    )
    assert set(item_statuses(context, job.id).values()) == {JobItemStatus.DONE}
    assert {row.model for row in extractions(context, job.id)} == {"gpt-nope"}


# --- the command line ---------------------------------------------------------------------------------


@pytest.fixture
async def plans(make_corpus: MakeCorpus) -> Corpus:
    return await make_corpus(4)


def test_a_sample_and_its_second_opinion_from_the_command_line(
    coderai: Cli, plans: Corpus, server: FakeOpenAI, context: AppContext
) -> None:
    run = coderai("run", PROJECT, "--sample", "2", "--seed", "5", "--second-opinion", SECOND)

    assert run.code == 0, run.err
    first, estimate, second = run.err.splitlines()
    assert first == "Job 1: coding 2 documents (grouped, fake-model)."
    assert re.fullmatch(
        r"Second opinion of job 1 by second-model: 2 documents, 2 calls, about [\d,]+ tokens, \$0\.0+ "
        r"\(at the prices in the provider settings\)\.",
        estimate,
    ), estimate
    assert second == "Job 2: coding the 2 documents of job 1 again (grouped, second-model)."
    reports = run.out.splitlines()
    assert len(reports) == 2
    assert reports[0].startswith("Job 1 completed: 2 coded, 0 failed")
    assert reports[1].startswith("Job 2 completed: 2 coded, 0 failed")
    assert [request["model"] for request in server.requests] == [MODEL, MODEL, SECOND, SECOND]
    assert sorted(items(context, 2)) == sorted(items(context, 1))

    again = coderai("run", PROJECT, "--of-job", "1", "--second-temperature", "1.0")
    assert again.code == 0, again.err
    assert (
        again.err.splitlines()[-1]
        == "Job 3: coding the 2 documents of job 1 again (grouped, fake-model at temperature 1)."
    )
    assert {(row.model, row.temperature) for row in extractions(context, 3)} == {(MODEL, 1.0)}

    listed = [re.split(r"\s{2,}", line.strip()) for line in coderai("jobs", PROJECT).out.splitlines()]
    assert listed[0][:8] == ["ID", "TYPE", "STATUS", "DONE", "FAILED", "TOKENS", "COST", "MODEL"]
    assert [(row[0], row[1], row[2], row[7]) for row in listed[1:]] == [
        ("3", "second opinion", "completed", MODEL),
        ("2", "second opinion", "completed", SECOND),
        ("1", "sample", "completed", MODEL),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--of-job", "1"),
            "error: --of-job names the sample a second opinion codes again: add --second-opinion MODEL "
            "(or --second-temperature T for the same model at another temperature).",
        ),
        (
            ("--full", "--second-opinion", SECOND),
            "error: A second opinion re-codes a sample: use --sample N (or --of-job ID for an earlier "
            "sample), not --full.",
        ),
        (
            ("--sample", "2", "--second-opinion", MODEL),
            f"error: A second opinion by {MODEL} would code the sample exactly as before ({MODEL} at "
            "temperature 0.1): choose another model or another temperature.",
        ),
        (
            ("--sample", "2", "--second-temperature", "7"),
            "error: A temperature is between 0 and 2 (0 is the most deterministic), not 7.",
        ),
        (
            ("--of-job", "1", "--second-opinion", SECOND),
            "error: Job 1 is not a sample run of this project: a second opinion codes a sample again (the "
            "project's runs list the samples).",
        ),
    ],
    ids=["of-job alone", "full", "the same model", "a temperature out of range", "no such sample"],
)
def test_second_opinions_that_make_no_sense_are_refused_before_any_call(
    coderai: Cli, plans: Corpus, server: FakeOpenAI, args: tuple[str, ...], message: str
) -> None:
    refused = coderai("run", PROJECT, *args)

    assert (refused.code, refused.out, refused.err) == (1, "", message + "\n")
    assert server.requests == []
    assert "No runs yet" in coderai("jobs", PROJECT).out
