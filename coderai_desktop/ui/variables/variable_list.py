"""The left pane of the codebook editor: the variables in codebook order, with what is wrong with each.

The model shows the draft's variable dicts (it holds the draft's own list) and changes them only through
`insert`, `remove`, `move` and `replace`, which the undo commands call. A drag (or `moveRows`) does not
move anything itself: it asks `move_handler` (the page, which pushes an undo step).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QByteArray, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.ui.variables.draft import Fields
from coderai_desktop.ui.widgets.buttons import arrow_button
from coderai_desktop.ui.widgets.tables import Index, read_only_table

COL_NAME, COL_TYPE, COL_LABEL = range(3)
HEADERS = ("Name", "Type", "Label")
ROLE_FIELDS = Qt.ItemDataRole.UserRole + 1
"""The variable's fields (a dict in VariableSpec.model_dump shape)."""
ROLE_PROBLEM = Qt.ItemDataRole.UserRole + 2
"""The first problem of the variable, or None."""
MIME_TYPE = "application/x-coderai-variable-row"
PROBLEM_COLOUR = QColor("#b3261e")


def type_label(value: Any) -> str:
    return str(value or "").replace("_", " ").capitalize()


class VariableListModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Fields] = []
        self._problems: dict[int, str] = {}
        self._icon: QIcon | None = None
        self.move_handler: Callable[[int, int], None] | None = None
        """Called with (row, final row) when a drag or `moveRows` asks for a move; without it, `move`."""

    # What the commands call

    def set_variables(self, rows: list[Fields]) -> None:
        """Show `rows` (the draft's own list: the methods below change it)."""
        self.beginResetModel()
        self._rows = rows
        self._problems = {}
        self.endResetModel()

    def fields(self, row: int) -> Fields:
        return self._rows[row]

    def insert(self, row: int, fields: Fields) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, fields)
        self.endInsertRows()

    def remove(self, row: int) -> Fields:
        self.beginRemoveRows(QModelIndex(), row, row)
        fields = self._rows.pop(row)
        self.endRemoveRows()
        return fields

    def move(self, row: int, to: int) -> None:
        """Move the variable at `row` so that it ends up at `to`."""
        if row == to:
            return
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), to + 1 if to > row else to)
        self._rows.insert(to, self._rows.pop(row))
        self.endMoveRows()

    def replace(self, row: int, fields: Fields) -> None:
        self._rows[row] = fields
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def set_problems(self, problems: dict[int, str]) -> None:
        """The first problem of each variable that has one; only rows whose mark changes are repainted."""
        old, self._problems = self._problems, problems
        for row in sorted(set(old) | set(problems)):
            if old.get(row) != problems.get(row) and row < len(self._rows):
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    # The model contract

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = index.row(), index.column()
        fields = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_NAME:
                return str(fields.get("name") or "")
            if column == COL_TYPE:
                return type_label(fields.get("type"))
            return str(fields.get("display_name") or "")
        if role == ROLE_FIELDS:
            return fields
        problem = self._problems.get(row)
        if role == ROLE_PROBLEM:
            return problem
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole name and label, which the columns may cut
            return problem or " — ".join(
                str(fields.get(key)) for key in ("name", "display_name") if fields.get(key)
            )
        if problem is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(PROBLEM_COLOUR)
        if role == Qt.ItemDataRole.DecorationRole and column == COL_NAME:
            return self._problem_icon()
        return None

    def _problem_icon(self) -> QIcon:
        if self._icon is None:
            self._icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._icon

    def flags(self, index: Index) -> Qt.ItemFlag:
        # Drops land between variables (the view then draws a line above or below a row), never on one.
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDragEnabled

    # Reordering by drag and drop

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        data = QMimeData()
        rows = sorted({index.row() for index in indexes if index.isValid()})
        if rows:
            data.setData(MIME_TYPE, QByteArray(str(rows[0]).encode()))
        return data

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if action != Qt.DropAction.MoveAction or not data.hasFormat(MIME_TYPE):
            return False
        try:
            source = int(bytes(data.data(MIME_TYPE).data()).decode())
        except ValueError:
            return False
        if row < 0:  # on a variable (not offered by the view): before it; below the list: last
            row = parent.row() if parent.isValid() else len(self._rows)
        return self.moveRows(QModelIndex(), source, 1, QModelIndex(), row)

    def moveRows(
        self, sourceParent: Index, sourceRow: int, count: int, destinationParent: Index, destinationChild: int
    ) -> bool:
        """Qt's move: `destinationChild` is the row the variable goes before, counted before the move."""
        if sourceParent.isValid() or destinationParent.isValid() or count != 1:
            return False
        if not 0 <= sourceRow < len(self._rows) or not 0 <= destinationChild <= len(self._rows):
            return False
        to = destinationChild - 1 if destinationChild > sourceRow else destinationChild
        if to == sourceRow:
            return False
        (self.move_handler or self.move)(sourceRow, to)
        return True


class VariableList(QWidget):
    """The banner about variables changed since the last run, the list, and the buttons that change it."""

    sig_row_selected = Signal(object)
    """The selected row, or None."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.banner = QLabel()
        self.banner.setObjectName("nextStep")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.model = VariableListModel()
        self.view = read_only_table(self.model)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropOverwriteMode(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_LABEL, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.view.setColumnWidth(COL_NAME, 150)
        self.view.setColumnWidth(COL_TYPE, 72)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.sig_row_selected.emit(self.row()))

        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("Add a variable after the selected one")
        self.duplicate_button = QPushButton("Duplicate")
        self.delete_button = QPushButton("Delete")
        # Arrows, not words: the list stays narrow enough to leave the form its room.
        self.up_button = arrow_button(
            Qt.ArrowType.UpArrow, "Move up", "Move up: the selected variable (or drag it in the list)"
        )
        self.down_button = arrow_button(
            Qt.ArrowType.DownArrow, "Move down", "Move down: the selected variable (or drag it in the list)"
        )
        edit_row = QHBoxLayout()
        for button in (self.add_button, self.duplicate_button, self.delete_button):
            edit_row.addWidget(button)
        edit_row.addStretch()
        edit_row.addWidget(self.up_button)
        edit_row.addWidget(self.down_button)

        title = QLabel("VARIABLES")
        title.setObjectName("sectionTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(title)
        layout.addWidget(self.view, stretch=1)
        layout.addLayout(edit_row)
        self.update_buttons()
        self.model.rowsInserted.connect(self.update_buttons)
        self.model.rowsRemoved.connect(self.update_buttons)
        self.model.rowsMoved.connect(self.update_buttons)
        self.model.modelReset.connect(self.update_buttons)
        self.sig_row_selected.connect(self.update_buttons)

    def row(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def select(self, row: int | None) -> None:
        if row is None or not 0 <= row < self.model.rowCount():
            self.view.clearSelection()
            return
        if self.row() != row:
            self.view.selectRow(row)
        self.view.scrollTo(self.model.index(row, 0))

    def set_changed_since_last_run(self, names: list[str]) -> None:
        if not names:
            self.banner.hide()
            return
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        variables = "1 variable" if len(names) == 1 else f"{len(names)} variables"
        their = "its values were" if len(names) == 1 else "their values were"
        self.banner.setText(
            f"{variables} changed since the last run: {shown} — {their} coded with an older version."
        )
        self.banner.show()

    def update_buttons(self, *_args: object) -> None:
        row, rows = self.row(), self.model.rowCount()
        for button in (self.duplicate_button, self.delete_button):
            button.setEnabled(row is not None)
        self.up_button.setEnabled(row is not None and row > 0)
        self.down_button.setEnabled(row is not None and row < rows - 1)
