"""A pack's answers mapped back to their own documents: by block id, grounded in the document alone, a
quote from another block refused, and a document the answer missed left to be coded alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coderai_desktop.domain.enums import ExtractionStatus, MatchStatus
from coderai_desktop.llm.errors import ProviderServerError
from coderai_desktop.llm.prompts import extraction_plans
from coderai_desktop.pipeline.extractor import DocumentInput
from coderai_desktop.pipeline.packed_extraction import PackedExtractor, PackResult, answered
from coderai_desktop.pipeline.values import ExtractedValue
from tests.fakes.openai_server import default_responder
from tests.unit.llm.specs import spec
from tests.unit.pipeline.scripted_client import USAGE, ScriptedClient
from tests.unit.pipeline.test_packing import CONTEXT

VARIABLES = [
    spec("city"),
    spec("count", "number"),
    spec("topics", "text", if_multiple_values="all"),
]
PLANS = extraction_plans(CONTEXT, VARIABLES, ScriptedClient().settings.mode)
TEXTS = {
    1: "We live in a small town.\ncity: Lyon\ncount: 3\ntopics: noise\ntopics: parks",
    2: "Too much traffic here.\ncity: Nantes\ncount: 7\ntopics: traffic",
    3: "No answer given.\ncity: Brest\ncount: 1",
}
DOCUMENTS = [DocumentInput(number, f"a{number}.txt", text, [0], []) for number, text in TEXTS.items()]
Responder = Callable[[dict], dict]


def reworded(change: Callable[[list[dict]], list[dict]]) -> Responder:
    """The default answer to a packed request, its per-document objects changed by `change`."""
    return lambda request: {"documents": change(default_responder(request)["documents"])}


async def extract(responder: Responder = default_responder) -> tuple[PackResult, ScriptedClient]:
    client = ScriptedClient(responder=responder)
    result = await PackedExtractor(client, VARIABLES, PLANS).extract(DOCUMENTS)  # type: ignore[arg-type]
    return result, client


def values(result: PackResult, document_id: int) -> dict[str, ExtractedValue]:
    (unit,) = result.coded[document_id].units
    return {value.variable: value for value in unit.values}


async def test_each_document_gets_its_own_answer_grounded_in_its_own_text() -> None:
    result, client = await extract()

    assert len(client.calls) == 1, "one call for the pack"
    assert set(result.coded) == {1, 2, 3} and not result.spent
    for number, text in TEXTS.items():
        city = values(result, number)["city"]
        assert city.status is ExtractionStatus.EXTRACTED
        assert city.evidence.status is MatchStatus.EXACT
        assert text[city.evidence.start : city.evidence.end] == f"city: {city.value}"
    assert values(result, 1)["topics"].value == ["noise", "parks"]
    assert values(result, 2)["count"].value == 7


async def test_the_calls_usage_is_shared_among_the_documents_and_counted_once() -> None:
    result, _client = await extract()

    results = [result.coded[number] for number in (1, 2, 3)]
    assert sum((item.usage for item in results), type(USAGE)()) == USAGE
    assert [item.calls for item in results] == [1, 0, 0], "the call counted once, with the first document"
    assert results[1].usage_by_scope == {PLANS[0].scope_key: results[1].usage}


async def test_a_quote_from_another_block_is_refused_and_flagged_never_attributed() -> None:
    def steal(objects: list[dict]) -> list[dict]:  # document 2's city answered from document 3's block
        objects[1]["city"] = {"value": "Brest", "confidence": 0.95, "evidence": "city: Brest"}
        objects[0]["topics"]["value"].append({"value": "traffic", "evidence": "topics: traffic"})
        return objects

    result, _client = await extract(reworded(steal))

    city = values(result, 2)["city"]
    assert city.value is None and city.status is ExtractionStatus.FLAGGED
    assert city.evidence.status is MatchStatus.NOT_FOUND and city.evidence.start is None
    assert city.evidence.quote == "city: Brest"
    assert "another document of the same call (a3.txt)" in (city.note or "")
    topics = values(result, 1)["topics"]
    assert topics.value == ["noise", "parks"], "the other item kept, the foreign one refused"
    assert topics.status is ExtractionStatus.FLAGGED and "a2.txt" in (topics.note or "")
    assert values(result, 3)["city"].value == "Brest", "the owner keeps its own value"


async def test_a_quote_found_nowhere_is_flagged_as_for_a_document_alone() -> None:
    def invent(objects: list[dict]) -> list[dict]:
        objects[2]["city"] = {"value": "Paris", "confidence": 0.9, "evidence": "city: Paris"}
        return objects

    result, _client = await extract(reworded(invent))

    city = values(result, 3)["city"]
    assert city.value == "Paris" and city.status is ExtractionStatus.FLAGGED
    assert (city.note or "").startswith("the quote was not found in the document;")
    assert "another document" not in (city.note or "")


@pytest.mark.parametrize(
    ("change", "left"),
    [
        (lambda objects: objects[:1] + objects[2:], {2}),
        (lambda objects: [*objects, {**objects[0]}], {1}),
        (lambda objects: [{**objects[0], "id": 9}, *objects[1:]], {1}),
        (lambda objects: [{"id": 1}, *objects[1:]], {1}),
        (lambda objects: [], {1, 2, 3}),
    ],
    ids=["missing", "answered twice", "unknown id", "no variable", "empty"],
)
async def test_a_document_the_answer_missed_is_left_to_code_alone_with_its_share(
    change: Callable[[list[dict]], list[dict]], left: set[int]
) -> None:
    result, _client = await extract(reworded(change))

    assert set(result.spent) == left and set(result.coded) == {1, 2, 3} - left
    for number in left:
        assert result.spent[number].usage.input_tokens > 0, "what the pack spent on it is counted"
        assert not result.spent[number].units


async def test_a_failed_call_leaves_every_document_to_code_alone() -> None:
    def fail(request: dict) -> dict:
        raise ProviderServerError("down")

    result, _client = await extract(fail)

    assert set(result.spent) == {1, 2, 3} and not result.coded
    assert all(item.usage == type(USAGE)() for item in result.spent.values())


def test_block_ids_are_read_tolerantly_and_strictly() -> None:
    data = {"documents": [{"id": "2", "a": 1}, {"id": True}, {"id": 0}, {"id": 3}, {"id": 3}, "x", {"id": 1}]}

    assert answered(data, 3) == {2: {"id": "2", "a": 1}, 1: {"id": 1}}
    assert answered({"documents": "none"}, 3) == {} and answered({}, 3) == {}
