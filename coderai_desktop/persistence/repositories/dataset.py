"""The one read model of a project's dataset, for the results grid and the export: the units (documents, or
the entities found in them) in an order and under a filter the database computes, and the cells of any
window of units, with the review in force applied. Every query is scoped to the workspace here."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from coderai_desktop.domain.dataset import (
    FILTER_STATES,
    FLAGGED_STATUSES,
    Cell,
    CellState,
    ReviewStep,
    UnitFilter,
    UnitKey,
    UnitQuery,
    UnitRow,
    UnitValues,
)
from coderai_desktop.domain.enums import (
    DATASET_JOB_TYPES,
    FeedbackType,
    JobType,
    UnitOfObservation,
    VariableType,
)
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.domain.review_history import actions
from coderai_desktop.persistence.repositories.extractions import ExtractionRepository, ReviewRepository
from coderai_desktop.persistence.tables import (
    Document,
    Extraction,
    ExtractionFeedback,
    Project,
    Prompt,
    Variable,
)

CORRECTIONS = (FeedbackType.INCORRECT, FeedbackType.PARTIALLY_CORRECT)
_REVIEW = aliased(ExtractionFeedback, name="review")
SQLITE_MATERIALISES = sqlite3.sqlite_version_info >= (
    3,
    35,
    0,
)  # WITH ... AS MATERIALIZED  # the review in force of a value


@dataclass(frozen=True)
class _Variable:
    id: int
    name: str
    type: VariableType
    threshold: float


class DatasetRepository:
    def __init__(
        self,
        session: Session,
        workspace_id: int,
        job_types: Sequence[JobType] = DATASET_JOB_TYPES,
        reviewer: int | None = None,
    ):
        self.session = session
        self.workspace_id = workspace_id
        # Whose values: the latest run of these types that coded each document.
        self.job_types = tuple(job_types)
        # Whose reviews (an account id): that coder's alone, as if nobody else had reviewed. None: everyone's.
        self.reviewer = reviewer

    # --- units -------------------------------------------------------------------------------------------

    def units(self, project_id: int, query: UnitQuery = UnitQuery()) -> list[UnitRow]:  # noqa: B008
        """The units with current values, filtered and ordered as `query` says. The units come from an
        index (which run coded each document last); values are joined to them for one variable to sort,
        and for every variable (or the chosen one) only when a filter or a search needs their states."""
        variables = self._variables(project_id)
        chosen = self._named(variables, query.variable).id if query.variable else None
        per_entity = self._per_entity(project_id)
        units = self._units(project_id, per_entity)
        select = (
            sa.select(units.c.document_id, Document.file_name, units.c.entity_index, units.c.entity_text)
            .join(Document, Document.id == units.c.document_id)
            .where(units.c.job_id.is_not(None))
        )
        if query.filter is not UnitFilter.ALL:
            state, _ = self._state_and_value()
            wanted = [state.value for state in FILTER_STATES[query.filter]]
            select = select.where(sa.exists(self._values(units, per_entity, chosen).where(state.in_(wanted))))
        if text := query.search.strip():
            pattern = "%" + _escaped(text.casefold()) + "%"
            _, value = self._state_and_value()
            found = self._values(units, per_entity, chosen).where(_like(self._json_text(value), pattern))
            select = select.where(
                sa.or_(
                    _like(Document.file_name, pattern), _like(units.c.entity_text, pattern), sa.exists(found)
                )
            )
        document_order = [sa.func.lower(Document.file_name), units.c.document_id, units.c.entity]
        if query.sort_by:
            variable = self._named(variables, query.sort_by)
            # Joined, not a subquery per unit: one index lookup for the value, one for its review.
            value_row = aliased(Extraction, name="sorted_value")
            review = aliased(ExtractionFeedback, name="sorted_review")
            of_unit = sa.and_(
                self._of_unit(units, per_entity, value_row), value_row.variable_id == variable.id
            )
            select = select.outerjoin(value_row, of_unit).outerjoin(
                review, review.id == self._newest_review(value_row.id)
            )
            key = self._sort_key(variable, _held(review, value_row)).label("sort_key")
            select = select.add_columns(key).order_by(
                sa.nulls_last(key.desc() if query.descending else key.asc()), *document_order
            )
        else:
            select = select.order_by(
                *(column.desc() if query.descending else column for column in document_order)
            )
        return [UnitRow._make(row[:4]) for row in self.session.execute(select)]

    def _per_entity(self, project_id: int) -> bool:
        unit = self.session.scalar(
            sa.select(Project.unit_of_observation).where(
                Project.workspace_id == self.workspace_id, Project.id == project_id
            )
        )
        return unit is UnitOfObservation.ENTITY

    def _units(self, project_id: int, per_entity: bool) -> sa.CTE:
        """document_id, job_id (the latest run that coded it; NULL: none did), entity_index, entity (the
        index, -1 for a document: a key that joins) and entity_text of every unit with current values. A
        document project's units are its documents' latest runs; only entity projects read rows for the
        entities."""
        latest = ExtractionRepository(self.session, self.workspace_id).latest_jobs(project_id, self.job_types)
        if not per_entity:
            units = sa.select(
                latest.c.document_id,
                latest.c.job_id,
                sa.type_coerce(sa.null(), sa.Integer).label("entity_index"),
                sa.literal(-1).label("entity"),
                sa.type_coerce(sa.null(), sa.Text).label("entity_text"),
            )
        else:
            units = (
                sa.select(
                    Extraction.document_id,
                    Extraction.job_id,
                    Extraction.entity_index,
                    sa.func.coalesce(Extraction.entity_index, -1).label("entity"),
                    sa.func.max(Extraction.entity_text).label("entity_text"),
                )
                .join(
                    latest,
                    sa.and_(
                        latest.c.document_id == Extraction.document_id, latest.c.job_id == Extraction.job_id
                    ),
                )
                .where(Extraction.workspace_id == self.workspace_id, Extraction.project_id == project_id)
                .group_by(Extraction.document_id, Extraction.job_id, Extraction.entity_index)
            )
        cte = units.cte("units")
        # Materialised, the latest run is looked up once per document, not once per use (SQLite would
        # inline it). SQLite before 3.35 has no such hint: the query is then slower, not different.
        return cte.prefix_with("MATERIALIZED") if not self._sqlite or SQLITE_MATERIALISES else cte

    def _values(self, units: sa.CTE, per_entity: bool, variable_id: int | None) -> sa.Select[Any]:
        """The current values of a unit (correlated with `units`; of one variable, if given), joined with
        their variable and the review in force: select the state and value of _state_and_value from it."""
        select = (
            sa.select(Extraction.id)
            .join(Variable, Variable.id == Extraction.variable_id)
            .outerjoin(_REVIEW, _REVIEW.id == self._newest_review(Extraction.id))
            .where(self._of_unit(units, per_entity, Extraction))
            .correlate(units)
        )
        return select if variable_id is None else select.where(Extraction.variable_id == variable_id)

    def _of_unit(self, units: sa.CTE, per_entity: bool, value: Any) -> Any:
        """`value` (Extraction or an alias) is one of the unit's current values."""
        entity = value.entity_index == units.c.entity_index if per_entity else value.entity_index.is_(None)
        return sa.and_(
            value.workspace_id == self.workspace_id,
            value.job_id == units.c.job_id,
            value.document_id == units.c.document_id,
            entity,
        )

    def _newest_review(self, extraction_id: Any) -> Any:
        """The id of a value's newest review row (the one in force; the reviewer's newest, if one is
        chosen), or NULL."""
        return (
            sa.select(sa.func.max(ExtractionFeedback.id))
            .where(
                ExtractionFeedback.workspace_id == self.workspace_id,
                ExtractionFeedback.extraction_id == extraction_id,
                sa.true() if self.reviewer is None else ExtractionFeedback.account_id == self.reviewer,
            )
            .scalar_subquery()
        )

    @staticmethod
    def _state_and_value() -> tuple[Any, Any]:
        """A value's CellState, and the value the dataset holds, over the rows of _values."""
        state = sa.case(
            (_REVIEW.feedback_type == FeedbackType.CORRECT, CellState.CONFIRMED.value),
            (_REVIEW.feedback_type.is_not(None), CellState.CORRECTED.value),
            (Extraction.status.in_(FLAGGED_STATUSES), CellState.FLAGGED.value),
            (Extraction.confidence < Variable.confidence_threshold, CellState.LOW_CONFIDENCE.value),
            else_=CellState.UNREVIEWED.value,
        )
        return state, _held(_REVIEW, Extraction)

    # --- cells -------------------------------------------------------------------------------------------

    def cells(self, project_id: int, keys: Sequence[UnitKey]) -> dict[UnitKey, dict[str, Cell]]:
        """The cells of these units (by variable name), with the review in force and its history."""
        wanted = set(keys)
        documents = sorted({document_id for document_id, _ in wanted})
        found: dict[UnitKey, dict[str, Cell]] = {key: {} for key in keys}  # in the order asked for
        for unit, name, cell in self._read_cells(project_id, documents):
            if unit in wanted:
                found[unit][name] = cell
        return found

    def windows(self, project_id: int, size: int = 500) -> Iterator[list[UnitValues]]:
        """Every unit with its cells, in document order, `size` units at a time (the export's stream)."""
        rows = self.units(project_id)
        for start in range(0, len(rows), size):
            window = rows[start : start + size]
            cells = self.cells(project_id, [row.key for row in window])
            yield [UnitValues(row, cells[row.key]) for row in window]

    def _read_cells(self, project_id: int, documents: list[int]) -> Iterator[tuple[UnitKey, str, Cell]]:
        variables = {variable.id: variable for variable in self._variables(project_id).values()}
        versions: dict[int, int] = {
            prompt_id: version
            for prompt_id, version in self.session.execute(
                sa.select(Prompt.id, Prompt.version).where(
                    Prompt.workspace_id == self.workspace_id, Prompt.project_id == project_id
                )
            )
        }
        histories = ReviewRepository(self.session, self.workspace_id).project_history(
            project_id, documents, self.reviewer
        )
        query = ExtractionRepository(self.session, self.workspace_id).latest_values(
            project_id, *_CELL_COLUMNS, job_types=self.job_types, document_ids=documents
        )
        # Plain tuples, unpacked once: an export runs this loop once per value (500,000 of them).
        for (
            extraction_id,
            document_id,
            entity_index,
            variable_id,
            value,
            confidence,
            quote,
            page,
            char_start,
            char_end,
            status,
            match_status,
            note,
            prompt_id,
            model,
            job_id,
            escalated_from,
            shared_from,
        ) in cast(Iterable[tuple[Any, ...]], self.session.execute(query)):
            variable = variables.get(variable_id)
            if variable is None:
                continue
            cell = Cell(
                extraction_id,
                value,
                value,
                confidence,
                quote,
                page,
                char_start,
                char_end,
                status,
                match_status,
                note,
                variable.threshold,
                prompt_id,
                versions.get(prompt_id),
                model,
                job_id,
                escalated_from=escalated_from or None,  # JSON null, where a backend stored None so, is none
                shared_from=shared_from,
            )
            if (history := histories.get(extraction_id)) is not None:
                apply_history(cell, history)
            yield (document_id, entity_index), variable.name, cell

    # --- helpers -----------------------------------------------------------------------------------------

    def _variables(self, project_id: int) -> dict[str, _Variable]:
        query = (
            sa.select(Variable.id, Variable.name, Variable.type, Variable.confidence_threshold)
            .where(Variable.workspace_id == self.workspace_id, Variable.project_id == project_id)
            .order_by(Variable.position)
        )
        return {row.name: _Variable(*row) for row in self.session.execute(query)}

    @staticmethod
    def _named(variables: dict[str, _Variable], name: str) -> _Variable:
        if name not in variables:
            raise NotFoundError(f"The codebook has no variable named {name!r}.")
        return variables[name]

    def _sort_key(self, variable: _Variable, value: Any) -> Any:
        """Numbers by size; everything else (text, ISO dates, categories, lists) by its text, ignoring case."""
        if variable.type is VariableType.NUMBER:
            return self._json_number(value)
        return sa.func.lower(self._json_text(value))

    def _json_text(self, value: Any) -> Any:
        """A JSON value's text: a string without its quotes, anything else as JSON; SQL NULL for null."""
        if self._sqlite:
            return sa.cast(sa.func.json_extract(value, sa.literal_column("'$'")), sa.Text)
        return value.op("#>>")(sa.literal_column("'{}'"))

    def _json_number(self, value: Any) -> Any:
        """A JSON number as a SQL number; NULL for anything else (null, a list)."""
        if self._sqlite:
            kind = sa.func.json_type(value)
            return sa.case(
                (kind.in_(("integer", "real")), sa.func.json_extract(value, sa.literal_column("'$'")))
            )
        kind = sa.func.json_typeof(value)
        return sa.case((kind == "number", sa.cast(value.op("#>>")(sa.literal_column("'{}'")), sa.Float)))

    @property
    def _sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"


