"""The results grid's cell editors: what they read, what they show, and what they refuse to commit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QListWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.coercion import CoercionError
from coderai_desktop.ui.results.delegate import CellDelegate
from coderai_desktop.ui.results.editors import display_text, parse_input
from coderai_desktop.ui.results.roles import CELL_ROLE, SPEC_ROLE

EDIT = Qt.ItemDataRole.EditRole
EN, FR, DE = QLocale("en_US"), QLocale("fr_FR"), QLocale("de_DE")
CATEGORIES = [
    {"value": "low", "label": "Low risk", "definition": "Little exposure."},
    {"value": "high"},
    {"value": "none", "label": "No risk"},
]


def spec(kind: str, **fields: Any) -> VariableSpec:
    return VariableSpec(name=fields.pop("name", kind.lower()), type=kind, instructions="-", **fields)


TEXT = spec("TEXT")
NUMBER = spec("NUMBER")
BUDGET = spec("NUMBER", name="budget", validation_rules={"min": 0})
DATE = spec("DATE")
BOOLEAN = spec("BOOLEAN")
CATEGORY = spec("CATEGORY", categories=CATEGORIES)
TOPICS = spec("CATEGORY", name="topics", categories=CATEGORIES, if_multiple_values="ALL", max_values=2)
AMOUNTS = spec("NUMBER", name="amounts", if_multiple_values="ALL")
# A refusal shows its reason in a tooltip at once; the offscreen platform cannot raise that window.
SHOWS_TOOLTIP = pytest.mark.qt_log_ignore(r"^This plugin does not support raise\(\)$")


class RecordingModel(QStandardItemModel):
    """Keeps every value written with setData, so a test can see that nothing was."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[Any] = []

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = EDIT) -> bool:
        self.writes.append(value)
        return super().setData(index, value, role)


class Grid:
    """One row: the document's name, then one cell per variable (a Cell on record, unless `blind`)."""

    def __init__(
        self, qtbot: Any, cells: list[tuple[VariableSpec, Any]], locale: QLocale = EN, *, blind: bool = False
    ):
        self.qtbot = qtbot
        self.model = RecordingModel()
        row = [QStandardItem("report.pdf")]
        for variable, value in cells:
            item = QStandardItem()
            item.setData(variable, SPEC_ROLE)
            item.setData(value, EDIT)
            item.setData(None if blind else "the AI's cell", CELL_ROLE)
            row.append(item)
        self.model.appendRow(row)
        self.window = QWidget()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setLocale(locale)
        self.delegate = CellDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.elsewhere = QLineEdit()  # somewhere for the focus to go
        layout = QVBoxLayout(self.window)
        layout.addWidget(self.view)
        layout.addWidget(self.elsewhere)
        qtbot.addWidget(self.window)
        with qtbot.waitActive(self.window):  # an editor gets the focus only in an active window
            self.window.show()
            self.window.activateWindow()
        self.problems: list[str] = []
        self.delegate.sig_problem.connect(self.problems.append)

    def index(self, column: int) -> QModelIndex:
        return self.model.index(0, column)

    def value(self, column: int) -> Any:
        return self.index(column).data(EDIT)

    def open(self, column: int) -> Any:
        index = self.index(column)
        self.view.setCurrentIndex(index)
        self.view.edit(index)
        editor = self.view.indexWidget(index)
        assert editor is not None, "no editor opened"
        return editor

    def editor(self, column: int) -> QWidget | None:
        return self.view.indexWidget(self.index(column))

    def type_into(self, column: int, text: str, key: Qt.Key = Qt.Key.Key_Return) -> QLineEdit:
        editor = self.open(column)
        assert isinstance(editor, QLineEdit)
        editor.selectAll()
        self.qtbot.keyClicks(editor, text)
        press(editor, key)
        return editor


def press(editor: QWidget, key: Qt.Key) -> None:
    """Press a key in an editor, and let the view commit: the delegate commits Enter in a queued call."""
    QTest.keyClick(editor, key)
    QApplication.processEvents()


@pytest.fixture
def english_default() -> Iterator[None]:
    """parse_input and display_text without a locale use the default one."""
    before = QLocale()
    QLocale.setDefault(EN)
    yield
    QLocale.setDefault(before)


