"""Short documents travel several to a call, over real HTTP: each answer mapped back to its own document,
a quote from another block refused and flagged, a document the answer missed (or a failed packed call)
coded alone and exactly once, the pack's tokens shared among its documents, and the dataset the same as
without packing."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.enums import ExtractionStatus, JobItemStatus, JobStatus, MatchStatus
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.export.service import ExportService
from coderai_desktop.llm import client as client_module
from coderai_desktop.llm.resilience import MAX_RETRIES, CircuitBreaker
from coderai_desktop.pipeline.jobs import JobService
from tests.fakes.documents import prose
from tests.fakes.openai_server import FakeOpenAI, blocks_of, default_responder, document_of
from tests.integration.runs.conftest import (
    NAMES,
    Configure,
    Corpus,
    MakeCorpus,
    extractions,
    item_statuses,
    reported_usage,
    values_per_document,
    variable_names,
)

# Pack the small plans of the corpus (about 45 tokens each) three at a time; 400 words go alone.
PACKING = {"pack_token_budget": 150, "pack_document_tokens": 200}
Responder = Callable[[dict], dict]


@pytest.fixture(autouse=True)
def quick_circuit_breaker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A packed call that used up its retries opens the breaker: it half-opens after 0.05 s, not 30 s."""
    monkeypatch.setattr(client_module, "CircuitBreaker", functools.partial(CircuitBreaker, reset_after=0.05))


def packed(request: dict) -> bool:
    return bool(blocks_of(request))


def names_in(corpus: Corpus, request: dict) -> list[str]:
    """The documents a request codes: its blocks' (or its document's) file names."""
    texts = list(blocks_of(request).values()) or [document_of(request) or ""]
    return [name for text in texts for name, own in corpus.texts.items() if own.strip() == text.strip()]


def answering(change: Callable[[dict[str, dict]], None]) -> Responder:
    """The default answers, with the objects of a packed answer (by the first line of their block's text)
    changed by `change`."""

    def respond(request: dict) -> dict:
        answer = default_responder(request)
        if packed(request):
            texts = blocks_of(request)
            by_first_line = {texts[item["id"]].splitlines()[0]: item for item in answer["documents"]}
            change(by_first_line)
            answer["documents"] = list(by_first_line.values())
        return answer

    return respond


async def run_all(jobs: JobService, corpus: Corpus) -> JobSummary:
    return await jobs.run((await jobs.start(corpus.project_id)).id)


def coded_once(context: AppContext, corpus: Corpus, job: JobSummary) -> None:
    assert job.status is JobStatus.COMPLETED and job.documents_failed == 0
    assert set(item_statuses(context, job.id).values()) == {JobItemStatus.DONE}
    assert values_per_document(context, job.id) == Counter(dict.fromkeys(corpus.ids.values(), len(NAMES)))


async def test_short_documents_share_calls_and_a_long_one_goes_alone(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    exports: ExportService,
) -> None:
    await configure(**PACKING)
    long = f"Municipal plan long.txt\n\ntitle: Long Plan\nbudget: 5\n\n{prose(7, 400)}\n"
    corpus = await make_corpus(7, extra={"long.txt": long})

    done = await run_all(jobs, corpus)

    coded_once(context, corpus, done)
    requests = [names_in(corpus, request) for request in server.requests]
    assert sorted(name for names in requests for name in names) == sorted(corpus.ids), "each once"
    assert ["long.txt"] in requests, "the long document alone"
    assert max(len(names) for names in requests) == 3 and len(requests) < len(corpus.ids) - 2
    assert done.tokens_in == sum(reported_usage(request)[0] for request in server.requests), (
        "every prompt token counted once, shared among the pack's documents"
    )
    rows = extractions(context, done.id)
    assert sum(row.tokens_in for row in rows) <= done.tokens_in
    assert all(row.tokens_in > 0 for row in rows)
    table = {row["document"]: row for row in (await exports.table(corpus.project_id)).records()}
    assert (table["long.txt"]["title"], table["long.txt"]["budget"]) == ("Long Plan", 5)
    for name, plan in corpus.plans.items():
        assert {variable: table[name][variable] for variable in NAMES} == plan.expected, name
    names = variable_names(context)
    for row in rows:
        if names[row.variable_id] == "budget":
            text = corpus.texts[corpus.name_of(row.document_id)]
            assert row.char_start is not None and row.char_end is not None
            assert text[row.char_start : row.char_end] == row.evidence_quote, "offsets in its own text"


