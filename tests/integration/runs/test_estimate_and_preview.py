"""Before a run: what it will cost (measured once a run has happened), and the exact prompts it sends."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.llm.prompts import CLOSING
from coderai_desktop.pipeline.jobs import ASSUMED_SECONDS_PER_CALL, JobService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import MODEL, NAMES, Configure, Corpus, reported_usage


async def test_the_estimate_grows_with_the_sample_and_is_measured_after_a_run(
    jobs: JobService, corpus: Corpus, configure: Configure, server: FakeOpenAI
) -> None:
    await configure(price_input_per_million=1.0, price_output_per_million=4.0)

    one, three, everything = [await jobs.estimate(corpus.project_id, sample=size) for size in (1, 3, None)]

    assert [e.documents for e in (one, three, everything)] == [1, 3, 4]
    assert [e.calls for e in (one, three, everything)] == [1, 3, 4], "one grouped call per document"
    assert 0 < one.input_tokens < three.input_tokens < everything.input_tokens
    assert 0 < one.output_tokens < three.output_tokens < everything.output_tokens
    assert 0 < one.cost < three.cost < everything.cost
    assert everything.cost == pytest.approx((everything.input_tokens + 4 * everything.output_tokens) / 1e6)
    assert (everything.seconds_per_call, everything.measured) == (ASSUMED_SECONDS_PER_CALL, False)
    assert everything.seconds == pytest.approx(4 * ASSUMED_SECONDS_PER_CALL / 2), "4 calls, 2 at a time"

    server.latency = 0.05
    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    sent = sum(reported_usage(request)[0] for request in server.requests)
    assert everything.input_tokens == pytest.approx(sent, rel=0.1), "the estimate is close to what was sent"
    assert done.tokens_out <= everything.output_tokens
    after = await jobs.estimate(corpus.project_id, sample=2)  # (a full estimate: nothing left to code)
    assert after.measured is True
    assert 0.04 < after.seconds_per_call < 2, after.seconds_per_call


async def test_per_variable_mode_is_estimated_as_one_call_per_variable(
    jobs: JobService, corpus: Corpus, configure: Configure
) -> None:
    grouped = await jobs.estimate(corpus.project_id)
    await configure(mode="per-variable")

    per_variable = await jobs.estimate(corpus.project_id)

    assert per_variable.calls == len(NAMES) * grouped.calls
    assert per_variable.input_tokens > 2 * grouped.input_tokens


async def test_the_preview_is_exactly_what_a_run_sends(
    jobs: JobService, corpus: Corpus, server: FakeOpenAI
) -> None:
    document_id = corpus.ids["plan-03.txt"]
    [preview] = await jobs.preview(corpus.project_id, "budget", document_id)

    await jobs.run((await jobs.start(corpus.project_id, document_ids=[document_id])).id)

    [request] = server.requests
    assert request["messages"] == preview.messages
    assert request["response_format"]["json_schema"]["schema"] == preview.schema
    assert (request["model"], request["temperature"], request["max_completion_tokens"]) == (
        preview.model,
        preview.temperature,
        preview.max_tokens,
    )
    assert (preview.scope_key, preview.version, preview.variables, preview.chunks) == (
        "grouped:1",
        1,
        NAMES,
        1,
    )
    assert preview.model == MODEL


async def test_a_preview_without_a_document_shows_the_template_and_only_the_variable_asked_for(
    jobs: JobService, corpus: Corpus, configure: Configure
) -> None:
    await configure(mode="per-variable")

    [preview] = await jobs.preview(corpus.project_id, "adopted")

    assert (preview.scope_key, preview.variables) == ("per-variable:adopted", ["adopted"])
    assert preview.messages[-1]["content"] == f"<document>\n{{document}}\n</document>\n\n{CLOSING}"
    assert list(preview.schema["properties"]) == ["adopted"]
    assert len(await jobs.preview(corpus.project_id)) == len(NAMES)


async def test_a_preview_of_an_unknown_variable_is_refused(jobs: JobService, corpus: Corpus) -> None:
    with pytest.raises(InvalidInputError, match="The codebook has no variable named 'budgets'"):
        await jobs.preview(corpus.project_id, "budgets")