_CELL_COLUMNS = (
    Extraction.id,
    Extraction.document_id,
    Extraction.entity_index,
    Extraction.variable_id,
    Extraction.value,
    Extraction.confidence,
    Extraction.evidence_quote,
    Extraction.page,
    Extraction.char_start,
    Extraction.char_end,
    Extraction.status,
    Extraction.match_status,
    Extraction.error_message,
    Extraction.prompt_id,
    Extraction.model,
    Extraction.job_id,
    Extraction.escalated_from,
    Extraction.shared_from_document_id,
)


def _held(review: Any, value: Any) -> Any:
    """The value the dataset holds: the correction where the review in force has one, else the AI's."""
    held = sa.case((review.feedback_type.in_(CORRECTIONS), review.corrected_value), else_=value.value)
    return sa.type_coerce(held, sa.JSON)


def _like(text: Any, pattern: str) -> Any:
    return sa.func.lower(text).like(pattern, escape="\\")


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply_history(cell: Cell, rows: list[sa.Row[Any]]) -> None:
    """The review in force (the latest row's state), who made it and when, and the whole history (rows of
    ReviewRepository.project_history)."""
    steps = tuple(
        ReviewStep(
            row.created_at,
            row.login,
            row.feedback_type,
            row.corrected_value,
            row.user_note,
            row.undoes_id is not None,
        )
        for row in rows
    )
    cell.history = steps
    latest = rows[-1]
    cell.review_id = latest.id
    if latest.feedback_type is None:  # cleared, or undone back to "not reviewed"
        return
    # A review that finds the value wrong (or partly) replaces it: the correction is what the researcher
    # says the value is, None included ("there is no such value in the document").
    cell.feedback = latest.feedback_type
    cell.review_note = latest.user_note
    if latest.feedback_type is not FeedbackType.CORRECT:
        cell.value = latest.corrected_value
    # Who made the review in force and when: an undo brings back an earlier action, and its author.
    by_id = {row.id: step for row, step in zip(rows, steps, strict=True)}
    in_force = by_id[actions(rows)[-1].id]
    cell.reviewed_by, cell.reviewed_at = in_force.reviewer, in_force.at
