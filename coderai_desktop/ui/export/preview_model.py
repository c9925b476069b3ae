"""The first rows of the table an export will write, with the cells a spreadsheet colours coloured here."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from coderai_desktop.export.model import Mark, Table
from coderai_desktop.spreadsheet_cells import cell_text
from coderai_desktop.ui.widgets.tables import ListTableModel

PREVIEW_ROWS = 200
MARK_COLOURS = {
    Mark.FLAGGED: QColor("#fde2c4"),
    Mark.LOW_CONFIDENCE: QColor("#fff4bf"),
    Mark.CORRECTED: QColor("#d9f2d9"),
}
MARK_TIPS = {
    Mark.FLAGGED: "Flagged for review",
    Mark.LOW_CONFIDENCE: "Below the variable's confidence threshold",
    Mark.CORRECTED: "Corrected by a reviewer",
}


class PreviewModel(ListTableModel[list[Any]]):
    def __init__(self) -> None:
        super().__init__()
        self._table = Table([], [])

    def show_table(self, table: Table) -> None:
        self._table = table
        self.headers = tuple(table.columns)
        self.set_rows(table.rows[:PREVIEW_ROWS])

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self._table.labels.get(self.headers[section])
        return super().headerData(section, orientation, role)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        row = self.item(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            value = row[index.column()]
            return ("yes" if value else "no") if isinstance(value, bool) else cell_text(value)
        mark = self._table.marks.get((index.row(), index.column()))
        if role == Qt.ItemDataRole.BackgroundRole and mark is not None:
            return MARK_COLOURS[mark]
        if role == Qt.ItemDataRole.ToolTipRole:
            return MARK_TIPS[mark] if mark is not None else None
        return None
