"""A value's reviews as a stack of actions: every change is a new row, the latest row holds the state that
applies, and undo pops the latest action that is not undone (back to "not reviewed" at the bottom)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from coderai_desktop.domain.enums import FeedbackType


class ReviewRow(Protocol):
    id: int
    feedback_type: FeedbackType | None
    corrected_value: Any
    user_note: str | None
    undoes_id: int | None


@dataclass(frozen=True)
class ReviewState:
    """What a review says of a value: a type (None: not reviewed), the corrected value and a note."""

    feedback: FeedbackType | None
    corrected_value: Any = None
    note: str | None = None

    @classmethod
    def of(cls, row: ReviewRow | None) -> ReviewState:
        if row is None:
            return NOT_REVIEWED
        return cls(row.feedback_type, row.corrected_value, row.user_note)


NOT_REVIEWED = ReviewState(None)
# The review an edit saw, when the value had none yet (review ids start at 1).
NO_REVIEW = 0


@dataclass(frozen=True)
class ReviewEvent:
    """One row of a value's history, as a person reads it."""

    id: int
    state: ReviewState
    reviewer: str | None  # the account's login (None: the account was deleted)
    at: datetime
    undoes: int | None  # the row this one undid


def actions(rows: Sequence[ReviewRow]) -> list[ReviewRow]:
    """The actions in force, oldest first: each undo row removes the action it undid."""
    stack: list[ReviewRow] = []
    for row in rows:
        if row.undoes_id is None:
            stack.append(row)
        elif stack and stack[-1].id == row.undoes_id:
            stack.pop()
    return stack


def after_undo(rows: Sequence[ReviewRow]) -> tuple[int, ReviewState] | None:
    """(the action undone, the state it restores), or None when there is nothing to undo."""
    stack = actions(rows)
    if not stack:
        return None
    return stack[-1].id, ReviewState.of(stack[-2] if len(stack) > 1 else None)
