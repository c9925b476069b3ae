"""The Overview page: the project's facts at once, its path read in the background (the stages with their
numbers, the one button of the next step), and that button taking the main window to the right page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.domain.project_path import StageKey, StageState
from coderai_desktop.export.model import ExportFormat
from coderai_desktop.ui.main_window import MainWindow
from coderai_desktop.ui.projects.overview_page import READING, OverviewPage
from coderai_desktop.ui.projects.path_rows import StageRow
from tests.gui.conftest import DOCUMENTS

ORDER = list(StageKey)


@pytest.fixture
def page(qtbot: Any, context, alice, runner) -> OverviewPage:
    widget = OverviewPage(context.project_path(alice), runner)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


def shown(qtbot: Any, page: OverviewPage, project: ProjectSummary) -> None:
    """Show `project` and wait until its path is read."""
    page.path = None
    page.show_project(project)
    qtbot.waitUntil(lambda: page.path is not None and page.path.project_id == project.id, timeout=10_000)


def row(page: OverviewPage, key: StageKey) -> StageRow:
    return page.rows[ORDER.index(key)]


def rows(page: OverviewPage) -> dict[StageKey, tuple[StageState, str]]:
    return {key: (row(page, key).marker.state, row(page, key).detail_label.text()) for key in ORDER}


def buttons(page: OverviewPage) -> list[str]:
    """The texts of the buttons a person sees: one at most."""
    return [item.button.text() for item in page.rows if item.button.isVisibleTo(page)]


def review_all(context, alice, run, project_id: int, keep: int | None = None) -> None:
    """Mark the project's values correct (the first `keep` of them only, when given)."""
    reviews = context.reviews(alice)
    queue = run(reviews.queue(project_id))
    for item in queue[:keep]:
        run(reviews.review(item.extraction_id, FeedbackType.CORRECT))


def test_the_facts_show_at_once_and_the_path_when_it_is_read(qtbot, page, context, alice, run) -> None:
    project = run(
        context.projects(alice).create_project(ProjectContext(name="Empty", domain="Law", language="German"))
    )
    page.show_project(project)
    assert page.title_label.text() == "Empty"
    assert page.status_label.text() == "No codebook yet"
    assert (page.fields["Domain"].text(), page.fields["Language"].text()) == ("Law", "German")
    assert page.fields["Unit of observation"].text() == "One row per document"
    assert page.reading_label.isVisible() and page.reading_label.text() == READING
    assert not page.path_box.isVisible() and page.next_button is None

    qtbot.waitUntil(lambda: page.path is not None, timeout=10_000)
    assert page.path_box.isVisible() and not page.reading_label.isVisible()
    assert rows(page)[StageKey.DOCUMENTS] == (StageState.CURRENT, "No documents yet")
    assert rows(page)[StageKey.CODEBOOK] == (StageState.TODO, "No variables yet")
    assert buttons(page) == ["Import documents"]
    with qtbot.waitSignal(page.sig_go_to) as going:
        page.next_button.click()
    assert going.args == ["documents"]


def test_the_stages_follow_the_project_through_a_sample_and_its_review(
    qtbot, page, context, alice, run, plans_project: ProjectSummary
) -> None:
    shown(qtbot, page, plans_project)
    assert rows(page)[StageKey.DOCUMENTS] == (StageState.DONE, f"{DOCUMENTS} documents ready")
    assert rows(page)[StageKey.CODEBOOK] == (StageState.DONE, "2 variables")
    assert rows(page)[StageKey.SAMPLE] == (StageState.CURRENT, "No sample coded yet")
    assert buttons(page) == ["Run a sample"]
    with qtbot.waitSignal(page.sig_go_to) as going:
        page.next_button.click()
    assert going.args == ["run"]

    jobs = context.jobs(alice)
    run(jobs.run(run(jobs.start(plans_project.id, sample=DOCUMENTS, seed=1)).id))
    review_all(context, alice, run, plans_project.id, keep=3)
    shown(qtbot, page, plans_project)
    assert rows(page)[StageKey.SAMPLE] == (StageState.DONE, f"{DOCUMENTS} documents coded in the sample")
    assert rows(page)[StageKey.REVIEW] == (
        StageState.CURRENT,
        f"3 of {2 * DOCUMENTS} sampled values reviewed; 2 variables have fewer than 10 reviewed",
    )
    assert buttons(page) == ["Review the sample"]
    with qtbot.waitSignal(page.sig_go_to) as going:
        page.next_button.click()
    assert going.args == ["results"]

    # Every value reviewed, and six units are too few for a verdict: the next step is a larger sample.
    review_all(context, alice, run, plans_project.id)
    shown(qtbot, page, plans_project)
    assert rows(page)[StageKey.REVIEW][0] is StageState.DONE
    assert rows(page)[StageKey.AGREEMENT] == (
        StageState.CURRENT,
        "No verdict yet: a variable needs 10 reviewed units",
    )
    assert buttons(page) == ["Run a larger sample"]
    assert rows(page)[StageKey.FULL_RUN][1].startswith("Not started · ")
    assert row(page, StageKey.REVIEW).title_label.text() == "Sample reviewed"


def open_window(qtbot: Any, context, alice, runner, ui_state) -> MainWindow:
    window = MainWindow(context, alice, runner, ui_state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.overview.path is not None and not runner.busy, timeout=10_000)
    return window


def test_the_button_takes_the_window_to_the_page_and_coming_back_reads_the_path_again(
    qtbot, context, alice, run, runner, ui_state, plans_project: ProjectSummary, tmp_path: Path
) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    assert window.tabs.currentWidget() is window.overview
    assert buttons(window.overview) == ["Run a sample"]
    window.overview.next_button.click()
    assert window.tabs.currentWidget() is window.run_page

    # An export made while the Overview is hidden shows when it is visible again.
    run(context.exports(alice).export(plans_project.id, ExportFormat.CSV, tmp_path / "plans.csv"))
    assert row(window.overview, StageKey.EXPORT).detail_label.text() == "Not exported yet"
    window.tabs.setCurrentWidget(window.overview)
    qtbot.waitUntil(
        lambda: row(window.overview, StageKey.EXPORT).detail_label.text() != "Not exported yet",
        timeout=10_000,
    )
    exported = row(window.overview, StageKey.EXPORT)
    assert exported.detail_label.text().endswith("as CSV (0 rows) to plans.csv, before the full run")
    assert exported.marker.state is StageState.TODO


@pytest.mark.parametrize("name", ["documents", "codebook", "run", "results", "quality", "export"])
def test_every_page_a_stage_names_exists_in_the_window(
    qtbot, context, alice, run, runner, ui_state, plans_project: ProjectSummary, name: str
) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    window.overview.sig_go_to.emit(name)
    assert window.tabs.currentWidget() is window.pages[name]
    assert window.tabs.tabText(window.tabs.currentIndex()).lower() == name
