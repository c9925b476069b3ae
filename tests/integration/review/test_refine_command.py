"""`coderai refine` end to end: the corrections and the split printed, proposals with their diff, the cost
asked before testing (refused without a terminal unless --yes), the held-out results, nothing changed until
--choose, which then decides the tested refinement without new calls."""

from __future__ import annotations

import asyncio

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import Cli
from tests.integration.review.refinement_fakes import REFINED_RULE, responder, review_budgets
from tests.integration.runs.conftest import PROJECT, Corpus, MakeCorpus, coderai

__all__ = ["coderai"]


@pytest.fixture
async def plans(make_corpus: MakeCorpus) -> Corpus:
    return await make_corpus(20)


def test_refine_prints_proposals_and_results_and_changes_nothing_until_chosen(
    coderai: Cli, plans: Corpus, server: FakeOpenAI, context: AppContext, user: UserSession
) -> None:
    server.responder = responder
    assert coderai("run", PROJECT, "--sample", "20").code == 0
    asyncio.run(review_budgets(context.reviews(user), plans, sorted(plans.ids)))

    saved = coderai("agreement", PROJECT, "--save", "--refine-after", "5")
    assert saved.code == 0 and "worth refining after 5 corrections" in saved.err
    refused = coderai("agreement", PROJECT, "--refine-after", "5")
    assert refused.code == 1 and "kept with --save" in refused.err

    asked = coderai("refine", PROJECT, "budget", "--seed", "7")
    assert asked.code == 1 and "add --yes to confirm" in asked.err and "calls the model" in asked.err
    assert "budget: 10 of 20 reviewed values corrected (wrong value 10)." in asked.out
    assert "14 documents to learn from, 6 held out" in asked.out
    assert (
        "[1] Odd plans count double" in asked.out
        and f"+The plan's budget in euros. {REFINED_RULE}." in asked.out
    )
    assert "Re-coding 6 held-out documents with 2 proposals: 12 calls" in asked.out

    tested = coderai("refine", PROJECT, "budget", "--seed", "7", "--yes")
    assert tested.code == 0, tested.err
    assert "On the 6 held-out documents:" in tested.out
    assert "Best on the held-out documents: [1] Odd plans count double." in tested.out
    assert "Nothing changed. Decide with `coderai refine 'Clean air plans' budget --choose N`" in tested.out
    assert REFINED_RULE not in coderai("prompt", "show", PROJECT).out

    calls = len(server.requests)
    chosen = coderai("refine", PROJECT, "budget", "--choose", "1")
    assert chosen.code == 0, chosen.err
    assert len(server.requests) == calls  # decided without calling the model again
    assert "Deciding refinement 2 of budget (already tested)." in chosen.out
    assert "Proposal 1 is now budget's prompt (grouped:1 v2" in chosen.out
    assert REFINED_RULE in coderai("prompt", "show", PROJECT).out
    assert "refined from feedback: budget (refinement #2)" in coderai("codebook", "versions", PROJECT).out