# parse_input and display_text


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        (EN, "1,234.5", 1234.5),
        (EN, "1,234.50", 1234.5),  # Excel's clipboard in English
        (EN, "1234.5", 1234.5),
        (EN, "1,234", 1234),
        (FR, "1 234,5", 1234.5),
        (FR, "1\u202f234,5", 1234.5),  # the locale's own group separator
        (FR, "1234,5", 1234.5),  # LibreOffice's clipboard in French
        (FR, "1234.5", 1234.5),  # plain is always understood
        (FR, "1,234", 1.234),  # a decimal comma in French
        (FR, "-1 234,5", -1234.5),
        (FR, "(1 234,50)", -1234.5),
        (FR, "(1,234)", -1.234),  # negative in brackets, read in the locale too
        (DE, "1.234", 1234),
        (EN, "12.0", 12),  # stored as a whole number, as the domain does
        (EN, "$1,234.50", 1234.5),
    ],
)
def test_parse_input_reads_numbers_as_the_locale_writes_them(
    locale: QLocale, text: str, expected: Any
) -> None:
    value = parse_input(NUMBER, text, locale)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("12abc", "not a number"), ("-3", "below the minimum 0"), ("1e999", "too large")],
)
def test_parse_input_refuses_what_is_not_a_valid_number_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(CoercionError, match=reason):
        parse_input(BUDGET, text, EN)


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        (EN, "2021", "2021"),
        (EN, "2021-03", "2021-03"),
        (FR, "2021-03-15", "2021-03-15"),
        (EN, "3/15/2021", "2021-03-15"),
        (FR, "15/03/2021", "2021-03-15"),
        (EN, "03/05/2021", "2021-03-05"),  # the locale's order decides
        (FR, "03/05/2021", "2021-05-03"),
        (DE, "15.03.2021", "2021-03-15"),
        (EN, "March 2021", "2021-03"),  # stays partial
    ],
)
def test_parse_input_reads_full_partial_and_local_dates(locale: QLocale, text: str, expected: str) -> None:
    assert parse_input(DATE, text, locale) == expected


@pytest.mark.parametrize(("text", "reason"), [("3/15/21", "year in full"), ("2021-02-30", "not a real date")])
def test_parse_input_refuses_a_date_it_would_have_to_guess(text: str, reason: str) -> None:
    with pytest.raises(CoercionError, match=reason):
        parse_input(DATE, text, EN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("TRUE", True), ("FALSE", False), ("yes", True), ("No", False), ("1", True), ("0", False)],
)
def test_parse_input_reads_spreadsheet_booleans(text: str, expected: bool) -> None:
    assert parse_input(BOOLEAN, text, EN) is expected


@pytest.mark.parametrize("text", ["", "  ", "NA", "n/a", "none", "-", "(no value)"])
def test_words_for_no_value_give_none_or_an_empty_list(text: str) -> None:
    assert parse_input(TEXT, text, EN) is None
    assert parse_input(AMOUNTS, text, EN) == []


def test_parse_input_reads_categories_by_value_or_label_and_a_category_named_none() -> None:
    assert parse_input(CATEGORY, "Low risk", EN) == "low"
    assert parse_input(CATEGORY, "HIGH", EN) == "high"
    assert parse_input(CATEGORY, "none", EN) == "none"
    with pytest.raises(CoercionError, match="not one of the categories"):
        parse_input(CATEGORY, "medium", EN)


def test_parse_input_splits_several_values_and_checks_each_and_their_number() -> None:
    assert parse_input(AMOUNTS, "1 234,5; 2\n3 ;", FR) == [1234.5, 2, 3]
    assert parse_input(TOPICS, "Low risk; high; low", EN) == ["low", "high"]
    with pytest.raises(CoercionError, match="'x' is not a number"):
        parse_input(AMOUNTS, "1; x", EN)
    with pytest.raises(CoercionError, match="at most 2"):
        parse_input(TOPICS, "low; high; none", EN)


def test_display_text_shows_values_as_a_cell_does() -> None:
    assert display_text(NUMBER, None, EN) == ""
    assert display_text(AMOUNTS, [], EN) == ""
    assert display_text(NUMBER, 1234.5, FR) == "1234,5"
    assert display_text(NUMBER, 2.50, EN) == "2.5"
    assert display_text(NUMBER, 1234567, EN) == "1234567"
    assert display_text(BOOLEAN, True, EN) == "Yes"
    assert display_text(BOOLEAN, False, EN) == "No"
    assert display_text(CATEGORY, "low", EN) == "Low risk"
    assert display_text(CATEGORY, "high", EN) == "high"
    assert display_text(TOPICS, ["low", "none"], EN) == "Low risk; No risk"
    assert display_text(DATE, "2021-03", EN) == "2021-03"


