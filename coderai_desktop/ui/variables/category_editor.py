"""The categories of a category variable: a table edited in place, with add, remove, reorder, paste and
merge. Each category is kept as a dict in VariableSpec.model_dump(mode="json") shape (examples included,
though the table does not show them)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.ui.widgets.buttons import arrow_button
from coderai_desktop.ui.widgets.messages import ask
from coderai_desktop.ui.widgets.tables import ROW_HEIGHT, Index, ListTableModel

COL_VALUE, COL_LABEL, COL_DEFINITION = range(3)
HEADERS = ("Value", "Label", "Definition")
KEYS = ("value", "label", "definition")
TIPS = (
    "What the AI answers and the dataset stores, e.g. 'energy'. Keep it short and stable.",
    "The name people read in tables and exports, e.g. 'Energy supply'.",
    "What belongs in this category (and what does not): the AI reads it to choose.",
)
PROBLEM_BACKGROUND = QColor("#fdecea")
VISIBLE_ROWS = (4, 10)  # the table grows with its rows between these, then scrolls
_BULLET = re.compile(r"^(?:[-*•]|\d+[.)])\s+")
Row = dict[str, Any]


def category_row(value: str, label: str | None = None, definition: str | None = None) -> Row:
    return {"value": value, "label": label or None, "definition": definition or None, "examples": []}


def parse_category_lines(text: str) -> list[Row]:
    """Categories pasted as lines: "value<TAB>label<TAB>definition" (spreadsheet cells), "value: definition",
    or a bare value; bullets and numbering are dropped, and so is a spreadsheet's header row."""
    rows: list[Row] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if "\t" in line:
            cells = [cell.strip() for cell in line.split("\t")]
            value, label, definition = [*cells, "", ""][:3]
            definition = " ".join(filter(None, [definition, *cells[3:]]))
            if not rows and value.lower() == "value":
                continue  # a header row
        else:
            value, _, definition = _BULLET.sub("", line.strip()).partition(":")
            label = ""
        if value.strip():
            rows.append(category_row(value.strip(), label.strip(), definition.strip()))
    return rows


def merge_categories(first: Row, second: Row) -> Row:
    """`first` with the label, definition and examples of `second` appended."""

    def joined(key: str, separator: str) -> str | None:
        parts = [part for part in (first.get(key), second.get(key)) if part]
        return separator.join(parts) or None

    examples = list(dict.fromkeys([*first.get("examples", []), *second.get("examples", [])]))
    return {
        **first,
        "label": joined("label", " / "),
        "definition": joined("definition", " "),
        "examples": examples,
    }


class CategoryTableModel(ListTableModel[Row]):
    headers = HEADERS

    sig_rows_edited = Signal()
    """A cell was edited in place."""

    def __init__(self) -> None:
        super().__init__()
        self._problems: dict[tuple[int, int], str] = {}

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.item(index)
        if row is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row.get(KEYS[column]) or ""
        if role == Qt.ItemDataRole.ToolTipRole:
            problem = self._problems.get((index.row(), column))
            text = row.get(KEYS[column]) or TIPS[column]
            return f"{problem}\n\n{text}" if problem else text
        if role == Qt.ItemDataRole.BackgroundRole and (index.row(), column) in self._problems:
            return QBrush(PROBLEM_BACKGROUND)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        row = self.item(index)
        if row is None or role != Qt.ItemDataRole.EditRole:
            return False
        text = str(value if value is not None else "").strip()
        key = KEYS[index.column()]
        if (row.get(key) or "") == text:
            return False
        row[key] = text if key == "value" else (text or None)
        self.dataChanged.emit(index, index)
        self.sig_rows_edited.emit()
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return TIPS[section]
        return super().headerData(section, orientation, role)

    def insert(self, position: int, rows: list[Row]) -> None:
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), position, position + len(rows) - 1)
        self._rows[position:position] = rows
        self.endInsertRows()

    def remove(self, position: int) -> Row:
        self.beginRemoveRows(QModelIndex(), position, position)
        row = self._rows.pop(position)
        self.endRemoveRows()
        return row

    def move(self, position: int, step: int) -> None:
        """Move one row up (step -1) or down (step 1)."""
        target = position + step
        # Qt counts the destination before the move: one past the row it lands below.
        self.beginMoveRows(QModelIndex(), position, position, QModelIndex(), target + (step > 0))
        self._rows.insert(target, self._rows.pop(position))
        self.endMoveRows()

    def replace(self, position: int, row: Row) -> None:
        self._rows[position] = row
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(HEADERS) - 1))

    def set_problems(self, problems: dict[tuple[int, int], str]) -> None:
        changed = set(self._problems) | set(problems)
        self._problems = dict(problems)
        for row, column in changed:
            if row < len(self._rows):
                cell = self.index(row, column)
                self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.BackgroundRole])


