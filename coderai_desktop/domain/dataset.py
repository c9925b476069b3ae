"""The dataset as it is read back (persistence/repositories/dataset.py): units (a document, or one entity
found in it) in an order the database computes, and the cell of each unit x variable with the review that
applies to it. The results grid pages through it; the export streams from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from coderai_desktop.domain.enums import ExtractionStatus, FeedbackType, MatchStatus
from coderai_desktop.domain.review_history import NO_REVIEW

UnitKey = tuple[int, int | None]  # (document id, entity index or None)


def entity_key(text: str | None) -> str:
    """An entity's name as it is matched by: an answer or another coding may list a document's entities in
    another order, or spell their spacing and case differently ("Acme  Corp", "ACME Corp")."""
    return " ".join((text or "").split()).casefold()


class UnitRow(NamedTuple):  # a tuple: a grid keeps 10,000 of them in memory
    """A row of the dataset: a document, or one entity found in it."""

    document_id: int
    document: str  # the imported file name
    entity_index: int | None
    entity_text: str | None

    @property
    def key(self) -> UnitKey:
        return (self.document_id, self.entity_index)


class UnitValues(NamedTuple):
    """A unit with its cells, by variable name (a window of the read model)."""

    row: UnitRow
    values: dict[str, Cell]

    @property
    def document_id(self) -> int:
        return self.row.document_id

    @property
    def document(self) -> str:
        return self.row.document

    @property
    def entity_index(self) -> int | None:
        return self.row.entity_index

    @property
    def entity_text(self) -> str | None:
        return self.row.entity_text


class CellState(StrEnum):
    """Where a value stands, as the grid colours it and its filters choose it (most urgent first)."""

    FLAGGED = "FLAGGED"  # the pipeline flagged it (or the model gave no usable answer), nobody checked it
    LOW_CONFIDENCE = "LOW_CONFIDENCE"  # below its variable's confidence threshold, nobody checked it
    UNREVIEWED = "UNREVIEWED"  # neither, and nobody checked it
    CORRECTED = "CORRECTED"  # a researcher replaced it (incorrect, or partly correct)
    CONFIRMED = "CONFIRMED"  # a researcher confirmed it


NEEDS_REVIEW = (CellState.FLAGGED, CellState.LOW_CONFIDENCE, CellState.UNREVIEWED)
FLAGGED_STATUSES = (ExtractionStatus.FLAGGED, ExtractionStatus.FAILED)


@dataclass(frozen=True)
class ReviewStep:
    """One row of a value's review history: a review (correct, incorrect, partly correct), a review cleared
    (no feedback), or an undo, which carries the state it brought back."""

    at: datetime
    reviewer: str | None  # the account's login (None: the account was deleted)
    feedback: FeedbackType | None  # None: not reviewed (cleared, or undone back to nothing)
    corrected_value: Any
    note: str | None
    undo: bool  # an undo of the action before it


@dataclass(slots=True)
class Cell:
    """One variable's value for one unit: the AI's, with the researcher's review of it applied."""

    extraction_id: int
    value: Any  # what the dataset holds: the correction where there is one
    ai_value: Any
    confidence: float | None
    evidence: str | None  # the quote the model gave
    page: int | None
    char_start: int | None  # where the quote was found in the document's text
    char_end: int | None
    status: ExtractionStatus
    match_status: MatchStatus | None
    note: str | None  # why the pipeline flagged it, or what it did
    threshold: float  # the variable's confidence threshold
    prompt_id: int | None
    prompt_version: int | None
    model: str | None
    job_id: int
    feedback: FeedbackType | None = None  # the review in force, if any
    review_note: str | None = None
    reviewed_by: str | None = None  # who made the review in force (None: none, or the account is gone)
    reviewed_at: datetime | None = None
    history: tuple[ReviewStep, ...] = ()  # every review row of the value, oldest first (when asked for)
    # The id of the value's newest review row (NO_REVIEW: none): an edit hands it back as the review it saw,
    # and is refused if another was recorded since.
    review_id: int = NO_REVIEW
    # The first model's answer ({value, confidence, evidence_quote, model}) when a stronger model re-coded it.
    escalated_from: dict[str, Any] | None = None
    shared_from: int | None = None  # a near-duplicate coded once: the document whose values these are

    @property
    def reviewed(self) -> bool:
        return self.feedback is not None

    @property
    def corrected(self) -> bool:
        return self.feedback is not None and self.feedback is not FeedbackType.CORRECT

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED_STATUSES and not self.reviewed

    @property
    def low_confidence(self) -> bool:
        return not self.reviewed and self.confidence is not None and self.confidence < self.threshold

    @property
    def state(self) -> CellState:
        if self.feedback is FeedbackType.CORRECT:
            return CellState.CONFIRMED
        if self.feedback is not None:
            return CellState.CORRECTED
        if self.flagged:
            return CellState.FLAGGED
        if self.low_confidence:
            return CellState.LOW_CONFIDENCE
        return CellState.UNREVIEWED


