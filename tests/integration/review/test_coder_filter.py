"""One coder's reviews or everyone's: ana and ben (an editor of ana's project) review overlapping values;
agreement, quality, the coder list and the results grid show either coder's own latest reviews, or the
reviews in force; the history names who did what; `coderai agreement --coder`. On a SQLite file and on
PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.agreement import ComparisonKind
from coderai_desktop.domain.dataset import CellState, UnitFilter, UnitQuery
from coderai_desktop.domain.enums import FeedbackType, ShareAccess
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.review.service import Coder, ReviewService
from tests.integration.conftest import Cli
from tests.integration.review.conftest import Sampled
from tests.integration.review.test_blind_rounds import member
from tests.integration.runs.conftest import PROJECT, Corpus, MakeCorpus, coderai, on_each_backend

__all__ = ["coderai"]


def other_sector(sector: str) -> str:
    return "housing" if sector != "housing" else "energy"


async def judge(reviews: ReviewService, corpus: Corpus, numbers: range, wrong: int) -> None:
    """Review the sector of plans `numbers`: plan `wrong` as incorrect, the others as correct."""
    for number in numbers:
        name = f"plan-{number:02d}.txt"
        value = await reviews.find_value(corpus.project_id, name, "sector")
        if number == wrong:
            await reviews.review(value, FeedbackType.INCORRECT, other_sector(corpus.plans[name].sector))
        else:
            await reviews.review(value, FeedbackType.CORRECT)


@pytest.fixture
async def two_reviewers(
    context: AppContext, user: UserSession, reviews: ReviewService, sampled: Sampled
) -> UserSession:
    """Ana reviews plans 1-6 (plan 1 wrong), then ben plans 5-12 (plan 5 wrong): ben's reviews of plans 5
    and 6 are in force there."""
    ben = await member(context, user, sampled.corpus.project_id, "ben", ShareAccess.EDITOR)
    await judge(reviews, sampled.corpus, range(1, 7), wrong=1)
    await judge(context.reviews(ben), sampled.corpus, range(5, 13), wrong=5)
    return ben


@on_each_backend
async def test_agreement_quality_and_coders_for_one_coder_or_all(
    reviews: ReviewService, sampled: Sampled, two_reviewers: UserSession
) -> None:
    project = sampled.corpus.project_id
    for coder, n, errors in ((None, 12, 2), ("ana", 6, 1), ("ben", 8, 1)):
        sector = (await reviews.agreement(project, coder=coder)).get("sector")
        assert sector is not None and sector.basis is not None
        assert sector.basis.kind is ComparisonKind.REVIEW
        assert (sector.basis.n, sector.basis.percent) == (n, pytest.approx(1 - errors / n)), coder
        quality = next(
            v for v in (await reviews.quality(project, coder=coder)).variables if v.name == "sector"
        )
        assert (quality.reviewed, quality.errors) == (n, errors), coder
    nobody = (await reviews.agreement(project, coder="zoe")).get("sector")
    assert nobody is not None and nobody.basis is None
    assert await reviews.coders(project) == [Coder("ana", 6, 0), Coder("ben", 8, 0)]

    value = await reviews.find_value(project, "plan-05.txt", "sector")
    assert [event.reviewer for event in await reviews.history(value)] == ["ana", "ben"]


@on_each_backend
async def test_the_results_grid_shows_one_coders_reviews(
    context: AppContext, user: UserSession, sampled: Sampled, two_reviewers: UserSession
) -> None:
    results = context.results(user)
    project = sampled.corpus.project_id
    reviewed = UnitQuery(filter=UnitFilter.REVIEWED, variable="sector")
    for coder, expected in ((None, range(1, 13)), ("ana", range(1, 7)), ("ben", range(5, 13))):
        rows = (await results.units(project, reviewed, coder=coder)).rows
        assert sorted(row.document for row in rows) == [f"plan-{n:02d}.txt" for n in expected], coder
    corrected = UnitQuery(filter=UnitFilter.CORRECTED, variable="sector")
    assert [row.document for row in (await results.units(project, corrected, coder="ana")).rows] == [
        "plan-01.txt"
    ]

    keys = [(sampled.corpus.ids[name], None) for name in ("plan-05.txt", "plan-10.txt")]
    everyone = await results.cells(project, keys)
    ana = await results.cells(project, keys, coder="ana")
    five, ten = keys
    assert (everyone[five]["sector"].state, everyone[five]["sector"].reviewed_by) == (
        CellState.CORRECTED,
        "ben",
    )
    assert (ana[five]["sector"].state, ana[five]["sector"].reviewed_by) == (CellState.CONFIRMED, "ana")
    assert ana[ten]["sector"].state is CellState.UNREVIEWED and ana[ten]["sector"].review_id == 0
    history = await context.reviews(user).history(everyone[ten]["sector"].extraction_id)
    assert everyone[ten]["sector"].review_id == history[-1].id  # what an edit of the cell hands back
    with pytest.raises(NotFoundError, match="Nobody logs in as 'zoe'"):
        await results.cells(project, keys, coder="zoe")


@pytest.fixture
async def plans(make_corpus: MakeCorpus) -> Corpus:
    return await make_corpus(4)


def test_agreement_command_for_one_coder(
    coderai: Cli, plans: Corpus, context: AppContext, user: UserSession
) -> None:
    assert coderai("run", PROJECT, "--sample", "4").code == 0
    for name in ("plan-01.txt", "plan-02.txt"):
        assert coderai("review", "set", PROJECT, name, "sector", "--correct").code == 0
    ben = asyncio.run(member(context, user, plans.project_id, "ben", ShareAccess.EDITOR))
    asyncio.run(judge(context.reviews(ben), plans, range(3, 4), wrong=0))

    def reviewed(*coder: str) -> int:
        shown = coderai("agreement", PROJECT, "--variable", "sector", "--json", *coder)
        assert shown.code == 0, shown.err
        [sector] = json.loads(shown.out)["variables"]
        return int(sector["basis"]["n"])

    assert (reviewed(), reviewed("--coder", "ana"), reviewed("--coder", "ben")) == (3, 2, 1)
