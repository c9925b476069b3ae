"""Cached prompt tokens: what every call of a run repeats is read from the provider's cache after the first
call, and the estimate, the job's counters and its cost count those tokens at the cached price."""

from __future__ import annotations

import pytest

from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.pipeline.token_estimates import CACHEABLE_FROM
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import VARIABLES, Configure, MakeCorpus

# Long enough instructions that the prompt every call repeats is over what providers cache.
DETAILED = [
    variable.model_copy(update={"instructions": f"{variable.instructions} " + "Read the whole plan. " * 40})
    for variable in VARIABLES
]
PRICES = {"price_input_per_million": 2.0, "price_output_per_million": 8.0}


def billed(tokens_in: int, tokens_out: int, cached: int, cached_price: float) -> float:
    return ((tokens_in - cached) * 2.0 + cached * cached_price + tokens_out * 8.0) / 1e6


async def test_the_estimate_counts_the_repeated_prefix_at_the_cached_price(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure
) -> None:
    corpus = await make_corpus(4, variables=DETAILED)
    await configure(**PRICES)
    full_price = await jobs.estimate(corpus.project_id)
    await configure(**PRICES, price_cached_input_per_million=0.5)

    estimate = await jobs.estimate(corpus.project_id)

    assert estimate.calls == 4
    prefix = estimate.cached_tokens // 3
    assert estimate.cached_tokens == 3 * prefix, "every call after the first reads the same prefix"
    assert prefix >= CACHEABLE_FROM
    assert estimate.input_tokens == full_price.input_tokens
    assert estimate.cost == pytest.approx(
        billed(estimate.input_tokens, estimate.output_tokens, estimate.cached_tokens, 0.5)
    )
    assert estimate.cost < full_price.cost
    assert full_price.cost == pytest.approx(
        billed(full_price.input_tokens, full_price.output_tokens, full_price.cached_tokens, 2.0)
    ), "no cached price set: cached tokens cost what the others do"


async def test_a_short_prompt_is_not_expected_to_be_cached(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure
) -> None:
    corpus = await make_corpus(4)
    await configure(**PRICES, price_cached_input_per_million=0.5)

    assert (await jobs.estimate(corpus.project_id)).cached_tokens == 0


async def test_a_run_records_the_cached_tokens_the_server_reports_and_bills_them_lower(
    jobs: JobService, make_corpus: MakeCorpus, configure: Configure, server: FakeOpenAI
) -> None:
    corpus = await make_corpus(4, variables=DETAILED)
    await configure(**PRICES, price_cached_input_per_million=0.5, concurrency=1)

    done = await jobs.run((await jobs.start(corpus.project_id)).id)

    assert done.documents_processed == 4
    first, *later = server.requests
    assert all(request["messages"][:2] == first["messages"][:2] for request in later), "one shared prefix"
    assert done.tokens_cached > 0
    assert done.tokens_cached < done.tokens_in
    assert done.cost == pytest.approx(billed(done.tokens_in, done.tokens_out, done.tokens_cached, 0.5))
    undiscounted = billed(done.tokens_in, done.tokens_out, 0, 2.0)
    assert done.cost < 0.8 * undiscounted
