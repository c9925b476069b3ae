"""The data roles the results model answers and its delegate and page read."""

from PySide6.QtCore import Qt

SPEC_ROLE = Qt.ItemDataRole.UserRole + 1  # the column's VariableSpec; None for the document column
CELL_ROLE = Qt.ItemDataRole.UserRole + 2  # the domain Cell, or None
STATE_ROLE = Qt.ItemDataRole.UserRole + 3  # the cell's CellState, or None
KEY_ROLE = Qt.ItemDataRole.UserRole + 4  # the row's unit key
