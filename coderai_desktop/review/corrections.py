"""Corrections as a spreadsheet: the values with their quote, page and flags, and columns for the
researcher's review; imported back row by row, each row checked as a review in the window is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.review_history import ReviewState
from coderai_desktop.persistence.repositories.extractions import ExtractionRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository, spec_of
from coderai_desktop.review import actions
from coderai_desktop.review.cells import cell_value, shown, whole_number
from coderai_desktop.review.records import ProjectRecords
from coderai_desktop.review.sheet_import import ImportReport, RowError, RowProblem
from coderai_desktop.review.sheets import SheetColumn, SheetRow, read_sheet, write_sheet

CLEAR = "clear"
REVIEW_WORDS = {
    "correct": FeedbackType.CORRECT,
    "incorrect": FeedbackType.INCORRECT,
    "partial": FeedbackType.PARTIALLY_CORRECT,
    "partly correct": FeedbackType.PARTIALLY_CORRECT,
    "partially correct": FeedbackType.PARTIALLY_CORRECT,
    "partially_correct": FeedbackType.PARTIALLY_CORRECT,
}
WORD_OF = {
    FeedbackType.CORRECT: "correct",
    FeedbackType.INCORRECT: "incorrect",
    FeedbackType.PARTIALLY_CORRECT: "partial",
}
COLUMNS = (
    SheetColumn("value_id", "The value's id: keep it as it is, it says which value a row reviews.", 10),
    SheetColumn("document_id", "The document's id in the project.", 11),
    SheetColumn("document", "The document's file name.", 28),
    SheetColumn("entity", "The entity the value is about (entity projects).", 20),
    SheetColumn("variable", "The variable (see the codebook).", 18),
    SheetColumn("ai_value", "What the model coded; several values are separated by semicolons.", 24),
    SheetColumn("confidence", "The model's confidence, 0 to 1.", 11),
    SheetColumn("flags", "Why the value was flagged for review, if it was.", 30),
    SheetColumn("quote", "The words the model quoted from the document.", 40),
    SheetColumn("page", "The page of the quote.", 7),
    SheetColumn(
        "review",
        "correct, incorrect or partial; clear takes a review back; leave it blank to skip the row.",
        11,
        choices=("correct", "incorrect", "partial", CLEAR),
        editable=True,
    ),
    SheetColumn(
        "corrected_value",
        "For incorrect or partial: the right value (several separated by semicolons); blank for "
        "incorrect means the document gives no value.",
        24,
        editable=True,
    ),
    SheetColumn("note", "Why, in a few words (optional).", 30, editable=True),
)
REQUIRED = ("value_id", "review", "corrected_value")
INSTRUCTIONS = (
    "Review each value against its quote (and the document when in doubt).",
    "In 'review' write correct, incorrect or partial; for incorrect and partial, give the right value in "
    "'corrected_value'. Rows left blank in 'review' are skipped.",
    "Then import the sheet: coderai review PROJECT --import FILE (or in the app). Every row is checked with "
    "the codebook's rules; a bad row is reported with its number and the good ones are kept.",
)


def write(path: Path, records: ProjectRecords) -> int:
    position = {spec.name: index for index, spec in enumerate(records.variables)}
    values = sorted(
        records.all_values(),
        key=lambda v: (v.document.casefold(), v.document_id, v.entity_index or 0, position[v.variable]),
    )
    rows = []
    for value in values:
        review = records.reviews.get(value.extraction_id)
        rows.append(
            [
                value.extraction_id,
                value.document_id,
                value.document,
                value.entity_text,
                value.variable,
                shown(value.value),
                value.confidence,
                value.note if value.status == "FLAGGED" else None,
                value.quote,
                value.page,
                WORD_OF[review.feedback] if review else None,
                shown(review.corrected_value)
                if review and review.feedback is not FeedbackType.CORRECT
                else None,
                review.note if review else None,
            ]
        )
    return write_sheet(path, COLUMNS, rows, title="Corrections", instructions=INSTRUCTIONS)


def read(
    session: Session, user: UserSession, project: ProjectRef, path: Path, *, all_or_nothing: bool
) -> ImportReport:
    sheet = read_sheet(path, required=REQUIRED)
    project_id = ProjectRepository(session, user.workspace_id).resolve(project).id
    specs = {
        row.id: spec_of(row) for row in VariableRepository(session, user.workspace_id).of_project(project_id)
    }
    extractions = ExtractionRepository(session, user.workspace_id)
    ids = {_value_id(row) for row in sheet.rows if _has_review(row)}
    found = {
        extraction.id: extraction
        for extraction in extractions.session.scalars(
            extractions.select().where(extractions.model.id.in_([i for i in ids if i is not None]))
        )
        if extraction.project_id == project_id
    }
    problems: list[RowProblem] = []
    changes: list[tuple[int, ReviewState]] = []
    blank = 0
    seen: dict[int, int] = {}
    for row in sheet.rows:
        if not _has_review(row):
            blank += 1
            continue
        try:
            value_id = _value_id(row)
            if value_id is None or value_id not in found:
                raise RowError(f"there is no value {row.cells.get('value_id')!r} in this project")
            if value_id in seen:
                raise RowError(f"value {value_id} is reviewed again (first on row {seen[value_id]})")
            seen[value_id] = row.number
            extraction = found[value_id]
            changes.append((value_id, _state(row, specs[extraction.variable_id], extraction.value)))
        except (RowError, InvalidInputError) as error:
            problems.append(RowProblem(row.number, _reason(error)))
    if all_or_nothing and problems:
        return ImportReport(len(sheet.rows), 0, 0, blank, tuple(problems), kept=False)
    applied = sum(actions.record(session, user, value_id, state) for value_id, state in changes)
    return ImportReport(len(sheet.rows), applied, len(changes) - applied, blank, tuple(problems), kept=True)


def _has_review(row: SheetRow) -> bool:
    return cell_value(row.cells.get("review")) is not None


def _value_id(row: SheetRow) -> int | None:
    return whole_number(row.cells.get("value_id"))


def _state(row: SheetRow, spec: Any, ai_value: Any) -> ReviewState:
    word = str(cell_value(row.cells.get("review"))).casefold()
    note = cell_value(row.cells.get("note"))
    note = None if note is None else str(note)
    if word in (CLEAR, "not reviewed"):
        return ReviewState(None, None, note)
    feedback = REVIEW_WORDS.get(word)
    if feedback is None:
        raise RowError(f"review {word!r} is not one of correct, incorrect, partial or clear")
    corrected = cell_value(row.cells.get("corrected_value"))
    if feedback is FeedbackType.CORRECT:
        return actions.checked_state(spec, ai_value, feedback, note=note)
    return actions.checked_state(spec, ai_value, feedback, corrected, note)


def _reason(error: Exception) -> str:
    return str(error).removesuffix(" Nothing was stored.").removesuffix("; nothing was stored.")
