"""The results page over the fake service, shown and loaded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import ProjectStatus
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ui.results.grid_model import PAGE_SIZE
from coderai_desktop.ui.results.page import ResultsPage
from coderai_desktop.ui.tasks import TaskRunner
from tests.gui.results.fake_results import FakeResults

TITLE, BUDGET = 1, 2  # the columns of the fake's variables


def summary(project_id: int = 1) -> ProjectSummary:
    now = datetime.now(UTC)
    return ProjectSummary(
        id=project_id,
        context=ProjectContext(name=f"Plans {project_id}"),
        status=ProjectStatus.SAMPLE_COMPLETE,
        variable_count=2,
        document_count=250,
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def fake_service() -> FakeResults:
    return FakeResults()


@pytest.fixture
def results_page(qtbot: Any, runner: TaskRunner, fake_service: FakeResults) -> ResultsPage:
    page = ResultsPage(fake_service, runner)  # type: ignore[arg-type]
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.set_project(summary())
    wait_loaded(qtbot, page, 0)
    return page


def wait_loaded(qtbot: Any, page: ResultsPage, *pages: int) -> None:
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and all(p in page.model.loaded_pages() for p in pages))


def wait_idle(qtbot: Any, runner: TaskRunner) -> None:
    qtbot.waitUntil(lambda: not runner.busy)


def page_of(keys: list[Any], page: ResultsPage) -> set[int]:
    return {page.model.row_of(key) // PAGE_SIZE for key in keys}


def select(page: ResultsPage, top: int, bottom: int, column: int) -> None:
    page.grid.setFocus()
    page.grid.setCurrentIndex(page.model.index(top, column))
    page.grid.selectionModel().select(
        page.grid.model().index(top, column),
        page.grid.selectionModel().SelectionFlag.ClearAndSelect,
    )
    for row in range(top + 1, bottom + 1):
        page.grid.selectionModel().select(
            page.model.index(row, column), page.grid.selectionModel().SelectionFlag.Select
        )
