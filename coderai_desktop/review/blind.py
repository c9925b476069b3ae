"""Blind coding: a sheet of a sample of units with an empty column per variable, coded by a researcher
without seeing the AI's values, and imported back as that researcher's codings (one coder per account)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.coercion import CoercionError, check_value
from coderai_desktop.domain.enums import UnitOfObservation, VariableType
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.extractions import CodingRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository
from coderai_desktop.persistence.tables import HumanCoding
from coderai_desktop.review.cells import NO_VALUE_WORDS, cell_value, whole_number
from coderai_desktop.review.records import AI, REVIEW, ProjectRecords, UnitKey, read_records
from coderai_desktop.review.sheet_import import ImportReport, RowError, RowProblem
from coderai_desktop.review.sheets import SheetColumn, SheetRow, read_sheet, write_sheet

UNIT_COLUMNS = ("document_id", "document", "entity_index", "entity")
NOTE = "note"
INSTRUCTIONS = (
    "Code each document yourself, from the document alone: the AI's values are not in this sheet, so that "
    "they cannot sway you (that would inflate the agreement measured).",
    "Leave a cell blank when you did not code it. Write NA when the document gives no value. Separate several "
    "values with semicolons. Categories: write the category's value (see the drop-down and the Instructions).",
    "Then import the sheet: coderai code PROJECT --blind --import FILE. Your codings are stored under your "
    "login; agreement compares them with the AI's values, and with other coders' codings of the same units.",
)


def write(
    session: Session,
    user: UserSession,
    project: ProjectRef,
    path: Path,
    *,
    sample: int | None,
    seed: int | None,
    documents: Sequence[int] | None = None,
) -> int:
    """A sheet of `sample` documents drawn at random among those a run has coded (all of them if None), or
    of these `documents` (a blind round's sample)."""
    records = read_records(session, user.workspace_id, project, second_opinions=False, viewer=user.login)
    chosen = set(draw(records, sample, seed) if documents is None else documents)
    units: dict[UnitKey, tuple[str, str | None]] = {}
    for value in records.all_values():
        if value.document_id in chosen:
            units.setdefault(value.unit, (value.document, value.entity_text))
    columns = [
        SheetColumn("document_id", "The document's id: keep it as it is.", 11),
        SheetColumn("document", "The document's file name (open it in the app's Documents page).", 28),
        SheetColumn("entity_index", "The entity's number in the document (entity projects): keep it.", 11),
        SheetColumn("entity", "The entity to code (entity projects).", 22),
        *(_variable_column(spec) for spec in records.variables),
        SheetColumn(NOTE, "Anything worth saying about this unit (optional).", 30, editable=True),
    ]
    rows = [
        [unit[0], about[0], unit[1], about[1], *([None] * len(records.variables)), None]
        for unit, about in sorted(
            units.items(), key=lambda item: (item[1][0].casefold(), item[0][0], item[0][1] or 0)
        )
    ]
    return write_sheet(path, columns, rows, title="Blind coding", instructions=INSTRUCTIONS)


def draw(records: ProjectRecords, sample: int | None, seed: int | None) -> list[int]:
    """`sample` documents drawn at random among those a run has coded (all of them if None), in the order
    drawn: the same seed draws the same documents."""
    documents = sorted({value.document_id for value in records.all_values()})
    if not documents:
        raise InvalidInputError(
            "No document is coded yet: run a sample first, then code the same documents blind."
        )
    if sample is None:
        return documents
    if sample < 1:
        raise InvalidInputError("A blind sample needs at least one document.")
    return random.Random(seed).sample(documents, min(sample, len(documents)))


def _variable_column(spec: VariableSpec) -> SheetColumn:
    help_text = spec.instructions
    choices: tuple[str, ...] = ()
    if spec.type is VariableType.CATEGORY:
        help_text += " Categories: " + "; ".join(
            f"{c.value} ({c.label})" if c.label else c.value for c in spec.categories
        )
        choices = (*(c.value for c in spec.categories), "NA") if not spec.is_multi_valued else ()
    elif spec.type is VariableType.BOOLEAN:
        choices = ("yes", "no", "NA")
    elif spec.type is VariableType.DATE:
        help_text += " As YYYY-MM-DD (or YYYY-MM, YYYY)."
    return SheetColumn(spec.name, help_text, 16, choices=choices, editable=True)


def read(
    session: Session,
    user: UserSession,
    project: ProjectRef,
    path: Path,
    *,
    coder: str | None,
    all_or_nothing: bool,
) -> ImportReport:
    """The sheet's codings under `coder` (by default the login of the person importing: a colleague's
    sheet, coded on paper or in another workspace, is imported under their name)."""
    coder = (coder or "").strip() or user.login
    if coder in (AI, REVIEW):
        raise InvalidInputError(
            f"{coder!r} names the model or the review in agreement tables: choose another coder name."
        )
    records = read_records(session, user.workspace_id, project, second_opinions=False, viewer=user.login)
    sheet = read_sheet(path, required=("document_id",))
    specs = [spec for spec in records.variables if spec.name.casefold() in sheet.columns]
    if not specs:
        raise InvalidInputError(
            "The sheet has no column named after a variable of the codebook: export a blind coding sheet with "
            "`coderai code PROJECT --blind --sample N --out FILE` and fill that in."
        )
    project_row = ProjectRepository(session, user.workspace_id).resolve(project)
    documents = {row.id for row in DocumentRepository(session, user.workspace_id).of_project(project_row.id)}
    per_entity = project_row.unit_of_observation is UnitOfObservation.ENTITY
    entities = {value.unit: value.entity_text for value in records.all_values()}
    variable_ids = {
        row.name: row.id for row in VariableRepository(session, user.workspace_id).of_project(project_row.id)
    }
    codings = CodingRepository(session, user.workspace_id)
    mine = {
        (coding.document_id, coding.entity_index, coding.variable_id): coding.value
        for coding in codings.latest(project_row.id)
        if coding.coder == coder
    }
    problems: list[RowProblem] = []
    coded: list[tuple[UnitKey, str, Any]] = []
    blank = 0
    for row in sheet.rows:
        try:
            unit = _unit(row, documents, per_entity, entities)
            values = [(spec, value) for spec in specs if (value := _coded(spec, row)) is not _BLANK]
        except RowError as error:
            problems.append(RowProblem(row.number, str(error)))
            continue
        if not values:
            blank += 1
        coded.extend((unit, spec.name, value) for spec, value in values)
    if all_or_nothing and problems:
        return ImportReport(len(sheet.rows), 0, 0, blank, tuple(problems), kept=False)
    applied_units: set[UnitKey] = set()
    unchanged_units: set[UnitKey] = set()
    for unit, name, value in coded:
        key = (unit[0], unit[1], variable_ids[name])
        if key in mine and mine[key] == value:
            unchanged_units.add(unit)
            continue
        codings.add(
            HumanCoding(
                project_id=project_row.id,
                document_id=unit[0],
                entity_index=unit[1],
                entity_text=entities.get(unit),
                variable_id=variable_ids[name],
                account_id=user.account_id,
                coder=coder,
                value=value,
            )
        )
        applied_units.add(unit)
    return ImportReport(
        len(sheet.rows),
        len(applied_units),
        len(unchanged_units - applied_units),
        blank,
        tuple(problems),
        kept=True,
    )


_BLANK: Any = object()


def _coded(spec: VariableSpec, row: SheetRow) -> Any:
    cell = row.cells.get(spec.name.casefold())
    value = cell_value(cell)
    if value is None or value == []:
        return _BLANK
    if isinstance(value, str) and value.casefold() in NO_VALUE_WORDS:
        return [] if spec.is_multi_valued else None
    try:
        return check_value(spec, value)
    except CoercionError as error:
        raise RowError(f"{spec.name}: {error}") from None


def _unit(
    row: SheetRow, documents: set[int], per_entity: bool, entities: dict[UnitKey, str | None]
) -> UnitKey:
    document = whole_number(row.cells.get("document_id"))
    if document is None:
        raise RowError(f"document_id {row.cells.get('document_id')!r} is not a document id")
    if document not in documents:
        raise RowError(f"the project has no document {document}")
    if not per_entity:
        return (document, None)
    entity = whole_number(row.cells.get("entity_index"))
    if entity is None or (document, entity) not in entities:
        raise RowError(
            f"document {document} has no entity {row.cells.get('entity_index')!r}: keep the entity_index "
            "column as exported"
        )
    return (document, entity)
