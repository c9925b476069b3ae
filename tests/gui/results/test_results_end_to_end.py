"""End to end through the window: documents imported, a sample run through the fake OpenAI-compatible server
on 127.0.0.1, values corrected and confirmed in the Results grid (typed, Space, a paste with a bad cell,
undo), agreement measured by the review service, and the export carrying the corrections."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.dataset import CellState
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ui.main_window import MainWindow
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.ui_state import UiState
from tests.gui.conftest import DOCUMENTS, Run


def test_corrections_made_in_the_grid_reach_agreement_and_the_export(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    ui_state: UiState,
    plans_project: ProjectSummary,
    run: Run[Any],
) -> None:
    job = run(context.jobs(alice).start(plans_project.id, sample=DOCUMENTS, seed=1))
    run(context.jobs(alice).run(job.id))
    window = MainWindow(context, alice, runner, ui_state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.project is not None, timeout=10_000)
    window.go_to_page("results")
    page = window.results_page
    model, grid = page.model, page.grid
    qtbot.waitUntil(lambda: model.rowCount() == DOCUMENTS and bool(model.loaded_pages()), timeout=10_000)
    title, budget = model.column_of("title"), model.column_of("budget")
    assert title is not None and budget is not None
    assert model.index(0, 0).data() == "plan_0.txt" and model.index(0, title).data() == "Green Plan 0"

    # A typed correction, a value confirmed with Space, and a paste whose second cell is refused.
    assert model.setData(model.index(0, budget), 9_999, Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: model.index(0, budget).data(Qt.ItemDataRole.UserRole + 3) == CellState.CORRECTED)
    grid.setCurrentIndex(model.index(1, title))
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: model.index(1, title).data(Qt.ItemDataRole.UserRole + 3) == CellState.CONFIRMED)
    grid.setCurrentIndex(model.index(2, budget))
    QGuiApplication.clipboard().setText("7777\nnot a number\n")
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(grid, Qt.Key.Key_Shift)  # let the modifier go
    qtbot.waitUntil(lambda: model.index(2, budget).data() == "7777", timeout=10_000)
    qtbot.waitUntil(lambda: "not a number" in page.status_label.text())
    assert model.index(3, budget).data(Qt.ItemDataRole.UserRole + 3) != CellState.CORRECTED

    # Undo takes the paste back; redo brings it again.
    page.undo_action.trigger()
    qtbot.waitUntil(lambda: model.index(2, budget).data(Qt.ItemDataRole.UserRole + 3) != CellState.CORRECTED)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    page.redo_action.trigger()
    qtbot.waitUntil(lambda: model.index(2, budget).data(Qt.ItemDataRole.UserRole + 3) == CellState.CORRECTED)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)

    report = run(context.reviews(alice).agreement(plans_project.id, bootstrap=50))
    budget_agreement = next(v for v in report.variables if v.variable == "budget")
    review = next(c for c in budget_agreement.comparisons if c.second == "review")
    assert (review.first, review.n, review.percent) == ("AI", 2, 0.0)  # both reviewed budgets corrected

    records = run(context.exports(alice).table("Plans")).records()
    by_document = {record["document"]: record for record in records}
    assert by_document["plan_0.txt"]["budget"] == 9_999
    assert by_document["plan_2.txt"]["budget"] == 7_777
    assert by_document["plan_1.txt"]["title"] == "Green Plan 1"
    window.close()