async def test_a_quote_from_another_documents_block_is_refused_and_flagged(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
) -> None:
    await configure(**PACKING)
    corpus = await make_corpus(3)

    def steal(objects: dict[str, dict]) -> None:  # plan 2's title answered from plan 3's block
        objects["Municipal plan plan-02.txt"]["title"] = {
            "value": "Clean Air Plan 3",
            "confidence": 0.95,
            "evidence": "title: Clean Air Plan 3",
        }

    server.responder = answering(steal)
    done = await run_all(jobs, corpus)

    coded_once(context, corpus, done)
    names = variable_names(context)
    titles = {
        corpus.name_of(row.document_id): row
        for row in extractions(context, done.id)
        if names[row.variable_id] == "title"
    }
    wrong = titles["plan-02.txt"]
    assert wrong.value is None and wrong.status is ExtractionStatus.FLAGGED
    assert (wrong.match_status, wrong.char_start, wrong.page) == (MatchStatus.NOT_FOUND, None, None)
    assert "another document of the same call (plan-03.txt)" in (wrong.error_message or "")
    assert titles["plan-03.txt"].value == "Clean Air Plan 3", "the quote's owner keeps its value"
    assert titles["plan-01.txt"].status is ExtractionStatus.EXTRACTED


async def test_a_document_the_packed_answer_missed_is_coded_alone_once(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    exports: ExportService,
) -> None:
    await configure(**PACKING)
    corpus = await make_corpus(3)
    server.responder = answering(lambda objects: objects.pop("Municipal plan plan-02.txt"))

    done = await run_all(jobs, corpus)

    coded_once(context, corpus, done)
    requests = [sorted(names_in(corpus, request)) for request in server.requests]
    assert requests == [["plan-01.txt", "plan-02.txt", "plan-03.txt"], ["plan-02.txt"]]
    corpus.check_results(await exports.table(corpus.project_id))
    assert done.tokens_in == sum(reported_usage(request)[0] for request in server.requests)


async def test_a_packed_call_that_keeps_failing_is_retried_document_by_document(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    exports: ExportService,
) -> None:
    await configure(**PACKING)
    corpus = await make_corpus(3)
    server.fail_next(500, times=MAX_RETRIES + 1)  # every attempt of the packed call

    done = await run_all(jobs, corpus)

    coded_once(context, corpus, done)
    answered = [names_in(corpus, request) for request in server.requests[MAX_RETRIES + 1 :]]
    assert sorted(answered) == [["plan-01.txt"], ["plan-02.txt"], ["plan-03.txt"]]
    corpus.check_results(await exports.table(corpus.project_id))


async def test_packing_codes_the_same_dataset_with_fewer_calls(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    exports: ExportService,
) -> None:
    datasets, calls = [], []
    for name, packing in (("Alone", {"pack_token_budget": 0}), ("Packed", PACKING)):
        await configure(**packing)
        corpus = await make_corpus(9, name=name)
        server.reset()
        done = await run_all(jobs, corpus)
        assert done.status is JobStatus.COMPLETED and done.documents_processed == 9
        table = await exports.table(corpus.project_id)
        corpus.check_results(table)
        datasets.append(sorted((row["document"], *(repr(row[n]) for n in NAMES)) for row in table.records()))
        calls.append(len(server.requests))

    assert datasets[0] == datasets[1], "the same values, document by document"
    assert calls == [9, 3]


async def test_the_estimate_shows_documents_per_call_and_the_cost_without_packing(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, server: FakeOpenAI
) -> None:
    await configure(**PACKING, price_input_per_million=1.0, price_output_per_million=4.0)
    corpus = await make_corpus(9)

    estimate = await jobs.estimate(corpus.project_id)

    alone = estimate.without_packing
    assert alone is not None and (estimate.calls, alone.calls) == (3, 9)
    assert estimate.documents_per_call == 3.0 and alone.documents_per_call == 1.0
    assert estimate.input_tokens < alone.input_tokens / 2 and estimate.cost < alone.cost
    assert estimate.output_tokens == alone.output_tokens
    await run_all(jobs, corpus)
    sent = sum(reported_usage(request)[0] for request in server.requests)
    assert estimate.input_tokens == pytest.approx(sent, rel=0.1), "close to what the packed run sent"

    await configure(pack_token_budget=0)
    unpacked = await jobs.estimate(corpus.project_id, sample=9)
    assert unpacked.without_packing is None and unpacked.documents_per_call == 1.0


async def test_a_packed_run_stops_within_its_token_budget_and_a_resume_codes_the_rest_once(
    jobs: JobService,
    make_corpus: MakeCorpus,
    configure: Configure,
    server: FakeOpenAI,
    context: AppContext,
    exports: ExportService,
) -> None:
    await configure(**PACKING)
    corpus = await make_corpus(9)
    whole = (await jobs.estimate(corpus.project_id)).input_tokens
    budget = whole // 2
    await configure(**PACKING, token_budget=budget)

    paused = await run_all(jobs, corpus)

    assert paused.status is JobStatus.PAUSED
    assert (paused.pause_reason or "").startswith(f"The token budget of {budget:,} would be exceeded")
    assert 0 < paused.documents_processed < 9
    assert paused.tokens_in + paused.tokens_out <= budget, "the claims reserved each document's share"
    await configure(**PACKING)
    done = await jobs.run(paused.id)
    coded_once(context, corpus, done)
    corpus.check_results(await exports.table(corpus.project_id))
