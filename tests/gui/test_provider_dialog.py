"""The provider dialog: workspace settings, a project's overrides, and 'Test connection' in plain words."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.domain.provider import ExtractionMode, ProviderKind, StructuredOutput
from coderai_desktop.ui.settings.provider_dialog import AUTOMATIC, ProviderDialog
from tests.fakes.openai_server import LLAMA_CPP, FakeOpenAI


def open_dialog(qtbot: Any, context, alice, runner, project: ProjectSummary | None = None) -> ProviderDialog:
    target = (project.id, project.name) if project is not None else None
    dialog = ProviderDialog(context.providers(alice), runner, target)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    return dialog


def test_workspace_settings_are_shown_and_saved(qtbot, context, alice, runner, run, plans_project) -> None:
    dialog = open_dialog(qtbot, context, alice, runner)
    assert not dialog.use_workspace.isVisible()
    assert dialog.selected_kind() is ProviderKind.COMPATIBLE
    assert dialog.model_edit.text() == "fake-model"
    assert dialog.rpm.text() == "no limit"
    dialog.model_edit.setText("llama3.1:8b")
    dialog.rpm.setValue(60)
    dialog.price_in.setValue(0.15)
    dialog.mode.setCurrentIndex(dialog.mode.findData(ExtractionMode.PER_VARIABLE))
    with qtbot.waitSignal(dialog.sig_saved, timeout=10_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    saved = run(context.providers(alice).settings())
    assert (saved.model, saved.requests_per_minute, saved.price_input_per_million) == (
        "llama3.1:8b",
        60,
        0.15,
    )
    assert saved.mode is ExtractionMode.PER_VARIABLE


def test_azure_fields_show_only_for_azure(qtbot, context, alice, runner, plans_project) -> None:
    dialog = open_dialog(qtbot, context, alice, runner)
    assert not dialog.form.isRowVisible(dialog.azure_endpoint)
    assert dialog.form.isRowVisible(dialog.base_url)
    dialog.kind.setCurrentIndex(dialog.kind.findData(ProviderKind.AZURE))
    assert dialog.form.isRowVisible(dialog.azure_deployment)
    assert not dialog.form.isRowVisible(dialog.base_url)


def test_a_project_keeps_only_what_it_overrides(qtbot, context, alice, runner, run, plans_project) -> None:
    dialog = open_dialog(qtbot, context, alice, runner, plans_project)
    assert dialog.use_workspace.isChecked()
    assert not dialog.model_edit.isEnabled()
    dialog.use_workspace.setChecked(False)
    assert dialog.model_edit.isEnabled()
    dialog.concurrency.setValue(3)
    dialog.budget.setValue(50_000)
    with qtbot.waitSignal(dialog.sig_saved, timeout=10_000) as saved:
        dialog.save()
    providers = context.providers(alice)
    assert run(providers.project_overrides(plans_project.id)) == {"concurrency": 3, "token_budget": 50_000}
    assert saved.args[0].concurrency == 3
    assert run(providers.settings()).concurrency == 1  # the workspace is untouched

    again = open_dialog(qtbot, context, alice, runner, plans_project)
    assert not again.use_workspace.isChecked() and again.concurrency.value() == 3
    again.use_workspace.setChecked(True)
    with qtbot.waitSignal(again.sig_saved, timeout=10_000):
        again.save()
    assert run(providers.project_overrides(plans_project.id)) == {}


def test_test_connection_reports_what_works(qtbot, context, alice, runner, plans_project) -> None:
    dialog = open_dialog(qtbot, context, alice, runner)
    assert dialog.output.currentData() == AUTOMATIC
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=20_000)
    lines = dialog.result_label.text().splitlines()
    assert lines == [
        "✔ The server answered as model 'fake-model', with the key given.",
        "✔ This server accepts a strict JSON schema; runs will use it.",
        "✔ System messages reach the model.",
        "Save to keep it.",
    ]
    assert dialog.output.currentData() == StructuredOutput.JSON_SCHEMA
    assert dialog.system.currentData() == "kept"


def test_the_form_a_llama_cpp_server_takes_is_shown_and_saved(
    qtbot, context, alice, runner, run, plans_project, llm_server: FakeOpenAI
) -> None:
    llm_server.dialect = LLAMA_CPP
    dialog = open_dialog(qtbot, context, alice, runner)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=20_000)

    assert "accepts a JSON object constrained by a schema (llama.cpp style)" in dialog.result_label.text()
    assert "drops system messages: the instructions will be sent in the user message" in (
        dialog.result_label.text()
    )
    assert dialog.output.currentText() == "JSON object constrained by a schema (llama.cpp)"
    assert dialog.system.currentText().startswith("Sent in the user message")
    unsaved = run(context.providers(alice).settings())
    assert unsaved.structured_output is unsaved.system_messages is None, "not before Save"
    with qtbot.waitSignal(dialog.sig_saved, timeout=10_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    saved = run(context.providers(alice).settings())
    assert (saved.structured_output, saved.system_messages) == (StructuredOutput.JSON_OBJECT_SCHEMA, False)

    again = open_dialog(qtbot, context, alice, runner)
    assert again.output.currentData() == StructuredOutput.JSON_OBJECT_SCHEMA
    assert again.system.currentData() == "in-user-message"
    qtbot.keyClicks(again.base_url, "/")  # another server: what was found no longer holds
    assert (again.output.currentData(), again.system.currentData()) == (AUTOMATIC, "auto")


@pytest.mark.parametrize(
    "change",
    [
        lambda dialog, qtbot: qtbot.keyClicks(dialog.model_edit, "-large"),
        lambda dialog, qtbot: dialog.kind.activated.emit(dialog.kind.findData(ProviderKind.OPENAI)),
    ],
    ids=["model", "kind"],
)
def test_where_system_messages_go_is_chosen_by_hand_and_forgotten_with_the_server(
    qtbot, context, alice, runner, run, plans_project, change
) -> None:
    dialog = open_dialog(qtbot, context, alice, runner)
    assert dialog.system.currentData() == "auto"
    dialog.system.setCurrentIndex(dialog.system.findData("in-user-message"))
    with qtbot.waitSignal(dialog.sig_saved, timeout=10_000):
        dialog.save()
    assert run(context.providers(alice).settings()).system_messages is False

    again = open_dialog(qtbot, context, alice, runner)
    assert again.system.currentData() == "in-user-message"
    change(again, qtbot)
    assert again.system.currentData() == "auto"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda dialog, server: dialog.model_edit.setText("no-such-model"), "no-such-model"),
        (lambda dialog, server: server.stop(), "reach"),
    ],
    ids=["unknown model", "server down"],
)
def test_test_connection_says_what_is_wrong(
    qtbot, context, alice, runner, plans_project, llm_server: FakeOpenAI, change, words
) -> None:
    dialog = open_dialog(qtbot, context, alice, runner)
    dialog.timeout.setValue(5)
    change(dialog, llm_server)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=30_000)
    assert "✘" in dialog.result_label.text()
    assert words in dialog.result_label.text()


def test_a_refused_key_is_named(qtbot, context, alice, runner, run, plans_project) -> None:
    run(context.secrets.set_api_key(alice.workspace_id, "compatible", "sk-wrong"))
    dialog = open_dialog(qtbot, context, alice, runner)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=20_000)
    assert dialog.result_label.text().startswith("✘")
    assert "key" in dialog.result_label.text().lower()
