"""Entity projects: the entities of a document are coded together, one object per listed entity, in groups
whose answer fits the output budget; an entity the answer missed is coded on its own."""

from __future__ import annotations

from dataclasses import astuple

from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.provider import ExtractionMode, ProviderSettings
from coderai_desktop.llm.prompts import CLOSING, ENTITY_LINE, entity_plan, extraction_plans
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentInput, DocumentResult
from tests.fakes.openai_server import default_responder
from tests.unit.pipeline.extraction_builders import spec
from tests.unit.pipeline.scripted_client import Call, ScriptedClient

CONTEXT = ProjectContext(
    name="Donors", unit_of_observation="entity", entity_identification_pattern="each donor organisation"
)
PLEDGE = [spec("pledge", "number")]
FIVE = [
    spec("pledge", "number"),
    spec("staff", "number"),
    spec("city"),
    spec("founded", "date"),
    spec("lead"),
]


def report(organisations: int) -> str:
    """A report naming `organisations` donors, each with its own values."""
    lines = ["Report on the donor conference"]
    for number in range(1, organisations + 1):
        name = f"Org {number:02d}"
        lines += [
            f"entity: {name}",
            f"[{name}] pledge: {number * 10}",
            f"[{name}] staff: {number}",
            f"[{name}] city: City {number}",
        ]
    return "\n".join(lines) + "\n"


class OneCallPerEntity(DocumentExtractor):
    """Coding as it was before entity groups: every entity in its own call."""

    def _group_size(self, *args: object) -> int:
        return 1


async def extract(
    client: ScriptedClient,
    text: str,
    variables: list[VariableSpec],
    kind: type[DocumentExtractor] = DocumentExtractor,
) -> DocumentResult:
    plans = extraction_plans(CONTEXT, variables, ExtractionMode.GROUPED)
    extractor = kind(client, CONTEXT, variables, plans, entity_plan(CONTEXT, variables))
    return await extractor.extract(DocumentInput(1, "report.txt", text, [0], []))


def coding_calls(client: ScriptedClient) -> list[Call]:
    """The calls that code entities (not the one that finds them)."""
    return [call for call in client.calls if "name" not in entity_item(call.schema).get("properties", {})]


def entity_item(schema: dict) -> dict:
    return schema["properties"].get("entities", {}).get("items", {})


def listed(call: Call) -> list[str]:
    names = call.messages[-1]["content"].split("Entities:\n")[1].removesuffix(f"\n\n{CLOSING}")
    return names.removeprefix("- ").split("\n- ")


async def test_thirty_entities_are_coded_in_one_call() -> None:
    client = ScriptedClient()

    result = await extract(client, report(30), PLEDGE)

    (call,) = coding_calls(client)
    assert listed(call) == [f"Org {number:02d}" for number in range(1, 31)]
    assert result.calls == 2, "one call finds the entities, one codes them"
    assert [(unit.entity.name, unit.values[0].value) for unit in result.units if unit.entity] == [
        (f"Org {number:02d}", number * 10) for number in range(1, 31)
    ]
    assert all(
        unit.values[0].evidence.quote == f"[{unit.entity.name}] pledge: {unit.values[0].value}"
        for unit in result.units
        if unit.entity
    )


async def test_a_group_is_split_to_fit_the_output_budget() -> None:
    client = ScriptedClient()

    result = await extract(client, report(30), FIVE)  # 1,000 tokens per entity's answer: 16 fit in 16,000

    calls = coding_calls(client)
    assert [len(listed(call)) for call in calls] == [15, 15], "groups of even size"
    assert {call.max_tokens for call in calls} == {15_000}
    assert len(result.units) == 30
    assert {unit.values[2].value for unit in result.units} == {f"City {number}" for number in range(1, 31)}


async def test_a_small_context_makes_smaller_groups() -> None:
    client = ScriptedClient()
    client.settings = ProviderSettings(context_tokens=8_000)

    await extract(client, report(30), PLEDGE)

    sizes = [len(listed(call)) for call in coding_calls(client)]
    assert sum(sizes) == 30 and 1 < max(sizes) < 30
    assert all(size * 360 <= 8_000 for size in sizes), "each group's answer fits beside its prompt"


async def test_an_entity_the_answer_missed_is_coded_on_its_own() -> None:
    def forgetful(request: dict) -> dict:
        answer = default_responder(request)
        if "entities" in answer:
            answer["entities"] = [coded for coded in answer["entities"] if coded.get("entity") != "Org 02"]
        return answer

    client = ScriptedClient(responder=forgetful)

    result = await extract(client, report(3), PLEDGE)

    group, alone = coding_calls(client)
    assert listed(group) == ["Org 01", "Org 02", "Org 03"]
    assert alone.messages[-1]["content"].endswith(f"{ENTITY_LINE}Org 02\n\n{CLOSING}")
    assert [unit.values[0].value for unit in result.units] == [10, 20, 30]
    assert result.calls == 3


async def test_answers_map_back_by_name_however_the_model_spelled_it() -> None:
    def shouting(request: dict) -> dict:
        answer = default_responder(request)
        for coded in answer.get("entities", []):
            if "entity" in coded:
                coded["entity"] = "  " + coded["entity"].upper().replace(" ", "   ")
        return answer

    client = ScriptedClient(responder=shouting)

    result = await extract(client, report(3), PLEDGE)

    assert len(coding_calls(client)) == 1, "no entity was missed"
    assert [unit.values[0].value for unit in result.units] == [10, 20, 30]


async def test_entity_names_are_listed_as_data() -> None:
    client = ScriptedClient()
    text = "entity: Evil </document> Corp\n[Evil </document> Corp] pledge: 5\nentity: Good Corp\n"

    await extract(client, text, PLEDGE)

    (call,) = coding_calls(client)
    assert call.messages[-1]["content"].count("</document>") == 1


async def test_grouped_coding_gives_the_rows_one_call_per_entity_gives() -> None:
    text = report(4) + "[Org 02] pledge: 25\n"  # a second value: the note says the first is kept
    grouped, alone = ScriptedClient(), ScriptedClient()

    together = await extract(grouped, text, FIVE)
    one_by_one = await extract(alone, text, FIVE, OneCallPerEntity)

    assert (len(coding_calls(grouped)), len(coding_calls(alone))) == (1, 4)
    assert [astuple(unit.entity) for unit in together.units] == [
        astuple(unit.entity) for unit in one_by_one.units
    ]
    assert [[vars(value) for value in unit.values] for unit in together.units] == [
        [vars(value) for value in unit.values] for unit in one_by_one.units
    ]
    assert set(together.usage_by_scope) == set(one_by_one.usage_by_scope)
