"""A value's reviews as a stack: undo pops the latest action in force, down to "not reviewed"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.domain.review_history import NOT_REVIEWED, ReviewState, actions, after_undo

CORRECT, INCORRECT = FeedbackType.CORRECT, FeedbackType.INCORRECT


@dataclass
class Row:
    id: int
    feedback_type: FeedbackType | None
    corrected_value: Any = None
    user_note: str | None = None
    undoes_id: int | None = None


def test_nothing_to_undo_without_reviews() -> None:
    assert after_undo([]) is None


def test_undo_restores_the_previous_state_then_not_reviewed() -> None:
    rows = [Row(1, CORRECT), Row(2, INCORRECT, 5)]
    assert after_undo(rows) == (2, ReviewState(CORRECT))
    rows.append(Row(3, CORRECT, undoes_id=2))
    assert [row.id for row in actions(rows)] == [1]
    assert after_undo(rows) == (1, NOT_REVIEWED)
    rows.append(Row(4, None, undoes_id=1))
    assert actions(rows) == [] and after_undo(rows) is None


def test_a_cleared_review_is_an_action_that_undo_takes_back() -> None:
    rows = [Row(1, INCORRECT, 7, "page 2"), Row(2, None)]
    assert after_undo(rows) == (2, ReviewState(INCORRECT, 7, "page 2"))


def test_a_new_review_after_an_undo_stacks_on_what_remains() -> None:
    rows = [Row(1, CORRECT), Row(2, INCORRECT, 5), Row(3, CORRECT, undoes_id=2), Row(4, INCORRECT, 9)]
    assert [row.id for row in actions(rows)] == [1, 4]
    assert after_undo(rows) == (4, ReviewState(CORRECT))
