"""What a viewer of a shared project may not do: controls held disabled, with the reason as their tooltip.

The pages enable their buttons by their own state (a selection, a finished task), not by the person's access:
a lock undoes any such enabling, so each page stays as it is and a viewer still sees why a control is off.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

FIELDS = (
    "QLineEdit",
    "QPlainTextEdit",
    "QTextEdit",
    "QAbstractSpinBox",
    "QComboBox",
    "QCheckBox",
    "QRadioButton",
)
# The app's text colour (resources/styles/app.qss); placeholders stay as pale as they are when enabled.
READABLE = (
    ", ".join(f"{kind}:disabled" for kind in FIELDS) + " { color: #1d2b36; placeholder-text-color: #9aa5ae; }"
)


class ReadOnlyLock(QObject):
    def __init__(self, reason: str, parent: QObject | None = None):
        super().__init__(parent)
        self.reason = reason

    def hold(self, *items: QWidget | QAction) -> None:
        """Keep `items` disabled from now on, explaining why."""
        for item in items:
            if isinstance(item, QAction):
                item.changed.connect(lambda action=item: self._settle(action))
            else:
                item.installEventFilter(self)
            self._settle(item)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.EnabledChange, QEvent.Type.ToolTipChange) and isinstance(
            watched, QWidget
        ):
            self._settle(watched)
        return False

    def _settle(self, item: QWidget | QAction) -> None:
        # Each change below triggers the watch again, and then finds nothing to change.
        if item.isEnabled():
            item.setEnabled(False)
        if item.toolTip() != self.reason:
            item.setToolTip(self.reason)


def keep_readable(widget: QWidget) -> None:
    """Disabled, the fields in `widget` (those added later too) keep the colour of their text, not the pale
    grey of disabled fields: what a viewer cannot change, they must still read."""
    widget.setStyleSheet(widget.styleSheet() + READABLE)
