"""DocumentExtractor: every call of the plan on every chunk, answers merged into one row per unit."""

from __future__ import annotations

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import ExtractionStatus, MatchStatus
from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.ingest.chunking import ChunkSpan
from coderai_desktop.llm.client import Usage
from coderai_desktop.llm.prompts import CLOSING, extraction_plans
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentInput
from tests.unit.pipeline.extraction_builders import spec
from tests.unit.pipeline.scripted_client import USAGE, ScriptedClient

CONTEXT = ProjectContext(name="Climate plans")
VARIABLES = [spec("city"), spec("budget", "number"), spec("binding", "boolean")]
PAGE_ONE = "Climate plan of the city\ncity: Oslo\nbudget: 4,500\n"
PAGE_TWO = "Annex\nbudget: 9,000\nbinding: yes\n"
TEXT = PAGE_ONE + PAGE_TWO


def document(chunks: list[tuple[int, int]] | None = None) -> DocumentInput:
    spans = [ChunkSpan(index, start, end, 10, 0) for index, (start, end) in enumerate(chunks or [])]
    return DocumentInput(7, "plan.txt", TEXT, [0, len(PAGE_ONE)], spans)


def extractor(client: ScriptedClient, mode: ExtractionMode = ExtractionMode.GROUPED) -> DocumentExtractor:
    return DocumentExtractor(client, CONTEXT, VARIABLES, extraction_plans(CONTEXT, VARIABLES, mode), None)


async def test_a_document_without_chunks_is_one_grouped_call_and_one_row() -> None:
    client = ScriptedClient()

    result = await extractor(client).extract(document())

    assert len(client.calls) == 1 and result.calls == 1
    assert client.calls[0].document == f"<document>\n{TEXT}\n</document>\n\n{CLOSING}"
    (unit,) = result.units
    assert unit.entity is None
    values = {value.variable: value for value in unit.values}
    assert [value.variable for value in unit.values] == ["city", "budget", "binding"]
    assert (values["city"].value, values["budget"].value, values["binding"].value) == ("Oslo", 4500, True)
    assert result.usage == USAGE
    assert result.usage_by_scope == {"grouped:1": USAGE}


async def test_chunks_are_coded_separately_and_grounded_in_the_whole_document() -> None:
    client = ScriptedClient()
    cut = len(PAGE_ONE)

    result = await extractor(client).extract(document([(0, cut), (cut, len(TEXT))]))

    assert [call.document for call in client.calls] == [
        f"<document>\n{PAGE_ONE}\n</document>\n\n{CLOSING}",
        f"<document>\n{PAGE_TWO}\n</document>\n\n{CLOSING}",
    ]
    values = {value.variable: value for value in result.units[0].values}
    binding = values["binding"]  # only in the second chunk
    assert binding.value is True
    assert binding.evidence.status is MatchStatus.EXACT
    assert TEXT[binding.evidence.start : binding.evidence.end] == "binding: yes"
    assert binding.evidence.page == 2
    assert values["budget"].value == 4500  # first in document order
    assert result.usage == Usage(200, 40, 80)
    assert result.calls == 2


async def test_per_variable_mode_makes_one_call_per_variable_and_accounts_each() -> None:
    client = ScriptedClient()

    result = await extractor(client, ExtractionMode.PER_VARIABLE).extract(document())

    assert [call.schema["required"] for call in client.calls] == [["city"], ["budget"], ["binding"]]
    assert set(result.usage_by_scope) == {"per-variable:city", "per-variable:budget", "per-variable:binding"}
    assert [value.value for value in result.units[0].values] == ["Oslo", 4500, True]


async def test_a_variable_the_model_left_out_fails_with_a_note_and_the_others_are_kept() -> None:
    client = ScriptedClient(drop=frozenset({"budget"}))

    result = await extractor(client).extract(document())

    values = {value.variable: value for value in result.units[0].values}
    assert values["budget"].status is ExtractionStatus.FAILED
    assert values["budget"].notes == ["the model gave no answer for this variable"]
    assert values["city"].value == "Oslo"


async def test_json_mode_sends_the_schema_in_the_prompt() -> None:
    client = ScriptedClient(strict=False)

    await extractor(client).extract(document())

    assert "<json_schema>" in client.calls[0].instruction
