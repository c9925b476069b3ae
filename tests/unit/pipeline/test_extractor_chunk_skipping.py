"""Chunks in order: a later chunk is asked only for what earlier chunks left open (a variable keeping the
first value, found with a located quote at its confidence threshold is settled); none left, no call."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.ingest.chunking import ChunkSpan
from coderai_desktop.llm.prompts import CLOSING, extraction_plans
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentInput
from tests.fakes.openai_server import default_responder
from tests.unit.pipeline.extraction_builders import spec
from tests.unit.pipeline.scripted_client import ScriptedClient

CONTEXT = ProjectContext(name="Climate plans")
FIRST_CHUNK = "Plan of the city\ncity: Oslo\nbudget: 4,500\n"
SECOND_CHUNK = "Annex\ncity: Bergen\nbudget: 9,000\nbinding: yes\n"
THIRD_CHUNK = "Closing words\ncity: Tromso\n"


async def run(client: ScriptedClient, variables: list[VariableSpec], *chunks: str) -> dict[str, Any]:
    """The coded values (by variable) of a document made of `chunks` (by default, the three above)."""
    text, spans = "", []
    for index, chunk in enumerate(chunks or (FIRST_CHUNK, SECOND_CHUNK, THIRD_CHUNK)):
        spans.append(ChunkSpan(index, len(text), len(text) + len(chunk), 10, 0))
        text += chunk
    plans = extraction_plans(CONTEXT, variables, ExtractionMode.GROUPED)
    extractor = DocumentExtractor(client, CONTEXT, variables, plans, None)
    result = await extractor.extract(DocumentInput(1, "plan.txt", text, [0], spans))
    return {value.variable: value for unit in result.units for value in unit.values}


def asked(client: ScriptedClient) -> list[set[str]]:
    """The variables each call asked for, in order."""
    return [set(call.schema["properties"]) for call in client.calls]


async def test_a_later_chunk_asks_only_for_what_earlier_chunks_left_open() -> None:
    client = ScriptedClient()
    variables = [spec("city"), spec("budget", "number"), spec("binding", "boolean")]

    values = await run(client, variables)

    assert asked(client) == [{"city", "budget", "binding"}, {"binding"}], "the third chunk has nothing to ask"
    first, second = client.calls
    assert second.messages[0] == first.messages[0], "the same system prompt: the cacheable prefix"
    assert "binding" in second.messages[1]["content"] and "budget" not in second.messages[1]["content"]
    assert second.messages[-1]["content"] == f"<document>\n{SECOND_CHUNK}\n</document>\n\n{CLOSING}"
    assert (values["city"].value, values["budget"].value, values["binding"].value) == ("Oslo", 4500, True)
    assert {value.scope_key for value in values.values()} == {"grouped:1"}, "narrowing is not a new prompt"
    assert values["city"].notes == [], "later chunks' other cities were not asked for"


async def test_no_call_once_every_variable_is_found() -> None:
    client = ScriptedClient()

    values = await run(client, [spec("city"), spec("budget", "number")])

    assert len(client.calls) == 1
    assert values["budget"].value == 4500


async def test_last_all_and_summary_keep_being_asked_in_every_chunk() -> None:
    client = ScriptedClient()
    variables = [
        spec("city", if_multiple_values="last"),
        spec("budget", "number", if_multiple_values="all"),
        spec("binding", "boolean"),
    ]

    values = await run(client, variables)

    assert asked(client) == [{"city", "budget", "binding"}, {"city", "budget", "binding"}, {"city", "budget"}]
    assert values["city"].value == "Tromso"
    assert values["budget"].value == [4500, 9000]


async def test_a_summarised_variable_keeps_being_asked() -> None:
    client = ScriptedClient()

    values = await run(client, [spec("city", if_multiple_values="summarize")])

    assert len(client.calls) == 3
    assert values["city"].value == "Oslo; Bergen; Tromso"


async def test_a_value_below_its_threshold_keeps_being_asked() -> None:
    client = ScriptedClient()  # the fake answers with confidence 0.9
    variables = [spec("city", confidence_threshold=0.95), spec("budget", "number")]

    await run(client, variables)

    assert asked(client) == [{"city", "budget"}, {"city"}, {"city"}]


async def test_a_value_whose_quote_is_not_in_the_document_keeps_being_asked() -> None:
    def misquoting(request: dict) -> dict:
        answer = default_responder(request)
        if answer["city"]["value"] == "Oslo":
            answer["city"]["evidence"] = "the city is Oslo"  # words the document does not have
        return answer

    client = ScriptedClient(responder=misquoting)

    values = await run(client, [spec("city"), spec("budget", "number")])

    assert asked(client) == [{"city", "budget"}, {"city"}]
    assert values["city"].value == "Oslo", "the first value is kept, as before"
    assert "kept the first" in (values["city"].note or "")


async def test_a_value_not_given_or_not_usable_keeps_being_asked() -> None:
    client = ScriptedClient()
    variables = [spec("budget", "number"), spec("signed", "date")]
    chunks = ("budget: unknown\nsigned: someday\n", "budget: 12\nsigned: 2021-05\n", "budget: 13\n")

    values = await run(client, variables, *chunks)

    assert asked(client) == [{"budget", "signed"}, {"budget", "signed"}]
    assert (values["budget"].value, values["signed"].value) == (12, "2021-05")


async def test_a_narrowed_call_goes_to_the_plan_s_model() -> None:
    client = ScriptedClient()
    variables = [spec("city"), spec("binding", "boolean")]
    plans = [
        replace(plan, model="strong-model")
        for plan in extraction_plans(CONTEXT, variables, ExtractionMode.GROUPED)
    ]
    text = FIRST_CHUNK + SECOND_CHUNK
    spans = [ChunkSpan(0, 0, len(FIRST_CHUNK), 10, 0), ChunkSpan(1, len(FIRST_CHUNK), len(text), 10, 0)]

    await DocumentExtractor(client, CONTEXT, variables, plans, None).extract(
        DocumentInput(1, "p.txt", text, [0], spans)
    )

    assert [(set(call.schema["properties"]), call.model) for call in client.calls] == [
        ({"city", "binding"}, "strong-model"),
        ({"binding"}, "strong-model"),
    ]
