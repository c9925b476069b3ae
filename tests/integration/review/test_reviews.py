"""Reviewing values: correct, incorrect and partly correct with corrected values checked like the AI's;
every change a new row; undo back to the previous state and to "not reviewed"; the export reads the review
in force; another workspace's values cannot be touched."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.domain.errors import InvalidInputError, NotFoundError
from coderai_desktop.export.service import ExportService
from coderai_desktop.persistence.tables import ExtractionFeedback
from coderai_desktop.review.service import ReviewService
from tests.conftest import PASSWORD
from tests.integration.review.conftest import Sampled
from tests.integration.runs.conftest import on_each_backend

CORRECT, INCORRECT, PARTIAL = FeedbackType.CORRECT, FeedbackType.INCORRECT, FeedbackType.PARTIALLY_CORRECT


async def exported(exports: ExportService, sampled: Sampled, document: str, variable: str) -> Any:
    table = await exports.table(sampled.corpus.project_id)
    return next(row[variable] for row in table.records() if row["document"] == document)


def review_rows(context: AppContext) -> int:
    with context.database.transaction() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(ExtractionFeedback)) or 0)


@on_each_backend
async def test_a_review_applies_and_undo_goes_back_step_by_step(
    reviews: ReviewService, sampled: Sampled, exports: ExportService
) -> None:
    project = sampled.corpus.project_id
    value = await reviews.find_value(project, "plan-03.txt", "budget")
    first = await reviews.review(value, INCORRECT, "5,000", note="the table on page 2")
    assert first.state.corrected_value == 5000 and first.changed
    assert await exported(exports, sampled, "plan-03.txt", "budget") == 5000
    await reviews.review(value, PARTIAL, "4500")
    assert await exported(exports, sampled, "plan-03.txt", "budget") == 4500

    undone = await reviews.undo(value)
    assert (undone.state.feedback, undone.state.corrected_value) == (INCORRECT, 5000)
    assert await exported(exports, sampled, "plan-03.txt", "budget") == 5000
    assert (await reviews.undo(value)).state.feedback is None  # back to "not reviewed"
    assert (
        await exported(exports, sampled, "plan-03.txt", "budget")
        == sampled.corpus.plans["plan-03.txt"].budget
    )
    with pytest.raises(InvalidInputError, match="no review to undo"):
        await reviews.undo(value)

    history = await reviews.history(value)
    assert [(event.state.feedback, event.undoes is not None) for event in history] == [
        (INCORRECT, False),
        (PARTIAL, False),
        (INCORRECT, True),
        (None, True),
    ]
    assert {event.reviewer for event in history} == {"ana"}
    assert history[0].state.note == "the table on page 2"


@on_each_backend
async def test_a_cleared_review_can_be_undone_and_the_same_review_twice_writes_once(
    reviews: ReviewService, sampled: Sampled, context: AppContext
) -> None:
    value = await reviews.find_value(sampled.corpus.project_id, "plan-01.txt", "sector")
    await reviews.review(value, CORRECT)
    again = await reviews.review(value, CORRECT)
    assert not again.changed and review_rows(context) == 1
    assert (await reviews.clear(value)).state.feedback is None
    assert (await reviews.undo(value)).state.feedback is CORRECT


@pytest.mark.parametrize(
    ("variable", "feedback", "corrected", "message"),
    [
        ("budget", PARTIAL, None, "needs the corrected value"),
        ("budget", INCORRECT, "a lot", "'a lot' is not a number"),
        ("sector", INCORRECT, "farming", "not one of the categories"),
        ("adopted", INCORRECT, "2021-02-30", "not a real date"),
        ("binding", INCORRECT, "perhaps", "not yes or no"),
        ("topics", INCORRECT, ["a", "b", "c", "d", "e", "f"], "keeps at most 5"),
        ("title", PARTIAL, ["two", "values"], "holds one value"),
    ],
)
async def test_a_bad_corrected_value_is_refused_with_the_reason_and_nothing_is_stored(
    reviews: ReviewService,
    sampled: Sampled,
    context: AppContext,
    variable: str,
    feedback: FeedbackType,
    corrected: Any,
    message: str,
) -> None:
    value = await reviews.find_value(sampled.corpus.project_id, "plan-02.txt", variable)
    with pytest.raises(InvalidInputError, match=message):
        await reviews.review(value, feedback, corrected)
    assert review_rows(context) == 0


async def test_the_models_own_value_as_a_correction_is_refused(
    reviews: ReviewService, sampled: Sampled
) -> None:
    value = await reviews.find_value(sampled.corpus.project_id, "plan-02.txt", "budget")
    with pytest.raises(InvalidInputError, match="mark it correct instead"):
        await reviews.review(value, INCORRECT, str(sampled.corpus.plans["plan-02.txt"].budget))


async def test_validation_rules_apply_to_corrections(
    reviews: ReviewService, sampled: Sampled, context: AppContext, user: UserSession
) -> None:
    codebook = await context.projects(user).get_codebook(sampled.corpus.project_id)
    budget = next(v for v in codebook.variables if v.name == "budget")
    budget.validation_rules = {"min": 0, "max": 100_000}  # type: ignore[assignment]
    await context.projects(user).save_codebook(sampled.corpus.project_id, codebook)
    value = await reviews.find_value(sampled.corpus.project_id, "plan-02.txt", "budget")
    with pytest.raises(InvalidInputError, match="above the maximum 100000"):
        await reviews.review(value, INCORRECT, "2 million")


async def test_an_empty_value_can_be_corrected_and_a_value_can_be_corrected_to_empty(
    reviews: ReviewService, sampled: Sampled, exports: ExportService
) -> None:
    """The most common correction: the model found nothing, but the document says X (and the reverse)."""
    project = sampled.corpus.project_id
    odd = "plan-01.txt"  # not binding: target_year does not apply, and is empty
    value = await reviews.find_value(project, odd, "target_year")
    assert await exported(exports, sampled, odd, "target_year") is None
    await reviews.review(value, INCORRECT, "2040")
    assert await exported(exports, sampled, odd, "target_year") == 2040
    title = await reviews.find_value(project, odd, "title")
    await reviews.review(title, INCORRECT, "")
    assert await exported(exports, sampled, odd, "title") is None


async def test_a_value_is_found_by_document_id_or_name_and_unknown_ones_are_explained(
    reviews: ReviewService, sampled: Sampled
) -> None:
    project = sampled.corpus.project_id
    by_name = await reviews.find_value(project, "plan-05.txt", "title")
    assert await reviews.find_value(project, sampled.corpus.ids["plan-05.txt"], "title") == by_name
    assert await reviews.find_value(project, f"#{sampled.corpus.ids['plan-05.txt']}", "title") == by_name
    with pytest.raises(NotFoundError, match="no variable named 'nope'"):
        await reviews.find_value(project, "plan-05.txt", "nope")
    with pytest.raises(NotFoundError, match="No coded value"):
        await reviews.find_value(project, "missing.txt", "title")


@on_each_backend
async def test_another_workspace_cannot_review_read_or_undo_my_values(
    reviews: ReviewService, sampled: Sampled, context: AppContext
) -> None:
    value = await reviews.find_value(sampled.corpus.project_id, "plan-01.txt", "title")
    await reviews.review(value, CORRECT)
    bea: UserSession = await context.accounts.create_account("bea", PASSWORD)
    theirs = context.reviews(bea)
    for attempt in (
        theirs.review(value, INCORRECT, "mine now"),
        theirs.undo(value),
        theirs.clear(value),
        theirs.history(value),
    ):
        with pytest.raises(NotFoundError):
            await attempt
    with pytest.raises(NotFoundError):
        await theirs.find_value(sampled.corpus.project_id, "plan-01.txt", "title")
    assert review_rows(context) == 1
    assert [event.state.feedback for event in await reviews.history(value)] == [CORRECT]
