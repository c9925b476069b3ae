"""The Codebook page: import (with confirmation and clear errors) and export of saved codebooks.

Editing is tested in test_codebook_editor.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.projects.codebook_file import read_codebook_file
from coderai_desktop.resources_path import resource
from coderai_desktop.ui.variables.codebook_page import CodebookPage
from tests.gui.conftest import click_button, wait_for_message

DEMO = resource("demo", "codebook.yaml")


@pytest.fixture
def service(context, alice):
    return context.projects(alice)


@pytest.fixture
def page(qtbot: Any, service, runner, run) -> CodebookPage:
    project = run(service.create_project(ProjectContext(name="Plans")))
    widget = CodebookPage(service, runner)
    qtbot.addWidget(widget)
    widget.show()
    widget.show_project(project)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    return widget


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path | None, dialog: str = "getOpenFileName") -> None:
    monkeypatch.setattr(QFileDialog, dialog, lambda *args, **kwargs: (str(path) if path else "", ""))


def import_and_wait(qtbot: Any, page: CodebookPage, rows: int) -> None:
    page.import_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=10_000)


def test_an_empty_codebook_invites_to_add_a_variable(page) -> None:
    assert page.editor.variable_stack.currentIndex() == 0  # the empty state
    assert page.editor.empty.title_label.text() == "No variables yet"
    assert not page.export_button.isEnabled()
    assert page.import_button.isEnabled()
    assert page.status_label.text() == "0 variables, all saved"
    page.editor.empty.action_button.click()
    assert page.model.rowCount() == 1
    assert page.editor.variable_stack.currentWidget() is page.form


def test_importing_a_file_saves_it_and_fills_the_editor(qtbot, page, monkeypatch, run, service) -> None:
    choose_file(monkeypatch, DEMO)
    with qtbot.waitSignal(page.sig_project_changed, timeout=10_000) as changed:
        page.import_button.click()
    assert changed.args[0].variable_count == 7
    qtbot.waitUntil(lambda: page.model.rowCount() == 7, timeout=10_000)
    assert not page.has_unsaved_changes() and not page.undo_button.isEnabled()
    page.list.select(5)
    assert page.form.fields()["display_name"] == "Sectors with measures"
    assert page.form.fields()["categories"][0]["definition"].startswith("Power and heat generation")
    assert page.context_form.fields()["domain"] == "Public policy"
    assert run(service.get_codebook("Plans")).variables[0].name == "plan_title"
    versions = run(service.codebook_versions("Plans"))
    assert versions[0].reason == "imported from codebook.yaml"


def test_a_malformed_file_is_refused_with_its_line_and_nothing_changes(
    qtbot, page, monkeypatch, tmp_path, run, service
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "variables:\n  - name: ok\n    type: text\n    instructions: fine\n"
        "  - name: 2bad\n    type: text\n    instructions: also fine\n",
        encoding="utf-8",
    )
    choose_file(monkeypatch, bad)
    page.import_button.click()
    box = wait_for_message(qtbot)
    assert "line 5" in box.text() and "variables[1].name" in box.text()
    assert "must start with a letter" in box.text()
    box.close()
    assert run(service.get_codebook("Plans")).variables == []


def test_replacing_a_codebook_asks_first(qtbot, page, monkeypatch, tmp_path, run, service) -> None:
    choose_file(monkeypatch, DEMO)
    page.import_button.click()
    qtbot.waitUntil(lambda: run(service.get_project("Plans")).variable_count == 7, timeout=10_000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 7, timeout=10_000)
    smaller = tmp_path / "one.json"
    smaller.write_text('{"variables": [{"name": "plan_title", "type": "text", "instructions": "Title."}]}')
    choose_file(monkeypatch, smaller)
    page.import_button.click()
    box = wait_for_message(qtbot)
    assert "Replace the 7 variables" in box.text() and "1 variable in one.json" in box.text()
    click_button(box, "Replace")
    qtbot.waitUntil(lambda: run(service.get_project("Plans")).variable_count == 1, timeout=10_000)


def test_export_writes_a_file_that_reads_back_the_same(
    qtbot, page, monkeypatch, tmp_path, run, service
) -> None:
    demo = read_codebook_file(DEMO)
    run(service.save_codebook("Plans", demo))
    page.show_project(run(service.get_project("Plans")))
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=10_000)
    target = tmp_path / "exported"  # no extension: YAML is added
    choose_file(monkeypatch, target, "getSaveFileName")
    with qtbot.waitSignal(page.sig_message, timeout=10_000) as message:
        page.export_button.click()
    written = tmp_path / "exported.yaml"
    assert str(written) in message.args[0]
    assert read_codebook_file(written).variables == demo.variables


def test_cancelling_the_file_dialog_does_nothing(qtbot, page, monkeypatch, runner) -> None:
    choose_file(monkeypatch, None)
    page.import_button.click()
    assert not runner.busy
    assert page.model.rowCount() == 0


def test_import_refuses_to_drop_unsaved_edits(qtbot, page, monkeypatch, run, service) -> None:
    page.editor.add_variable()
    assert page.has_unsaved_changes()
    choose_file(monkeypatch, DEMO)
    page.import_button.click()
    box = wait_for_message(qtbot)
    assert "unsaved changes" in box.text() and "import a codebook" in box.text()
    assert [b.text() for b in box.buttons() if b.text() == "Save"] == []  # it has problems: no Save
    click_button(box, "Cancel")
    assert page.model.rowCount() == 1 and run(service.get_codebook("Plans")).variables == []
    page.import_button.click()
    click_button(wait_for_message(qtbot), "Discard changes")
    qtbot.waitUntil(lambda: page.model.rowCount() == 7, timeout=10_000)
    assert run(service.get_project("Plans")).variable_count == 7


def test_export_says_when_the_draft_differs_from_what_it_wrote(
    qtbot, page, monkeypatch, tmp_path, run, service
) -> None:
    run(service.save_codebook("Plans", read_codebook_file(DEMO)))
    page.show_project(run(service.get_project("Plans")))
    qtbot.waitUntil(lambda: page.model.rowCount() == 7, timeout=10_000)
    page.editor.duplicate_variable()
    choose_file(monkeypatch, tmp_path / "saved.json", "getSaveFileName")
    with qtbot.waitSignal(page.sig_message, timeout=10_000) as message:
        page.export_button.click()
    assert "unsaved changes are not in it" in message.args[0]
    assert len(read_codebook_file(tmp_path / "saved.json").variables) == 7
