"""The right model for each value, over real HTTP: a variable coded by its own model, unsure values coded
again by the escalation model with both answers kept, costs per model, and the export naming the model of
each value."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.provider import ModelPrice
from coderai_desktop.export.model import ExportOptions
from coderai_desktop.export.service import ExportService
from coderai_desktop.persistence.tables import ProcessingJob, Prompt
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.pipeline.model_costs import DEFAULT_ESCALATED_SHARE
from tests.fakes.openai_server import FakeOpenAI, default_responder, schema_of
from tests.integration.runs.conftest import (
    API_KEY,
    MODEL,
    VARIABLES,
    Configure,
    MakeCorpus,
    extractions,
    variable_names,
)

OWN, STRONG = "own-model", "strong-model"
PRICES = {MODEL: (1.0, 2.0), OWN: (3.0, 4.0), STRONG: (10.0, 20.0)}


def responder(request: dict) -> dict:
    """The project's model doubts every budget; the others are sure."""
    answer = default_responder(request)
    if request.get("model") == MODEL and isinstance(answer.get("budget"), dict):
        answer["budget"]["confidence"] = 0.3
    return answer


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=API_KEY, models=(MODEL, OWN, STRONG), responder=responder) as fake:
        yield fake


def own_model_for(variable: str) -> list:
    return [spec.model_copy(update={"model": OWN}) if spec.name == variable else spec for spec in VARIABLES]


async def priced(configure: Configure, **fields: object) -> None:
    """The prices of the three models; packing off, so that each request is one document's."""
    (cheap_in, cheap_out), others = PRICES[MODEL], {m: p for m, p in PRICES.items() if m != MODEL}
    await configure(
        pack_token_budget=0,
        price_input_per_million=cheap_in,
        price_output_per_million=cheap_out,
        model_prices={model: ModelPrice(input=i, output=o) for model, (i, o) in others.items()},
        **fields,
    )


def job_settings(context: AppContext, job_id: int) -> dict:
    with context.database.transaction() as session:
        return dict(session.get(ProcessingJob, job_id).settings)  # type: ignore[union-attr]


async def test_a_variable_with_its_own_model_is_sent_to_that_model_alone(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, server: FakeOpenAI, context: AppContext
) -> None:
    await priced(configure)
    corpus = await make_corpus(2, variables=own_model_for("sector"))

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert done.status is JobStatus.COMPLETED
    asked = {(request["model"], frozenset(schema_of(request)["properties"])) for request in server.requests}
    others = frozenset(spec.name for spec in VARIABLES if spec.name != "sector")
    assert asked == {(OWN, frozenset({"sector"})), (MODEL, others)}
    names = variable_names(context)
    models = {(names[row.variable_id], row.model) for row in extractions(context, done.id)}
    assert models == {(name, OWN if name == "sector" else MODEL) for name in names.values()}
    per_model = job_settings(context, done.id)["models"]
    assert set(per_model) == {MODEL, OWN}
    assert sum(totals["tokens_in"] for totals in per_model.values()) == done.tokens_in
    expected = sum(
        (totals["tokens_in"] * PRICES[model][0] + totals["tokens_out"] * PRICES[model][1]) / 1e6
        for model, totals in per_model.items()
    )
    assert done.cost == pytest.approx(expected)


async def test_changing_a_variables_model_makes_a_new_prompt_version_only_for_its_plan(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, context: AppContext, user: UserSession
) -> None:
    corpus = await make_corpus(1, variables=own_model_for("sector"))
    await jobs.setup(corpus.project_id)
    projects = context.projects(user)
    codebook = await projects.get_codebook(corpus.project_id)
    changed = [
        spec.model_copy(update={"model": STRONG}) if spec.name == "sector" else spec
        for spec in codebook.variables
    ]
    await projects.save_codebook(corpus.project_id, Codebook(project=codebook.project, variables=changed))

    await jobs.setup(corpus.project_id)

    with context.database.transaction() as session:
        rows = [(p.scope_key, p.version, p.model, p.is_active) for p in session.scalars(sa.select(Prompt))]
    assert sorted(rows) == [
        ("grouped:1", 1, MODEL, True),
        (f"grouped:1@{OWN}", 1, OWN, True),  # no variable of that model any more: left as it was
        (f"grouped:1@{STRONG}", 1, STRONG, True),
    ]


async def test_unsure_values_are_coded_again_by_the_escalation_model_and_both_answers_kept(
    jobs: JobService,
    exports: ExportService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    await priced(configure)
    corpus = await make_corpus(2)
    without = await jobs.estimate(corpus.project_id)
    await priced(configure, escalation_model=STRONG)
    estimate = await jobs.estimate(corpus.project_id)

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert done.status is JobStatus.COMPLETED
    escalated = [request for request in server.requests if request["model"] == STRONG]
    assert len(escalated) == 2  # one per document, asking only for the budget
    assert all(set(schema_of(request)["properties"]) == {"budget"} for request in escalated)
    assert escalated[0]["messages"][0] == server.requests[0]["messages"][0]  # the same system prompt
    names = variable_names(context)
    rows = extractions(context, done.id)
    budgets = [row for row in rows if names[row.variable_id] == "budget"]
    assert {(row.model, row.confidence) for row in budgets} == {(STRONG, 0.9)}
    for row in budgets:
        plan = corpus.plans[corpus.name_of(row.document_id)]
        assert row.value == plan.budget
        assert row.escalated_from == {
            "value": plan.budget,
            "confidence": 0.3,
            "evidence_quote": f"budget: {plan.budget}",
            "model": MODEL,
        }
    others = [row for row in rows if names[row.variable_id] != "budget"]
    assert {row.model for row in others} == {MODEL} and not any(row.escalated_from for row in others)

    per_model = job_settings(context, done.id)["models"]
    assert set(per_model) == {MODEL, STRONG}
    assert per_model[MODEL]["tokens_in"] + per_model[STRONG]["tokens_in"] == done.tokens_in
    assert done.cost == pytest.approx(sum(totals["cost"] for totals in per_model.values()))
    assert per_model[STRONG]["cost"] == pytest.approx(
        (per_model[STRONG]["tokens_in"] * 10.0 + per_model[STRONG]["tokens_out"] * 20.0) / 1e6
    )
    # Priced before the run: with no past values, the default share of the calls again at the strong price.
    assert estimate.calls == without.calls + round(without.calls * DEFAULT_ESCALATED_SHARE)
    assert estimate.cost > without.cost

    table = await exports.table(corpus.project_id, ExportOptions(value_details=True))
    for record in table.records():
        assert (record["budget_model"], record["budget_escalated"]) == (STRONG, MODEL)
        assert (record["title_model"], record["title_escalated"]) == (MODEL, None)
