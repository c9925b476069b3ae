"""The app icon, the stylesheet and the heading used at the top of dialogs and pages."""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from coderai_desktop.resources_path import resource


def app_icon() -> QIcon:
    return QIcon(str(resource("icons", "coderai.svg")))


def stylesheet() -> str:
    return resource("styles", "app.qss").read_text(encoding="utf-8")


def heading(title: str, subtitle: str = "") -> QWidget:
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 8)
    title_label = QLabel(title)
    title_label.setObjectName("title")
    title_label.setWordWrap(True)
    layout.addWidget(title_label)
    if subtitle:
        subtitle_label = QLabel(subtitle)
        subtitle_label.setObjectName("subtitle")
        subtitle_label.setWordWrap(True)
        layout.addWidget(subtitle_label)
    return widget
