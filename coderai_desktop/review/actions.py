"""Reviewing one value, in a session: the researcher's judgement checked with the rules the AI's values
meet, and written as a new row (nothing is overwritten: the history stays, and undo can go back)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.coercion import CoercionError, check_value
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.review_history import ReviewState, after_undo
from coderai_desktop.persistence.repositories.extractions import ExtractionRepository, ReviewRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository, spec_of
from coderai_desktop.persistence.tables import Extraction, ExtractionFeedback

UNSET: Any = object()  # no corrected value was given (None is one: "the document gives no value")
FEEDBACK_WORDS = {
    FeedbackType.CORRECT: "correct",
    FeedbackType.INCORRECT: "incorrect",
    FeedbackType.PARTIALLY_CORRECT: "partly correct",
}


def value_and_spec(
    session: Session, user: UserSession, extraction_id: int
) -> tuple[Extraction, VariableSpec]:
    """The value (of this workspace only) and its variable."""
    extraction = ExtractionRepository(session, user.workspace_id).require(extraction_id)
    variable = VariableRepository(session, user.workspace_id).require(extraction.variable_id)
    return extraction, spec_of(variable)


def checked_state(
    spec: VariableSpec, ai_value: Any, feedback: FeedbackType, corrected: Any = UNSET, note: str | None = None
) -> ReviewState:
    """The review as it will be stored, or InvalidInputError saying why it cannot be (nothing is stored)."""
    note = (note or "").strip() or None
    if feedback is FeedbackType.CORRECT:
        return ReviewState(feedback, None, note)
    if corrected is UNSET or (feedback is FeedbackType.PARTIALLY_CORRECT and corrected in (None, "", [])):
        needs = (
            "A partly correct value needs the corrected value"
            if feedback is FeedbackType.PARTIALLY_CORRECT
            else "An incorrect value needs the right one (or an empty value when the document gives none)"
        )
        raise InvalidInputError(f"{needs}; nothing was stored.")
    try:
        value = corrected_value(spec, corrected)
    except InvalidInputError as error:
        raise InvalidInputError(f"{error}. Nothing was stored.") from None
    if value == check_value_or_none(spec, ai_value):
        raise InvalidInputError(
            f"{_shown(value)} is the model's own value: mark it correct instead. Nothing was stored."
        )
    return ReviewState(feedback, value, note)


def corrected_value(spec: VariableSpec, corrected: Any) -> Any:
    """A researcher's value checked with the rules the AI's values meet ("" means the document gives
    none), or InvalidInputError saying why not."""
    try:
        return check_value(spec, None if corrected == "" else corrected)
    except CoercionError as error:
        raise InvalidInputError(f"{corrected!r} is not a value {spec.name} can hold: {error}") from None


def check_value_or_none(spec: VariableSpec, value: Any) -> Any:
    try:
        return check_value(spec, value)
    except CoercionError:
        return value


def record(session: Session, user: UserSession, extraction_id: int, state: ReviewState) -> bool:
    """A new review row with `state`, unless it is already the state in force (a sheet imported twice
    writes nothing the second time). True when a row was written."""
    reviews = ReviewRepository(session, user.workspace_id)
    history = reviews.history(extraction_id)
    if ReviewState.of(history[-1] if history else None) == state:
        return False
    reviews.add(_row(user, extraction_id, state))
    return True


def undo(session: Session, user: UserSession, extraction_id: int) -> ReviewState:
    reviews = ReviewRepository(session, user.workspace_id)
    undone = after_undo(reviews.history(extraction_id))
    if undone is None:
        raise InvalidInputError("This value has no review to undo.")
    undone_id, restored = undone
    reviews.add(_row(user, extraction_id, restored, undoes=undone_id))
    return restored


def _row(
    user: UserSession, extraction_id: int, state: ReviewState, undoes: int | None = None
) -> ExtractionFeedback:
    return ExtractionFeedback(
        extraction_id=extraction_id,
        feedback_type=state.feedback,
        corrected_value=state.corrected_value,
        user_note=state.note,
        account_id=user.account_id,
        undoes_id=undoes,
    )


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value)) or "no value"
    return "no value" if value is None else repr(value)
