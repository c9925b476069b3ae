"""Edits made in the results grid, in a session: reviews of several values at once (a paste), each checked
on its own so that a bad cell is reported and the good ones kept; and, in blind mode, the researcher's own
codings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.dataset import Cell, UnitKey
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.domain.errors import CoderAIError, ConcurrentEditError
from coderai_desktop.domain.review_history import ReviewState
from coderai_desktop.persistence.repositories.dataset import DatasetRepository
from coderai_desktop.persistence.repositories.extractions import CodingRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository, spec_of
from coderai_desktop.persistence.tables import Extraction, HumanCoding
from coderai_desktop.review import actions


class Edit(StrEnum):
    CONFIRM = "CONFIRM"  # the AI's value is right
    CORRECT = "CORRECT"  # the value is `value` (incorrect, or partly correct for a multi-valued variable)
    CLEAR = "CLEAR"  # back to not reviewed


@dataclass(frozen=True)
class CellEdit:
    extraction_id: int
    edit: Edit
    value: Any = None  # for CORRECT: the corrected value (None or []: the document gives none)
    # The cell's review_id when the edit was made (NO_REVIEW: it had none): an edit of a value someone
    # reviewed since is refused. None: no check.
    seen_review: int | None = None


@dataclass(frozen=True)
class BlindEntry:
    unit: UnitKey
    variable: str
    value: Any  # None (or [] for a multi-valued variable): the document gives none


@dataclass(frozen=True)
class EditReport:
    """What a batch of edits did: the ids written (extraction ids, or coding ids in blind mode) and the
    edits refused, by their position in the batch, with the reason. The good ones are kept."""

    written: tuple[int, ...]
    problems: tuple[tuple[int, str], ...]
    # The cells of the units written to, as they are now (reviews; blind codings leave it empty).
    cells: dict[UnitKey, dict[str, Cell]] = field(default_factory=dict)


def apply_edits(session: Session, user: UserSession, edits: Sequence[CellEdit]) -> EditReport:
    """A value someone reviewed since the edit saw it is reported (ConcurrentEditError's message) and its
    cells read back too, so that the grid shows their review."""
    written: list[Extraction] = []
    read_back: list[Extraction] = []
    problems: list[tuple[int, str]] = []
    for position, edit in enumerate(edits):
        try:
            extraction, spec = actions.value_and_spec(session, user, edit.extraction_id)
            state = _state(spec, extraction.value, edit)
            if actions.record(session, user, edit.extraction_id, state, edit.seen_review):
                written.append(extraction)
        except ConcurrentEditError as error:
            problems.append((position, str(error)))
            read_back.append(extraction)
        except CoderAIError as error:
            problems.append((position, str(error)))
    session.flush()
    ids = tuple(extraction.id for extraction in written)
    return EditReport(ids, tuple(problems), cells_of(session, user.workspace_id, [*written, *read_back]))


def undo_reviews(
    session: Session,
    user: UserSession,
    extraction_ids: Sequence[int],
    seen_reviews: Mapping[int, int] | None = None,
) -> dict[UnitKey, dict[str, Cell]]:
    """Undo the latest review of each value; the cells of their units as they are now. `seen_reviews`
    (extraction id -> the review id the grid shows, e.g. the one the edit being undone wrote): if someone
    reviewed one of the values since, ConcurrentEditError and nothing is undone."""
    undone = []
    for extraction_id in extraction_ids:
        undone.append(actions.value_and_spec(session, user, extraction_id)[0])
        actions.undo(session, user, extraction_id, (seen_reviews or {}).get(extraction_id))
    session.flush()
    return cells_of(session, user.workspace_id, undone)


def cells_of(
    session: Session, workspace_id: int, values: Sequence[Extraction]
) -> dict[UnitKey, dict[str, Cell]]:
    """The cells of the units these values belong to (read back after a write: the grid shows them)."""
    by_project: dict[int, set[UnitKey]] = {}
    for value in values:
        by_project.setdefault(value.project_id, set()).add((value.document_id, value.entity_index))
    cells: dict[UnitKey, dict[str, Cell]] = {}
    for project_id, keys in by_project.items():
        cells.update(
            DatasetRepository(session, workspace_id).cells(project_id, sorted(keys, key=_unit_order))
        )
    return cells


def _unit_order(key: UnitKey) -> tuple[int, int]:
    return (key[0], -1 if key[1] is None else key[1])


def _state(spec: VariableSpec, ai_value: Any, edit: CellEdit) -> ReviewState:
    if edit.edit is Edit.CLEAR:
        return ReviewState(None)
    if edit.edit is Edit.CONFIRM:
        return actions.checked_state(spec, ai_value, FeedbackType.CORRECT)
    value = actions.corrected_value(spec, edit.value)
    if value == actions.check_value_or_none(spec, ai_value):  # typed back as the model had it
        return actions.checked_state(spec, ai_value, FeedbackType.CORRECT)
    return actions.checked_state(spec, ai_value, _correction(spec, ai_value, value), value)


def _correction(spec: VariableSpec, ai_value: Any, value: Any) -> FeedbackType:
    """Partly correct: a multi-valued variable's correction that keeps some of the model's values."""
    lists = spec.is_multi_valued and isinstance(ai_value, list) and isinstance(value, list)
    if lists and set(map(str, ai_value)) & set(map(str, value)):
        return FeedbackType.PARTIALLY_CORRECT
    return FeedbackType.INCORRECT


def own_codings(
    session: Session, user: UserSession, project_id: int, keys: Sequence[UnitKey]
) -> dict[UnitKey, dict[str, Any]]:
    wanted = set(keys)
    names = _variable_names(session, user, project_id)
    found: dict[UnitKey, dict[str, Any]] = {key: {} for key in wanted}
    for coding in CodingRepository(session, user.workspace_id).latest(project_id):
        unit = (coding.document_id, coding.entity_index)
        if coding.coder == user.login and unit in wanted and coding.variable_id in names:
            found[unit][names[coding.variable_id]] = coding.value
    return found


def add_codings(
    session: Session, user: UserSession, project_id: int, entries: Sequence[BlindEntry]
) -> EditReport:
    specs = {
        row.name: (row.id, spec_of(row))
        for row in VariableRepository(session, user.workspace_id).of_project(project_id)
    }
    codings = CodingRepository(session, user.workspace_id)
    written: list[int] = []
    problems: list[tuple[int, str]] = []
    for position, entry in enumerate(entries):
        if entry.variable not in specs:
            problems.append((position, f"The codebook has no variable named {entry.variable!r}."))
            continue
        variable_id, spec = specs[entry.variable]
        try:
            value = actions.corrected_value(spec, entry.value)
        except CoderAIError as error:
            problems.append((position, str(error)))
            continue
        document_id, entity_index = entry.unit
        coding = codings.add(
            HumanCoding(
                project_id=project_id,
                document_id=document_id,
                entity_index=entity_index,
                entity_text=_entity_text(session, user, project_id, entry.unit),
                variable_id=variable_id,
                account_id=user.account_id,
                coder=user.login,
                value=value,
            )
        )
        written.append(coding.id)
    return EditReport(tuple(written), tuple(problems))


def _variable_names(session: Session, user: UserSession, project_id: int) -> dict[int, str]:
    return {row.id: row.name for row in VariableRepository(session, user.workspace_id).of_project(project_id)}


def _entity_text(session: Session, user: UserSession, project_id: int, unit: UnitKey) -> str | None:
    if unit[1] is None:
        return None
    query = sa.select(Extraction.entity_text).where(
        Extraction.workspace_id == user.workspace_id,
        Extraction.project_id == project_id,
        Extraction.document_id == unit[0],
        Extraction.entity_index == unit[1],
    )
    return session.scalars(query.limit(1)).first()
