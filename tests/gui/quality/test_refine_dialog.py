"""The refinement dialog on a real service (the fake server, a real database): the corrections, proposals
with their diff and the cost of testing them, the held-out results with the best proposal marked, and the
choice, which alone changes the prompt; keeping the current prompt changes nothing."""

from __future__ import annotations

from typing import Any

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.refinement import RefinementStatus
from coderai_desktop.ui.quality.refine_dialog import PROPOSALS, RESULTS, RefinementDialog
from coderai_desktop.ui.quality.refinement_tables import COL_AGREEMENT
from coderai_desktop.ui.tasks import TaskRunner
from tests.gui.conftest import Run
from tests.integration.review.refinement_fakes import REFINED_RULE
from tests.integration.runs.conftest import Corpus


def open_dialog(
    qtbot: Any, context: AppContext, alice: UserSession, runner: TaskRunner, corpus: Corpus
) -> RefinementDialog:
    dialog = RefinementDialog(context.refinement(alice), runner, corpus.project_id, "budget")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.corrections.rowCount() == 10 and not runner.busy)
    return dialog


def propose(qtbot: Any, dialog: RefinementDialog, runner: TaskRunner) -> None:
    dialog.seed.setText("7")
    dialog.propose_button.click()
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == PROPOSALS and not runner.busy)


def test_proposals_are_tested_and_the_chosen_one_becomes_the_prompt(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    run: Run[Any],
    reviewed_plans: Corpus,
) -> None:
    dialog = open_dialog(qtbot, context, alice, runner, reviewed_plans)
    assert dialog.summary.text() == "budget: 10 of 20 reviewed values corrected (wrong value 10)."
    assert dialog.corrections.data(dialog.corrections.index(0, 3)) == "wrong value"
    assert not dialog.continue_button.isVisible()

    propose(qtbot, dialog, runner)
    assert [dialog.proposal_list.item(i).text() for i in range(dialog.proposal_list.count())] == [
        "1. Odd plans count double",
        "2. Say euros twice",
    ]
    assert "Learning from 14 documents; 6 documents held out" in dialog.split_label.text()
    assert "12 calls" in dialog.estimate_label.text()
    assert REFINED_RULE in dialog.diff.toPlainText() and "Odd plans count double" in dialog.rationale.text()
    dialog.proposal_list.setCurrentRow(1)
    assert "in euros (EUR)" in dialog.diff.toPlainText()

    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == RESULTS and not runner.busy, timeout=20_000)
    model = dialog.results
    assert model.rowCount() == 3
    assert model.data(model.index(1, COL_AGREEMENT)).startswith("alpha 1.00")
    assert model.data(model.index(0, COL_AGREEMENT)).startswith("alpha 0.")  # the current prompt: worse
    assert model.best == 0 and dialog.results_table.currentIndex().row() == 1
    assert dialog.results_intro.text().endswith("Proposal 1 did clearly better.")
    assert dialog.use_button.isEnabled() and REFINED_RULE in dialog.chosen_diff.toPlainText()
    setup = run(context.jobs(alice).setup(reviewed_plans.project_id))
    assert REFINED_RULE not in setup.plans[0].system_prompt  # nothing changed before the choice

    with qtbot.waitSignal(dialog.sig_decided) as decided:
        dialog.use_button.click()
    assert decided.args[0].status is RefinementStatus.CHOSEN and decided.args[0].chosen == 0
    qtbot.waitUntil(lambda: not dialog.isVisible())
    setup = run(context.jobs(alice).setup(reviewed_plans.project_id))
    assert REFINED_RULE in setup.plans[0].system_prompt


def test_keeping_the_current_prompt_changes_nothing_and_an_open_refinement_can_be_continued(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    run: Run[Any],
    reviewed_plans: Corpus,
) -> None:
    dialog = open_dialog(qtbot, context, alice, runner, reviewed_plans)
    propose(qtbot, dialog, runner)
    dialog.close()

    again = open_dialog(qtbot, context, alice, runner, reviewed_plans)
    assert again.continue_button.isVisible() and "not tested yet" in again.pending_label.text()
    again.continue_button.click()
    qtbot.waitUntil(lambda: again.stack.currentIndex() == PROPOSALS and not runner.busy)
    again.test_button.click()
    qtbot.waitUntil(lambda: again.stack.currentIndex() == RESULTS and not runner.busy, timeout=20_000)
    again.results_table.selectRow(0)
    assert not again.use_button.isEnabled() and "current prompt" in again.chosen_rationale.text()
    with qtbot.waitSignal(again.sig_decided) as decided:
        again.keep_button.click()
    assert decided.args[0].status is RefinementStatus.KEPT
    setup = run(context.jobs(alice).setup(reviewed_plans.project_id))
    assert REFINED_RULE not in setup.plans[0].system_prompt