class UnitFilter(StrEnum):
    """Which units the grid shows: those with at least one value (of the chosen variable) in this state."""

    ALL = "ALL"
    NEEDS_REVIEW = "NEEDS_REVIEW"  # flagged, below threshold or not reviewed
    FLAGGED = "FLAGGED"
    LOW_CONFIDENCE = "LOW_CONFIDENCE"
    REVIEWED = "REVIEWED"  # corrected or confirmed
    CORRECTED = "CORRECTED"
    CONFIRMED = "CONFIRMED"


FILTER_STATES: dict[UnitFilter, tuple[CellState, ...]] = {
    UnitFilter.NEEDS_REVIEW: NEEDS_REVIEW,
    UnitFilter.FLAGGED: (CellState.FLAGGED,),
    UnitFilter.LOW_CONFIDENCE: (CellState.LOW_CONFIDENCE,),
    UnitFilter.REVIEWED: (CellState.CORRECTED, CellState.CONFIRMED),
    UnitFilter.CORRECTED: (CellState.CORRECTED,),
    UnitFilter.CONFIRMED: (CellState.CONFIRMED,),
}


@dataclass(frozen=True)
class UnitQuery:
    """Which units, in which order. Sorting by a variable orders by the value the dataset holds (the
    correction where there is one); units without a value come last either way."""

    sort_by: str | None = None  # a variable's name; None: by document (file name), then entity
    descending: bool = False
    filter: UnitFilter = UnitFilter.ALL
    variable: str | None = None  # the filter (and the search) looks at this variable only
    search: str = ""  # in the file name, the entity and the values (case-insensitive)


@dataclass(frozen=True)
class ValueEvidence:
    """What the evidence panel shows of one value: the passage in the document, and how the value came."""

    extraction_id: int
    document_id: int
    document: str
    variable: str
    entity_text: str | None
    value: Any
    confidence: float | None
    threshold: float
    quote: str | None
    match_status: MatchStatus | None
    char_start: int | None
    char_end: int | None
    page: int | None
    status: ExtractionStatus
    note: str | None  # why it was flagged
    model: str | None
    prompt_version: int | None
    job_id: int
    job_type: str  # SAMPLE, FULL...
    text: str  # the document's text (the quote's offsets point into it)
    page_offsets: list[int] = field(default_factory=list)  # where each page starts in the text
    has_page_image: bool = False  # a PDF with a text layer: the page itself can be shown
    ai_value: Any = None  # the model's value (`value` is the correction where there is one)
    feedback: FeedbackType | None = None  # the review in force
    reviewed_by: str | None = None
    review_note: str | None = None
    shared_from: str | None = None  # a near-duplicate coded once: the file whose values it shares

    @property
    def located(self) -> bool:
        return self.char_start is not None and self.char_end is not None
