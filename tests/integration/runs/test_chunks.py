"""A document longer than the model's context is cut into chunks: one call per chunk, values merged per
the variable's policy (ALL unites them, FIRST keeps the earliest and is not asked again once found), offsets
into the whole document."""

from __future__ import annotations

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import JobStatus, MatchStatus
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.documents import prose
from tests.fakes.openai_server import FakeOpenAI, document_of, schema_of
from tests.integration.runs.conftest import Configure, MakeCorpus, extractions, variable_names

SMALL_CODEBOOK = [
    VariableSpec(name="title", type="text", instructions="The plan's title."),
    VariableSpec(
        name="topics", type="text", instructions="Every topic.", if_multiple_values="all", max_values=6
    ),
    VariableSpec(name="budget", type="number", instructions="The plan's budget."),
]


def long_plan() -> str:
    parts = [
        "title: First Title",
        "topics: air quality",
        prose(1, 450),
        "topics: transport",
        prose(2, 450),
        "topics: heating",
        prose(3, 450),
        "topics: air quality",
        "title: Second Title",
        "budget: 777",
    ]
    return "\n\n".join(parts) + "\n"


async def test_a_long_document_is_coded_chunk_by_chunk_and_merged(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    documents: DocumentService,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    await configure(context_tokens=2400)
    corpus = await make_corpus(0, variables=SMALL_CODEBOOK, extra={"long.txt": long_plan()})
    document_id, text = corpus.ids["long.txt"], corpus.texts["long.txt"]
    setup = await jobs.setup(corpus.project_id)
    chunks = await documents.chunks(document_id, setup.policy)
    assert len(chunks) >= 3, f"the test needs a document cut in several chunks, not {len(chunks)}"

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert done.status is JobStatus.COMPLETED
    sent = sorted(document_of(request) or "" for request in server.requests)
    assert sent == sorted(text[chunk.start : chunk.end].strip("\r\n") for chunk in chunks), (
        "one call per chunk"
    )
    names = variable_names(context)
    values = {names[row.variable_id]: row for row in extractions(context, done.id)}

    assert values["topics"].value == ["air quality", "transport", "heating"], "every chunk's values, once"
    assert values["title"].value == "First Title", "the earliest of the values found in different chunks"
    asked = [set(schema_of(request)["properties"]) for request in server.requests]
    assert asked.count({"title", "topics", "budget"}) == 1, (
        "the title, found in the first chunk, is not asked again"
    )
    assert asked.count({"topics", "budget"}) == len(chunks) - 1
    budget = values["budget"]
    assert budget.value == 777 and budget.match_status is MatchStatus.EXACT
    assert budget.char_start is not None and budget.char_end is not None
    assert budget.char_start > chunks[0].end, "found in a later chunk"
    assert text[budget.char_start : budget.char_end] == "budget: 777", "offsets index the whole document"
    title = values["title"]
    assert title.char_start is not None and title.char_end is not None
    assert text[title.char_start : title.char_end] == "title: First Title"
