"""Entity projects: find the entities of a document (in every chunk), then code one row per entity."""

from __future__ import annotations

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import MatchStatus
from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.ingest.chunking import ChunkSpan
from coderai_desktop.llm.prompts import CLOSING, ENTITY_SCOPE, entity_plan, extraction_plans
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentInput
from tests.unit.pipeline.extraction_builders import spec
from tests.unit.pipeline.scripted_client import ScriptedClient

CONTEXT = ProjectContext(
    name="Treaties", unit_of_observation="entity", entity_identification_pattern="each signatory country"
)
VARIABLES = [spec("pledge", "number")]
FIRST = "entity: Sweden\n[Sweden] pledge: 30\nentity: Norway\n[Norway] pledge: 10\n"
SECOND = "entity: SWEDEN\nentity: Iceland\n[Iceland] pledge: 5\n[Sweden] pledge: 35\n"
TEXT = FIRST + SECOND


def extractor(client: ScriptedClient) -> DocumentExtractor:
    plans = extraction_plans(CONTEXT, VARIABLES, ExtractionMode.GROUPED)
    return DocumentExtractor(client, CONTEXT, VARIABLES, plans, entity_plan(CONTEXT, VARIABLES))


async def test_one_row_per_entity_in_order_of_appearance_named_once() -> None:
    client = ScriptedClient()
    spans = [ChunkSpan(0, 0, len(FIRST), 10, 0), ChunkSpan(1, len(FIRST), len(TEXT), 10, 0)]

    result = await extractor(client).extract(DocumentInput(1, "t.txt", TEXT, [0], spans))

    names = [(unit.entity.index, unit.entity.name) for unit in result.units]
    assert names == [(0, "Sweden"), (1, "Norway"), (2, "Iceland")]  # "SWEDEN" is the same entity
    pledges = {unit.entity.name: unit.values[0].value for unit in result.units}
    assert pledges == {"Sweden": 30, "Norway": 10, "Iceland": 5}
    sweden = result.units[0].entity
    assert sweden.evidence.status is MatchStatus.EXACT
    assert TEXT[sweden.evidence.start : sweden.evidence.end] == "entity: Sweden"


async def test_the_entities_are_coded_in_one_call_that_lists_them_after_the_document() -> None:
    client = ScriptedClient()

    result = await extractor(client).extract(DocumentInput(1, "t.txt", FIRST, [0], []))

    entity_calls = [
        call
        for call in client.calls
        if "name" in call.schema["properties"]["entities"]["items"]["properties"]
    ]
    coding_calls = [call for call in client.calls if call not in entity_calls]
    assert len(entity_calls) == 1
    (group,) = coding_calls
    assert (
        group.messages[-1]["content"]
        == f"<document>\n{FIRST}\n</document>\n\nEntities:\n- Sweden\n- Norway\n\n{CLOSING}"
    )
    assert {call.messages[0]["content"] for call in client.calls} == {entity_calls[0].messages[0]["content"]}
    assert set(result.usage_by_scope) == {ENTITY_SCOPE, "grouped:1"}
    assert result.calls == 2


async def test_a_document_without_entities_has_no_rows() -> None:
    client = ScriptedClient()

    result = await extractor(client).extract(DocumentInput(1, "t.txt", "Nothing to see here.", [0], []))

    assert result.units == []
    assert result.calls == 1