class CategoryEditor(QWidget):
    sig_edited = Signal()
    """The categories changed (a cell, a row added, removed, moved, pasted or merged)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = CategoryTableModel()
        self.model.sig_rows_edited.connect(self.sig_edited)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setWordWrap(False)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # see _fit_height
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_DEFINITION, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(COL_VALUE, 130)
        self.table.setColumnWidth(COL_LABEL, 170)
        self.table.setToolTip(
            "The categories the AI chooses from, in order. Double-click a cell (or start typing) to edit "
            "it; paste lines copied from a spreadsheet or a document with Ctrl+V."
        )
        paste = QAction("Paste list", self.table)
        paste.setShortcut(QKeySequence.StandardKey.Paste)
        paste.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        paste.triggered.connect(self.paste_list)
        self.table.addAction(paste)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.rowsInserted.connect(self._fit_height)
        self.model.rowsRemoved.connect(self._fit_height)
        self.model.modelReset.connect(self._fit_height)

        self.add_button = self._button("Add", "Add a category at the end of the list.", self.add)
        self.remove_button = self._button("Remove", "Remove the selected categories.", self.remove_selected)
        self.up_button = arrow_button(
            Qt.ArrowType.UpArrow, "Move up", "Move the selected category one place up."
        )
        self.up_button.clicked.connect(self.move_up)
        self.down_button = arrow_button(
            Qt.ArrowType.DownArrow, "Move down", "Move the selected category one place down."
        )
        self.down_button.clicked.connect(self.move_down)
        self.paste_button = self._button(
            "Paste list",
            "Add categories from the clipboard, one per line: 'value', 'value: definition', or "
            "spreadsheet cells 'value, label, definition'.",
            self.paste_list,
        )
        self.merge_button = self._button(
            "Merge…",
            "Merge the two selected categories into the first one: the second's label and definition "
            "are added to the first, and the second is removed.",
            self.merge_selected,
        )
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(self.paste_button)
        buttons.addWidget(self.merge_button)
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        self.note.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self._fit_height()
        self._update_buttons()

    def _button(self, text: str, tip: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def set_categories(self, categories: list[dict[str, Any]]) -> None:
        """Show these categories without emitting sig_edited."""
        rows = [
            {
                "value": str(c.get("value") or ""),
                "label": c.get("label"),
                "definition": c.get("definition"),
                "examples": list(c.get("examples") or []),
            }
            for c in categories
        ]
        self.model.set_problems({})
        self.model.set_rows(rows)
        self.note.hide()
        self._update_buttons()

    def categories(self) -> list[dict[str, Any]]:
        return [dict(row, examples=list(row["examples"])) for row in self.model.rows()]

    def selected_rows(self) -> list[int]:
        return sorted(index.row() for index in self.table.selectionModel().selectedRows())

    def select(self, rows: list[int]) -> None:
        """Select these rows (only these), the last one current."""
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag
        selection.clearSelection()
        for row in rows:
            selection.select(self.model.index(row, COL_VALUE), flags.Select | flags.Rows)
        if rows:
            selection.setCurrentIndex(self.model.index(rows[-1], COL_VALUE), flags.NoUpdate)

    def add(self) -> None:
        values = {row["value"] for row in self.model.rows()}
        number = len(values) + 1
        while f"category_{number}" in values:
            number += 1
        position = self.model.rowCount()
        self.model.insert(position, [category_row(f"category_{number}")])
        self.select([position])
        self.table.edit(self.model.index(position, COL_VALUE))
        self._changed()

    def remove_selected(self) -> None:
        rows = self.selected_rows()
        for row in reversed(rows):
            self.model.remove(row)
        if rows:
            self.select([min(rows[0], self.model.rowCount() - 1)] if self.model.rowCount() else [])
            self._changed()

    def move_up(self) -> None:
        self._move(-1)

    def move_down(self) -> None:
        self._move(1)

    def _move(self, step: int) -> None:
        rows = self.selected_rows()
        if len(rows) != 1 or not 0 <= rows[0] + step < self.model.rowCount():
            return
        self.model.move(rows[0], step)
        self.select([rows[0] + step])
        self._changed()

    def paste_list(self) -> None:
        rows = parse_category_lines(QGuiApplication.clipboard().text())
        if not rows:
            self._say("The clipboard holds no lines to add: copy one category per line first.")
            return
        start = self.model.rowCount()
        self.model.insert(start, rows)
        self.select(list(range(start, start + len(rows))))
        added = "1 category" if len(rows) == 1 else f"{len(rows):,} categories"
        self._say(f"Added {added} from the clipboard.")
        self._changed()

    def merge_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 2:
            return
        first, second = (self.model.rows()[row]["value"] for row in rows)
        ask(
            self,
            "Merge categories?",
            f"Merge '{second}' into '{first}'? '{second}' is removed and its label and definition are "
            f"added to '{first}'.\n\nValues already coded '{second}' are not changed: run the documents "
            "again or correct them in the results.",
            "Merge",
            lambda: self.merge(rows[0], rows[1]),
        )

    def merge(self, first: int, second: int) -> None:
        """Merge row `second` into row `first` (no question asked)."""
        rows = self.model.rows()
        kept, gone = rows[first], rows[second]
        self.model.replace(first, merge_categories(kept, gone))
        self.model.remove(second)
        self.select([first if first < second else first - 1])
        self._say(
            f"Merged '{gone['value']}' into '{kept['value']}'. Values already coded '{gone['value']}' "
            "are not changed."
        )
        self._changed()

    def show_problems(self, cells: dict[tuple[int, int], str]) -> None:
        """Mark these cells (row, column) with their messages; clear the others."""
        self.model.set_problems(cells)

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()

    def _changed(self) -> None:
        self._update_buttons()
        self.sig_edited.emit()

    def _update_buttons(self, *_args: Any) -> None:
        rows = self.selected_rows()
        last = self.model.rowCount() - 1
        self.remove_button.setEnabled(bool(rows))
        self.up_button.setEnabled(len(rows) == 1 and rows[0] > 0)
        self.down_button.setEnabled(len(rows) == 1 and rows[0] < last)
        self.merge_button.setEnabled(len(rows) == 2)

    def _fit_height(self, *_args: Any) -> None:
        low, high = VISIBLE_ROWS
        rows = min(max(self.model.rowCount(), low), high)
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(
            self.table.horizontalHeader().sizeHint().height() + rows * ROW_HEIGHT + frame
        )
