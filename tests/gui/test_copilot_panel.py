"""The co-pilot panel and the wizard's co-pilot: proposals shown as cards, Accept hands the proposal on,
Reject and Edit are recorded, and the New Project wizard adds accepted variables to its codebook."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWizard

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.pipeline.copilot import Copilot
from coderai_desktop.ui.copilot.cards import AnswerCard, ProposalCard
from coderai_desktop.ui.copilot.panel import CopilotPanel
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.branding import stylesheet
from coderai_desktop.ui.wizard.new_project import NewProjectWizard
from tests.fakes.openai_server import FakeOpenAI
from tests.gui.conftest import Run
from tests.integration.runs.test_copilot import copilot_responder

SHOTS = Path(os.environ.get("CODERAI_SHOTS", "/tmp/shots"))


@pytest.fixture
def copilot(context: AppContext, alice: UserSession, llm_server: FakeOpenAI) -> Copilot:
    llm_server.responder = copilot_responder
    return context.copilot(alice)


@pytest.fixture
def panel(qtbot: Any, copilot: Copilot, runner: TaskRunner, plans_project: ProjectSummary) -> CopilotPanel:
    widget = CopilotPanel(copilot, runner)
    qtbot.addWidget(widget)
    widget.resize(560, 900)
    widget.show()
    widget.set_project(plans_project)
    qtbot.waitUntil(lambda: widget.variables_button.isEnabled(), timeout=10_000)
    return widget


def ask_for_variables(qtbot: Any, panel: CopilotPanel) -> AnswerCard:
    panel.variables_button.click()
    assert panel.busy.isVisible() and not panel.variables_button.isEnabled(), "busy while the call runs"
    qtbot.waitUntil(lambda: bool(panel.answer_cards) and not panel.busy.isVisible(), timeout=10_000)
    [card] = panel.answer_cards.values()
    return card


def texts(widget: Any) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_proposals_are_shown_as_cards_and_accept_emits_the_fields(
    qtbot: Any, panel: CopilotPanel, copilot: Copilot, run: Run[Any], plans_project: ProjectSummary
) -> None:
    card = ask_for_variables(qtbot, panel)

    assert [c.proposal.fields["name"] for c in card.cards] == ["funding_source", "budget", "binding"]
    funding = card.cards[0]
    assert funding.title_label.text() == "funding_source (category): Funding source"
    assert "• municipal: The city's own budget." in funding.body_label.text()
    assert funding.rationale_label.text() == "Why: Every sample plan names who pays."
    assert "redefines budget" in texts(card.cards[1])
    assert "Left out 4 proposals" in texts(card) and "2nd target" in texts(card)
    assert "You asked for variables · read " in texts(panel)

    with qtbot.waitSignal(panel.sig_accept, timeout=5_000) as accepted:
        funding.accept_button.click()

    kind, fields = accepted.args[0]
    assert kind == "variable" and fields == funding.proposal.fields
    assert fields["name"] == "funding_source" and fields["categories"][0]["value"] == "municipal"
    qtbot.waitUntil(lambda: funding.status_label.isVisible(), timeout=5_000)
    assert funding.status_label.text() == "✓ Accepted" and not funding.accept_button.isVisible()
    [_, stored] = run(copilot.conversation(plans_project.id))
    assert stored.proposals[0].status == "accepted"


def test_reject_and_edit_are_recorded(
    qtbot: Any, panel: CopilotPanel, copilot: Copilot, run: Run[Any], plans_project: ProjectSummary
) -> None:
    card = ask_for_variables(qtbot, panel)
    budget, binding = card.cards[1], card.cards[2]
    emitted: list[Any] = []
    panel.sig_accept.connect(emitted.append)

    binding.reject_button.click()
    qtbot.waitUntil(lambda: binding.status_label.text() == "✗ Rejected", timeout=5_000)
    assert emitted == [], "a rejection hands nothing on"

    budget.edit_button.click()
    dialog = panel.edit_dialog
    assert "name: budget" in dialog.editor.toPlainText()
    dialog.editor.setPlainText("name: budget\ntype: text\ninstructions: x\ncategories: [{value: a}]\n")
    dialog.accept_button.click()
    assert dialog.error_label.isVisible() and "categories only apply" in dialog.error_label.text()
    dialog.editor.setPlainText("name: budget_total\ntype: number\ninstructions: All years together.\n")
    dialog.accept_button.click()
    qtbot.waitUntil(lambda: budget.status_label.text() == "✓ Edited and accepted", timeout=5_000)

    assert [payload[1]["name"] for payload in emitted] == ["budget_total"]
    [_, stored] = run(copilot.conversation(plans_project.id))
    assert [p.status for p in stored.proposals] == ["proposed", "edited", "rejected"]
    assert stored.proposals[1].accepted_fields["instructions"] == "All years together."


def test_categories_instructions_and_unit_from_the_panel(qtbot: Any, panel: CopilotPanel) -> None:
    assert not panel.categories_button.isEnabled() and not panel.instructions_button.isEnabled()
    panel.set_variable("title")
    assert panel.instructions_button.isEnabled()
    assert not panel.categories_button.isEnabled(), "title is not a category variable"
    emitted: list[Any] = []
    panel.sig_accept.connect(emitted.append)

    panel.instructions_button.click()
    qtbot.waitUntil(lambda: len(panel.answer_cards) == 1 and not panel.busy.isVisible(), timeout=10_000)
    [rewrite] = panel.answer_cards.values()
    rewrite.cards[0].accept_button.click()
    panel.unit_button.click()
    qtbot.waitUntil(lambda: len(panel.answer_cards) == 2 and not panel.busy.isVisible(), timeout=10_000)
    unit = list(panel.answer_cards.values())[1]
    unit.cards[0].accept_button.click()

    assert emitted[0][:2] == ("instructions", "title") and emitted[0][2].startswith(
        "The plan's official title"
    )
    assert emitted[1] == ("unit", UnitOfObservation.ENTITY, "each measure the plan lists")


def test_chosen_documents_are_the_ones_read(qtbot: Any, panel: CopilotPanel, llm_server: FakeOpenAI) -> None:
    panel.choose_button.click()
    chooser = next(w for w in QApplication.topLevelWidgets() if w.windowTitle().startswith("Documents for"))
    for row in (1, 4):
        chooser.list.item(row).setCheckState(Qt.CheckState.Checked)
    chosen = [chooser.list.item(row).text() for row in (1, 4)]
    chooser.buttons.accepted.emit()
    assert panel.chosen_radio.isChecked() and panel.chosen_label.text() == ", ".join(chosen)

    ask_for_variables(qtbot, panel)

    sent = "\n".join(message["content"] for message in llm_server.requests[-1]["messages"][1:-1])
    assert all(name in sent for name in chosen) and sent.count("<document>") == 2


def test_screenshot_of_the_panel_with_proposals(qtbot: Any, panel: CopilotPanel, qapp: QApplication) -> None:
    previous = qapp.styleSheet()
    qapp.setStyleSheet(stylesheet())
    try:
        panel.set_variable("title")
        card = ask_for_variables(qtbot, panel)
        card.cards[2].reject_button.click()
        qtbot.waitUntil(lambda: card.cards[2].status_label.isVisible(), timeout=5_000)
        panel.scroll_area.verticalScrollBar().setValue(0)
        qtbot.wait(50)
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert panel.grab().save(str(SHOTS / "copilot.png"))
    finally:
        qapp.setStyleSheet(previous)


# --- the New Project wizard ---------------------------------------------------------------------------


def test_the_wizard_offers_the_copilot_and_adds_an_accepted_variable(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    copilot: Copilot,
    runner: TaskRunner,
    plans_project: ProjectSummary,
    llm_server: FakeOpenAI,
    run: Run[Any],
) -> None:
    service = context.projects(alice)
    wizard = NewProjectWizard(service, runner, {"Plans"}, copilot=copilot)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.basics.name_edit.setText("Harbours")
    wizard.basics.description_edit.setPlainText("How harbours are funded.")
    wizard.next()
    wizard.next()
    page = wizard.codebook
    assert wizard.currentPage() is page
    section = page.copilot
    assert (
        section.suggest_button.isEnabled()
        and section.suggest_button.text() == "Suggest variables with the co-pilot"
    )

    section.suggest_button.click()
    qtbot.waitUntil(lambda: bool(section.cards), timeout=10_000)
    sent = llm_server.requests[-1]["messages"]
    assert "How harbours are funded." in sent[0]["content"] and len(sent) == 2, "no files: the description"
    names = [card.proposal.fields["name"] for card in section.cards]
    assert names[:2] == ["funding_source", "budget"]
    first: ProposalCard = section.cards[0]
    first.accept_button.click()

    assert [v.name for v in page.variables()] == ["funding_source"]
    assert [page.variables_list.item(i).text() for i in range(page.variables_list.count())] == [
        "funding_source (category): Funding source"
    ]
    assert page.isComplete()
    created: list[ProjectSummary] = []
    wizard.sig_created.connect(created.append)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: bool(created), timeout=10_000)
    codebook = run(service.get_codebook(created[0].id))
    assert [v.name for v in codebook.variables] == ["funding_source"]


def test_without_a_copilot_the_wizard_says_so(
    qtbot: Any, context: AppContext, alice: UserSession, runner
) -> None:
    wizard = NewProjectWizard(context.projects(alice), runner, set())
    qtbot.addWidget(wizard)
    section = wizard.codebook.copilot
    assert not section.suggest_button.isEnabled()
    assert "not available" in section.message_label.text()
