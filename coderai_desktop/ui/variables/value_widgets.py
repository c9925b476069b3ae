"""Widgets for one value of a variable's type (a default, a bound, a dependency's value) and the slot that
shows a field's problem under it.

Values are read the way the app reads them (`coerce`); what cannot be read is kept as typed, so that the
codebook checks can say what is wrong with it instead of the form silently dropping it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.codebook import Category, VariableSpec
from coderai_desktop.domain.codebook_rules import value_problem
from coderai_desktop.domain.coercion import CoercionError, coerce
from coderai_desktop.domain.enums import VariableType

# (value, label) of each category, in order
Choices = Sequence[tuple[str, str | None]]

NO_VALUE = "(none)"
DEBOUNCE_MS = 400
FIELD_WIDTH = 300  # combos and short fields: wide enough to read, not stretched across the form
LABEL_DROP = 4  # pixels between a label's top and its field's: a line edit's frame and padding
DATE_HINT = "YYYY, YYYY-MM or YYYY-MM-DD"
PLACEHOLDERS = {
    VariableType.TEXT: "text",
    VariableType.NUMBER: "a number, e.g. 12.5",
    VariableType.DATE: DATE_HINT,
    VariableType.BOOLEAN: "yes or no",
    VariableType.CATEGORY: "a category value",
}
EXAMPLES = {
    VariableType.TEXT: "Paris, Lyon",
    VariableType.NUMBER: "10, 20.5",
    VariableType.DATE: "2020, 2021-06",
    VariableType.BOOLEAN: "yes, no",
    VariableType.CATEGORY: "low, high",
}
PROBLEM_STYLE = """
QLabel#fieldError { color: #b3261e; }
QLabel#formLabel[problem="true"] { color: #b3261e; font-weight: 600; }
QLineEdit[problem="true"], QPlainTextEdit[problem="true"], QTableView[problem="true"] {
    border: 1px solid #b3261e; border-radius: 3px;
}
QComboBox[problem="true"]:enabled, QCheckBox[problem="true"]:enabled, QAbstractSpinBox[problem="true"]:enabled {
    color: #b3261e;
}
"""


def variable_kind(value: Any) -> VariableType | None:
    """The VariableType a field dict's "type" names ("category", "CATEGORY"), or None when it names none."""
    try:
        return VariableType(str(value).strip().upper())
    except ValueError:
        return None


def probe(kind: VariableType, choices: Choices = ()) -> VariableSpec:
    """A stand-in variable of `kind`, so that values are read and checked exactly as the app does."""
    categories = [Category(value=value, label=label) for value, label in choices if value.strip()]
    return VariableSpec(name="value", type=kind, instructions="-", categories=categories)


def read_value(variable: VariableSpec, value: Any) -> Any:
    """The value in the variable's type; what cannot be read stays as it was (the checks will say why)."""
    try:
        return coerce(variable, value)
    except CoercionError:
        return value.strip() if isinstance(value, str) else value


def fitting(variable: VariableSpec, value: Any) -> Any:
    """The value read as one of `variable`'s, or None when it is not one (after a change of type)."""
    if value is None:
        return None
    read = read_value(variable, value) if isinstance(value, str) else value
    return read if read is not None and value_problem(variable, read) is None else None


