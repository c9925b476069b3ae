"""The results grid over a fake service: the model's contract, lazy pages and their cache, filters and
sorting asked of the service, the frozen column, the evidence of the current value."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from coderai_desktop.domain.dataset import CellState, UnitFilter, UnitQuery, UnitRow
from coderai_desktop.review.grid_edits import CellEdit, Edit
from coderai_desktop.ui.results.grid_model import (
    COL_DOCUMENT,
    MAX_PAGES,
    PAGE_SIZE,
    PLACEHOLDER,
    STATE_COLOURS,
    ResultsModel,
)
from coderai_desktop.ui.results.page import ResultsPage
from coderai_desktop.ui.results.roles import CELL_ROLE, KEY_ROLE, SPEC_ROLE, STATE_ROLE
from coderai_desktop.ui.tasks import TaskRunner
from tests.gui.results.conftest import BUDGET, TITLE, page_of, summary, wait_idle, wait_loaded
from tests.gui.results.fake_results import VARIABLES, FakeResults

EDIT = Qt.ItemDataRole.EditRole


def loaded_model(fake: FakeResults, run: Any) -> ResultsModel:
    model = ResultsModel()
    model.set_columns(VARIABLES, per_entity=False)
    model.set_units(fake.rows)
    for page in range(3):
        model.set_page(page, run(fake.cells(1, model.page_keys(page))))
    return model


def test_the_model_obeys_the_contract_and_shows_states(
    qtmodeltester: Any, fake_service: FakeResults, run: Any
) -> None:
    fake = fake_service
    model = loaded_model(fake, run)
    qtmodeltester.check(model)
    assert model.columnCount() == 3 and model.rowCount() == 250
    assert model.headerData(BUDGET, Qt.Orientation.Horizontal) == "budget"
    assert (
        model.headerData(BUDGET, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        == "The budget in euros."
    )
    flagged, low = model.index(7, BUDGET), model.index(5, TITLE)
    assert model.index(7, COL_DOCUMENT).data() == "plan_007.pdf"
    assert flagged.data(STATE_ROLE) == CellState.FLAGGED
    assert flagged.data(Qt.ItemDataRole.BackgroundRole) == STATE_COLOURS[CellState.FLAGGED]
    assert flagged.data(Qt.ItemDataRole.ToolTipRole) == "Flagged: two budgets in the text"
    assert low.data(Qt.ItemDataRole.ToolTipRole) == "Confidence 0.55 below the threshold 0.70"
    assert model.index(1, BUDGET).data(Qt.ItemDataRole.BackgroundRole) is None  # unreviewed: no colour
    assert model.index(1, BUDGET).data(EDIT) == 100.0
    assert model.index(1, BUDGET).data(CELL_ROLE).extraction_id == 4
    assert model.index(1, TITLE).data(SPEC_ROLE).name == "title"
    assert model.index(1, TITLE).data(KEY_ROLE) == (2, None)
    assert not model.flags(model.index(1, COL_DOCUMENT)) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(model.index(1, BUDGET)) & Qt.ItemFlag.ItemIsEditable


def test_a_page_not_loaded_shows_a_placeholder_and_is_asked_for_once(qtbot: Any) -> None:
    fake = FakeResults()
    model = ResultsModel()
    model.set_columns(VARIABLES, per_entity=False)
    model.set_units(fake.rows)
    asked: list[int] = []
    model.sig_page_needed.connect(asked.append)
    row = PAGE_SIZE * 3 // 2  # in the second page
    assert model.index(row, TITLE).data() == PLACEHOLDER
    assert model.index(row + 1, BUDGET).data() == PLACEHOLDER
    assert not model.flags(model.index(row, TITLE)) & Qt.ItemFlag.ItemIsEditable
    assert asked == [1]
    model.set_units(fake.rows)  # a reset forgets what was asked
    model.index(0, TITLE).data()
    assert asked == [1, 0]


def test_only_the_visible_pages_are_fetched(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults, runner: TaskRunner
) -> None:
    page = results_page
    fake = fake_service
    wait_idle(qtbot, runner)
    assert [page_of(keys, page) for keys in fake.calls_of("cells")] == [{0}]
    assert page.model.index(3, TITLE).data() == "Plan 3"
    row = PAGE_SIZE * 3 // 2  # the middle of the second page
    page.grid.scrollTo(page.model.index(row, TITLE), QAbstractItemView.ScrollHint.PositionAtCenter)
    wait_loaded(qtbot, page, 1)
    wait_idle(qtbot, runner)
    assert [page_of(keys, page) for keys in fake.calls_of("cells")] == [{0}, {1}]
    assert page.model.index(row, TITLE).data() == f"Plan {row}"


def test_set_data_asks_for_a_correction_or_a_confirmation(
    qtbot: Any, fake_service: FakeResults, run: Any
) -> None:
    fake = fake_service
    model = loaded_model(fake, run)
    with qtbot.waitSignal(model.sig_edit_requested) as edited:
        assert model.setData(model.index(2, BUDGET), 250.0, EDIT)
    assert edited.args == [[CellEdit(6, Edit.CORRECT, 250.0, seen_review=0)]]
    with qtbot.waitSignal(model.sig_edit_requested) as edited:
        assert model.setData(model.index(2, BUDGET), 200, EDIT)  # the AI's 200.0
    assert edited.args == [[CellEdit(6, Edit.CONFIRM, seen_review=0)]]
    assert not model.setData(model.index(2, COL_DOCUMENT), "x", EDIT)
    assert fake.cell(6).value == 200.0  # the model writes nothing itself


def test_the_filters_ask_the_service_for_units(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults
) -> None:
    page = results_page
    fake = fake_service
    bar = page.filter_bar
    with qtbot.waitSignal(bar.sig_query_changed) as changed:
        bar.state_combo.setCurrentIndex(bar.state_combo.findData(UnitFilter.FLAGGED))
    assert changed.args == [UnitQuery(filter=UnitFilter.FLAGGED)]
    qtbot.waitUntil(lambda: page.model.rowCount() == 36)  # 0, 7, …, 245
    assert bar.count_label.text() == "36 of 250 units"
    with qtbot.waitSignal(bar.sig_query_changed) as changed:
        bar.variable_combo.setCurrentIndex(bar.variable_combo.findData("title"))
    assert changed.args == [UnitQuery(filter=UnitFilter.FLAGGED, variable="title")]
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    bar.state_combo.setCurrentIndex(0)
    with qtbot.waitSignal(bar.sig_query_changed) as changed:
        qtbot.keyClicks(bar.search_edit, "plan 12")  # one query once the typing stops
    assert changed.args == [UnitQuery(variable="title", search="plan 12")]
    qtbot.waitUntil(lambda: page.model.rowCount() == 11)  # Plan 12, Plan 120 … Plan 129
    assert fake.calls_of("units")[-1] == UnitQuery(variable="title", search="plan 12")


def test_sorting_asks_the_service(qtbot: Any, results_page: ResultsPage, fake_service: FakeResults) -> None:
    page = results_page
    fake = fake_service
    page.grid.sortByColumn(BUDGET, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: page.model.unit(0).document == "plan_249.pdf")
    assert fake.calls_of("units")[-1] == UnitQuery(sort_by="budget", descending=True)
    page.grid.sortByColumn(COL_DOCUMENT, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: page.model.unit(0).document == "plan_000.pdf")
    assert fake.calls_of("units")[-1] == UnitQuery()


def test_the_frozen_column_stays_aligned(qtbot: Any, results_page: ResultsPage) -> None:
    page = results_page
    grid, frozen = page.grid, page.grid.frozen
    assert [frozen.isColumnHidden(c) for c in range(3)] == [False, True, True]
    assert frozen.columnWidth(0) == grid.columnWidth(0) and frozen.isVisible()
    grid.verticalScrollBar().setValue(900)
    assert frozen.verticalScrollBar().value() == grid.verticalScrollBar().value() == 900
    frozen.verticalScrollBar().setValue(300)
    assert grid.verticalScrollBar().value() == 300
    grid.setColumnWidth(0, 300)
    assert frozen.columnWidth(0) == 300 and frozen.width() == 300
    grid.horizontalScrollBar().setValue(grid.horizontalScrollBar().maximum())
    assert frozen.verticalScrollBar().value() == grid.verticalScrollBar().value()
    assert grid.verticalHeader().sectionResizeMode(0).name == "Fixed"


def test_the_evidence_follows_the_current_value(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults
) -> None:
    page, fake = results_page, fake_service
    shown: list[Any] = []
    page.panel.show_evidence = shown.append  # type: ignore[method-assign]
    page.grid.setCurrentIndex(page.model.index(4, BUDGET))
    qtbot.waitUntil(lambda: bool(shown) and shown[-1] is not None)
    assert shown[-1].extraction_id == 10 and fake.calls_of("evidence") == [10]
    page.panel.sig_page_requested.emit(10)
    qtbot.waitUntil(lambda: fake.calls_of("page_image") == [10])
    page.grid.setCurrentIndex(page.model.index(4, COL_DOCUMENT))
    assert shown[-1] is None
    page.grid.setCurrentIndex(page.model.index(4, BUDGET))
    page.model.setData(page.model.index(4, BUDGET), 1.0, EDIT)  # the panel shows the corrected value
    qtbot.waitUntil(lambda: len(fake.calls_of("evidence")) == 3)
    qtbot.waitUntil(lambda: shown[-1] is not None and shown[-1].value == 1.0)


def test_an_empty_project_says_what_to_do(qtbot: Any, runner: TaskRunner) -> None:
    page = ResultsPage(FakeResults(units=0), runner)  # type: ignore[arg-type]
    qtbot.addWidget(page)
    page.set_project(summary())
    qtbot.waitUntil(lambda: not runner.busy)
    assert page.stack.currentWidget() is page.empty
    assert "run a sample on the Run page" in page.empty.text_label.text()


def test_the_cache_keeps_the_pages_shown_last_and_a_refresh_asks_again(qtbot: Any) -> None:
    fake = FakeResults(units=MAX_PAGES * PAGE_SIZE + 2 * PAGE_SIZE)
    model = ResultsModel()
    model.set_columns(VARIABLES, per_entity=False)
    model.set_units(fake.rows)
    for page in range(MAX_PAGES + 1):
        model.set_page(page, {key: fake.data[key] for key in model.page_keys(page)})
    assert model.loaded_pages() == list(range(1, MAX_PAGES + 1))  # the oldest went
    asked: list[int] = []
    model.sig_page_needed.connect(asked.append)
    model.index(5 * PAGE_SIZE, TITLE).data()  # page 5 used last: it stays when page 0 comes back
    model.set_page(0, {key: fake.data[key] for key in model.page_keys(0)})
    assert 5 in model.loaded_pages() and 1 not in model.loaded_pages() and asked == []
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.set_page(3, {key: fake.data[key] for key in model.page_keys(3)})
    assert (changed.args[0].row(), changed.args[1].row()) == (3 * PAGE_SIZE, 4 * PAGE_SIZE - 1)
    row = 3 * PAGE_SIZE + 10
    edited = model.unit(row).key
    new_cells = {
        edited: {**fake.data[edited]},
        model.unit(1).key: fake.data[model.unit(1).key],
        (999_999, None): {},
    }
    new_cells[edited]["title"] = replace(fake.data[edited]["title"], value=f"Plan {row}, corrected")
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.update_units(new_cells)  # a unit of a page not loaded, and an unknown one, are left alone
    assert (changed.args[0].row(), changed.args[1].row()) == (row, row)
    assert model.index(row, TITLE).data() == f"Plan {row}, corrected" and asked == []


def test_an_entity_row_names_its_document_and_entity(fake_service: FakeResults) -> None:
    model = ResultsModel()
    model.set_columns(VARIABLES, per_entity=True)
    model.set_units([UnitRow(1, "report.pdf", 0, "Acme Ltd"), UnitRow(1, "report.pdf", 1, None)])
    assert model.index(0, COL_DOCUMENT).data() == "report.pdf · Acme Ltd"
    assert model.index(1, COL_DOCUMENT).data() == "report.pdf"
    assert model.headerData(COL_DOCUMENT, Qt.Orientation.Horizontal) == "Document · entity"
