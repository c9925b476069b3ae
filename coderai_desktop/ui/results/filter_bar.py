"""The row above the results grid: which units to show (state, variable, whose reviews, search), how many
there are, and the reviewer's buttons (next to review, mark correct, clear review, blind coding)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.dataset import UnitFilter, UnitQuery
from coderai_desktop.ui.widgets.coder_choice import CoderChoice
from coderai_desktop.ui.widgets.read_only import ReadOnlyLock

SEARCH_DELAY_MS = 250
NEXT_SHORTCUT = QKeySequence("F8")  # as "next problem" in IDEs; Ctrl+N is New Project
FILTERS = (
    ("All values", UnitFilter.ALL),
    ("Needs review", UnitFilter.NEEDS_REVIEW),
    ("Flagged", UnitFilter.FLAGGED),
    ("Below threshold", UnitFilter.LOW_CONFIDENCE),
    ("Reviewed", UnitFilter.REVIEWED),
    ("Corrected", UnitFilter.CORRECTED),
    ("Confirmed", UnitFilter.CONFIRMED),
)
ALL_VARIABLES = "All variables"
ALL_CODERS = "All coders"
SEARCH_WIDTH = 240
VARIABLE_WIDTH = 200


class FilterBar(QWidget):
    sig_query_changed = Signal(object)
    """A UnitQuery: the state filter, variable or search changed (sorting is the grid header's)."""

    sig_next_requested = Signal()
    """Go to the next value to review."""

    sig_confirm_requested = Signal()
    """Mark the selected values correct."""

    sig_clear_requested = Signal()
    """Clear the reviews of the selected values."""

    sig_blind_toggled = Signal(bool)
    """Blind coding turned on (True) or off."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.state_combo = QComboBox()
        for text, value in FILTERS:
            self.state_combo.addItem(text, value)
        self.state_combo.setToolTip("Show the units with at least one value in this state")
        self.variable_combo = QComboBox()
        self.variable_combo.addItem(ALL_VARIABLES, None)
        self.variable_combo.setToolTip("Look at one variable only (filter, search and next to review)")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search documents and values (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(SEARCH_WIDTH)  # its hint must stay readable beside the buttons
        self.variable_combo.setMaximumWidth(VARIABLE_WIDTH)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._changed)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.state_combo.currentIndexChanged.connect(self._changed)
        self.variable_combo.currentIndexChanged.connect(self._changed)
        self.coder_choice = CoderChoice(label=None, everyone=ALL_CODERS)  # narrow, as the combos beside it
        self.coder_choice.sig_changed.connect(lambda _coder: self._changed())

        self.next_button = QPushButton("Next to review")
        self.next_button.setToolTip(
            f"Go to the next value nobody has reviewed, riskiest first ({NEXT_SHORTCUT.toString()})"
        )
        self.next_button.clicked.connect(self.sig_next_requested)
        self.confirm_button = QPushButton("Mark correct")
        self.confirm_button.setToolTip("Confirm the AI's values in the selected cells (Space)")
        self.confirm_button.clicked.connect(self.sig_confirm_requested)
        self.clear_button = QPushButton("Clear review")
        self.clear_button.setToolTip("Take back the reviews of the selected cells (Delete)")
        self.clear_button.clicked.connect(self.sig_clear_requested)
        self.blind_button = QPushButton("Blind coding")
        self.blind_button.setCheckable(True)
        self.blind_button.setToolTip(
            "Hide the AI's values and code the documents yourself; agreement compares your codes with the AI's"
        )
        self.blind_button.toggled.connect(self._blind_toggled)
        self.count_label = QLabel()
        self.count_label.setObjectName("hint")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state_combo)
        layout.addWidget(self.variable_combo)
        layout.addWidget(self.coder_choice)
        layout.addWidget(self.search_edit, stretch=1)
        layout.addWidget(self.count_label)
        layout.addSpacing(12)
        for button in (self.next_button, self.confirm_button, self.clear_button, self.blind_button):
            layout.addWidget(button)

    def query(self) -> UnitQuery:
        """The filter as chosen now (no sort: the page adds it)."""
        return UnitQuery(
            filter=UnitFilter(self.state_combo.currentData()),  # Qt hands the StrEnum back as a str
            variable=self.variable_combo.currentData(),
            search=self.search_edit.text().strip(),
        )

    def coder(self) -> str | None:
        """Whose reviews the grid shows: one coder's (a login), or those in force (None)."""
        return self.coder_choice.coder()

    def set_variables(self, variables: list[VariableSpec]) -> None:
        """A new project's variables; the filter goes back to everything (without signalling)."""
        self.blockSignals(True)
        try:
            self.variable_combo.clear()
            self.variable_combo.addItem(ALL_VARIABLES, None)
            for spec in variables:
                self.variable_combo.addItem(spec.label, spec.name)
                self.variable_combo.setItemData(
                    self.variable_combo.count() - 1, spec.instructions, Qt.ItemDataRole.ToolTipRole
                )
            self.state_combo.setCurrentIndex(0)
            self.search_edit.clear()
            self._search_timer.stop()
        finally:
            self.blockSignals(False)

    def show_all(self) -> None:
        """Every unit: no state filter, no search (the variable stays); signals the new query once."""
        self._search_timer.stop()
        self.blockSignals(True)
        try:
            self.state_combo.setCurrentIndex(0)
            self.search_edit.clear()
            self._search_timer.stop()
        finally:
            self.blockSignals(False)
        self._changed()

    @property
    def filtered(self) -> bool:
        query = self.query()
        return query.filter is not UnitFilter.ALL or bool(query.search)

    def set_counts(self, shown: int, total: int) -> None:
        self.count_label.setText(f"{shown:,} of {total:,} units")

    def set_blind(self, blind: bool) -> None:
        """Show blind mode without signalling (a project switch restores the mode it had)."""
        self.blind_button.blockSignals(True)
        self.blind_button.setChecked(blind)
        self.blind_button.blockSignals(False)
        self._show_blind(blind)

    def set_read_only(self, reason: str) -> None:
        """A viewer's bar: filters and next to review, but no review or coding of one's own."""
        ReadOnlyLock(reason, self).hold(self.confirm_button, self.clear_button, self.blind_button)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _blind_toggled(self, blind: bool) -> None:
        self._show_blind(blind)
        self.sig_blind_toggled.emit(blind)

    def _show_blind(self, blind: bool) -> None:
        # The states come from the AI's values and their reviews: hidden while coding blind.
        if blind and self.state_combo.currentIndex() != 0:
            self.state_combo.setCurrentIndex(0)
        for widget in (self.state_combo, self.confirm_button, self.clear_button):
            widget.setEnabled(not blind)

    def _changed(self) -> None:
        if not self.signalsBlocked():
            self.sig_query_changed.emit(self.query())
