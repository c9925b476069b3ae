"""The main window: projects in the sidebar, their pages, and the actions of its menus."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.project_path import StageKey
from coderai_desktop.projects.codebook_file import read_codebook_file
from coderai_desktop.resources_path import resource
from coderai_desktop.ui.about import AboutDialog
from coderai_desktop.ui.main_window import MainWindow
from coderai_desktop.ui.wizard.new_project import NewProjectWizard
from tests.gui.conftest import click_button, visible, wait_for_message


@pytest.fixture
def service(context, alice):
    return context.projects(alice)


def open_window(qtbot: Any, context, alice, runner, ui_state) -> MainWindow:
    window = MainWindow(context, alice, runner, ui_state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    return window


def test_a_new_workspace_offers_to_create_a_project(qtbot, context, alice, runner, ui_state) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    assert window.content.currentWidget() is window.no_project
    assert not window.delete_action.isEnabled()
    assert alice.login in window.location_label.text()
    window.no_project.action_button.click()
    wizards = visible(NewProjectWizard)
    assert len(wizards) == 1
    wizards[0].close()


def test_projects_are_listed_and_the_last_one_is_reopened(
    qtbot, context, alice, runner, ui_state, run, service
):
    demo = read_codebook_file(resource("demo", "codebook.yaml"))
    run(service.create_project(ProjectContext(name="Alpha")))
    beta = run(service.create_project(ProjectContext(name="Beta", domain="Law"), demo.variables))
    ui_state.set_last_project(alice.login, beta.id)
    window = open_window(qtbot, context, alice, runner, ui_state)
    assert [p.name for p in window.sidebar.model.projects()] == ["Alpha", "Beta"]
    assert window.project is not None and window.project.id == beta.id
    assert window.windowTitle() == "CoderAI Desktop — Beta"
    assert window.overview.title_label.text() == "Beta"
    assert window.overview.fields["Domain"].text() == "Law"
    qtbot.waitUntil(lambda: window.overview.path is not None, timeout=10_000)
    assert window.overview.path.stage(StageKey.CODEBOOK).detail == "7 variables"
    qtbot.waitUntil(lambda: window.codebook.model.rowCount() == 7, timeout=10_000)


def test_the_next_step_button_leads_to_the_documents(qtbot, context, alice, runner, ui_state, run, service):
    run(service.create_project(ProjectContext(name="Empty")))
    window = open_window(qtbot, context, alice, runner, ui_state)
    qtbot.waitUntil(lambda: window.overview.next_button is not None, timeout=10_000)
    assert window.overview.next_button.isVisible()
    window.overview.next_button.click()
    assert window.tabs.currentWidget() is window.documents


def test_deleting_a_project_asks_first(qtbot, context, alice, runner, ui_state, run, service) -> None:
    run(service.create_project(ProjectContext(name="Doomed")))
    window = open_window(qtbot, context, alice, runner, ui_state)
    window.delete_action.trigger()
    box = wait_for_message(qtbot)
    assert "Doomed" in box.text() and "cannot be undone" in box.text()
    click_button(box, "Cancel")
    assert [p.name for p in run(service.list_projects())] == ["Doomed"]
    window.delete_action.trigger()
    click_button(wait_for_message(qtbot), "Delete project")
    qtbot.waitUntil(lambda: window.sidebar.model.rowCount() == 0, timeout=10_000)
    assert run(service.list_projects()) == []
    assert window.content.currentWidget() is window.no_project


def test_about_names_the_licences_and_where_the_data_is(qtbot, context, alice, runner, ui_state) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    window.about()
    about = visible(AboutDialog)[0]
    text = about.text.toPlainText()
    assert "GNU Affero General Public Licence" in text
    assert "PyMuPDF" in text
    assert str(context.settings.data_dir) in text
    about.close()


def test_logging_out_and_closing_are_told_apart(qtbot, context, alice, runner, ui_state) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    with qtbot.waitSignal(window.sig_logout), qtbot.assertNotEmitted(window.sig_closed):
        window.log_out()
    other = open_window(qtbot, context, alice, runner, ui_state)
    with qtbot.waitSignal(other.sig_closed), qtbot.assertNotEmitted(other.sig_logout):
        other.close()
