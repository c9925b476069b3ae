"""Edits a cell of the results grid with the editor of its variable's type.

The delegate checks a value before it reaches the model: what the variable's rules refuse stays in the
open editor, marked with the reason, and is never written; `setData` receives only checked values.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.coercion import CoercionError
from coderai_desktop.ui.results.editors import CellEditor, make_editor, problem, show_problem
from coderai_desktop.ui.results.roles import CELL_ROLE, SPEC_ROLE

Index = QModelIndex | QPersistentModelIndex
EDIT = Qt.ItemDataRole.EditRole
# Keys with which the delegate commits and closes the editor.
COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)


class CellDelegate(QStyledItemDelegate):
    """Type-aware editors for the variable columns; the document column (no spec) is not edited."""

    sig_problem = Signal(str)
    """An edit was refused: the variable and the reason, for the status bar."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget | None:  # type: ignore[override]
        spec = index.data(SPEC_ROLE)
        if not isinstance(spec, VariableSpec):
            return None
        # The view's locale, so that numbers and dates read as the cells show them (copied: the option's
        # own dies with it).
        return make_editor(spec, QLocale(option.locale), parent)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, CellEditor):
            editor.set_value(index.data(EDIT))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if not isinstance(editor, CellEditor):
            return
        try:
            value = editor.value()
        except CoercionError as error:
            # Only when the view closes an editor itself (another cell chosen): Enter and leaving keep
            # a refused value open (eventFilter).
            self.sig_problem.emit(f"{editor.spec.label}: not saved, {error}")
            return
        # A value on record (a Cell) left as it was is not recorded again: opening and closing an editor
        # must not count as a confirmation. Without a Cell (blind coding), even "no value" is a coding.
        if index.data(CELL_ROLE) is None or not _same(value, index.data(EDIT)):
            model.setData(index, value, EDIT)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: Index) -> None:
        parent = editor.parentWidget()
        if not (isinstance(editor, CellEditor) and editor.spec.is_multi_valued and parent is not None):
            super().updateEditorGeometry(editor, option, index)
            return
        # Several values need more room than a cell: the editor grows from the cell, inside the view.
        area = parent.rect()
        size = option.rect.size().expandedTo(editor.sizeHint()).boundedTo(area.size())
        left = max(0, min(option.rect.left(), area.width() - size.width()))
        top = max(0, min(option.rect.top(), area.height() - size.height()))
        editor.setGeometry(QRect(left, top, size.width(), size.height()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, CellEditor) and _leaving(watched, event):
            reason = problem(watched)
            if reason is not None:
                show_problem(watched, reason)
                self.sig_problem.emit(f"{watched.spec.label}: {reason}")
                return True  # the editor stays open, with what was typed
        return super().eventFilter(watched, event)


def _leaving(editor: CellEditor, event: QEvent) -> bool:
    """Whether the event would commit and close the editor: Enter, Tab, or the focus going elsewhere."""
    if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
        return event.key() in COMMIT_KEYS
    if isinstance(event, QFocusEvent) and event.type() == QEvent.Type.FocusOut:
        if event.reason() == Qt.FocusReason.PopupFocusReason:  # the combo's list opening
            return False
        widget = QApplication.focusWidget()
        while widget is not None:
            if widget is editor:
                return False
            widget = widget.parentWidget()
        return True
    return False


def _same(first: Any, second: Any) -> bool:
    # Types count: 1 is not True.
    if isinstance(first, list) and isinstance(second, list):
        return len(first) == len(second) and all(map(_same, first, second))
    return type(first) is type(second) and first == second
