"""Reviewing one value, in a session: the researcher's judgement checked with the rules the AI's values
meet, and written as a new row (nothing is overwritten: the history stays, and undo can go back)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.coercion import CoercionError, check_value
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.domain.errors import ConcurrentEditError, InvalidInputError
from coderai_desktop.domain.review_history import NO_REVIEW, ReviewState, after_undo
from coderai_desktop.persistence.repositories.documents import DocumentRepository
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


def record(
    session: Session,
    user: UserSession,
    extraction_id: int,
    state: ReviewState,
    seen_review: int | None = None,
) -> bool:
    """A new review row with `state`, unless it is already the state in force by the same reviewer (a sheet
    imported twice writes nothing the second time; a colleague's agreeing review is theirs to keep). True
    when a row was written.

    `seen_review`: the id of the value's newest review row when the reviewer saw it (NO_REVIEW: it had
    none); if another review was recorded since, ConcurrentEditError, and nothing is written. None: no
    check (a sheet, the command line)."""
    reviews = ReviewRepository(session, user.workspace_id)
    history = _history(reviews, extraction_id, seen_review)
    latest = history[-1] if history else None
    if ReviewState.of(latest) == state and (latest is None or latest.account_id == user.account_id):
        return False
    _refuse_if_reviewed_since(session, user, extraction_id, history, seen_review)
    reviews.add(_row(user, extraction_id, state))
    return True


def undo(
    session: Session, user: UserSession, extraction_id: int, seen_review: int | None = None
) -> ReviewState:
    """Undo the latest action in force; `seen_review` as for `record`."""
    reviews = ReviewRepository(session, user.workspace_id)
    history = _history(reviews, extraction_id, seen_review)
    _refuse_if_reviewed_since(session, user, extraction_id, history, seen_review)
    undone = after_undo(history)
    if undone is None:
        raise InvalidInputError("This value has no review to undo.")
    undone_id, restored = undone
    reviews.add(_row(user, extraction_id, restored, undoes=undone_id))
    return restored


def _history(
    reviews: ReviewRepository, extraction_id: int, seen_review: int | None
) -> list[ExtractionFeedback]:
    """The value's review rows; checked against what the reviewer saw, they stay the latest until this
    transaction ends (another review of the value waits for it)."""
    if seen_review is not None:
        reviews.lock_value(extraction_id)
    return reviews.history(extraction_id)


def _refuse_if_reviewed_since(
    session: Session,
    user: UserSession,
    extraction_id: int,
    history: list[ExtractionFeedback],
    seen_review: int | None,
) -> None:
    if seen_review is None or (history[-1].id if history else NO_REVIEW) == seen_review:
        return
    newest = ReviewRepository(session, user.workspace_id).last(extraction_id)
    assert newest is not None, "a review newer than the one seen"
    extraction, spec = value_and_spec(session, user, extraction_id)
    document = DocumentRepository(session, user.workspace_id).require(extraction.document_id).file_name
    change = f"{_change_words(newest)} the value of {spec.name!r} in {document}"
    raise ConcurrentEditError.since_opened(change, newest.login, newest.created_at, me=user.login)


def _change_words(row: Any) -> str:
    if row.undoes_id is not None:
        return "undid a review of"
    if row.feedback_type is None:
        return "cleared the review of"
    return "confirmed" if row.feedback_type is FeedbackType.CORRECT else "corrected"


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
