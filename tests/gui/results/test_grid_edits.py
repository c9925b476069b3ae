"""Edits in the results grid over a fake service: typed values, Space and Delete on a selection, paste and
copy, undo and redo through the service, blind coding, next to review."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit

from coderai_desktop.domain.dataset import CellState
from coderai_desktop.review.grid_edits import BlindEntry, CellEdit, Edit
from coderai_desktop.ui.results.grid_model import (
    COL_DOCUMENT,
    PLACEHOLDER,
)
from coderai_desktop.ui.results.page import ResultsPage
from coderai_desktop.ui.results.roles import CELL_ROLE, STATE_ROLE
from coderai_desktop.ui.tasks import TaskRunner
from tests.gui.results.conftest import BUDGET, TITLE, select, summary, wait_idle, wait_loaded
from tests.gui.results.fake_results import FakeResults

EDIT = Qt.ItemDataRole.EditRole


def test_typing_a_value_writes_it_and_shows_it(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults
) -> None:
    page = results_page
    fake = fake_service
    page.model.setData(page.model.index(2, BUDGET), 250.0, EDIT)
    qtbot.waitUntil(lambda: page.model.index(2, BUDGET).data(STATE_ROLE) == CellState.CORRECTED)
    assert fake.calls_of("apply") == [[CellEdit(6, Edit.CORRECT, 250.0, seen_review=0)]]
    assert page.editing.stack(1).count() == 1
    assert "AI said 200" in page.model.index(2, BUDGET).data(Qt.ItemDataRole.ToolTipRole)


def test_space_confirms_and_delete_clears_the_selection(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults, runner: TaskRunner
) -> None:
    page = results_page
    fake = fake_service
    select(page, 0, 2, BUDGET)
    qtbot.keyClick(page.grid, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.model.index(2, BUDGET).data(STATE_ROLE) == CellState.CONFIRMED)
    assert fake.calls_of("apply") == [
        [
            CellEdit(2, Edit.CONFIRM, seen_review=0),
            CellEdit(4, Edit.CONFIRM, seen_review=0),
            CellEdit(6, Edit.CONFIRM, seen_review=0),
        ]
    ]
    select(page, 1, 3, BUDGET)  # row 3 is not reviewed: nothing to clear there
    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.model.index(1, BUDGET).data(STATE_ROLE) == CellState.UNREVIEWED)
    assert fake.calls_of("apply")[1] == [
        CellEdit(4, Edit.CLEAR, seen_review=0),
        CellEdit(6, Edit.CLEAR, seen_review=0),
    ]
    assert page.editing.stack(1).count() == 2
    wait_idle(qtbot, runner)
    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)  # nothing reviewed left in the selection
    assert "Nothing to clear" in page.status_label.text()
    assert len(fake.calls_of("apply")) == 2


def test_undo_and_redo_go_through_the_service_even_after_switching_projects(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults, runner: TaskRunner
) -> None:
    page = results_page
    fake = fake_service
    select(page, 0, 1, BUDGET)
    page.editing.confirm_selected()
    qtbot.waitUntil(lambda: page.model.index(1, BUDGET).data(STATE_ROLE) == CellState.CONFIRMED)
    page.set_project(summary(2))
    wait_loaded(qtbot, page, 0)
    assert not page.undo_action.isEnabled()  # project 2 has nothing to undo
    page.set_project(summary(1))
    wait_loaded(qtbot, page, 0)
    assert page.undo_action.isEnabled() and "Mark 2 values correct" in page.undo_action.text()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.grid.setFocus()
    qtbot.keyClick(page.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the page's shortcut
    qtbot.waitUntil(lambda: page.model.index(1, BUDGET).data(STATE_ROLE) == CellState.UNREVIEWED)
    assert fake.calls_of("undo") == [[2, 4]]
    page.redo_action.trigger()
    qtbot.waitUntil(lambda: page.model.index(1, BUDGET).data(STATE_ROLE) == CellState.CONFIRMED)
    assert (
        fake.calls_of("apply")
        == [[CellEdit(2, Edit.CONFIRM, seen_review=0), CellEdit(4, Edit.CONFIRM, seen_review=0)]] * 2
    )
    wait_idle(qtbot, runner)
    page.undo_action.trigger()
    qtbot.waitUntil(lambda: len(fake.calls_of("undo")) == 2)
    assert fake.calls_of("undo")[1] == [2, 4]
    wait_idle(qtbot, runner)


def test_a_paste_writes_the_good_cells_at_once_and_reports_the_bad_one(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults, runner: TaskRunner
) -> None:
    page = results_page
    fake = fake_service
    select(page, 1, 1, TITLE)
    with qtbot.waitSignal(page.sig_message) as message:
        page.grid.sig_paste_requested.emit("Plan A\t100\r\nPlan B\tabc\r\n")
    assert fake.calls_of("apply") == [
        [
            CellEdit(3, Edit.CORRECT, "Plan A", seen_review=0),
            CellEdit(4, Edit.CONFIRM, seen_review=0),
            CellEdit(5, Edit.CORRECT, "Plan B", seen_review=0),
        ]
    ]
    assert message.args[0].startswith("3 values pasted. 1 cell not pasted: row 3, budget: ")
    assert page.editing.stack(1).count() == 1
    qtbot.waitUntil(lambda: page.model.index(2, TITLE).data() == "Plan B")
    wait_idle(qtbot, runner)
    page.undo_action.trigger()
    qtbot.waitUntil(lambda: page.model.index(2, TITLE).data() == "Plan 2")
    assert fake.calls_of("undo") == [[3, 4, 5]]


def test_a_paste_into_the_document_column_is_refused(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults
) -> None:
    page = results_page
    fake = fake_service
    select(page, 0, 0, COL_DOCUMENT)
    page.grid.sig_paste_requested.emit("a.pdf\tNew title\n")
    qtbot.waitUntil(lambda: page.model.index(0, TITLE).data() == "New title")
    assert fake.calls_of("apply") == [[CellEdit(1, Edit.CORRECT, "New title", seen_review=0)]]
    assert "row 1, document: the document column cannot be changed" in page.status_label.text()


def test_ctrl_c_copies_the_selected_block_as_tsv(qtbot: Any, results_page: ResultsPage) -> None:
    page = results_page
    page.grid.setFocus()
    page.grid.setCurrentIndex(page.model.index(1, COL_DOCUMENT))
    flags = page.grid.selectionModel().SelectionFlag
    page.grid.selectionModel().select(page.model.index(1, COL_DOCUMENT), flags.ClearAndSelect)
    for row, column in ((1, TITLE), (2, COL_DOCUMENT), (2, TITLE)):
        page.grid.selectionModel().select(page.model.index(row, column), flags.Select)
    qtbot.keyClick(page.grid, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "plan_001.pdf\tPlan 1\r\nplan_002.pdf\tPlan 2\r\n"


def test_blind_coding_hides_the_ai_and_records_codes(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults, runner: TaskRunner
) -> None:
    page = results_page
    fake = fake_service
    page.filter_bar.blind_button.click()
    qtbot.waitUntil(lambda: 0 in page.model.loaded_pages())
    index = page.model.index(7, BUDGET)
    assert index.data() == "" and index.data(Qt.ItemDataRole.BackgroundRole) is None
    assert index.data(Qt.ItemDataRole.ToolTipRole) is None and index.data(CELL_ROLE) is None
    assert not page.panel.isVisible()
    page.model.setData(index, 1234.0, EDIT)
    qtbot.waitUntil(lambda: page.model.index(7, BUDGET).data() not in ("", PLACEHOLDER))
    assert fake.calls_of("code") == [[BlindEntry((8, None), "budget", 1234.0)]]
    assert fake.calls_of("apply") == []
    wait_idle(qtbot, runner)
    page.undo_action.trigger()
    qtbot.waitUntil(lambda: page.model.index(7, BUDGET).data() == "")
    assert fake.calls_of("uncode") == [[1001]]
    page.filter_bar.blind_button.click()
    qtbot.waitUntil(lambda: page.model.index(7, BUDGET).data(STATE_ROLE) == CellState.FLAGGED)


def test_next_to_review_selects_the_value_and_clears_a_filter_that_hides_it(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults, runner: TaskRunner
) -> None:
    page = results_page
    fake = fake_service
    page.next_to_review()
    qtbot.waitUntil(lambda: page.grid.currentIndex().isValid())
    assert (page.grid.currentIndex().row(), page.grid.currentIndex().column()) == (
        0,
        BUDGET,
    )  # plan_000's flag
    wait_idle(qtbot, runner)
    page.next_to_review()  # plan_000 visited: the next flagged budget
    qtbot.waitUntil(lambda: page.grid.currentIndex().row() == 7)
    assert fake.calls_of("next_to_review")[-1] == (None, [2])
    wait_idle(qtbot, runner)
    qtbot.keyClicks(page.filter_bar.search_edit, "plan_003")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.next_to_review()
    qtbot.waitUntil(lambda: page.model.rowCount() == 250 and page.grid.currentIndex().row() == 14)
    assert page.filter_bar.search_edit.text() == ""
    assert page.grid.currentIndex().column() == BUDGET
    assert page.grid.frozen.verticalScrollBar().value() == page.grid.verticalScrollBar().value() > 0


def test_enter_opens_the_editor_and_enter_again_writes_the_value(
    qtbot: Any, results_page: ResultsPage, fake_service: FakeResults
) -> None:
    page, fake = results_page, fake_service
    select(page, 3, 3, BUDGET)
    qtbot.keyClick(page.grid, Qt.Key.Key_Return)
    assert page.grid.state() == QAbstractItemView.State.EditingState
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "420")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: fake.calls_of("apply") == [[CellEdit(8, Edit.CORRECT, 420, seen_review=0)]])
    qtbot.waitUntil(lambda: page.model.index(3, BUDGET).data(STATE_ROLE) == CellState.CORRECTED)
    assert page.grid.state() != QAbstractItemView.State.EditingState
    qtbot.keyClick(page.grid, Qt.Key.Key_F2)
    assert page.grid.state() == QAbstractItemView.State.EditingState
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert len(fake.calls_of("apply")) == 1
