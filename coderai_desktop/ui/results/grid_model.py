"""The results grid's model: one row per unit (ids only, in the order the database gave), one column per
variable, cells fetched lazily a page at a time and kept in a small LRU cache.

The model never writes and never sorts: an edit, a blind coding or a sort is asked for through a signal and
the page does it through the service."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.dataset import Cell, CellState, UnitKey, UnitRow
from coderai_desktop.domain.enums import ExtractionStatus, VariableType
from coderai_desktop.review.grid_edits import BlindEntry
from coderai_desktop.ui.results.editors import display_text
from coderai_desktop.ui.results.edits import review_edit
from coderai_desktop.ui.results.roles import CELL_ROLE, KEY_ROLE, SPEC_ROLE, STATE_ROLE

Index = QModelIndex | QPersistentModelIndex
COL_DOCUMENT = 0
PAGE_SIZE = 50  # units per fetch: two screens of rows
MAX_PAGES = 24  # pages kept (1,200 units, 60,000 cells with 50 variables): the least recently shown go first
PLACEHOLDER = "…"
PLACEHOLDER_COLOUR = QColor("#9a9a9a")
# Soft enough for black text, distinct enough to scan a column by colour.
STATE_COLOURS = {
    CellState.FLAGGED: QColor("#f9d6d3"),
    CellState.LOW_CONFIDENCE: QColor("#fcebc5"),
    CellState.CORRECTED: QColor("#d5e5fa"),
    CellState.CONFIRMED: QColor("#d6efdb"),
}
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
Role = Qt.ItemDataRole


@dataclass
class PageData:
    """One page of units: their cells by variable name, and in blind mode the researcher's codings."""

    cells: dict[UnitKey, dict[str, Cell]]
    codings: dict[UnitKey, dict[str, Any]] | None = None


