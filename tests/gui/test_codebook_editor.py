"""The codebook editor: every change an undo step, problems shown where they are, saves as versions, and
unsaved changes asked about before they could be lost."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLabel

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.persistence.tables import Variable
from coderai_desktop.projects.codebook_file import read_codebook_file
from coderai_desktop.resources_path import resource
from coderai_desktop.ui.main_window import MainWindow
from coderai_desktop.ui.variables.codebook_page import CodebookPage
from coderai_desktop.ui.variables.draft import CodebookDraft, blank_variable, copy_name, unique_name
from coderai_desktop.ui.variables.variable_list import (
    COL_LABEL,
    COL_NAME,
    COL_TYPE,
    ROLE_FIELDS,
    ROLE_PROBLEM,
)
from tests.gui.conftest import click_button, message_boxes, wait_for_message
from tests.integration.rows import add_document, add_extraction, add_job

DEMO = read_codebook_file(resource("demo", "codebook.yaml"))
NAMES = [variable.name for variable in DEMO.variables]


@pytest.fixture
def service(context, alice):
    return context.projects(alice)


@pytest.fixture
def page(qtbot: Any, service, runner, run) -> CodebookPage:
    project = run(service.create_project(DEMO.project.model_copy(update={"name": "Plans"}), DEMO.variables))
    widget = CodebookPage(service, runner)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    widget.show_project(project)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 7 and not runner.busy, timeout=10_000)
    return widget


def names(page: CodebookPage) -> list[str]:
    return [page.model.index(row, COL_NAME).data() for row in range(page.model.rowCount())]


def edit(page: CodebookPage, raw: bool = False, **changes: Any) -> None:
    """Change these fields of the selected variable in the form, as a person would. `raw`: emit them as
    they are, without the form (which would, say, keep a threshold between 0 and 1)."""
    draft, row = page.editor.draft, page.list.row()
    assert row is not None
    fields = {**draft.variables[row], **changes}
    if not raw:
        others = {name: draft.variables[i] for i, name in enumerate(draft.names()) if i != row}
        page.form.set_variable(fields, list(others), others)
        fields = page.form.fields()
    page.form.sig_edited.emit(fields)


def save(qtbot: Any, page: CodebookPage) -> None:
    assert page.save_button.isEnabled()
    with qtbot.waitSignal(page.sig_project_changed, timeout=10_000):
        page.save_button.click()


def variable_ids(context: Any, project_id: int) -> dict[str, int]:
    with context.database.transaction() as session:
        query = sa.select(Variable.name, Variable.id).where(Variable.project_id == project_id)
        return {name: variable_id for name, variable_id in session.execute(query)}


def add_value(context: Any, user: Any, project_id: int, variable: str) -> None:
    """One value coded for `variable`, as a run would have stored it."""
    variable_id = variable_ids(context, project_id)[variable]
    with context.database.transaction() as session:
        document = add_document(session, user.workspace_id, project_id)
        job = add_job(session, user.workspace_id, project_id)
        add_extraction(
            session,
            user.workspace_id,
            project_id=project_id,
            job_id=job.id,
            document_id=document.id,
            variable_id=variable_id,
        )


def shown_problems(widget: Any) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel, "fieldError") if not label.isHidden()]


def test_the_list_model_obeys_the_contract(qtmodeltester, page) -> None:
    page.list.select(5)
    edit(page, raw=True, categories=[])  # a category variable without categories: a problem to show
    qtmodeltester.check(page.model)
    model = page.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in (COL_NAME, COL_TYPE, COL_LABEL)] == [
        "Name",
        "Type",
        "Label",
    ]
    assert model.index(5, COL_TYPE).data() == "Category"
    assert model.index(5, COL_LABEL).data() == "Sectors with measures"
    assert model.index(5, COL_NAME).data(ROLE_PROBLEM) == "a category variable needs at least one category"
    assert model.index(5, COL_NAME).data(Qt.ItemDataRole.ToolTipRole) == model.index(5, 0).data(ROLE_PROBLEM)
    assert model.index(5, COL_NAME).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(0, COL_NAME).data(ROLE_PROBLEM) is None
    assert model.index(0, COL_LABEL).data(Qt.ItemDataRole.ToolTipRole) == "plan_title — Plan title"
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsDropEnabled  # drops go between rows
    assert model.flags(QModelIndex()) & Qt.ItemFlag.ItemIsDropEnabled
    assert model.index(0, COL_NAME).data(ROLE_FIELDS)["name"] == "plan_title"


def test_opening_shows_the_first_variable_and_the_project(page) -> None:
    assert names(page) == NAMES
    assert page.selected_variable() == "plan_title"
    assert page.form.fields()["instructions"].startswith("The official title of the plan")
    assert page.context_form.fields()["description"].startswith("Climate action plans")
    assert page.context_form.name_label.text() == "Plans"
    assert page.status_label.text() == "7 variables, all saved"
    assert not page.save_button.isEnabled() and not page.undo_button.isEnabled()
    assert not page.has_unsaved_changes()
    assert [page.panels.tabText(i) for i in range(page.panels.count())] == ["Variable", "Project"]
    page.flush_edits()  # what the forms show is what was loaded: nothing to take in
    assert page.undo_stack.count() == 0 and not page.has_unsaved_changes()


def test_editing_shows_problems_and_save_follows_them(qtbot, page) -> None:
    with qtbot.waitSignal(page.sig_variable_selected) as selected:
        page.list.select(2)
    assert selected.args == ["emission_target_percent"]
    edit(page, name="2nd_target")
    assert not page.save_button.isEnabled()
    assert page.status_label.text().startswith(
        "1 problem: 2nd_target — '2nd_target' must start with a letter"
    )
    assert page.model.index(2, COL_NAME).data(ROLE_PROBLEM).startswith("'2nd_target' must start")
    assert any("must start with a letter" in text for text in shown_problems(page.form))
    edit(page, name="target", type="CATEGORY")
    assert page.status_label.text() == "1 problem: target — a category variable needs at least one category"
    edit(page, type="NUMBER")
    assert page.save_button.isEnabled() and page.has_unsaved_changes()
    assert page.status_label.text() == "Unsaved changes"
    assert shown_problems(page.form) == []
    assert page.model.index(2, COL_NAME).data() == "target"


def test_typing_in_the_form_is_an_edit(qtbot, page) -> None:
    page.form.name.setFocus()
    page.form.name.selectAll()
    qtbot.keyClicks(page.form.name, "title")
    qtbot.keyClick(page.form.name, Qt.Key.Key_Return)
    assert names(page)[0] == "title"
    assert page.undo_stack.count() == 1 and page.undo_button.isEnabled()


def test_pydantic_problems_are_shown_like_the_others(page) -> None:
    edit(page, raw=True, instructions="", confidence_threshold=2)
    problems = {problem.path: problem.message for problem in page.problems()}
    assert problems[("variables", 0, "instructions")] == "instructions: must not be empty"
    assert problems[("variables", 0, "confidence_threshold")].startswith("confidence_threshold: input should")
    assert page.draft_codebook() is None
    assert page.status_label.text().startswith("2 problems: plan_title — ")
    assert not page.save_button.isEnabled()


def test_typing_in_one_field_is_one_undo_step(page) -> None:
    for text in ("The title", "The title of", "The title of the plan"):
        edit(page, instructions=text)
    edit(page, display_name="Title")
    assert page.undo_stack.count() == 2
    page.undo_stack.undo()
    assert page.form.fields()["display_name"] == "Plan title"
    page.undo_stack.undo()
    assert page.form.fields()["instructions"].startswith("The official title")
    assert not page.has_unsaved_changes()
    page.list.select(1)  # another variable: a new session of typing, even in the same field
    edit(page, instructions="A")
    edit(page, instructions="AB")
    page.list.select(1)
    assert page.undo_stack.count() == 1


def test_save_writes_a_version_and_undo_works_past_it(qtbot, page, run, service) -> None:
    edit(page, display_name="Title of the plan")
    with qtbot.waitSignal(page.sig_message, timeout=10_000) as message:
        page.save_button.click()
    version = run(service.codebook_versions("Plans"))[0]
    assert message.args == [f"Saved as codebook version {version.version}."]
    assert version.reason == "edited in the Codebook page"
    assert page.status_label.text().startswith(f"Saved as codebook version {version.version}")
    assert run(service.get_codebook("Plans")).variables[0].display_name == "Title of the plan"
    assert not page.has_unsaved_changes() and not page.save_button.isEnabled()
    assert page.undo_button.isEnabled()  # the history survives the save
    page.undo_button.click()
    assert page.has_unsaved_changes() and page.save_button.isEnabled()
    assert page.form.fields()["display_name"] == "Plan title"
    page.redo_button.click()
    assert not page.has_unsaved_changes()
    edit(page, display_name="Title of the plan, again")  # the same field: not folded into the saved step
    assert page.has_unsaved_changes() and page.undo_stack.count() == 2
    page.undo_stack.undo()
    page.undo_stack.undo()
    save(qtbot, page)
    assert run(service.get_codebook("Plans")).variables[0].display_name == "Plan title"
    assert run(service.codebook_versions("Plans"))[0].version == version.version + 1


def test_save_takes_in_typing_that_has_not_paused(qtbot, page, run, service) -> None:
    page.form.display_name.setText("Typed, not yet reported")  # no editingFinished yet
    page.context_form.domain.setCurrentText("Urban policy")
    page.save()  # Ctrl+S
    qtbot.waitUntil(lambda: not page.has_unsaved_changes() and page.undo_stack.count() == 2, timeout=10_000)
    saved = run(service.get_codebook("Plans"))
    assert saved.variables[0].display_name == "Typed, not yet reported"
    assert saved.project is not None and saved.project.domain == "Urban policy"


def test_the_same_project_shown_again_keeps_the_draft(qtbot, page, runner, run, service) -> None:
    edit(page, display_name="Changed")
    page.show_project(run(service.get_project("Plans")))
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    assert page.has_unsaved_changes() and page.undo_stack.count() == 1
    assert page.model.index(0, COL_LABEL).data() == "Changed"


def test_add_and_duplicate_are_undone_and_redone(page) -> None:
    page.list.select(5)
    page.list.add_button.click()
    assert names(page)[6] == "new_variable" and page.selected_variable() == "new_variable"
    assert page.status_label.text() == "1 problem: new_variable — instructions: must not be empty"
    page.list.add_button.click()
    assert names(page)[7] == "new_variable_2"
    page.list.select(5)
    page.list.duplicate_button.click()
    page.list.select(5)
    page.list.duplicate_button.click()
    assert names(page)[6:8] == ["sectors_copy_2", "sectors_copy"]
    assert (
        page.model.index(6, 0).data(ROLE_FIELDS)["categories"]
        == page.model.index(5, 0).data(ROLE_FIELDS)["categories"]
    )
    for _ in range(4):
        page.undo_button.click()
    assert names(page) == NAMES and not page.has_unsaved_changes()
    page.redo_button.click()
    assert names(page) == [*NAMES[:6], "new_variable", NAMES[6]]
    assert page.selected_variable() == "new_variable"


def test_delete_is_undone(qtbot, page) -> None:
    page.list.select(3)
    page.list.delete_button.click()  # counts the variable's values first (none)
    qtbot.waitUntil(lambda: page.model.rowCount() == 6, timeout=10_000)
    assert "has_net_zero_goal" not in names(page)
    # net_zero_year depended on it: the dependency is now a problem
    assert page.status_label.text().startswith(
        "1 problem: net_zero_year — there is no variable named 'has_net_zero_goal'"
    )
    assert page.selected_variable() == "net_zero_year"
    page.undo_button.click()
    assert names(page) == NAMES and page.selected_variable() == "has_net_zero_goal"
    page.redo_button.click()
    assert page.model.rowCount() == 6


def test_deleting_a_variable_with_values_asks_and_saving_asks_again(
    qtbot, page, context, alice, run, service
) -> None:
    project_id = run(service.get_project("Plans")).id
    add_value(context, alice, project_id, "plan_title")
    page.list.select(0)
    page.list.delete_button.click()
    box = wait_for_message(qtbot)
    assert "plan_title already has 1 value coded" in box.text()
    click_button(box, "Cancel")
    assert names(page) == NAMES
    page.list.delete_button.click()
    click_button(wait_for_message(qtbot), "Delete variable")
    assert names(page) == NAMES[1:]
    page.save_button.click()
    box = wait_for_message(qtbot)
    assert "already have results: plan_title (1 values)" in box.text()
    with qtbot.waitSignal(page.sig_project_changed, timeout=10_000):
        click_button(box, "Delete their values")
    assert [v.name for v in run(service.get_codebook("Plans")).variables] == NAMES[1:]
    assert run(service.result_counts("Plans")) == {}


def test_a_refused_save_keeps_the_draft(qtbot, page, context, alice, run, service) -> None:
    project_id = run(service.get_project("Plans")).id
    add_value(context, alice, project_id, "sectors")
    page.list.select(5)
    edit(page, name="sector_list")  # a rename leaves the old name out
    page.save_button.click()
    click_button(wait_for_message(qtbot), "Cancel")
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=5_000)
    assert page.has_unsaved_changes() and names(page)[5] == "sector_list"
    assert "sectors" in variable_ids(context, project_id)


def test_reordering_with_buttons_and_by_drag(qtbot, page, run, service) -> None:
    page.list.select(0)
    assert not page.list.up_button.isEnabled()
    page.list.down_button.click()
    assert names(page)[:2] == ["adoption_date", "plan_title"] and page.selected_variable() == "plan_title"
    page.list.up_button.click()
    assert names(page) == NAMES
    model = page.model
    assert model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 3)  # Qt's meaning: before row 3
    assert names(page)[:3] == ["adoption_date", "emission_target_percent", "plan_title"]
    data = model.mimeData([model.index(6, 0)])
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert names(page)[0] == "primary_instrument"
    data = model.mimeData([model.index(0, 0)])
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())  # below the last row
    assert names(page)[-1] == "primary_instrument"
    assert not model.moveRows(QModelIndex(), 2, 1, QModelIndex(), 3)  # to where it is: nothing
    assert page.undo_stack.count() == 5
    save(qtbot, page)
    assert [v.name for v in run(service.get_codebook("Plans")).variables] == names(page)
    for _ in range(3):
        page.undo_stack.undo()
    assert names(page) == NAMES


def test_keyboard_shortcuts_undo_and_redo(qtbot, page) -> None:
    page.list.select(1)
    page.list.delete_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 6, timeout=10_000)
    page.list.view.setFocus()
    qtbot.keyClick(page.list.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.model.rowCount() == 7
    shift_control = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(page.list.view, Qt.Key.Key_Z, shift_control)
    assert page.model.rowCount() == 6
    # Qt keeps the modifiers of the last key event as held: a later test's clicks would extend selections.
    qtbot.keyClick(page.list.view, Qt.Key.Key_Shift)


def test_editing_the_project_context(page) -> None:
    form = page.context_form
    page.panels.setCurrentIndex(1)
    form.entity_radio.setChecked(True)
    assert page.status_label.text().startswith(
        "1 problem: Project entity pattern — required when the unit of observation is entity"
    )
    assert any("required when the unit" in text for text in shown_problems(form))
    assert form.pattern.isEnabled()
    form.pattern.set_text("each city named in the plan")
    form.pattern.sig_edited.emit()
    assert page.save_button.isEnabled() and shown_problems(form) == []
    page.undo_stack.undo()
    page.undo_stack.undo()
    assert form.document_radio.isChecked() and not form.pattern.isEnabled()
    assert not page.has_unsaved_changes()


def test_co_pilot_proposals_are_one_undo_step_each(page) -> None:
    page.apply_proposal(("variable", {"name": "mayor", "type": "text", "instructions": "The mayor's name."}))
    assert names(page)[-1] == "mayor" and page.selected_variable() == "mayor"
    page.apply_proposal(("instructions", "plan_title", "The title on the cover."))
    categories = [{"value": "low"}, {"value": "high", "label": "High"}]
    page.apply_proposal(("categories", "mayor", categories))
    page.apply_proposal(("unit", UnitOfObservation.ENTITY, "each city"))  # as the co-pilot panel sends it
    assert page.undo_stack.count() == 4 and page.save_button.isEnabled()
    codebook = page.draft_codebook()
    assert codebook is not None and codebook.project is not None
    assert codebook.variables[0].instructions == "The title on the cover."
    mayor = codebook.variables[-1]
    assert mayor.type == "CATEGORY" and [c.value for c in mayor.categories] == ["low", "high"]
    assert codebook.project.unit_of_observation == "ENTITY"
    assert codebook.project.entity_identification_pattern == "each city"
    page.apply_proposal(("categories", "mayor", [{"value": "HIGH"}, {"value": "medium"}]))  # added, not twice
    mayor = page.model.index(7, 0).data(ROLE_FIELDS)
    assert [category["value"] for category in mayor["categories"]] == ["low", "high", "medium"]
    page.apply_proposal(("variable", {"name": "mayor", "type": "TEXT", "instructions": "Again."}))
    assert page.model.rowCount() == 8  # the same name: replaced, not added
    with pytest.raises(ValueError, match="no variable named 'nobody'"):
        page.apply_proposal(("instructions", "nobody", "x"))
    for _ in range(6):
        page.undo_stack.undo()
    assert names(page) == NAMES and not page.has_unsaved_changes()


def test_the_banner_names_the_variables_changed_since_the_last_run(
    qtbot, page, runner, run, service, monkeypatch
) -> None:
    assert page.list.banner.isHidden()

    async def changed(_ref: object) -> list[str]:
        return ["budget", "sector", "title"]

    monkeypatch.setattr(service, "changed_since_last_run", changed)
    page.show_project(run(service.get_project("Plans")))
    qtbot.waitUntil(lambda: not page.list.banner.isHidden(), timeout=10_000)
    assert page.list.banner.text() == (
        "3 variables changed since the last run: budget, sector, title — their values were coded with an "
        "older version."
    )
    page.list.set_changed_since_last_run(["budget"])
    assert page.list.banner.text().startswith("1 variable changed since the last run: budget — its values")
    monkeypatch.undo()
    edit(page, display_name="Other")
    save(qtbot, page)
    assert page.list.banner.isHidden()


def test_panels_can_be_added_and_follow_the_selection(qtbot, page) -> None:
    extra = QLabel("co-pilot")
    index = page.add_panel("Co-pilot", extra)
    assert page.panels.tabText(index) == "Co-pilot"
    page.panels.setCurrentIndex(index)
    with qtbot.waitSignal(page.sig_variable_selected) as selected:
        page.list.select(4)
    assert selected.args == ["net_zero_year"]
    page.apply_proposal(("instructions", "net_zero_year", "The year."))
    assert page.panels.currentWidget() is extra  # a proposal does not take the person away
    with qtbot.waitSignal(page.sig_variable_selected) as selected:
        edit(page, name="zero_year")
    assert selected.args == ["zero_year"]


# -- the main window asks before unsaved changes are lost ------------------------------------------------


@pytest.fixture
def window(qtbot, context, alice, runner, ui_state, run, service) -> MainWindow:
    run(service.create_project(ProjectContext(name="Alpha"), DEMO.variables))
    run(service.create_project(ProjectContext(name="Beta")))
    main = MainWindow(context, alice, runner, ui_state)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: main.codebook.model.rowCount() == 7 and not runner.busy, timeout=10_000)
    assert main.project is not None and main.project.name == "Alpha"
    return main


def select_project(window: MainWindow, name: str) -> None:
    row = next(r for r, p in enumerate(window.sidebar.model.projects()) if p.name == name)
    window.sidebar.view.setCurrentIndex(window.sidebar.model.index(row))


def test_switching_project_asks_about_unsaved_changes(qtbot, window, run, service, runner) -> None:
    page = window.codebook
    window.go_to_page("documents")  # the draft stays while other pages are shown
    page.list.select(0)
    edit(page, display_name="Edited")
    select_project(window, "Beta")
    box = wait_for_message(qtbot)
    assert (
        "The codebook of 'Alpha' has unsaved changes" in box.text()
        and "switch to another project" in box.text()
    )
    click_button(box, "Cancel")
    assert window.project.name == "Alpha" and window.sidebar.selected().name == "Alpha"
    assert page.has_unsaved_changes()
    select_project(window, "Beta")
    click_button(wait_for_message(qtbot), "Save")
    qtbot.waitUntil(lambda: window.project.name == "Beta" and not runner.busy, timeout=10_000)
    assert run(service.get_codebook("Alpha")).variables[0].display_name == "Edited"
    assert page.model.rowCount() == 0 and window.sidebar.selected().name == "Beta"


def test_discarding_on_switch_loses_the_edits(qtbot, window, run, service, runner) -> None:
    edit(window.codebook, display_name="Edited")
    select_project(window, "Beta")
    click_button(wait_for_message(qtbot), "Discard changes")
    qtbot.waitUntil(lambda: window.project.name == "Beta" and not runner.busy, timeout=10_000)
    assert run(service.get_codebook("Alpha")).variables[0].display_name == "Plan title"
    select_project(window, "Alpha")
    qtbot.waitUntil(lambda: window.codebook.model.rowCount() == 7, timeout=10_000)
    assert not message_boxes()


def test_closing_and_logging_out_ask_about_unsaved_changes(qtbot, window, run, service) -> None:
    edit(window.codebook, display_name="Edited")
    with qtbot.assertNotEmitted(window.sig_closed):
        window.close()
        click_button(wait_for_message(qtbot), "Cancel")
    assert window.isVisible()
    with qtbot.waitSignal(window.sig_logout, timeout=10_000):
        window.log_out()
        click_button(wait_for_message(qtbot), "Save")
    assert run(service.get_codebook("Alpha")).variables[0].display_name == "Edited"


def test_a_codebook_with_problems_can_only_be_discarded_on_close(qtbot, window) -> None:
    edit(window.codebook, instructions="")
    window.close()
    box = wait_for_message(qtbot)
    assert "cannot be saved as it is" in box.text()
    assert "Save" not in [button.text() for button in box.buttons()]
    with qtbot.waitSignal(window.sig_closed, timeout=10_000):
        click_button(box, "Discard changes")


def test_the_checks_point_at_the_draft_rows_past_a_variable_pydantic_refuses() -> None:
    draft = CodebookDraft()
    draft.context = {"name": "Plans", "unit_of_observation": "ENTITY"}
    draft.variables = [
        blank_variable("a") | {"instructions": "A."},
        blank_variable("b"),  # no instructions: refused by pydantic, left out of the cross-variable checks
        blank_variable("A")
        | {"instructions": "Again.", "depends_on": {"variable": "c", "operator": "IS_SET"}},
    ]
    check = draft.check()
    assert {problem.path: problem.message for problem in check.problems} == {
        ("variables", 1, "instructions"): "instructions: must not be empty",
        ("project", "entity_identification_pattern"): (
            "required when the unit of observation is entity: describe how to recognise one entity"
        ),
        ("variables", 2, "name"): "'A' is already the name of variable 1 (case is ignored)",
        ("variables", 2, "depends_on", "variable"): "there is no variable named 'c'",
    }
    assert check.codebook is None and sorted(check.by_variable) == [1, 2]
    assert check.first_problem(2) == "'A' is already the name of variable 1 (case is ignored)"
    assert copy_name("a", ["a", "a_copy"]) == "a_copy_2" and unique_name("x", ["X"]) == "x_2"


def test_a_variable_changed_on_another_computer_is_not_written_over(qtbot, page, run, service) -> None:
    """Ben (another machine: another service on the same database) saves a change to the variable Ana has
    open; Ana's save of her draft is refused with who changed it, and Reload shows his change."""
    editable = run(service.get_editable_codebook("Plans"))
    theirs = editable.codebook.variables[0].model_copy(update={"instructions": "Ben's wording."})
    changed = editable.codebook.model_copy(update={"variables": [theirs, *editable.codebook.variables[1:]]})
    run(service.save_codebook("Plans", changed, loaded_versions=editable.versions))

    page.list.select(0)
    edit(page, instructions="Ana's wording.")
    page.save_button.click()
    box = wait_for_message(qtbot)
    assert box.windowTitle() == "Changed on another computer"
    assert "changed the variable" in box.text() and "after you opened it" in box.text()
    assert run(service.get_codebook("Plans")).variables[0].instructions == "Ben's wording."  # intact

    click_button(box, "Reload")
    qtbot.waitUntil(lambda: page.form.fields()["instructions"] == "Ben's wording.", timeout=10_000)
    assert not page.has_unsaved_changes()
    edit(page, instructions="Ana's wording, after reading Ben's.")
    save(qtbot, page)  # made from the versions now saved: accepted
    assert (
        run(service.get_codebook("Plans")).variables[0].instructions == "Ana's wording, after reading Ben's."
    )
