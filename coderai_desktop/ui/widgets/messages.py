"""Message boxes that never start a nested event loop (safe to show while asyncio tasks run)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

Button = QMessageBox.StandardButton
_unowned: set[QMessageBox] = set()


def show_error(parent: QWidget | None, title: str, text: str, details: str | None = None) -> QMessageBox:
    box = _box(parent, QMessageBox.Icon.Warning, title, text, Button.Ok)
    if details:
        box.setDetailedText(details)
    box.open()
    return box


def show_info(parent: QWidget | None, title: str, text: str, details: str | None = None) -> QMessageBox:
    box = _box(parent, QMessageBox.Icon.Information, title, text, Button.Ok)
    if details:
        box.setDetailedText(details)
    box.open()
    return box


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    confirm_label: str,
    on_confirm: Callable[[], object],  # what it returns (a task, say) is not used
    cancel_text: str | None = None,
) -> QMessageBox:
    """A question with a named confirm button (not Yes/No) and Cancel (or `cancel_text`) as the default."""
    box = _box(parent, QMessageBox.Icon.Question, title, text, Button.NoButton)
    confirm = box.addButton(confirm_label, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(Button.Cancel)
    if cancel_text:
        cancel.setText(cancel_text)
    box.setDefaultButton(cancel)
    box.buttonClicked.connect(lambda button: on_confirm() if button is confirm else None)
    box.open()
    return box


def _box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, buttons: Button
) -> QMessageBox:
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextFormat(Qt.TextFormat.PlainText)  # messages quote user data: never interpret it as HTML
    if parent is None:
        # Nothing owns a parentless box: keep it alive until it is closed.
        _unowned.add(box)
        box.finished.connect(lambda _result: _unowned.discard(box))
    return box