def test_display_text_uses_the_default_locale(english_default: None) -> None:
    assert display_text(NUMBER, 0.5) == "0.5"
    assert parse_input(NUMBER, "1,234.5") == 1234.5


def test_what_a_cell_shows_reads_back_as_the_same_value() -> None:
    for variable, value in [
        (NUMBER, 1234.5),
        (AMOUNTS, [1.5, 2]),
        (TOPICS, ["low", "none"]),
        (BOOLEAN, False),
    ]:
        assert parse_input(variable, display_text(variable, value, FR), FR) == value


# The editors in a grid


def test_text_cell_commits_what_is_typed(qtbot: Any) -> None:
    grid = Grid(qtbot, [(TEXT, "Pari")])
    grid.type_into(1, "  Paris ")
    assert grid.value(1) == "Paris"
    assert grid.editor(1) is None


@pytest.mark.parametrize(("locale", "typed", "shown"), [(EN, "1,234.5", "2.5"), (FR, "1 234,5", "2,5")])
def test_number_cell_reads_the_views_locale(qtbot: Any, locale: QLocale, typed: str, shown: str) -> None:
    grid = Grid(qtbot, [(NUMBER, 2.5)], locale)
    editor = grid.open(1)
    assert editor.text() == shown
    press(editor, Qt.Key.Key_Escape)
    grid.type_into(1, typed)
    assert grid.value(1) == 1234.5
    assert grid.model.writes == [1234.5]


def test_date_cell_takes_partial_and_local_dates(qtbot: Any) -> None:
    grid = Grid(qtbot, [(DATE, None), (DATE, None)], FR)
    grid.type_into(1, "2021-03")
    grid.type_into(2, "15/03/2021")
    assert (grid.value(1), grid.value(2)) == ("2021-03", "2021-03-15")


def test_boolean_cell_is_a_yes_no_drop_down_with_no_value(qtbot: Any) -> None:
    grid = Grid(qtbot, [(BOOLEAN, True)])
    editor = grid.open(1)
    assert isinstance(editor, QComboBox)
    assert [editor.itemText(i) for i in range(editor.count())] == ["Yes", "No", "(no value)"]
    assert editor.currentText() == "Yes"
    editor.setCurrentIndex(editor.findText("No"))
    press(editor, Qt.Key.Key_Return)
    assert grid.value(1) is False
    editor = grid.open(1)
    editor.setCurrentIndex(editor.findText("(no value)"))
    press(editor, Qt.Key.Key_Return)
    assert grid.value(1) is None


def test_category_cell_shows_labels_and_stores_values(qtbot: Any) -> None:
    grid = Grid(qtbot, [(CATEGORY, "high")])
    editor = grid.open(1)
    assert isinstance(editor, QComboBox)
    assert [editor.itemText(i) for i in range(editor.count())] == [
        "Low risk",
        "high",
        "No risk",
        "(no value)",
    ]
    assert editor.itemData(0, Qt.ItemDataRole.ToolTipRole) == "Little exposure."
    assert editor.currentText() == "high"
    editor.setCurrentIndex(editor.findText("Low risk"))
    press(editor, Qt.Key.Key_Return)
    assert grid.value(1) == "low"


def test_several_categories_are_ticked_in_a_list_bigger_than_the_cell(qtbot: Any) -> None:
    grid = Grid(qtbot, [(TOPICS, ["high"])])
    grid.view.setColumnWidth(1, 40)
    editor = grid.open(1)
    assert isinstance(editor, QListWidget)
    assert editor.width() > 40 and editor.height() > grid.view.rowHeight(0)
    ticked = [editor.item(row).checkState() == Qt.CheckState.Checked for row in range(editor.count())]
    assert ticked == [False, True, False]
    qtbot.keyClick(editor, Qt.Key.Key_Space)  # the first row, low
    qtbot.keyClick(editor, Qt.Key.Key_Down)
    qtbot.keyClick(editor, Qt.Key.Key_Space)  # high, unticked
    press(editor, Qt.Key.Key_Return)
    assert grid.value(1) == ["low"]


