"""The quality report of a sample coded by a real run (the fake OpenAI server) and reviewed through the review
service: counts, the distribution of every variable with the corrections applied, the confusion of the
reviewed category, the active prompt version, and the nudge to refine once a variable has gathered the
project's number of corrections."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.domain.agreement import Verdict
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.persistence.tables import Project
from coderai_desktop.review.service import ReviewService
from tests.integration.review.conftest import Sampled
from tests.integration.runs.conftest import NAMES, SECTORS, on_each_backend

CORRECTED = ("plan-03.txt", "plan-08.txt")  # their sector is corrected to the next one


def corrected_sector(sector: str) -> str:
    return SECTORS[(SECTORS.index(sector) + 1) % len(SECTORS)]


async def review_sectors(reviews: ReviewService, sampled: Sampled) -> None:
    corpus = sampled.corpus
    for name in sorted(corpus.ids):
        value = await reviews.find_value(corpus.project_id, name, "sector")
        if name in CORRECTED:
            await reviews.review(value, FeedbackType.INCORRECT, corrected_sector(corpus.plans[name].sector))
        else:
            await reviews.review(value, FeedbackType.CORRECT)


def set_refine_after(context: AppContext, project_id: int, errors: int) -> None:
    with context.database.transaction() as session:
        session.execute(sa.update(Project).where(Project.id == project_id).values(refine_after_errors=errors))


@on_each_backend
async def test_the_quality_report_of_a_reviewed_sample(
    reviews: ReviewService, sampled: Sampled, context: AppContext
) -> None:
    corpus = sampled.corpus
    plans = corpus.plans.values()
    await review_sectors(reviews, sampled)
    report = await reviews.quality(corpus.project_id, bootstrap=200)

    assert [item.name for item in report.variables] == NAMES
    assert report.refine_after_errors == 10  # the project's default
    assert {item.prompt_version for item in report.variables} == {"grouped:1 v1"}
    sector = report.get("sector")
    assert sector is not None
    assert (sector.reviewed, sector.errors, sector.ready_to_refine) == (12, 2, False)
    assert sector.agreement.basis is not None and sector.agreement.basis.n == 12
    assert sector.agreement == report.agreement.get("sector")
    assert sector.agreement.verdict in (Verdict.TENTATIVE, Verdict.NEEDS_WORK)
    assert sector.mean_confidence is not None and sector.flagged_share is not None
    assert 0 <= sector.flagged_share <= 1

    # The distribution holds the researcher's corrections.
    human = Counter(
        corrected_sector(plan.sector) if plan.name in CORRECTED else plan.sector for plan in plans
    )
    assert sector.distribution.kind == "bars" and sector.distribution.labels == SECTORS
    assert sector.distribution.counts == tuple(human[s] for s in SECTORS)
    assert (sector.distribution.missing, sector.distribution.total) == (0, 12)

    # Rows: the researcher's value; columns: the AI's.
    confusion = sector.confusion
    assert confusion is not None and confusion.labels == SECTORS
    expected = [[0] * 3 for _ in SECTORS]
    for plan in plans:
        said = corrected_sector(plan.sector) if plan.name in CORRECTED else plan.sector
        expected[SECTORS.index(said)][SECTORS.index(plan.sector)] += 1
    assert confusion.counts == tuple(tuple(row) for row in expected)
    assert (confusion.n, confusion.agreed) == (12, 10)

    # The other variables: nobody reviewed them, but their values are counted.
    binding = report.get("binding")
    assert binding is not None and binding.confusion is None and binding.reviewed == 0
    yes = sum(plan.binding for plan in plans)
    assert binding.distribution.counts == (yes, 12 - yes)
    target_year = report.get("target_year")
    assert target_year is not None
    assert (target_year.distribution.kind, target_year.distribution.missing) == ("histogram", 12 - yes)
    assert sum(target_year.distribution.counts) == yes
    adopted = report.get("adopted")
    assert adopted is not None and adopted.distribution.period == "year"
    assert sum(adopted.distribution.counts) == 12
    topics = report.get("topics")
    assert topics is not None and topics.distribution.multi
    assert topics.distribution.labels[0] == "air quality" and topics.distribution.counts[0] == 12
    assert sum(topics.distribution.counts) == 24 and topics.distribution.labels[-1] == "other"
    budget = report.get("budget")
    assert budget is not None and budget.distribution.kind == "histogram"
    assert sum(budget.distribution.counts) == 12
    assert "corrections to learn from" not in report.summary()

    # With the project asking for 2 corrections, sector is ready to refine, and the summary says so.
    set_refine_after(context, corpus.project_id, 2)
    report = await reviews.quality(corpus.project_id, bootstrap=0)
    assert report.refine_after_errors == 2
    assert [item.name for item in report.ready_to_refine] == ["sector"]
    assert report.summary().startswith(report.agreement.summary())
    assert report.summary().endswith(" sector has 2 corrections to learn from: refine its prompt.")


@pytest.mark.parametrize("project", [999_999, "no such project"])
async def test_an_unknown_project_is_not_found(reviews: ReviewService, project: int | str) -> None:
    with pytest.raises(NotFoundError):
        await reviews.quality(project)
