"""The worked examples of a variable: passages of coded documents and the value each gives, shown to the model
with the instructions. Prompt refinement adds them (each quoted word for word from a corrected document); here
they are read and removed."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.formatting import shorten, value_text


class ExamplesEditor(QWidget):
    sig_edited = Signal()
    """An example was removed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._examples: list[dict[str, Any]] = []
        self.remove_button = QPushButton("Remove")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0))
        self.empty = QLabel("None yet: refining the prompt from your corrections can add some.")
        self.empty.setObjectName("hint")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.set_examples([])

    def set_examples(self, examples: list[dict[str, Any]]) -> None:
        self._examples = [dict(example) for example in examples]
        self.list.clear()
        for example in self._examples:
            text = f"{json.dumps(shorten(str(example.get('quote', '')), 160), ensure_ascii=False)} → "
            text += value_text(example.get("value"))
            if example.get("explanation"):
                text += f" ({example['explanation']})"
            item = QListWidgetItem(text)
            item.setToolTip(f"From {example['source']}" if example.get("source") else "")
            self.list.addItem(item)
        has_any = bool(self._examples)
        self.list.setVisible(has_any)
        self.remove_button.setVisible(has_any)
        self.empty.setVisible(not has_any)

    def examples(self) -> list[dict[str, Any]]:
        return [dict(example) for example in self._examples]

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._examples):
            self.set_examples(self._examples[:row] + self._examples[row + 1 :])
            self.sig_edited.emit()