@SHOWS_TOOLTIP
def test_too_many_categories_are_refused_in_the_open_list(qtbot: Any) -> None:
    grid = Grid(qtbot, [(TOPICS, [])])
    editor: QListWidget = grid.open(1)
    for row in range(3):
        editor.item(row).setCheckState(Qt.CheckState.Checked)
    press(editor, Qt.Key.Key_Return)
    assert grid.editor(1) is editor
    assert grid.model.writes == []
    assert grid.problems == ["topics: 3 values given; topics keeps at most 2"]
    editor.item(2).setCheckState(Qt.CheckState.Unchecked)
    assert not editor.property("problem")  # the mark goes once the value is right
    press(editor, Qt.Key.Key_Return)
    assert grid.value(1) == ["low", "high"]


def test_several_numbers_are_typed_with_semicolons(qtbot: Any) -> None:
    grid = Grid(qtbot, [(AMOUNTS, [1])])
    editor = grid.open(1)
    assert editor.text() == "1"
    assert editor.width() > grid.view.columnWidth(1)
    press(editor, Qt.Key.Key_Escape)
    grid.type_into(1, "1,234.5; 2; 2")
    assert grid.value(1) == [1234.5, 2]


@SHOWS_TOOLTIP
def test_invalid_value_is_refused_in_the_open_editor_with_the_reason(qtbot: Any) -> None:
    grid = Grid(qtbot, [(BUDGET, 5)])
    editor = grid.type_into(1, "abc")
    assert grid.editor(1) is editor
    assert editor.text() == "abc"
    assert editor.property("problem") is True
    assert "'abc' is not a number" in editor.toolTip()
    assert grid.problems == ["budget: 'abc' is not a number"]
    assert grid.model.writes == []
    assert grid.value(1) == 5
    editor.selectAll()
    qtbot.keyClicks(editor, "-3")
    press(editor, Qt.Key.Key_Tab)
    assert grid.problems[-1] == "budget: -3 is below the minimum 0"
    assert grid.model.writes == []
    editor.selectAll()
    qtbot.keyClicks(editor, "7")
    assert not editor.property("problem")
    press(editor, Qt.Key.Key_Return)
    assert grid.value(1) == 7
    assert grid.editor(1) is None


@SHOWS_TOOLTIP
def test_leaving_an_invalid_value_keeps_it_open_and_moving_on_does_not_save_it(qtbot: Any) -> None:
    grid = Grid(qtbot, [(NUMBER, 5), (TEXT, "x")])
    editor = grid.open(1)
    editor.selectAll()
    qtbot.keyClicks(editor, "abc")
    grid.elsewhere.setFocus()
    qtbot.waitUntil(grid.elsewhere.hasFocus)
    assert grid.editor(1) is editor
    assert grid.problems == ["number: 'abc' is not a number"]
    grid.view.setCurrentIndex(grid.index(2))  # another cell: the view closes the editor
    assert grid.editor(1) is None
    assert grid.problems[-1] == "number: not saved, 'abc' is not a number"
    assert grid.model.writes == []
    assert grid.value(1) == 5


def test_escape_cancels_and_an_unchanged_value_is_not_written(qtbot: Any) -> None:
    grid = Grid(qtbot, [(TEXT, "Paris"), (BOOLEAN, True)])
    grid.type_into(1, "Lyon", Qt.Key.Key_Escape)
    assert grid.value(1) == "Paris"
    assert grid.editor(1) is None
    grid.type_into(1, "Paris")
    press(grid.open(2), Qt.Key.Key_Return)
    assert grid.model.writes == []


def test_a_blind_coder_records_no_value_by_leaving_the_cell_empty(qtbot: Any) -> None:
    grid = Grid(qtbot, [(TEXT, None)], blind=True)
    grid.type_into(1, "")
    assert grid.model.writes == [None]
    assert grid.editor(1) is None


def test_document_column_gets_no_editor(qtbot: Any) -> None:
    grid = Grid(qtbot, [(TEXT, "Paris")])
    grid.view.edit(grid.index(0))
    assert grid.editor(0) is None
    assert grid.view.state() != QTableView.State.EditingState