def value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class ValueField(QWidget):
    """One value of a variable's type: a line for text, numbers and dates, a combo for yes/no and
    categories; with `several`, a comma-separated list of them (for "in" and for variables keeping all
    values)."""

    sig_edited = Signal()
    """The person changed the value (typing ended, or a choice was made)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setClearButtonEnabled(True)
        self.line.editingFinished.connect(self._line_finished)
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(12)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.activated.connect(lambda _index: self.sig_edited.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line)
        layout.addWidget(self.combo)
        self._choices: list[Any] = []
        self._kind = VariableType.TEXT
        self._several = False
        self._variable = probe(VariableType.TEXT)
        self.set_kind(VariableType.TEXT)

    @property
    def uses_combo(self) -> bool:
        return not self._several and self._kind in (VariableType.BOOLEAN, VariableType.CATEGORY)

    def editor(self) -> QWidget:
        """The widget shown now (the line or the combo): the one to mark when the value has a problem."""
        return self.combo if self.uses_combo else self.line

    def set_kind(self, kind: VariableType, choices: Choices = (), *, several: bool = False) -> None:
        """Switch to values of `kind` (with these categories); keep the current value when it still fits."""
        current = self.value()
        self._kind, self._several = kind, several
        self._set_choices(choices)
        self.set_value(self._fitting(current))

    def refresh_choices(self, choices: Choices) -> None:
        """New categories to choose from; the current value stays, marked when it is no longer one."""
        if self._kind is VariableType.CATEGORY:
            current = self.value()
            self._set_choices(choices)
            self.set_value(current)

    def _set_choices(self, choices: Choices) -> None:
        kind, several = self._kind, self._several
        self._variable = probe(kind, choices)
        self._choices = [None]
        self.combo.clear()
        self.combo.addItem(NO_VALUE)
        if kind is VariableType.BOOLEAN:
            self._choices += [True, False]
            self.combo.addItems(["yes", "no"])
        for value, label in choices if kind is VariableType.CATEGORY else ():
            self._choices.append(value)
            self.combo.addItem(f"{value} — {label}" if label else value)
        self.line.setVisible(not self.uses_combo)
        self.combo.setVisible(self.uses_combo)
        hint = PLACEHOLDERS[kind]
        if several:
            example = ", ".join(value for value, _label in choices[:2]) if choices else EXAMPLES[kind]
            hint = f"separated by commas, e.g. {example}"
        self.line.setPlaceholderText(hint)

    def _fitting(self, value: Any) -> Any:
        if isinstance(value, list):
            kept = [item for item in (fitting(self._variable, v) for v in value) if item is not None]
            return kept if self._several else (kept[0] if kept else None)
        kept = fitting(self._variable, value)
        return [kept] if self._several and kept is not None else kept

    def set_value(self, value: Any) -> None:
        """Show `value` (a list when `several`) without emitting sig_edited."""
        if self.uses_combo:
            index = self._index_of(value)
            if index < 0:
                # A value that is not (or no longer) a choice stays visible, so its problem can be fixed.
                self._choices.append(value)
                self.combo.addItem(f"{value_text(value)} (not a choice)")
                index = len(self._choices) - 1
            self.combo.setCurrentIndex(index)
            return
        values = value if isinstance(value, list) else ([] if value is None else [value])
        self.line.setText(", ".join(value_text(item) for item in values))

    def _index_of(self, value: Any) -> int:
        # `1 == True` in Python: compare the types too, so that a stray 1 is not shown as "yes".
        for index, choice in enumerate(self._choices):
            if choice == value and type(choice) is type(value):
                return index
        return -1

    def value(self) -> Any:
        """The value in the variable's type, None when empty; a list (or None) when `several`."""
        if self.uses_combo:
            index = self.combo.currentIndex()
            return self._choices[index] if 0 <= index < len(self._choices) else None
        text = self.line.text()
        if not self._several:
            return read_value(self._variable, text) if text.strip() else None
        items = [read_value(self._variable, part) for part in text.split(",") if part.strip()]
        return items or None

    def _line_finished(self) -> None:
        # Show the value as the app reads it ("1,234.5" -> 1234.5, "3 May 2021" -> 2021-05-03).
        self.set_value(self.value())
        self.sig_edited.emit()


