"""Two machines review the same value: each edit carries the review it saw (the cell's review_id), so a
review recorded since refuses the later edit with who did what and when, instead of overriding it; the
earlier review stays in force; nothing is lost, also when both race. On a SQLite file and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.dataset import Cell, CellState
from coderai_desktop.domain.enums import FeedbackType, ShareAccess
from coderai_desktop.domain.errors import ConcurrentEditError
from coderai_desktop.domain.review_history import NO_REVIEW, ReviewState
from coderai_desktop.review import actions
from coderai_desktop.review.grid_edits import CellEdit, Edit
from coderai_desktop.review.results import ResultsService
from coderai_desktop.review.service import ReviewService
from tests.integration.review.conftest import Sampled
from tests.integration.review.test_blind_rounds import member
from tests.integration.runs.conftest import on_each_backend


@pytest.fixture
def workstation(context: AppContext) -> Iterator[AppContext]:
    """A second instance of the app on the same database (another computer of the lab)."""
    other = AppContext.open(context.settings)
    yield other
    other.close()


@dataclass(frozen=True)
class Reviewers:
    ana: ReviewService  # the owner, on her laptop
    ben: ReviewService  # an editor of her project, on the workstation
    ana_grid: ResultsService
    ben_grid: ResultsService
    ben_session: UserSession


@pytest.fixture
async def reviewers(
    context: AppContext, workstation: AppContext, user: UserSession, sampled: Sampled
) -> Reviewers:
    ben = await member(context, user, sampled.corpus.project_id, "ben", ShareAccess.EDITOR)
    return Reviewers(
        context.reviews(user), workstation.reviews(ben), context.results(user), workstation.results(ben), ben
    )


async def sector_cell(grid: ResultsService, sampled: Sampled, document: str) -> Cell:
    key = (sampled.corpus.ids[document], None)
    return (await grid.cells(sampled.corpus.project_id, [key]))[key]["sector"]


def other_sector(sampled: Sampled, document: str) -> str:
    return "housing" if sampled.corpus.plans[document].sector != "housing" else "energy"


@on_each_backend
async def test_a_grid_edit_of_a_value_reviewed_since_is_refused_and_shows_the_review(
    reviewers: Reviewers, sampled: Sampled
) -> None:
    seen_by_ana = await sector_cell(reviewers.ana_grid, sampled, "plan-01.txt")
    seen_by_ben = await sector_cell(reviewers.ben_grid, sampled, "plan-01.txt")
    assert seen_by_ana.review_id == seen_by_ben.review_id == NO_REVIEW
    value = seen_by_ana.extraction_id

    confirmed = await reviewers.ana_grid.apply(
        [CellEdit(value, Edit.CONFIRM, seen_review=seen_by_ana.review_id)]
    )
    assert (confirmed.written, confirmed.problems) == ((value,), ())
    other = await sector_cell(reviewers.ben_grid, sampled, "plan-02.txt")
    wrong = other_sector(sampled, "plan-01.txt")
    paste = [
        CellEdit(value, Edit.CORRECT, wrong, seen_review=seen_by_ben.review_id),
        CellEdit(other.extraction_id, Edit.CONFIRM, seen_review=other.review_id),
    ]
    report = await reviewers.ben_grid.apply(paste)
    assert report.written == (other.extraction_id,)  # the other cell of the paste is kept
    [(position, message)] = report.problems
    assert position == 0
    assert message.startswith("ana confirmed the value of 'sector' in plan-01.txt at ")
    assert message.endswith("after you opened it. Reload it to see the change, then make yours again.")
    shown = report.cells[(sampled.corpus.ids["plan-01.txt"], None)]["sector"]
    assert shown.review_id != NO_REVIEW
    assert (shown.state, shown.reviewed_by) == (CellState.CONFIRMED, "ana")  # ana's review, read back
    assert [event.reviewer for event in await reviewers.ana.history(value)] == ["ana"]

    again = await reviewers.ben_grid.apply(
        [CellEdit(value, Edit.CORRECT, wrong, seen_review=shown.review_id)]
    )
    assert again.problems == () and again.written == (value,)
    corrected = await sector_cell(reviewers.ana_grid, sampled, "plan-01.txt")
    assert (corrected.state, corrected.value, corrected.reviewed_by) == (CellState.CORRECTED, wrong, "ben")
    # Ana's undo of her confirmation (the review her grid shows) would now undo ben's correction: refused.
    key = (sampled.corpus.ids["plan-01.txt"], None)
    hers = confirmed.cells[key]["sector"].review_id
    with pytest.raises(ConcurrentEditError, match=r"ben corrected the value of 'sector' in plan-01\.txt"):
        await reviewers.ana_grid.undo([value], seen_reviews={value: hers})
    assert (await sector_cell(reviewers.ana_grid, sampled, "plan-01.txt")).reviewed_by == "ben"
    undone = await reviewers.ben_grid.undo([value], seen_reviews={value: corrected.review_id})
    assert undone[key]["sector"].state is CellState.CONFIRMED


@on_each_backend
async def test_a_review_clear_or_undo_from_a_stale_view_is_refused(
    reviewers: Reviewers, sampled: Sampled
) -> None:
    project = sampled.corpus.project_id
    value = await reviewers.ana.find_value(project, "plan-03.txt", "sector")
    await reviewers.ben.review(value, FeedbackType.CORRECT, seen_review=NO_REVIEW)
    with pytest.raises(ConcurrentEditError, match=r"^ben confirmed the value of 'sector' in plan-03\.txt"):
        await reviewers.ana.review(
            value, FeedbackType.INCORRECT, other_sector(sampled, "plan-03.txt"), seen_review=NO_REVIEW
        )
    with pytest.raises(ConcurrentEditError):
        await reviewers.ana.clear(value, seen_review=NO_REVIEW)
    with pytest.raises(ConcurrentEditError):
        await reviewers.ana.undo(value, seen_review=NO_REVIEW)
    [ben_review] = await reviewers.ana.history(value)
    assert (ben_review.reviewer, ben_review.state) == ("ben", ReviewState(FeedbackType.CORRECT))
    # Without a review seen (the command line, a sheet), the latest review applies as before.
    await reviewers.ana.review(value, FeedbackType.INCORRECT, other_sector(sampled, "plan-03.txt"))
    assert [event.reviewer for event in await reviewers.ana.history(value)] == ["ben", "ana"]
    # Agreeing with a colleague records the agreement, as one's own review.
    latest = (await reviewers.ana.history(value))[-1].id
    agreed = await reviewers.ben.review(
        value, FeedbackType.INCORRECT, other_sector(sampled, "plan-03.txt"), seen_review=latest
    )
    assert agreed.changed


@on_each_backend
async def test_two_reviews_racing_from_the_same_view_keep_exactly_one(
    context: AppContext, reviewers: Reviewers, sampled: Sampled, user: UserSession
) -> None:
    project = sampled.corpus.project_id
    for document in sorted(sampled.corpus.ids)[:6]:
        value = await reviewers.ana.find_value(project, document, "sector")
        outcomes = await asyncio.gather(
            reviewers.ana.review(value, FeedbackType.CORRECT, seen_review=NO_REVIEW),
            reviewers.ben.review(
                value, FeedbackType.INCORRECT, other_sector(sampled, document), seen_review=NO_REVIEW
            ),
            return_exceptions=True,
        )
        failed = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(failed) == 1 and isinstance(failed[0], ConcurrentEditError), outcomes
        history = await reviewers.ana.history(value)
        winner = "ana" if not isinstance(outcomes[0], BaseException) else "ben"
        assert [event.reviewer for event in history] == [winner]


@on_each_backend
async def test_a_review_waiting_on_another_transaction_is_refused_once_it_commits(
    context: AppContext, workstation: AppContext, reviewers: Reviewers, user: UserSession, sampled: Sampled
) -> None:
    """The value is locked from the check to the commit: the second review waits, then sees the first."""
    value = await reviewers.ana.find_value(sampled.corpus.project_id, "plan-04.txt", "sector")
    with context.database.transaction() as first:
        actions.record(first, user, value, ReviewState(FeedbackType.CORRECT), NO_REVIEW)

        def second() -> None:
            with workstation.database.transaction() as session:
                state = ReviewState(FeedbackType.INCORRECT, other_sector(sampled, "plan-04.txt"))
                actions.record(session, reviewers.ben_session, value, state, NO_REVIEW)

        waiting = asyncio.get_running_loop().run_in_executor(None, second)
        await asyncio.sleep(0.5)
        assert not waiting.done()  # held by the first review's transaction
    with pytest.raises(ConcurrentEditError, match=r"^ana confirmed"):
        await waiting
    assert [event.reviewer for event in await reviewers.ana.history(value)] == ["ana"]
