"""A page that says what belongs here and, when there is one, offers the action that fills it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

TEXT_WIDTH = 520


class EmptyState(QWidget):
    def __init__(
        self,
        title: str,
        text: str,
        action: tuple[str, Callable[[], None]] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("emptyTitle")
        self.text_label = QLabel(text)
        self.text_label.setObjectName("emptyText")
        self.text_label.setWordWrap(True)
        # A fixed-width column (no alignment flags) lets the wrapped text take the height it needs.
        column = QWidget()
        column.setFixedWidth(TEXT_WIDTH)
        column_layout = QVBoxLayout(column)
        for label in (self.title_label, self.text_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column_layout.addWidget(label)
        self.action_button: QPushButton | None = None
        if action is not None:
            label_text, callback = action
            self.action_button = QPushButton(label_text)
            self.action_button.setObjectName("primary")
            self.action_button.clicked.connect(callback)
            column_layout.addSpacing(12)
            column_layout.addWidget(self.action_button, alignment=Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(column)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addLayout(row)
        layout.addStretch()


def table_or_empty(table: QWidget, details: QWidget, empty: EmptyState) -> QStackedWidget:
    """A page's content: `empty` (index 0) until there are rows, then the table above the selected row's
    details (index 1)."""
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.addWidget(table)
    splitter.addWidget(details)
    splitter.setSizes([320, 220])
    stack = QStackedWidget()
    stack.addWidget(empty)
    stack.addWidget(splitter)
    return stack
