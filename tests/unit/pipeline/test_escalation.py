"""Escalation: exactly the unsure values of a document are coded again by the escalation model, with the
run's prompts narrowed to them; the stronger answer is in force and the first one is kept."""

from __future__ import annotations

from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.enums import ExtractionStatus
from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.ingest.chunking import ChunkPolicy
from coderai_desktop.llm.client import Usage
from coderai_desktop.pipeline.escalation import EscalatedValue, escalation_key, with_escalation
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentInput
from coderai_desktop.pipeline.model_costs import usage_by_model
from coderai_desktop.pipeline.planning import PromptRef, RunSetup, model_plans
from tests.fakes.openai_server import default_responder
from tests.unit.llm.specs import spec
from tests.unit.pipeline.scripted_client import USAGE, ScriptedClient

CHEAP, STRONG, OWN = "cheap-model", "strong-model", "own-model"
CONTEXT = ProjectContext(name="Climate plans")
TEXT = "city: Oslo\nbudget: 4500\nbinding: yes\ntarget: 2030\nsector: energy\n"
VARIABLES = [
    spec("city"),  # its quote is not found: flagged
    spec("budget", "number"),  # confidence below its threshold
    spec("binding", "boolean"),  # sure
    spec("mayor"),  # not in the document: null with a low confidence, which is not unsure
    spec(  # answered with a low confidence, but not applicable (binding is true)
        "target", "number", depends_on={"variable": "binding", "operator": "equals", "value": False}
    ),
    spec("sector", model=OWN, confidence_threshold=0.95),  # its own model, below its threshold
]


def responder(request: dict) -> dict:
    """The cheap models misquote the city and doubt the budget, target and sector; the strong one is sure."""
    answer = default_responder(request)
    if request["model"] == STRONG:
        return answer
    if "city" in answer:
        answer["city"]["evidence"] = "the city of Bergen"
    for name in ("budget", "target"):
        if name in answer:
            answer[name]["confidence"] = 0.3
    return answer


def setup(variables: list[VariableSpec] = VARIABLES, escalation: str | None = STRONG) -> RunSetup:
    settings = ProviderSettings(model=CHEAP, escalation_model=escalation)
    plans = model_plans(CONTEXT, variables, settings)
    return RunSetup(
        project_id=1,
        context=CONTEXT,
        variables=variables,
        variable_ids={variable.name: number for number, variable in enumerate(variables, 1)},
        plans=plans,
        entity_plan=None,
        prompts={plan.scope_key: PromptRef(number, 1) for number, plan in enumerate(plans, 1)},
        settings=settings,
        policy=ChunkPolicy.classic(),
    )


async def code(run: RunSetup, client: ScriptedClient):  # type: ignore[no-untyped-def]
    first = DocumentExtractor(client, run.context, run.variables, run.plans, None)
    document = DocumentInput(3, "plan.txt", TEXT, [0], [])
    return await with_escalation(first, client, run).extract(document)


async def test_exactly_the_unsure_values_are_coded_again_by_the_escalation_model() -> None:
    client = ScriptedClient(responder=responder)
    client.settings = ProviderSettings(model=CHEAP)

    result = await code(setup(), client)

    strong = [call for call in client.calls if call.model == STRONG]
    assert len(strong) == 2  # the project model's group and the own model's, each narrowed
    asked = [set(call.schema["properties"]) for call in strong]
    assert asked == [{"city", "budget"}, {"sector"}]
    system = [call.messages[0]["content"] for call in client.calls if call.model != STRONG]
    assert all(call.messages[0]["content"] == system[0] for call in strong)  # the same codebook prompt
    values = {value.variable: value for value in result.units[0].values}
    assert {name for name, value in values.items() if isinstance(value, EscalatedValue)} == {
        "city",
        "budget",
        "sector",
    }
    assert result.calls == len(client.calls) == 4


async def test_the_stronger_answer_is_in_force_and_the_first_is_kept() -> None:
    client = ScriptedClient(responder=responder)
    client.settings = ProviderSettings(model=CHEAP)

    result = await code(setup(), client)

    values = {value.variable: value for value in result.units[0].values}
    budget, city, sector = values["budget"], values["city"], values["sector"]
    assert isinstance(budget, EscalatedValue) and isinstance(city, EscalatedValue)
    assert (budget.value, budget.confidence, budget.model) == (4500, 0.9, STRONG)
    assert budget.first_answer() == {
        "value": 4500,
        "confidence": 0.3,
        "evidence_quote": "budget: 4500",
        "model": CHEAP,
    }
    assert city.status is ExtractionStatus.EXTRACTED and city.evidence.quote == "city: Oslo"
    first_city = city.first_answer()
    assert first_city["evidence_quote"] == "the city of Bergen" and city.first is not None
    assert city.first.status is ExtractionStatus.FLAGGED
    assert isinstance(sector, EscalatedValue) and sector.first_model == OWN
    assert budget.scope_key == "grouped:1" and budget.usage_key == escalation_key("grouped:1")


async def test_costs_are_counted_per_model() -> None:
    client = ScriptedClient(responder=responder)
    client.settings = ProviderSettings(model=CHEAP)
    run = setup()

    result = await code(run, client)

    assert usage_by_model(result, run) == {CHEAP: USAGE, OWN: USAGE, STRONG: USAGE + USAGE}
    assert sum(usage_by_model(result, run).values(), Usage()) == result.usage


async def test_nothing_is_escalated_without_an_escalation_model_or_an_unsure_value() -> None:
    client = ScriptedClient(responder=responder)
    client.settings = ProviderSettings(model=CHEAP)
    await code(setup(escalation=None), client)
    sure = ScriptedClient()
    sure.settings = ProviderSettings(model=CHEAP)
    await code(setup([spec("city"), spec("binding", "boolean")]), sure)

    assert [call.model for call in client.calls + sure.calls] == [CHEAP, OWN, CHEAP]
