"""Whose reviews a page counts: everyone's, or one coder's. Shown only when a project has several coders."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget


class CoderChoice(QWidget):
    sig_changed = Signal(object)
    """The chosen coder's login, or None for everyone."""

    def __init__(
        self, label: str | None = "Coder:", everyone: str = "Everyone", parent: QWidget | None = None
    ):
        """`label`: a word before the combo (None where the combos beside it have none, and the first item,
        `everyone`, says what it filters, as "All variables" does)."""
        super().__init__(parent)
        self._everyone = everyone
        self.combo = QComboBox()
        self.combo.setToolTip("Count everyone's reviews, or one coder's only")
        self.combo.addItem(everyone, None)
        self.combo.currentIndexChanged.connect(lambda _index: self.sig_changed.emit(self.coder()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if label is not None:
            title = QLabel(label)
            title.setBuddy(self.combo)
            layout.addWidget(title)
        layout.addWidget(self.combo)
        self.hide()

    def coder(self) -> str | None:
        value = self.combo.currentData()
        return str(value) if value is not None else None

    def set_coders(self, logins: list[str]) -> None:
        """A project's coders; the choice stays if its coder is still among them (without signalling)."""
        chosen = self.coder()
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            self.combo.addItem(self._everyone, None)
            for login in logins:
                self.combo.addItem(login, login)
            self.combo.setCurrentIndex(max(self.combo.findData(chosen), 0) if chosen is not None else 0)
        finally:
            self.combo.blockSignals(False)
        self.setVisible(len(logins) > 1)

    def reset(self) -> None:
        """Another project: everyone, hidden until its coders are known (without signalling)."""
        self.set_coders([])
