"""What goes over the wire: one call per document for a group of variables (or one per variable), and the
messages of each call: [system, user(document), user(instruction)], the document never in the system."""

from __future__ import annotations

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.export.service import ExportService
from coderai_desktop.llm.prompts import CLOSING
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.documents import prose
from tests.fakes.openai_server import FakeOpenAI, schema_of
from tests.integration.runs.conftest import NAMES, Configure, Corpus, MakeCorpus, reported_usage


def prompt_tokens(requests: list[dict]) -> int:
    return sum(reported_usage(request)[0] for request in requests)


async def test_grouped_mode_sends_one_call_per_document_and_far_fewer_tokens(
    exports: ExportService,
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
) -> None:
    corpus = await make_corpus(2, filler=prose(7, 400))
    grouped = await jobs.run((await jobs.start(corpus.project_id)).id)
    grouped_requests = list(server.requests)
    grouped_table = await exports.table(corpus.project_id)
    server.reset()

    per_variable = await jobs.run((await jobs.start(corpus.project_id, mode=ExtractionMode.PER_VARIABLE)).id)

    assert grouped.status is per_variable.status is JobStatus.COMPLETED
    assert (grouped.mode, per_variable.mode) == ("grouped", "per-variable")
    assert corpus.requests_per_document(grouped_requests) == dict.fromkeys(corpus.ids, 1)
    assert corpus.requests_per_document(server.requests) == dict.fromkeys(corpus.ids, len(NAMES))
    assert sorted(list(schema_of(r)["properties"]) for r in grouped_requests) == [NAMES, NAMES]
    answered = sorted(name for r in server.requests for name in schema_of(r)["properties"])
    assert answered == sorted(NAMES * 2), "each variable asked once per document"
    assert prompt_tokens(server.requests) >= 3 * prompt_tokens(grouped_requests)
    assert (await exports.table(corpus.project_id)).records() == grouped_table.records(), (
        "the same values either way"
    )


async def test_every_call_is_system_then_instruction_then_document(
    jobs: JobService, corpus: Corpus, server: FakeOpenAI
) -> None:
    await jobs.run((await jobs.start(corpus.project_id)).id)

    systems = set()
    for request in server.requests:
        system, instruction, document = request["messages"]
        assert [system["role"], instruction["role"], document["role"]] == ["system", "user", "user"]
        name = corpus.document_in(request)
        assert document["content"] == f"<document>\n{corpus.texts[name]}\n</document>\n\n{CLOSING}"
        assert corpus.plans[name].title not in system["content"], "the document is never in the system prompt"
        assert "<document>" not in system["content"] and "<document>" not in instruction["content"]
        assert instruction["content"].startswith("Code the document that follows for these variables: title,")
        assert request["response_format"]["type"] == "json_schema"
        assert request["response_format"]["json_schema"]["strict"] is True
        systems.add((system["content"], instruction["content"]))
    assert len(systems) == 1, "the shared part is identical for every document (provider prompt caching)"
    assert len(server.requests) == len(corpus.ids)