class DebouncedText(QPlainTextEdit):
    """Multi-line text that reports an edit once typing pauses (DEBOUNCE_MS) or the field loses focus, and
    grows with its text from `lines` to `most` lines (then scrolls)."""

    sig_edited = Signal()
    """Typing paused, or the field lost focus with an edit not yet reported."""

    def __init__(self, lines: int = 3, most: int = 10, parent: QWidget | None = None):
        super().__init__(parent)
        self._lines = (lines, most)
        self.setTabChangesFocus(True)
        # Its height follows its text: it must not take the space a form leaves below its fields.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.sig_edited)
        self._filling = False
        self.textChanged.connect(self._typed)
        self._fit_height()

    def set_text(self, text: str) -> None:
        """Show `text` without emitting sig_edited (and forget an edit not yet reported)."""
        self._filling = True
        try:
            self.setPlainText(text)
        finally:
            self._filling = False
        self._timer.stop()

    def text(self) -> str:
        return self.toPlainText()

    def _typed(self) -> None:
        self._fit_height()
        if not self._filling:
            self._timer.start()

    def _fit_height(self) -> None:
        margin = int(self.document().documentMargin())
        width = self.viewport().width() - 2 * margin - self.cursorWidth() - 2
        spacing = self.fontMetrics().lineSpacing()
        low, high = self._lines
        lines = low
        if width > 0:
            area = QRect(0, 0, width, spacing * (high + 1))
            wrapped = self.fontMetrics().boundingRect(
                area, Qt.TextFlag.TextWordWrap, self.toPlainText() or " "
            )
            lines = min(max(-(-wrapped.height() // spacing), low), high)
        height = lines * spacing + 2 * (margin + self.frameWidth()) + 6
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self._timer.isActive():
            self._timer.stop()
            self.sig_edited.emit()


class DebouncedLine(QLineEdit):
    """A line that reports an edit when typing pauses (for a live check) and when editing ends."""

    sig_edited = Signal()
    """Typing paused, Return was pressed, or the field lost focus."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.sig_edited)
        self.textEdited.connect(lambda _text: self._timer.start())  # typed, never set by code
        self.editingFinished.connect(self._finished)

    def set_text(self, text: str) -> None:
        self.setText(text)
        self._timer.stop()

    def _finished(self) -> None:
        self._timer.stop()
        self.sig_edited.emit()


def choice_combo(choices: dict[Any, str], tip: str) -> QComboBox:
    """A combo of enum members (`choices`: member -> what it shows), each item's data the member's value."""
    combo = QComboBox()
    for value, text in choices.items():
        combo.addItem(text, value.value)
    combo.setToolTip(tip)
    combo.setMaximumWidth(FIELD_WIDTH)
    return combo


def select_data(combo: QComboBox, value: Any, fallback: str) -> None:
    """Select the item whose data is `value` (in any case), or `fallback`'s."""
    index = combo.findData(str(value).strip().upper()) if value is not None else -1
    combo.setCurrentIndex(index if index >= 0 else combo.findData(fallback))


def form_label(text: str) -> QLabel:
    """A field's label in a form; VariableForm gives all of them one width so that the sections align."""
    label = QLabel(text)
    label.setObjectName("formLabel")
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    label.setContentsMargins(0, LABEL_DROP, 0, 0)  # level with the text of the field beside it
    return label


def section_form(widget: QWidget) -> QFormLayout:
    """The form layout of one section of the variable form: labels right-aligned, fields growing."""
    form = QFormLayout(widget)
    form.setContentsMargins(0, 0, 0, 0)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    return form


class FieldSlot(QWidget):
    """A field, an optional grey hint, and the red message under them that `set_message` fills."""

    def __init__(self, field: QWidget | QLayout, hint: str = ""):
        super().__init__()
        self.field = field
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.hint: QLabel | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        if isinstance(field, QLayout):
            layout.addLayout(field)
        else:
            layout.addWidget(field)
        if hint:
            self.hint = QLabel(hint)
            self.hint.setObjectName("hint")
            self.hint.setWordWrap(True)
            layout.addWidget(self.hint)
        layout.addWidget(self.error)

    def set_message(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))


def mark_problem(widget: QWidget, marked: bool) -> None:
    """Mark (or unmark) a widget as having a problem: PROBLEM_STYLE draws it red."""
    if bool(widget.property("problem")) == marked:
        return
    widget.setProperty("problem", marked)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()
