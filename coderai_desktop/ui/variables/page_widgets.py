"""Small pieces of the Codebook page: the status text of its toolbar and the unsaved-changes question."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QSizePolicy, QWidget

NORMAL_COLOUR, PROBLEM_COLOUR = "#5b6b78", "#b3261e"


class StatusLabel(QLabel):
    """One line of status that never widens the page: a long text is elided, and whole in the tooltip."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.problem = False

    def show_text(self, text: str, tooltip: str = "", *, problem: bool = False) -> None:
        self.problem = problem
        self.setStyleSheet(f"color: {PROBLEM_COLOUR if problem else NORMAL_COLOUR};")
        self.setText(text)
        self.setToolTip(tooltip or text)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), shown)


def ask_unsaved_changes(
    parent: QWidget, text: str, can_save: bool, on_choice: Callable[[str], None]
) -> QMessageBox:
    """Save / Discard / Cancel, never a nested event loop; `on_choice` gets "save", "discard" or "cancel"
    (also when the box is closed)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Unsaved codebook changes",
        text,
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the text quotes the project's name: never markup
    save = box.addButton("Save", QMessageBox.ButtonRole.AcceptRole) if can_save else None
    discard = box.addButton("Discard changes", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save or cancel)
    box.setEscapeButton(cancel)
    box.buttonClicked.connect(
        lambda button: on_choice("save" if button is save else "discard" if button is discard else "cancel")
    )
    box.open()
    return box


class EditorToolbar(QWidget):
    """Save, Undo, Redo, the status text, then Import and Export (the page connects them)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("primary")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.import_button = QPushButton("Import codebook…")
        self.import_button.setToolTip(
            "Replace the codebook with one from a YAML or JSON file (saved at once)"
        )
        self.export_button = QPushButton("Export codebook…")
        self.export_button.setToolTip("Write the saved codebook to a YAML or JSON file")
        self.status_label = StatusLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        for button in (self.save_button, self.undo_button, self.redo_button):
            layout.addWidget(button)
        layout.addSpacing(12)
        layout.addWidget(self.status_label, stretch=1)
        layout.addSpacing(12)
        layout.addWidget(self.import_button)
        layout.addWidget(self.export_button)
