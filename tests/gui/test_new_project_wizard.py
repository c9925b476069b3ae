"""The New Project wizard: each page gates Next/Finish, and the project exists only after Finish."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWizard

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import ProjectStatus, UnitOfObservation
from coderai_desktop.ui.wizard.new_project import NewProjectWizard
from tests.gui.conftest import wait_for_message


@pytest.fixture
def service(context, alice):
    return context.projects(alice)


def make_wizard(qtbot: Any, service, runner, existing: set[str] | None = None) -> NewProjectWizard:
    wizard = NewProjectWizard(service, runner, existing or set())
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_the_name_is_required_and_must_be_new(qtbot, service, runner) -> None:
    wizard = make_wizard(qtbot, service, runner, existing={"Treaties"})
    assert not wizard.basics.isComplete()
    wizard.basics.name_edit.setText("treaties")
    assert not wizard.basics.isComplete()
    assert wizard.basics.name_problem.isVisible()
    wizard.basics.name_edit.setText("Treaties 2")
    assert wizard.basics.isComplete()
    assert not wizard.basics.name_problem.isVisible()


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Plans\nof 2024", "a line break"),
        ("Plans\u202e4202", "RIGHT-TO-LEFT OVERRIDE"),
        ("#7", "would read as the id of a project"),
        ("ＴＲＥＡＴＩＥＳ", "already exists"),  # full-width letters read as the existing name
    ],
)
def test_the_name_follows_the_same_rule_as_the_service(qtbot, service, runner, name: str, said: str) -> None:
    wizard = make_wizard(qtbot, service, runner, existing={"Treaties"})
    wizard.basics.name_edit.setText(name)
    assert not wizard.basics.isComplete()
    assert wizard.basics.name_problem.isVisible() and said in wizard.basics.name_problem.text()


def test_an_entity_project_needs_its_identification_pattern(qtbot, service, runner) -> None:
    wizard = make_wizard(qtbot, service, runner)
    assert wizard.unit.isComplete()
    assert not wizard.unit.pattern_edit.isEnabled()
    wizard.unit.entity_radio.setChecked(True)
    assert wizard.unit.pattern_edit.isEnabled()
    assert not wizard.unit.isComplete()
    wizard.unit.pattern_edit.setPlainText("each company that is a party to the contract")
    assert wizard.unit.isComplete()
    assert wizard.unit.unit() is UnitOfObservation.ENTITY


def test_a_codebook_file_must_be_valid_before_finish(qtbot, service, runner, tmp_path: Path) -> None:
    wizard = make_wizard(qtbot, service, runner)
    page = wizard.codebook
    assert page.isComplete(), "an empty codebook is a valid start"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "variables:\n  - name: x\n    type: colour\n    instructions: pick one\n", encoding="utf-8"
    )
    page.set_file(bad)
    assert not page.isComplete()
    assert "line 3" in page.status_label.text()
    page.demo_radio.setChecked(True)
    assert page.isComplete()
    assert "7 variables" in page.status_label.text()


def test_finish_creates_the_project_with_its_codebook(qtbot, service, runner, run) -> None:
    wizard = make_wizard(qtbot, service, runner)
    assert run(service.list_projects()) == [], "nothing is saved before Finish"
    wizard.basics.name_edit.setText("Climate plans")
    wizard.basics.description_edit.setPlainText("Plans adopted by city councils.")
    wizard.basics.domain_combo.setCurrentText("Public policy")
    wizard.next()
    wizard.next()
    wizard.codebook.demo_radio.setChecked(True)
    assert wizard.currentPage() is wizard.codebook
    with qtbot.waitSignal(wizard.sig_created, timeout=10_000) as created:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    project = created.args[0]
    assert project.name == "Climate plans"
    assert project.variable_count == 7
    assert project.status is ProjectStatus.SCHEMA_DEFINED
    codebook = run(service.get_codebook(project.id))
    assert codebook.project == ProjectContext(
        name="Climate plans", description="Plans adopted by city councils.", domain="Public policy"
    )


def test_a_failed_creation_keeps_the_wizard_open_and_filled(qtbot, service, runner, run) -> None:
    run(service.create_project(ProjectContext(name="Taken")))
    wizard = make_wizard(qtbot, service, runner)  # opened before the other project existed
    wizard.basics.name_edit.setText("Taken")
    wizard.next()
    wizard.next()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    box = wait_for_message(qtbot)
    assert "already exists" in box.text()
    assert wizard.isVisible()
    assert wizard.basics.name_edit.text() == "Taken"
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    box.close()
