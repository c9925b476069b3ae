"""An in-memory ResultsService for the results grid's tests: the same async methods over a dict of cells,
recording every call. Unit n is plan_nnn.pdf with a title ("Plan n") and a budget (n * 100); every 7th
budget is flagged, every 5th title below its threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.dataset import (
    FILTER_STATES,
    Cell,
    UnitFilter,
    UnitKey,
    UnitQuery,
    UnitRow,
    ValueEvidence,
)
from coderai_desktop.domain.enums import ExtractionStatus, FeedbackType
from coderai_desktop.review.grid_edits import BlindEntry, CellEdit, Edit, EditReport
from coderai_desktop.review.queue import QueueItem
from coderai_desktop.review.results import GridInfo, UnitList

VARIABLES = [
    VariableSpec(name="title", type="text", instructions="The plan's title."),
    VariableSpec(name="budget", type="number", instructions="The budget in euros."),
]
PNG = b"\x89PNG fake"


def make_cell(extraction_id: int, value: Any, **changes: Any) -> Cell:
    cell = Cell(
        extraction_id=extraction_id,
        value=value,
        ai_value=value,
        confidence=0.9,
        evidence=f"quote {value}",
        page=1,
        char_start=0,
        char_end=5,
        status=ExtractionStatus.EXTRACTED,
        match_status=None,
        note=None,
        threshold=0.7,
        prompt_id=1,
        prompt_version=1,
        model="fake-model",
        job_id=1,
    )
    return replace(cell, **changes)


class FakeResults:
    def __init__(self, units: int = 250, per_entity: bool = False):
        self.variables = list(VARIABLES)
        self.per_entity = per_entity
        self.rows = [UnitRow(n + 1, f"plan_{n:03}.pdf", None, None) for n in range(units)]
        self.data: dict[UnitKey, dict[str, Cell]] = {}
        self.where: dict[int, tuple[UnitKey, str]] = {}
        for n, row in enumerate(self.rows):
            title = make_cell(2 * n + 1, f"Plan {n}", confidence=0.55 if n % 5 == 0 else 0.9)
            budget = make_cell(2 * n + 2, float(n * 100))
            if n % 7 == 0:
                budget = replace(budget, status=ExtractionStatus.FLAGGED, note="two budgets in the text")
            self.data[row.key] = {"title": title, "budget": budget}
            self.where[title.extraction_id] = (row.key, "title")
            self.where[budget.extraction_id] = (row.key, "budget")
        self.calls: list[tuple[str, Any]] = []
        self.history: dict[int, list[Cell]] = {}  # extraction id -> the cells before each write
        self.refuse: set[int] = set()  # extraction ids whose edits are refused
        self.codings_data: dict[UnitKey, dict[str, Any]] = {}
        self.coding_ids: dict[int, tuple[UnitKey, str]] = {}
        self._next_coding = 1000

    def calls_of(self, name: str) -> list[Any]:
        return [argument for call, argument in self.calls if call == name]

    def cell(self, extraction_id: int) -> Cell:
        key, variable = self.where[extraction_id]
        return self.data[key][variable]

    async def open(self, project: int | str) -> GridInfo:
        self.calls.append(("open", project))
        return GridInfo(int(project), "Plans", self.per_entity, self.variables, "alice")

    async def units(
        self, project_id: int, query: UnitQuery, *, window: int = 0, coder: str | None = None
    ) -> UnitList:
        self.calls.append(("units", query))  # `coder`: the real service's (tests/gui/test_coder_filter.py)
        rows = self._ordered(query)
        return UnitList(
            rows, len(self.rows), await self.cells(project_id, [row.key for row in rows[:window]])
        )

    def _ordered(self, query: UnitQuery) -> list[UnitRow]:
        rows = [row for row in self.rows if self._matches(row, query)]
        if query.sort_by is not None:
            valued = [row for row in rows if self.data[row.key][query.sort_by].value is not None]
            valued.sort(key=lambda row: self.data[row.key][query.sort_by].value, reverse=query.descending)
            rows = valued + [row for row in rows if row not in valued]
        elif query.descending:
            rows.reverse()
        return rows

    def _matches(self, row: UnitRow, query: UnitQuery) -> bool:
        cells = [c for name, c in self.data[row.key].items() if query.variable in (None, name)]
        if query.filter is not UnitFilter.ALL and not any(
            c.state in FILTER_STATES[query.filter] for c in cells
        ):
            return False
        needle = query.search.casefold()
        return (
            not needle
            or needle in row.document.casefold()
            or any(needle in str(c.value).casefold() for c in cells)
        )

    async def cells(
        self, project_id: int, keys: Sequence[UnitKey], *, coder: str | None = None
    ) -> dict[UnitKey, dict[str, Cell]]:
        self.calls.append(("cells", list(keys)))
        return {
            key: {name: replace(c) for name, c in self.data[key].items()} for key in keys if key in self.data
        }

    async def evidence(self, extraction_id: int) -> ValueEvidence:
        self.calls.append(("evidence", extraction_id))
        (document_id, _), variable = self.where[extraction_id]
        cell = self.cell(extraction_id)
        return ValueEvidence(
            extraction_id, document_id, f"plan_{document_id - 1:03}.pdf", variable, None, cell.value,
            cell.confidence, cell.threshold, cell.evidence, None, 0, 5, 1, cell.status, cell.note,
            "fake-model", 1, 1, "SAMPLE", f"quote {cell.value} and more text",
        )  # fmt: skip

    async def page_image(self, extraction_id: int, zoom: float = 1.5) -> bytes:
        self.calls.append(("page_image", extraction_id))
        return PNG

    async def next_to_review(
        self, project_id: int, *, variable: str | None = None, skip: Sequence[int] = ()
    ) -> QueueItem | None:
        self.calls.append(("next_to_review", (variable, list(skip))))
        waiting = [
            (row, name, cell)
            for row in self.rows
            for name, cell in self.data[row.key].items()
            if variable in (None, name) and not cell.reviewed and cell.extraction_id not in skip
        ]
        waiting.sort(key=lambda item: not item[2].flagged)  # flagged first, then in order
        if not waiting:
            return None
        row, name, cell = waiting[0]
        reasons = ("flagged",) if cell.flagged else ()
        return QueueItem(
            cell.extraction_id, row.document_id, row.document, None, None, name, cell.value, cell.confidence,
            1.0, reasons,
        )  # fmt: skip

    async def apply(self, edits: Sequence[CellEdit]) -> EditReport:
        self.calls.append(("apply", list(edits)))
        written, problems = [], []
        for position, edit in enumerate(edits):
            if edit.extraction_id in self.refuse:
                problems.append((position, "refused by the fake"))
                continue
            cell = self.cell(edit.extraction_id)
            self.history.setdefault(edit.extraction_id, []).append(cell)
            if edit.edit is Edit.CONFIRM:
                new = replace(cell, value=cell.ai_value, feedback=FeedbackType.CORRECT, reviewed_by="alice")
            elif edit.edit is Edit.CORRECT:
                new = replace(cell, value=edit.value, feedback=FeedbackType.INCORRECT, reviewed_by="alice")
            else:
                new = replace(cell, value=cell.ai_value, feedback=None, reviewed_by=None)
            self._store(edit.extraction_id, new)
            written.append(edit.extraction_id)
        return EditReport(tuple(written), tuple(problems), self._units_of(written))

    async def undo(self, extraction_ids: Sequence[int]) -> dict[UnitKey, dict[str, Cell]]:
        self.calls.append(("undo", list(extraction_ids)))
        for extraction_id in extraction_ids:
            self._store(extraction_id, self.history[extraction_id].pop())
        return self._units_of(extraction_ids)

    def _units_of(self, extraction_ids: Sequence[int]) -> dict[UnitKey, dict[str, Cell]]:
        """As the service: the written units' cells, read back."""
        keys = {self.where[extraction_id][0] for extraction_id in extraction_ids}
        return {key: {name: replace(c) for name, c in self.data[key].items()} for key in keys}

    def _store(self, extraction_id: int, cell: Cell) -> None:
        key, variable = self.where[extraction_id]
        self.data[key][variable] = cell

    async def codings(self, project_id: int, keys: Sequence[UnitKey]) -> dict[UnitKey, dict[str, Any]]:
        self.calls.append(("codings", list(keys)))
        return {key: dict(self.codings_data[key]) for key in keys if key in self.codings_data}

    async def code(self, project_id: int, entries: Sequence[BlindEntry]) -> EditReport:
        self.calls.append(("code", list(entries)))
        written = []
        for entry in entries:
            self._next_coding += 1
            self.codings_data.setdefault(entry.unit, {})[entry.variable] = entry.value
            self.coding_ids[self._next_coding] = (entry.unit, entry.variable)
            written.append(self._next_coding)
        return EditReport(tuple(written), ())

    async def uncode(self, coding_ids: Sequence[int]) -> None:
        self.calls.append(("uncode", list(coding_ids)))
        for coding_id in coding_ids:
            key, variable = self.coding_ids.pop(coding_id)
            self.codings_data.get(key, {}).pop(variable, None)
