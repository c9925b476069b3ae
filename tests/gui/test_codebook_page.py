"""The Codebook page: import (with confirmation and clear errors), export, and the variable details."""

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


def test_an_empty_codebook_invites_an_import(page) -> None:
    assert page.stack.currentWidget() is page.empty
    assert not page.export_button.isEnabled()
    assert page.count_label.text() == "Codebook: 0 variables"


def test_importing_a_file_fills_the_table_and_the_details(qtbot, page, monkeypatch, run, service) -> None:
    choose_file(monkeypatch, DEMO)
    with qtbot.waitSignal(page.sig_project_changed, timeout=10_000) as changed:
        page.empty.action_button.click()
    assert changed.args[0].variable_count == 7
    page.show_project(changed.args[0])
    qtbot.waitUntil(lambda: page.model.rowCount() == 7, timeout=10_000)
    assert page.stack.currentIndex() == 1
    page.table.selectRow(5)
    details = page.details.toPlainText()
    assert "Sectors with measures" in details
    assert "Power and heat generation" in details
    assert run(service.get_codebook("Plans")).variables[0].name == "plan_title"


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
    page.show_project(run(service.get_project("Plans")))
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
