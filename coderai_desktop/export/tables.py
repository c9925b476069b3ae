"""The dataset as flat tables. Wide: one row per unit, value columns named exactly as the variables.
Long: one row per value, with its confidence, evidence, provenance and review history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.dataset import Cell, ReviewStep, UnitValues
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.export.model import Dataset, Mark, Table, VariableInfo
from coderai_desktop.formatting import local_time

DOCUMENT, DOCUMENT_ID, ENTITY_INDEX, ENTITY_TEXT = "document", "document_id", "entity_index", "entity_text"
UNIT_LABELS = {
    DOCUMENT: "Imported file name",
    DOCUMENT_ID: "Document id in the project",
    ENTITY_INDEX: "Entity number within the document (from 0)",
    ENTITY_TEXT: "How the entity is named in the document",
}
DOCUMENT_PAGES, DOCUMENT_WORDS = "doc_pages", "doc_words"
# Per variable, with value_details: suffix -> (label, how to read it from a value).
DETAILS: dict[str, tuple[str, Any]] = {
    "confidence": ("confidence of the model (0-1)", lambda v: v.confidence),
    "evidence": ("verbatim quote the value rests on", lambda v: v.evidence),
    "page": ("page of the quote", lambda v: v.page),
    "status": ("EXTRACTED, VALIDATED, FLAGGED or FAILED", lambda v: v.status.value),
    "prompt_version": ("version of the prompt that produced it", lambda v: v.prompt_version),
    "model": ("model that produced it", lambda v: v.model),
    "escalated": ("model of the first answer, if a stronger one replaced it", lambda v: escalated_from(v)),
    "reviewed": ("checked by a researcher", lambda v: v.reviewed),
    "corrected": ("corrected by a researcher", lambda v: v.corrected),
}
LONG_COLUMNS = [
    "variable",
    "value",
    "confidence",
    "evidence",
    "page",
    "status",
    "evidence_match",
    "prompt_version",
    "model",
    "escalated",
    "shared_from",
    "reviewed",
    "corrected",
    "ai_value",
    "review",
    "reviewed_by",
    "reviewed_at",
    "review_history",
]
REVIEW_WORDS = {
    FeedbackType.CORRECT: "correct",
    FeedbackType.INCORRECT: "incorrect",
    FeedbackType.PARTIALLY_CORRECT: "partial",
}
HISTORY_SEPARATOR = "; "


@dataclass(frozen=True)
class WideLayout:
    """The columns of the wide table and how each is filled, without its rows."""

    columns: list[str]
    labels: dict[str, str]
    value_columns: dict[str, VariableSpec]
    # (column position, variable, how to read the cell, whether the cell is the value itself)
    readers: list[tuple[int, VariableInfo, Any, bool]]
    unit_cells: Callable[[UnitValues], list[Any]]

    def columns_of(self, variable: str) -> list[str]:
        """The columns a variable fills: its value (or name_1 ... name_k), then its details if exported."""
        return [
            self.columns[position]
            for position, info, _read, _is_value in self.readers
            if info.spec.name == variable
        ]


def wide_layout(dataset: Dataset) -> WideLayout:
    options = dataset.options
    unit_columns, unit_cells = _unit_part(dataset)
    columns, labels = list(unit_columns), {c: UNIT_LABELS.get(c, _meta_label(c)) for c in unit_columns}
    value_columns: dict[str, VariableSpec] = {}
    # Variables keep their names; a derived column (level_1, title_page) yields to a variable's name.
    taken = {column.lower() for column in columns} | {info.spec.name.lower() for info in dataset.variables}
    readers: list[tuple[int, VariableInfo, Any, bool]] = []
    for info in dataset.variables:
        spec = info.spec
        if options.expand_multi and spec.is_multi_valued:
            # As many columns as the codebook allows, or more if a correction holds more values.
            slots = max(spec.max_values or 1, _longest_list(dataset.units, spec.name))
            for index in range(slots):
                name = _free_name(f"{spec.name}_{index + 1}", taken)
                columns.append(name)
                labels[name] = f"{spec.label} (value {index + 1} of up to {slots})"
                value_columns[name] = spec
                readers.append((len(columns) - 1, info, _nth_value(index), True))
        else:
            columns.append(spec.name)
            labels[spec.name] = spec.label
            value_columns[spec.name] = spec
            readers.append((len(columns) - 1, info, _final_value, True))
        if options.value_details:
            for suffix, (label, read) in DETAILS.items():
                name = _free_name(f"{spec.name}_{suffix}", taken)
                columns.append(name)
                labels[name] = f"{spec.label}: {label}"
                readers.append((len(columns) - 1, info, read, False))
    return WideLayout(columns, labels, value_columns, readers, unit_cells)


def wide_table(dataset: Dataset) -> Table:
    layout = wide_layout(dataset)
    width = len(layout.columns)
    rows: list[list[Any]] = []
    marks: dict[tuple[int, int], Mark] = {}
    for unit in dataset.units:
        row = layout.unit_cells(unit)
        row.extend([None] * (width - len(row)))
        for position, info, read, is_value in layout.readers:
            coded = unit.values.get(info.spec.name)
            if coded is None:
                continue
            row[position] = read(coded)
            # An empty slot of an expanded list is not the value: only the value's own cells are marked.
            empty_slot = row[position] is None and read is not _final_value
            mark = cell_mark(coded, info.spec) if is_value and not empty_slot else None
            if mark is not None:
                marks[(len(rows), position)] = mark
        rows.append(row)
    return Table(layout.columns, rows, layout.labels, layout.value_columns, marks)


def long_table(dataset: Dataset) -> Table:
    """One row per value; a multi-value variable has a row for each of its values."""
    unit_columns, unit_cells = _unit_part(dataset)
    columns = [*unit_columns, *LONG_COLUMNS]
    labels = {c: UNIT_LABELS.get(c, _meta_label(c)) for c in unit_columns}
    labels.update(
        variable="Variable name",
        value="The value (the researcher's correction where there is one)",
        evidence_match="How the quote was found in the text: EXACT, NORMALIZED, FUZZY, NOT_FOUND, NO_QUOTE",
        ai_value="The model's value, before any correction",
        shared_from="Near-duplicate coded once: id of the document with the same text whose value this is",
        review="The review in force: correct, incorrect or partial (empty: not reviewed)",
        reviewed_by="Who made the review in force (login)",
        reviewed_at="When the review in force was made (ISO 8601, local time with its offset)",
        review_history=(
            "Every review of the value, oldest first, separated by semicolons: when (local time), who, "
            "and what (correct; incorrect or partial -> the corrected value; cleared; undo -> the state it "
            "brought back), with the note in parentheses"
        ),
        **{
            name: label[0].upper() + label[1:]
            for name, (label, _read) in DETAILS.items()
            if name in LONG_COLUMNS
        },
    )
    rows: list[list[Any]] = []
    marks: dict[tuple[int, int], Mark] = {}
    value_position = columns.index("value")
    for unit in dataset.units:
        cells = unit_cells(unit)
        for info in dataset.variables:
            coded = unit.values.get(info.spec.name)
            if coded is None:
                continue
            items = coded.value if isinstance(coded.value, list) and coded.value else [coded.value]
            mark = cell_mark(coded, info.spec)
            for item in items:
                if mark is not None:
                    marks[(len(rows), value_position)] = mark
                rows.append([*cells, info.spec.name, item, *_long_details(coded)])
    return Table(columns, rows, labels, {}, marks)


def cell_mark(coded: Cell, spec: VariableSpec) -> Mark | None:
    """Why a value deserves a second look in a spreadsheet (a correction is shown as such)."""
    if coded.corrected:
        return Mark.CORRECTED
    if coded.flagged:
        return Mark.FLAGGED
    if coded.confidence is not None and coded.confidence < spec.confidence_threshold and not coded.reviewed:
        return Mark.LOW_CONFIDENCE
    return None


def _unit_part(dataset: Dataset) -> tuple[list[str], Callable[[UnitValues], list[Any]]]:
    """The columns that say which unit a row is (and, if asked, about its document), and their cells."""
    columns = [DOCUMENT, DOCUMENT_ID]
    if dataset.per_entity:
        columns += [ENTITY_INDEX, ENTITY_TEXT]
    metadata_keys: list[str] = []
    if dataset.options.document_details:
        seen: dict[str, None] = {}
        for details in dataset.documents.values():
            seen.update(dict.fromkeys(details.metadata))
        metadata_keys = list(seen)
        taken = {c.lower() for c in columns} | {info.spec.name.lower() for info in dataset.variables}
        columns += [DOCUMENT_PAGES, DOCUMENT_WORDS]
        columns += [_free_name(f"doc_{key}", taken) for key in metadata_keys]

    def cells(unit: UnitValues) -> list[Any]:
        row: list[Any] = [unit.document, unit.document_id]
        if dataset.per_entity:
            row += [unit.entity_index, unit.entity_text]
        if dataset.options.document_details:
            details = dataset.documents[unit.document_id]
            row += [details.pages, details.words, *(details.metadata.get(key) for key in metadata_keys)]
        return row

    return columns, cells


def _free_name(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate.lower() in taken:
        candidate, number = f"{name}_{number}", number + 1
    taken.add(candidate.lower())
    return candidate


def _meta_label(column: str) -> str:
    if column == DOCUMENT_PAGES:
        return "Pages of the document"
    if column == DOCUMENT_WORDS:
        return "Words in the document"
    return f"Document metadata: {column.removeprefix('doc_')}"


def _longest_list(units: list[UnitValues], name: str) -> int:
    values = (unit.values[name].value for unit in units if name in unit.values)
    return max((len(value) for value in values if isinstance(value, list)), default=0)


def _final_value(coded: Cell) -> Any:
    return coded.value


def _nth_value(index: int) -> Any:
    def read(coded: Cell) -> Any:
        items = coded.value if isinstance(coded.value, list) else [coded.value]
        return items[index] if index < len(items) else None

    return read


def _long_details(coded: Cell) -> list[Any]:
    return [
        coded.confidence,
        coded.evidence,
        coded.page,
        coded.status.value,
        coded.match_status.value if coded.match_status else None,
        coded.prompt_version,
        coded.model,
        escalated_from(coded),
        coded.shared_from,
        coded.reviewed,
        coded.corrected,
        coded.ai_value if coded.corrected else None,
        REVIEW_WORDS[coded.feedback] if coded.feedback is not None else None,
        coded.reviewed_by if coded.reviewed else None,
        coded.reviewed_at.astimezone().isoformat(timespec="seconds") if coded.reviewed_at else None,
        review_history(coded.history) if coded.history else None,
    ]


def escalated_from(coded: Cell) -> str | None:
    """The model of the first answer a stronger model's answer replaced, if it was escalated."""
    return None if coded.escalated_from is None else coded.escalated_from.get("model") or "?"


def review_history(steps: tuple[ReviewStep, ...]) -> str:
    """A value's reviews in one cell: "2026-12-05 10:01 ana: incorrect -> 5000 (the table on page 2);
    2026-12-05 10:03 ana: undo -> correct"."""
    return HISTORY_SEPARATOR.join(
        f"{local_time(step.at)} {step.reviewer or 'a deleted account'}: {_step_text(step)}" for step in steps
    )


def _step_text(step: ReviewStep) -> str:
    if step.undo:
        text = "undo -> " + _state_text(step)
    elif step.feedback is None:
        text = "cleared"
    else:
        text = _state_text(step)
    return f"{text} ({' '.join(step.note.split())})" if step.note else text


def _state_text(step: ReviewStep) -> str:
    if step.feedback is None:
        return "not reviewed"
    word = REVIEW_WORDS[step.feedback]
    if step.feedback is FeedbackType.CORRECT:
        return word
    return f"{word} -> {_value_text(step.corrected_value)}"


def _value_text(value: Any) -> str:
    if value is None or value == []:
        return "no value"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
