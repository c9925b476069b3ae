"""The co-pilot's small dialogs: a proposal's fields to edit before accepting it, and the sample documents
to read. Both open with open() (no nested event loop) and report through signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.pipeline.copilot import ReadyDocument

EDIT_HINTS = {
    "variables": "The variable as a codebook file writes it (YAML). Change what you like, then accept it.",
    "categories": "The category (YAML): value, and optionally label, definition and examples.",
    "instructions": "The instructions as the coders will read them.",
    "unit": "unit: document or entity; entity_pattern: how to recognise one entity.",
}
MAX_CHOSEN = 10


class ProposalEditDialog(QDialog):
    sig_accepted = Signal(object)
    """The edited fields (a dict), checked by `check`."""

    def __init__(
        self,
        kind: str,
        title: str,
        text: str,
        check: Callable[[str], dict[str, Any]],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"Edit the proposal: {title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(560, 420)
        self._check = check
        hint = QLabel(EDIT_HINTS.get(kind, ""))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.editor = QPlainTextEdit(text)
        if kind != "instructions":
            self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.accept_button = self.buttons.addButton("Accept", QDialogButtonBox.ButtonRole.AcceptRole)
        self.accept_button.setObjectName("primary")
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.editor, stretch=1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def _try_accept(self) -> None:
        try:
            fields = self._check(self.editor.toPlainText())
        except CoderAIError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        self.sig_accepted.emit(fields)
        self.accept()


class DocumentChooser(QDialog):
    sig_chosen = Signal(object)
    """The chosen documents: a list of ReadyDocument."""

    def __init__(self, documents: list[ReadyDocument], chosen: list[int], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Documents for the co-pilot to read")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(420, 440)
        self._documents = documents
        hint = QLabel(
            f"Tick up to {MAX_CHOSEN} documents that show the variety of the corpus. The co-pilot reads "
            "the beginning of each (about 3,000 tokens)."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by file name")
        self.filter_edit.textChanged.connect(self._filter)
        self.list = QListWidget()
        for document in documents:
            item = QListWidgetItem(document.file_name)
            item.setData(Qt.ItemDataRole.UserRole, document.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = document.id in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.itemChanged.connect(self._changed)
        self.count_label = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._done)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list, stretch=1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.buttons)
        self._changed()

    def chosen(self) -> list[ReadyDocument]:
        ids = {
            self.list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.list.count())
            if self.list.item(row).checkState() is Qt.CheckState.Checked
        }
        return [document for document in self._documents if document.id in ids]

    def _changed(self) -> None:
        count = len(self.chosen())
        too_many = count > MAX_CHOSEN
        self.count_label.setText(f"{count} chosen" + (f": choose {MAX_CHOSEN} at most." if too_many else "."))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(0 < count <= MAX_CHOSEN)

    def _filter(self, text: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(text.casefold() not in item.text().casefold())

    def _done(self) -> None:
        self.sig_chosen.emit(self.chosen())
        self.accept()
