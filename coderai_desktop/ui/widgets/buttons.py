"""Small buttons shared by the editors."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QToolButton


def arrow_button(arrow: Qt.ArrowType, text: str, tip: str) -> QToolButton:
    """An arrow as a button (Move up, Move down): narrower than the words, which stay its name and tooltip."""
    button = QToolButton()
    button.setArrowType(arrow)
    button.setText(text)
    button.setAccessibleName(text)
    button.setToolTip(tip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    button.setFixedHeight(QPushButton().sizeHint().height())
    return button
