"""The cell editors of the results grid, one per variable type, and the text a cell shows and accepts.

Text is read the way the person's locale writes it ("1 234,5", "15/03/2021") and then goes through
`check_value`, the rules the AI's values meet, so that a correction is refused with its reason before
anything is recorded. Paste reads its cells with `parse_input` too.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from PySide6.QtCore import QDate, QLocale, QPoint, QSize, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QListWidgetItem, QToolTip, QWidget

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.coercion import CoercionError, check_value
from coderai_desktop.domain.enums import IfMultipleValues, VariableType
from coderai_desktop.review.cells import NO_VALUE_WORDS
from coderai_desktop.ui.variables.value_widgets import PROBLEM_STYLE, mark_problem

NO_VALUE = "(no value)"
SEPARATOR = "; "
CHECKLIST_ROWS = 10  # rows the list of categories shows before it scrolls
LIST_CHARS = 40  # width of the line for several values, in characters: wider than most cells
_ITEMS = re.compile(r"[;\r\n]")
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?", re.IGNORECASE)
# Digits and separators only: what the domain may read with its grouping rules ("1.234,5" anywhere).
_SEPARATED_NUMBER = re.compile(r"[\s\d.,'’+\-()]*\d[\s\d.,'’+\-()]*")
# Minus signs and apostrophes as a person types them (sv_SE writes −5, de_CH groups with ’).
_NORMALISE = str.maketrans({"−": "-", "–": "-", "’": "'"})
_DAY_MONTH_YEAR = re.compile(r"(\d+)\s*[./-]\s*(\d+)\s*[./-]\s*(\d+)\.?")
_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_CHECKLIST_STYLE = PROBLEM_STYLE + 'QListWidget[problem="true"] { border: 1px solid #b3261e; }'


def parse_input(spec: VariableSpec, text: str, locale: QLocale | None = None) -> Any:
    """The checked value that `text` (typed, or a pasted cell) gives `spec`: None for no value ([] when
    the variable keeps several, whose items `;` or line breaks separate). Raises CoercionError."""
    locale = locale or QLocale()
    if not spec.is_multi_valued:
        return None if _says_no_value(spec, text) else _parse_one(spec, text.strip(), locale)
    one = spec.model_copy(update={"if_multiple_values": IfMultipleValues.FIRST, "max_values": None})
    items = [item.strip() for item in _ITEMS.split(text)]
    values = [_parse_one(one, item, locale) for item in items if not _says_no_value(one, item)]
    return check_value(spec, values)  # max_values, and each value once


def display_text(spec: VariableSpec, value: Any, locale: QLocale | None = None) -> str:
    """How a cell shows `value`: nothing for no value, several values joined with "; ", yes/no as Yes/No,
    a category by its label, numbers with the locale's decimal point, dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, list):
        return SEPARATOR.join(display_text(spec, item, locale) for item in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if spec.type is VariableType.CATEGORY:
        category = next((c for c in spec.categories if c.value == value), None)
        return (category.label or category.value) if category else str(value)
    if isinstance(value, int | float):
        return _number_text(value, locale or QLocale())
    return str(value)


def _says_no_value(spec: VariableSpec, text: str) -> bool:
    word = text.strip().casefold()
    if not word:
        return True
    if word not in NO_VALUE_WORDS and word.strip("()") not in NO_VALUE_WORDS:
        return False
    # A category may be called "none": then the word is that category.
    return not any(word in (c.value.casefold(), (c.label or "").casefold()) for c in spec.categories)


def _parse_one(spec: VariableSpec, text: str, locale: QLocale) -> Any:
    if spec.type is VariableType.NUMBER:
        return check_value(spec, _number(text, locale))
    if spec.type is VariableType.DATE and not _ISO_DATE.fullmatch(text):
        return check_value(spec, _locale_date(text, locale) or text)
    return check_value(spec, text)


def _number(text: str, locale: QLocale) -> int | float | str:
    """The number in the locale's writing, else plain ("1234.5"); text of digits and separators is
    left to the domain's reading; anything else is refused."""
    cleaned = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Sc")).strip()
    cleaned = cleaned.translate(_NORMALISE)
    if len(cleaned) > 2 and cleaned[0] + cleaned[-1] == "()":  # an accountant's negative: (1 234,50)
        inner = _number(cleaned[1:-1], locale)
        return cleaned if isinstance(inner, str) else -abs(inner)
    number = _locale_number(cleaned, locale)
    if number is None and _PLAIN_NUMBER.fullmatch(cleaned):
        number = _whole_or_float(cleaned)
    if number is not None:
        return number
    if _SEPARATED_NUMBER.fullmatch(cleaned):
        return cleaned
    raise CoercionError(f"{text!r} is not a number")


def _locale_number(text: str, locale: QLocale) -> int | float | None:
    point, group = locale.decimalPoint(), locale.groupSeparator().translate(_NORMALISE)
    if group.isspace():  # a person types a plain space where the locale groups with a no-break one
        text, group = re.sub(r"\s", " ", text), " "
    grouped = rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+" if group else r"\d+"
    match = re.fullmatch(rf"([-+]?)({grouped}|\d+)(?:{re.escape(point)}(\d+))?", text)
    if match is None:
        return None
    sign, whole, fraction = match.groups()
    whole = whole.replace(group, "") if group else whole
    return _whole_or_float(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")


def _whole_or_float(text: str) -> int | float:
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    number = float(text)
    if not math.isfinite(number):
        raise CoercionError(f"{text!r} is too large a number")
    return int(number) if number.is_integer() else number  # 3.0 is stored as 3, as the domain does


def _number_text(number: int | float, locale: QLocale) -> str:
    shown = QLocale(locale)
    shown.setNumberOptions(QLocale.NumberOption.OmitGroupSeparator)  # as a spreadsheet shows numbers
    if isinstance(number, int):
        return shown.toString(number) if abs(number) < 2**63 else str(number)
    return shown.toString(number, "f", QLocale.FloatingPointPrecisionOption.FloatingPointShortest)


def _date_format(locale: QLocale) -> str:
    """The locale's short date format with the year in full (en_US writes M/d/yy)."""
    short = locale.dateFormat(QLocale.FormatType.ShortFormat)
    return re.sub(r"(?<!y)yy(?!y)", "yyyy", short)


def _locale_date(text: str, locale: QLocale) -> str | None:
    """The ISO date of a day written in the locale's order (3/15/2021 in en_US, 15/03/2021 in fr_FR), or
    None when `text` is not one; a two-digit year is refused rather than guessed."""
    cleaned = "".join(c for c in text if unicodedata.category(c) != "Cf")
    match = _DAY_MONTH_YEAR.fullmatch(cleaned)
    form = _date_format(locale)
    if match is None or min(form.find(part) for part in "dMy") < 0:
        return None
    parts = dict(zip(sorted("dMy", key=form.find), match.groups(), strict=True))
    if any(len(part) == 4 for part in match.groups()) and len(parts["y"]) != 4:
        return None  # year first (2021/03/15): the domain reads it
    if len(parts["y"]) == 2:
        example = locale.toString(QDate(2021, 3, 15), form)
        raise CoercionError(f"{text!r}: write the year in full, e.g. {example}")
    day = QDate(int(parts["y"]), int(parts["M"]), int(parts["d"]))
    return day.toString("yyyy-MM-dd") if len(parts["y"]) == 4 and day.isValid() else None


def _choices(spec: VariableSpec) -> list[tuple[Any, str, str]]:
    """(value, text shown, tooltip) of each choice of a yes/no or category variable."""
    if spec.type is VariableType.BOOLEAN:
        return [(True, "Yes", ""), (False, "No", "")]
    return [(c.value, c.label or c.value, c.definition or "") for c in spec.categories]


def _position(values: list[Any], value: Any) -> int:
    # `1 == True` in Python: compare types too, so that a stray 1 is not taken for Yes.
    return next((i for i, known in enumerate(values) if known == value and type(known) is type(value)), -1)


class LineEditor(QLineEdit):
    """Text, numbers and dates; several values of any type typed with ";" between them."""

    def __init__(self, spec: VariableSpec, locale: QLocale, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec, self._locale = spec, locale
        self.setStyleSheet(PROBLEM_STYLE)
        self.setPlaceholderText(self._hint())
        self.textEdited.connect(lambda _text: recheck(self))

    def _hint(self) -> str:
        if self.spec.is_multi_valued:
            return "several values: separate them with ;"
        if self.spec.type is VariableType.NUMBER:
            return f"a number, e.g. {_number_text(1234.5, self._locale)}"
        if self.spec.type is VariableType.DATE:
            example = self._locale.toString(QDate(2021, 3, 15), _date_format(self._locale))
            return f"YYYY, YYYY-MM, YYYY-MM-DD or {example}"
        return ""

    def value(self) -> Any:
        return parse_input(self.spec, self.text(), self._locale)

    def set_value(self, value: Any) -> None:
        self.setText(display_text(self.spec, value, self._locale))

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.spec.is_multi_valued:
            hint.setWidth(max(hint.width(), self.fontMetrics().averageCharWidth() * LIST_CHARS))
        return hint


class ChoiceEditor(QComboBox):
    """One yes/no or category, or no value; a category is shown by its label and stored by its value."""

    def __init__(self, spec: VariableSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.setStyleSheet(PROBLEM_STYLE)
        self._values: list[Any] = []
        for value, text, tip in _choices(spec):
            self._add(value, text, tip)
        self._add(None, NO_VALUE)
        self.currentIndexChanged.connect(lambda _index: recheck(self))

    def _add(self, value: Any, text: str, tip: str = "") -> None:
        self._values.append(value)
        self.addItem(text)
        self.setItemData(self.count() - 1, tip or None, Qt.ItemDataRole.ToolTipRole)

    def value(self) -> Any:
        return check_value(self.spec, self._values[self.currentIndex()] if self.currentIndex() >= 0 else None)

    def set_value(self, value: Any) -> None:
        if _position(self._values, value) < 0:  # no longer a choice: shown, so that its problem is seen
            self._add(value, f"{display_text(self.spec, value)} (not a choice)")
        self.setCurrentIndex(_position(self._values, value))


class ChecklistEditor(QListWidget):
    """Several yes/no or category values: a box to tick for each choice."""

    def __init__(self, spec: VariableSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.setStyleSheet(_CHECKLIST_STYLE)
        self._values: list[Any] = []
        for value, text, tip in _choices(spec):
            self._add(value, text, tip)
        self.setCurrentRow(0)  # so that Space ticks at once
        self.itemChanged.connect(lambda _item: recheck(self))

    def _add(self, value: Any, text: str, tip: str = "") -> None:
        self._values.append(value)
        item = QListWidgetItem(text, self)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        item.setToolTip(tip)

    def value(self) -> Any:
        ticked = [
            v for row, v in enumerate(self._values) if self.item(row).checkState() == Qt.CheckState.Checked
        ]
        return check_value(self.spec, ticked)

    def set_value(self, value: Any) -> None:
        values = value if isinstance(value, list) else ([] if value is None else [value])
        for item in values:
            if _position(self._values, item) < 0:
                self._add(item, f"{display_text(self.spec, item)} (not a choice)")
        for row, known in enumerate(self._values):
            ticked = _position(values, known) >= 0
            self.item(row).setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def sizeHint(self) -> QSize:
        rows = min(max(self.count(), 1), CHECKLIST_ROWS)
        frame = 2 * self.frameWidth()
        width = self.sizeHintForColumn(0) + frame + self.verticalScrollBar().sizeHint().width()
        return QSize(width, rows * self.sizeHintForRow(0) + frame)


CellEditor = LineEditor | ChoiceEditor | ChecklistEditor


def make_editor(spec: VariableSpec, locale: QLocale, parent: QWidget | None = None) -> CellEditor:
    """The editor for a value of `spec`."""
    if spec.type in (VariableType.BOOLEAN, VariableType.CATEGORY):
        return ChecklistEditor(spec, parent) if spec.is_multi_valued else ChoiceEditor(spec, parent)
    return LineEditor(spec, locale, parent)


def problem(editor: CellEditor) -> str | None:
    """Why the editor's value would be refused, or None."""
    try:
        editor.value()
    except CoercionError as error:
        return str(error)
    return None


def show_problem(editor: CellEditor, reason: str) -> None:
    """Mark the editor red, with the reason as its tooltip, shown at once under it."""
    mark_problem(editor, True)
    editor.setToolTip(reason)
    QToolTip.showText(editor.mapToGlobal(QPoint(0, editor.height())), reason, editor)


def recheck(editor: CellEditor) -> None:
    """After a refusal, follow the edits: the mark goes as soon as the value is right."""
    if editor.property("problem"):
        reason = problem(editor)
        mark_problem(editor, reason is not None)
        editor.setToolTip(reason or "")
        if reason is None:
            QToolTip.hideText()
