"""The coder filter of the Quality and Results pages: hidden while a project has one coder; with two (alice
reviewed every budget, ana, an editor of the project, four of them), the pages count everyone's reviews or
one coder's, read again through the review and results services with `coder=`."""

from __future__ import annotations

from typing import Any

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.dataset import UnitFilter
from coderai_desktop.domain.enums import FeedbackType, ShareAccess
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ui.quality.page import QualityPage
from coderai_desktop.ui.results.page import ResultsPage
from coderai_desktop.ui.tasks import TaskRunner
from tests.conftest import PASSWORD
from tests.gui.conftest import Run
from tests.gui.quality.test_quality_page import open_page, wait_drawn
from tests.integration.runs.conftest import Corpus

ANA_REVIEWS = ["plan-01.txt", "plan-02.txt", "plan-03.txt", "plan-04.txt"]


def ana_reviews(context: AppContext, alice: UserSession, run: Run[Any], corpus: Corpus) -> None:
    """Ana, made an editor of alice's project, confirms four budgets."""
    ana = run(context.accounts.create_account("ana", PASSWORD))
    run(context.sharing(alice).share(corpus.project_id, "ana", ShareAccess.EDITOR))
    sharing = context.sharing(ana)
    [shared] = run(sharing.accessible())
    reviews = context.reviews(sharing.session_for(shared))
    for name in ANA_REVIEWS:
        value = run(reviews.find_value(corpus.project_id, name, "budget"))
        run(reviews.review(value, FeedbackType.CORRECT))


def reviewed(page: QualityPage, variable: str = "budget") -> int:
    assert page.report is not None
    item = page.report.get(variable)
    assert item is not None
    return item.reviewed


def choose(page_choice: Any, login: str) -> None:
    page_choice.combo.setCurrentIndex(page_choice.combo.findText(login))


def test_the_quality_page_counts_one_coders_reviews_or_everyones(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    run: Run[Any],
    reviewed_plans: Corpus,
) -> None:
    page = open_page(qtbot, context, alice, runner, run, reviewed_plans)
    assert not page.coder_choice.isVisible(), "one coder: nothing to choose"
    assert reviewed(page) == 20

    ana_reviews(context, alice, run, reviewed_plans)
    page.reload()
    qtbot.waitUntil(lambda: page.coder_choice.isVisible() and not runner.busy, timeout=15_000)
    combo = page.coder_choice.combo
    assert [combo.itemText(n) for n in range(combo.count())] == ["Everyone", "alice", "ana"]
    choose(page.coder_choice, "ana")
    qtbot.waitUntil(lambda: not runner.busy and reviewed(page) == len(ANA_REVIEWS), timeout=15_000)
    choose(page.coder_choice, "alice")
    qtbot.waitUntil(lambda: not runner.busy and reviewed(page) == 20, timeout=15_000)
    wait_drawn(qtbot, page, runner)
    assert page.coder_choice.coder() == "alice"


def test_the_results_page_shows_one_coders_reviews(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    run: Run[Any],
    reviewed_plans: Corpus,
) -> None:
    ana_reviews(context, alice, run, reviewed_plans)
    page = ResultsPage(context.results(alice), runner, coders=context.reviews(alice).coders)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    project: ProjectSummary = run(context.projects(alice).get_project(reviewed_plans.project_id))
    page.set_project(project)
    bar = page.filter_bar
    qtbot.waitUntil(lambda: bar.coder_choice.isVisible() and not runner.busy, timeout=15_000)
    bar.state_combo.setCurrentIndex(bar.state_combo.findData(UnitFilter.REVIEWED))
    qtbot.waitUntil(lambda: not runner.busy and bar.count_label.text() == "20 of 20 units", timeout=15_000)
    choose(bar.coder_choice, "ana")
    qtbot.waitUntil(lambda: not runner.busy and bar.count_label.text() == "4 of 20 units", timeout=15_000)
    assert page.query().filter is UnitFilter.REVIEWED, "the other filters stay"
