"""The Quality page on a real project (twenty plans coded, every budget reviewed, half corrected): the table
with agreement, interval, verdict and corrections, sortable; the summary and the banner offering refinement;
the charts drawn with the report's numbers; a variable's tabs following its type; the page reading the
reviews again when they change; the refinement dialog opened from it; the Quality tab of the main window."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.ui.quality.page import CONFUSION_TAB, QualityPage
from coderai_desktop.ui.quality.quality_table import (
    COL_CORRECTIONS,
    COL_PROMPT,
    COL_REVIEWED,
    COL_VARIABLE,
    COL_VERDICT,
)
from coderai_desktop.ui.quality.refine_dialog import RefinementDialog
from coderai_desktop.ui.tasks import TaskRunner
from tests.gui.conftest import Run, visible
from tests.integration.runs.conftest import NAMES, Corpus


def open_page(
    qtbot: Any, context: AppContext, alice: UserSession, runner: TaskRunner, run: Run[Any], corpus: Corpus
) -> QualityPage:
    page = QualityPage(context.reviews(alice), context.refinement(alice), runner)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    page.show_project(run(context.projects(alice).get_project(corpus.project_id)))
    wait_drawn(qtbot, page, runner)
    return page


def wait_drawn(qtbot: Any, page: QualityPage, runner: TaskRunner) -> None:
    qtbot.waitUntil(
        lambda: page.model.rowCount() == len(NAMES) and "values" in page.charts and not runner.busy,
        timeout=15_000,
    )


def row(page: QualityPage, name: str) -> dict[int, str]:
    at = page.model.row_of(name)
    assert at is not None
    return {
        column: page.model.data(page.model.index(at, column)) for column in range(page.model.columnCount())
    }


def test_the_table_summary_banner_and_charts_show_the_reviews(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    run: Run[Any],
    reviewed_plans: Corpus,
) -> None:
    page = open_page(qtbot, context, alice, runner, run, reviewed_plans)
    budget = row(page, "budget")
    assert (budget[COL_REVIEWED], budget[COL_CORRECTIONS]) == ("20", "10 · refine")
    assert budget[COL_VERDICT] == "needs work"
    assert row(page, "title")[COL_REVIEWED] == "0" and row(page, "title")[COL_VERDICT] == "not measured"
    assert "0 of 7 variables meet" in page.summary.text()
    assert page.banner.isVisible() and page.banner_button.text() == "Refine budget…"
    assert page.banner_label.text().startswith("budget has 10 corrections to learn from")

    page.table.sortByColumn(COL_CORRECTIONS, Qt.SortOrder.DescendingOrder)
    assert page.model.data(page.model.index(0, COL_VARIABLE)) == "budget"

    # The agreement chart names every variable; the selected variable's charts are its own.
    agreement = page.charts["agreement"].figure
    assert agreement is not None
    labels = {label.get_text() for axes in agreement.axes for label in axes.get_yticklabels()}
    assert set(NAMES) <= labels
    page.table.selectRow(page.model.row_of("sector"))
    qtbot.waitUntil(lambda: page.variable_label.text() == "sector" and not runner.busy)
    assert page.tabs.isTabEnabled(CONFUSION_TAB)
    bars = [patch.get_width() for patch in page.charts["values"].figure.axes[0].patches]
    assert sorted(bars, reverse=True)[:3] == [7, 7, 6]  # 20 plans: energy, transport, housing in turn
    page.table.selectRow(page.model.row_of("budget"))
    qtbot.waitUntil(lambda: page.variable_label.text() == "budget" and not runner.busy)
    assert not page.tabs.isTabEnabled(CONFUSION_TAB) and page.refine_button.isEnabled()
    assert "No refinement yet" in page.history.toPlainText()

    page.banner_button.click()
    qtbot.waitUntil(lambda: bool(visible(RefinementDialog)))
    dialog = visible(RefinementDialog)[0]
    assert dialog.variable == "budget"
    qtbot.waitUntil(lambda: not runner.busy)
    dialog.close()


def test_the_page_reads_the_reviews_again_when_they_change(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    run: Run[Any],
    reviewed_plans: Corpus,
) -> None:
    page = open_page(qtbot, context, alice, runner, run, reviewed_plans)
    reviews = context.reviews(alice)
    value = run(reviews.find_value(reviewed_plans.project_id, "plan-01.txt", "title"))
    run(reviews.review(value, FeedbackType.INCORRECT, "Another title"))
    page.mark_stale()
    qtbot.waitUntil(lambda: row(page, "title")[COL_REVIEWED] == "1" and not runner.busy)
    assert row(page, "title")[COL_CORRECTIONS] == "1"
    page.hide()
    run(reviews.review(value, FeedbackType.CORRECT))
    page.mark_stale()  # hidden: read when shown again
    assert row(page, "title")[COL_CORRECTIONS] == "1"
    page.show()
    qtbot.waitUntil(lambda: row(page, "title")[COL_CORRECTIONS] == "0" and not runner.busy)


def test_after_a_refinement_the_page_asks_for_the_sample_again(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    run: Run[Any],
    reviewed_plans: Corpus,
) -> None:
    page = open_page(qtbot, context, alice, runner, run, reviewed_plans)
    refinement = context.refinement(alice)
    info = run(refinement.propose(reviewed_plans.project_id, "budget", seed=7))
    run(refinement.evaluate(info.id))
    run(refinement.choose(info.id, 0))
    page.mark_stale()
    qtbot.waitUntil(lambda: page.banner_button.text() == "Open Run" and not runner.busy)
    # Grouped calls: the budget's new definition is in every variable's prompt.
    assert page.banner_label.text().startswith("The prompts of 7 variables changed after the values shown")
    at = page.model.index(page.model.row_of("budget"), COL_PROMPT)
    assert page.model.data(at) == "grouped:1 v2"
    assert "coded by an older prompt" in page.model.data(at, Qt.ItemDataRole.ToolTipRole)
    assert row(page, "budget")[COL_CORRECTIONS] == "10"  # still shown, no longer offered to refine
    with qtbot.waitSignal(page.sig_go_to) as went:
        page.banner_button.click()
    assert went.args == ["run"]
    page.table.selectRow(page.model.row_of("budget"))
    qtbot.waitUntil(lambda: "Refinement 1" in page.history.toPlainText() and not runner.busy)
    assert "a proposal was chosen" in page.history.toPlainText()


def test_the_refinement_threshold_is_the_projects_setting(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    run: Run[Any],
    reviewed_plans: Corpus,
) -> None:
    page = open_page(qtbot, context, alice, runner, run, reviewed_plans)
    assert page.refine_after.value() == 10 and page.banner.isVisible()
    page.refine_after.setValue(11)
    page.refine_after.editingFinished.emit()
    qtbot.waitUntil(
        lambda: page.report is not None and page.report.refine_after_errors == 11 and not runner.busy
    )
    assert not page.banner.isVisible()  # 10 corrections are no longer enough
    assert row(page, "budget")[COL_CORRECTIONS] == "10"