class ResultsModel(QAbstractTableModel):
    sig_page_needed = Signal(int)
    """A page of units is shown but not loaded: fetch its cells and hand them to set_page."""

    sig_edit_requested = Signal(list)
    """A list[CellEdit] typed or pasted into the grid, to write through the service."""

    sig_code_requested = Signal(list)
    """A list[BlindEntry] typed in blind mode, to record as the researcher's own coding."""

    sig_sort_requested = Signal(object, bool)
    """Order the units by a variable's name (None: by document), descending or not."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[UnitRow] = []
        self._row_of: dict[UnitKey, int] = {}
        self._specs: list[VariableSpec] = []
        self._per_entity = False
        self._pages: OrderedDict[int, PageData] = OrderedDict()
        self._requested: set[int] = set()  # asked for and not arrived (or failed: not asked again)
        self._blind = False
        self.generation = 0  # bumped whenever the rows change: a page fetched before is dropped

    # -- content --------------------------------------------------------------------------------------

    def set_columns(self, variables: list[VariableSpec], per_entity: bool) -> None:
        self.beginResetModel()
        self._specs = list(variables)
        self._per_entity = per_entity
        self._clear()
        self.endResetModel()

    def set_units(self, rows: list[UnitRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {row.key: number for number, row in enumerate(self._rows)}
        self._clear()
        self.endResetModel()

    def set_blind(self, blind: bool) -> None:
        """Show the researcher's own codings (fetched with the pages from now on) instead of the AI's."""
        if blind == self._blind:
            return
        self._blind = blind
        self._pages.clear()
        self._requested.clear()
        self.generation += 1
        if self._rows and self._specs:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self._rows) - 1, len(self._specs)))

    @property
    def blind(self) -> bool:
        return self._blind

    def page_keys(self, page: int) -> list[UnitKey]:
        return [row.key for row in self._rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]

    def set_page(
        self,
        page: int,
        cells: dict[UnitKey, dict[str, Cell]],
        codings: dict[UnitKey, dict[str, Any]] | None = None,
    ) -> None:
        first, last = page * PAGE_SIZE, min((page + 1) * PAGE_SIZE, len(self._rows)) - 1
        if last < first:
            return
        self._requested.discard(page)
        self._pages[page] = PageData(cells, codings if self._blind else None)
        self._pages.move_to_end(page)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        if self._specs:
            self.dataChanged.emit(self.index(first, 1), self.index(last, len(self._specs)))

    def page_failed(self, page: int) -> None:
        """Keep the page's placeholders without asking again (until the rows change or a refresh)."""
        self._requested.add(page)

    def update_units(
        self, cells: dict[UnitKey, dict[str, Cell]], codings: dict[UnitKey, dict[str, Any]] | None = None
    ) -> None:
        """New cells (and codings) of some units, into the pages that hold them."""
        for key, unit_cells in cells.items():
            row = self._row_of.get(key)
            data = None if row is None else self._pages.get(row // PAGE_SIZE)
            if row is None or data is None:
                continue
            data.cells[key] = unit_cells
            if data.codings is not None and codings is not None:
                data.codings[key] = codings.get(key, {})
            if self._specs:
                self.dataChanged.emit(self.index(row, 1), self.index(row, len(self._specs)))

    def loaded_pages(self) -> list[int]:
        return sorted(self._pages)

    def _clear(self) -> None:
        self._pages.clear()
        self._requested.clear()
        self.generation += 1

    # -- lookups for the page ---------------------------------------------------------------------------

    @property
    def variables(self) -> list[VariableSpec]:
        return list(self._specs)

    def unit(self, row: int) -> UnitRow:
        return self._rows[row]

    def row_of(self, key: UnitKey) -> int | None:
        return self._row_of.get(key)

    def spec(self, column: int) -> VariableSpec | None:
        return self._specs[column - 1] if 1 <= column <= len(self._specs) else None

    def column_of(self, variable: str) -> int | None:
        return next((n + 1 for n, spec in enumerate(self._specs) if spec.name == variable), None)

    def page_of(self, row: int) -> PageData | None:
        """The loaded page that holds a row, without asking for it."""
        return self._pages.get(row // PAGE_SIZE)

    def cell(self, row: int, column: int) -> Cell | None:
        page, spec = self.page_of(row), self.spec(column)
        if page is None or spec is None:
            return None
        return page.cells.get(self._rows[row].key, {}).get(spec.name)

    def document_text(self, row: int) -> str:
        unit = self._rows[row]
        if self._per_entity and unit.entity_text:
            return f"{unit.document} · {unit.entity_text}"
        return unit.document

    def cell_text(self, spec: VariableSpec, cell: Cell | None, codings: dict[str, Any] | None) -> str:
        """What a cell shows: the researcher's coding in blind mode, else the value the dataset holds."""
        if self._blind:
            if codings is None or spec.name not in codings:
                return ""
            return display_text(spec, codings[spec.name])
        return "" if cell is None else display_text(spec, cell.value)

    # -- Qt ---------------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(self._specs)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Role.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        spec = self.spec(section)
        if role == Role.DisplayRole:
            if spec is None:
                return "Document · entity" if self._per_entity else "Document"
            return spec.label
        if role == Role.ToolTipRole:
            return spec.instructions if spec is not None else "The document (and entity) of each row"
        return None

    def data(self, index: Index, role: int = Role.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = index.row(), index.column()
        if role == KEY_ROLE:
            return self._rows[row].key
        if column == COL_DOCUMENT:
            return self.document_text(row) if role in (Role.DisplayRole, Role.ToolTipRole) else None
        spec = self.spec(column)
        if spec is None:
            return None
        if role == SPEC_ROLE:
            return spec
        page = self._page(row)
        if page is None:
            if role == Role.DisplayRole:
                return PLACEHOLDER
            return PLACEHOLDER_COLOUR if role == Role.ForegroundRole else None
        key = self._rows[row].key
        cell = page.cells.get(key, {}).get(spec.name)
        if role == Role.TextAlignmentRole:
            return RIGHT if spec.type is VariableType.NUMBER else None
        if self._blind:
            codings = (page.codings or {}).get(key)
            if role == Role.DisplayRole:
                return self.cell_text(spec, cell, codings)
            if role == Role.EditRole:
                return None if codings is None else codings.get(spec.name)
            return None
        if cell is None:
            return "" if role == Role.DisplayRole else None
        if role == Role.DisplayRole:
            return display_text(spec, cell.value)
        if role == Role.EditRole:
            return cell.value
        if role == Role.BackgroundRole:
            return STATE_COLOURS.get(cell.state)
        if role == Role.ToolTipRole:
            return why(spec, cell)
        if role == CELL_ROLE:
            return cell
        if role == STATE_ROLE:
            return cell.state
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        loaded = index.column() != COL_DOCUMENT and self.page_of(index.row()) is not None
        if loaded and (self._blind or self.cell(index.row(), index.column()) is not None):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Role.EditRole) -> bool:
        """Ask for the write (the page does it, then refreshes): nothing changes here."""
        if role != Role.EditRole or not index.isValid() or index.column() == COL_DOCUMENT:
            return False
        spec = self.spec(index.column())
        if spec is None or self.page_of(index.row()) is None:
            return False
        if self._blind:
            entry = BlindEntry(self._rows[index.row()].key, spec.name, value)
            self.sig_code_requested.emit([entry])
            return True
        cell = self.cell(index.row(), index.column())
        if cell is None:
            return False
        self.sig_edit_requested.emit([review_edit(cell, value)])
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        spec = self.spec(column)
        # In blind mode an order by value would hint at the AI's values: by document only.
        variable = None if spec is None or self._blind else spec.name
        self.sig_sort_requested.emit(variable, order == Qt.SortOrder.DescendingOrder)

    def _page(self, row: int) -> PageData | None:
        page = row // PAGE_SIZE
        data = self._pages.get(page)
        if data is not None:
            self._pages.move_to_end(page)
            return data
        if page not in self._requested:
            self._requested.add(page)
            self.sig_page_needed.emit(page)
        return None


def why(spec: VariableSpec, cell: Cell) -> str:
    """The tooltip of a value: why it is coloured as it is, and what the pipeline noted."""
    state = cell.state
    who = cell.reviewed_by or "a former account"
    if state is CellState.FLAGGED:
        text = "Flagged: " + (cell.note or "the model gave no usable answer")
    elif state is CellState.LOW_CONFIDENCE:
        text = f"Confidence {cell.confidence:.2f} below the threshold {cell.threshold:.2f}"
    elif state is CellState.CORRECTED:
        text = f"Corrected by {who}: AI said {display_text(spec, cell.ai_value) or 'nothing'}"
    elif state is CellState.CONFIRMED:
        text = f"Confirmed by {who}"
    else:
        text = "Not reviewed" + (
            f" · confidence {cell.confidence:.2f}" if cell.confidence is not None else ""
        )
    if cell.review_note:
        text += f"\nNote: {cell.review_note}"
    if cell.note and state is not CellState.FLAGGED and cell.status is not ExtractionStatus.FAILED:
        text += f"\n{cell.note}"
    return text
