"""A long document over HTTP: once its first chunks have given every value that keeps the first one found,
the later chunks are not called; values found by a narrowed call keep the plan's prompt version."""

from __future__ import annotations

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.documents import prose
from tests.fakes.openai_server import FakeOpenAI, document_of, schema_of
from tests.integration.runs.conftest import Configure, MakeCorpus, extractions, variable_names

CONTRACT_TERMS = [
    VariableSpec(name="title", type="text", instructions="The contract's title."),
    VariableSpec(name="value", type="number", instructions="The contract's value."),
    VariableSpec(name="law", type="text", instructions="The governing law."),
]


def contract(*, law_at_the_end: bool) -> str:
    law = "law: Norway"
    parts = ["title: Supply Agreement", "value: 1200", *([] if law_at_the_end else [law])]
    parts += [prose(seed, 450) for seed in range(1, 5)]
    return "\n\n".join(parts + ([law] if law_at_the_end else [])) + "\n"


async def test_no_chunk_is_called_once_every_value_is_found(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    documents: DocumentService,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    await configure(context_tokens=2400)
    corpus = await make_corpus(
        0, variables=CONTRACT_TERMS, extra={"early.txt": contract(law_at_the_end=False)}
    )
    setup = await jobs.setup(corpus.project_id)
    chunks = await documents.chunks(corpus.ids["early.txt"], setup.policy)
    assert len(chunks) >= 3, f"the test needs a document cut in several chunks, not {len(chunks)}"

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert done.status is JobStatus.COMPLETED
    assert len(server.requests) == 1, "the first chunk gave every value"
    names = variable_names(context)
    assert {names[row.variable_id]: row.value for row in extractions(context, done.id)} == {
        "title": "Supply Agreement",
        "value": 1200,
        "law": "Norway",
    }


async def test_later_chunks_ask_for_what_is_left_under_the_same_prompt_version(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    documents: DocumentService,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    await configure(context_tokens=2400)
    corpus = await make_corpus(0, variables=CONTRACT_TERMS, extra={"late.txt": contract(law_at_the_end=True)})
    text = corpus.texts["late.txt"]
    setup = await jobs.setup(corpus.project_id)
    chunks = await documents.chunks(corpus.ids["late.txt"], setup.policy)

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert done.status is JobStatus.COMPLETED
    assert [document_of(request) for request in server.requests] == [
        text[chunk.start : chunk.end].strip("\r\n") for chunk in chunks
    ], "the chunks in order, each once"
    assert [set(schema_of(request)["properties"]) for request in server.requests] == [
        {"title", "value", "law"},
        *[{"law"}] * (len(chunks) - 1),
    ]
    systems = {request["messages"][0]["content"] for request in server.requests}
    assert len(systems) == 1, "one system prompt: the cacheable prefix"
    rows = extractions(context, done.id)
    names = variable_names(context)
    assert {names[row.variable_id]: row.value for row in rows}["law"] == "Norway"
    assert {row.prompt_id for row in rows} == {setup.prompts["grouped:1"].id}
