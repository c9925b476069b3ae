"""A coloured strip across a page: a sentence, and the button that acts on it when there is one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

COLOURS = {"warning": "#fff4d6", "info": "#e3edf5"}


class Banner(QFrame):
    def __init__(self, tone: str = "warning", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.setStyleSheet(f"QFrame#banner {{ background: {COLOURS[tone]}; border-radius: 6px; }}")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.button = QPushButton()
        self.button.setObjectName("primary")
        self.button.hide()
        self._action: Callable[[], None] = lambda: None
        self.button.clicked.connect(lambda: self._action())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.label, stretch=1)
        layout.addWidget(self.button)
        self.hide()

    def say(self, text: str, action: tuple[str, Callable[[], None]] | None = None) -> None:
        """Show `text`, with a button `(label, callback)` or none."""
        self.label.setText(text)
        self.button.setVisible(action is not None)
        if action is not None:
            self.button.setText(action[0])
            self._action = action[1]
        self.show()
