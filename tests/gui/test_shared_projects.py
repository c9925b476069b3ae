"""Projects shared between accounts of one SQLite file, in the main window: listed under "Shared with me"
with their owner and my access, shown through services of their own session, a viewer's project read-only
(a banner, and every control that would change it disabled with the reason), an editor's changeable; and
the Share dialog, which adds, changes and removes shares through the sharing service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ui.main_window import MainWindow
from coderai_desktop.ui.project_pages import viewer_reason
from coderai_desktop.ui.projects.list_model import ROLE_ENTRY, ROLE_SECTION
from coderai_desktop.ui.projects.share_dialog import ShareDialog
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.ui_state import UiState
from tests.conftest import PASSWORD
from tests.gui.conftest import VARIABLES, Run, visible
from tests.gui.test_codebook_editor import edit

VIEWER_REASON = viewer_reason("ana")


@dataclass(frozen=True)
class Shared:
    ana: UserSession
    ben: UserSession
    mine: ProjectSummary  # alice's own
    viewed: ProjectSummary  # ana's, shared with alice as a viewer
    edited: ProjectSummary  # ana's, shared with alice as an editor


@pytest.fixture
def shared(context: AppContext, alice: UserSession, run: Run[Any], tmp_path: Path) -> Shared:
    ana = run(context.accounts.create_account("ana", PASSWORD))
    ben = run(context.accounts.create_account("ben", PASSWORD))
    mine = run(context.projects(alice).create_project(ProjectContext(name="Alpha")))
    folder = tmp_path / "budgets"
    folder.mkdir()
    (folder / "plan.txt").write_text("A plan.\nbudget: 1,500 EUR\n", encoding="utf-8")
    ana_projects = context.projects(ana)
    viewed = run(ana_projects.create_project(ProjectContext(name="Budgets"), VARIABLES))
    run(context.documents(ana).import_paths(viewed.id, [folder]))
    edited = run(ana_projects.create_project(ProjectContext(name="Air quality"), VARIABLES))
    sharing = context.sharing(ana)
    run(sharing.share(viewed.id, "alice", ShareAccess.VIEWER))
    run(sharing.share(edited.id, "alice", ShareAccess.EDITOR))
    return Shared(ana, ben, mine, viewed, edited)


def open_window(
    qtbot: Any, context: AppContext, user: UserSession, runner: TaskRunner, state: UiState
) -> MainWindow:
    window = MainWindow(context, user, runner, state)
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)  # the projects are listed
    return window


def select(qtbot: Any, window: MainWindow, project: ProjectSummary, runner: TaskRunner) -> None:
    row = window.sidebar.model.row_of(project.id)
    assert row is not None
    window.sidebar.view.setCurrentIndex(window.sidebar.model.index(row))
    qtbot.waitUntil(lambda: window.project is not None and window.project.id == project.id, timeout=10_000)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)


def test_projects_shared_with_me_are_listed_under_their_owner(
    qtbot: Any, context: AppContext, alice: UserSession, runner: TaskRunner, ui_state: UiState, shared: Shared
) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    model = window.sidebar.model
    rows = [model.index(row) for row in range(model.rowCount())]
    assert [index.data() for index in rows] == ["Alpha", "SHARED WITH ME", "Air quality", "Budgets"]
    assert rows[1].data(ROLE_SECTION) == "SHARED WITH ME"
    assert [(rows[n].data(ROLE_ENTRY).owner, rows[n].data(ROLE_ENTRY).access) for n in (2, 3)] == [
        ("ana", ShareAccess.EDITOR),
        ("ana", ShareAccess.VIEWER),
    ]
    assert "Shared with you by ana: you can read and export it." in rows[3].data(0x03)  # the tooltip
    # Ana's other project, shared with nobody, is not among them; to ben, nothing is shared.
    assert run_names(window) == ["Alpha", "Air quality", "Budgets"]
    other = open_window(qtbot, context, shared.ben, runner, ui_state)
    assert run_names(other) == []


def run_names(window: MainWindow) -> list[str]:
    return [project.name for project in window.sidebar.model.projects()]


def test_a_viewer_reads_the_project_and_is_told_why_nothing_can_be_changed(
    qtbot: Any, context: AppContext, alice: UserSession, runner: TaskRunner, ui_state: UiState, shared: Shared
) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    assert window.current_pages is window.own_pages and window.delete_action.isEnabled()
    select(qtbot, window, shared.viewed, runner)
    pages = window.current_pages
    assert pages is not window.own_pages and pages.session.workspace_id == shared.ana.workspace_id
    assert pages.banner.isVisible() and pages.banner.label.text() == VIEWER_REASON

    documents = window.documents
    qtbot.waitUntil(lambda: documents.model.rowCount() == 1, timeout=10_000)  # ana's document, read
    documents.table.selectRow(0)  # a selection would enable Delete and Read again for an owner
    codebook = window.codebook
    qtbot.waitUntil(lambda: codebook.model.rowCount() == 2, timeout=10_000)  # ana's codebook, read
    results = window.results_page.filter_bar
    for control in (
        documents.add_files_button,
        documents.delete_button,
        documents.reparse_button,
        codebook.save_button,
        codebook.import_button,
        codebook.list.add_button,
        codebook.form,
        window.run_page.start_button,
        results.confirm_button,
        results.blind_button,
        window.quality_page.refine_after,
        window.overview.rows[2].button,  # "Run a sample"
    ):
        assert not control.isEnabled(), control
        assert control.toolTip() == VIEWER_REASON, control
    assert not documents.acceptDrops()
    assert window.overview.rows[-1].button.isEnabled(), "exporting is a viewer's to do"
    assert not codebook.save_action.isEnabled()
    assert not window.import_action.isEnabled() and window.import_action.toolTip() == VIEWER_REASON
    for owner_only in (window.delete_action, window.share_action):
        assert not owner_only.isEnabled()
        assert owner_only.toolTip() == "Only ana, who owns this project, can do this."
    assert window.export_action.isEnabled() and window.export_page.export_button.isEnabled()

    # My own project again: my pages, everything allowed, no banner.
    window.go_to_page("results")
    select(qtbot, window, shared.mine, runner)
    assert window.current_pages is window.own_pages and not window.own_pages.banner.isVisible()
    assert window.tabs.currentWidget() is window.results_page, "the same page stays open"
    assert window.delete_action.isEnabled() and window.share_action.isEnabled()
    assert window.documents.add_files_button.isEnabled()


def test_an_editor_changes_the_codebook_of_a_project_shared_with_them(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    ui_state: UiState,
    run: Run[Any],
    shared: Shared,
) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    select(qtbot, window, shared.edited, runner)
    pages = window.current_pages
    assert pages.session.access is ShareAccess.EDITOR
    assert pages.banner.label.text().startswith("Shared by ana — you can change this project")
    assert window.import_action.isEnabled() and not window.delete_action.isEnabled()
    codebook = window.codebook
    qtbot.waitUntil(lambda: codebook.model.rowCount() == 2 and codebook.editor.isEnabled(), timeout=10_000)
    assert window.documents.add_files_button.isEnabled() and codebook.form.isEnabled()
    codebook.list.select(1)
    edit(codebook, instructions="The total budget in euros, as the plan states it.")
    with qtbot.waitSignal(codebook.sig_project_changed, timeout=10_000):
        codebook.save_button.click()
    saved = run(context.projects(shared.ana).get_codebook(shared.edited.id))
    assert saved.variables[1].instructions == "The total budget in euros, as the plan states it."
    [latest, *_older] = run(context.projects(shared.ana).codebook_versions(shared.edited.id))
    assert latest.author == "alice", "a change records who made it"


def test_the_share_dialog_adds_changes_and_removes_shares(
    qtbot: Any,
    context: AppContext,
    alice: UserSession,
    runner: TaskRunner,
    ui_state: UiState,
    run: Run[Any],
    shared: Shared,
) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    select(qtbot, window, shared.mine, runner)
    window.share_action.trigger()
    [dialog] = visible(ShareDialog)
    qtbot.waitUntil(lambda: dialog.member_combo.count() == 2 and not runner.busy, timeout=10_000)
    assert [dialog.member_combo.itemText(n) for n in range(2)] == ["ana", "ben"]
    assert dialog.empty_label.isVisible() and not dialog.remove_button.isEnabled()

    dialog.member_combo.setCurrentText("ben")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1 and not runner.busy, timeout=10_000)
    assert [(s.login, s.access) for s in run(context.sharing(alice).shares(shared.mine.id))] == [
        ("ben", ShareAccess.VIEWER)
    ]
    assert dialog.model.index(0, 1).data() == "Viewer" and dialog.model.index(0, 3).data() == "alice"
    assert [dialog.member_combo.itemText(n) for n in range(dialog.member_combo.count())] == ["ana"]

    assert dialog.selected() is not None, "the share just made stays selected"
    assert dialog.access_button.text() == "Make ben an editor"
    assert dialog.remove_button.text() == "Stop sharing with ben"
    dialog.access_button.click()
    qtbot.waitUntil(lambda: dialog.model.index(0, 1).data() == "Editor" and not runner.busy, timeout=10_000)
    assert run(context.sharing(alice).shares(shared.mine.id))[0].access is ShareAccess.EDITOR

    dialog.remove_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0 and not runner.busy, timeout=10_000)
    assert run(context.sharing(alice).shares(shared.mine.id)) == []

    # A share that fails says why in the dialog: here the project was deleted meanwhile.
    run(context.projects(alice).delete_project(shared.mine.id))
    dialog.add_button.click()
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=10_000)
    assert dialog.error_label.text() == f"There is no project {shared.mine.id} in your workspace."
    assert dialog.isVisible()
    dialog.close()


def test_only_the_owner_is_offered_to_share(
    qtbot: Any, context: AppContext, alice: UserSession, runner: TaskRunner, ui_state: UiState, shared: Shared
) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    select(qtbot, window, shared.edited, runner)
    assert not window.share_action.isEnabled()
    window.share_project()  # the shortcut or a stale menu: nothing opens
    assert visible(ShareDialog) == []
