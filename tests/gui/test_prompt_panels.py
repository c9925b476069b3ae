"""The Codebook page's prompt panels: the preview (the same text as `coderai prompt show`, what a call costs,
a trial on a document that stores nothing) and the history of prompt versions with their diff."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from coderai_desktop.domain.codebook import Codebook, ProjectContext
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.domain.provider import ExtractionMode, ProviderKind, ProviderSettings
from coderai_desktop.persistence.tables import Extraction, JobItem, ProcessingJob
from coderai_desktop.pipeline.prompt_lab import PromptLab, TestResult, render_previews
from coderai_desktop.projects.codebook_file import read_codebook_file
from coderai_desktop.resources_path import resource
from coderai_desktop.ui.variables.prompt_history import NEW_BACKGROUND, NEW_WORDS, PromptHistoryPanel
from coderai_desktop.ui.variables.prompt_preview import (
    COL_CONFIDENCE,
    COL_FLAGS,
    COL_PAGE,
    COL_QUOTE,
    COL_VALUE,
    COL_VARIABLE,
    NO_DOCUMENT,
    PromptPreviewPanel,
)
from coderai_desktop.ui.widgets.branding import stylesheet
from tests.fakes.openai_server import FakeOpenAI
from tests.gui.conftest import VARIABLES

SIZE = (1000, 720)


@pytest.fixture
def lab(context, alice) -> PromptLab:
    return PromptLab(
        context.database, alice, context.jobs(alice), context.providers(alice), context.documents(alice)
    )


@pytest.fixture
def preview(qtbot: Any, lab: PromptLab, context, alice, runner) -> PromptPreviewPanel:
    panel = PromptPreviewPanel(lab, context.documents(alice), runner)
    qtbot.addWidget(panel)
    panel.resize(*SIZE)
    panel.show()
    return panel


@pytest.fixture
def history(qtbot: Any, lab: PromptLab, runner) -> PromptHistoryPanel:
    panel = PromptHistoryPanel(lab, runner)
    qtbot.addWidget(panel)
    panel.resize(*SIZE)
    panel.show()
    return panel


def stored_rows(context) -> list[int]:
    with context.database.transaction() as session:
        return [
            session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in (Extraction, ProcessingJob, JobItem)
        ]


def shown(qtbot: Any, panel: PromptPreviewPanel, project: ProjectSummary, runner) -> None:
    panel.set_project(project)
    qtbot.waitUntil(lambda: panel.document_combo.count() > 1 and not runner.busy, timeout=10_000)


def choose(panel: PromptPreviewPanel, file_name: str) -> None:
    panel.document_combo.setCurrentIndex(panel.document_combo.findText(file_name))


def test_the_preview_shows_what_prompt_show_prints_and_what_a_call_costs(
    qtbot, preview: PromptPreviewPanel, plans_project: ProjectSummary, runner, context, alice, run
) -> None:
    shown(qtbot, preview, plans_project, runner)
    jobs = context.jobs(alice)

    assert preview.document_combo.itemText(0) == NO_DOCUMENT
    assert [preview.document_combo.itemText(i) for i in range(1, 7)] == [f"plan_{n}.txt" for n in range(6)]
    expected = render_previews(run(jobs.preview(plans_project.id))).rstrip("\n")
    assert preview.messages_view.toPlainText() == expected
    assert "<document>\n{document}\n</document>" in expected
    assert preview.messages_view.isReadOnly()
    assert (
        preview.schema_view.toPlainText().startswith("{\n  ")
        and '"budget"' in preview.schema_view.toPlainText()
    )
    assert preview.cost_label.text().startswith("About ")
    assert (
        "input tokens + the document, up to 520 output tokens per call (fake-model); the provider"
        in preview.cost_label.text()
    )
    assert not preview.test_button.isEnabled(), "nothing to test without a document"

    choose(preview, "plan_3.txt")
    document_id = preview.document_id
    qtbot.waitUntil(lambda: "Green Plan 3" in preview.messages_view.toPlainText(), timeout=10_000)
    with_document = render_previews(run(jobs.preview(plans_project.id, None, document_id))).rstrip("\n")
    assert preview.messages_view.toPlainText() == with_document
    assert "+ the document" not in preview.cost_label.text()
    assert preview.test_button.isEnabled()

    settings = run(context.providers(alice).settings())
    run(context.providers(alice).save_workspace_settings(settings.overridden({"mode": "per-variable"})))
    preview.set_variable("budget")
    qtbot.waitUntil(lambda: "=== per-variable:budget" in preview.messages_view.toPlainText(), timeout=10_000)
    assert preview.messages_view.toPlainText().count("=== ") == 1
    cursor = preview.messages_view.textCursor()
    assert cursor.block().text().startswith("## budget (number)"), "its codebook entry in view"
    view = preview.messages_view
    assert cursor.blockNumber() > 0 and 0 <= view.cursorRect().top() < view.viewport().height(), "in view"
    assert "per call" in preview.cost_label.text()
    preview.set_variable(None)
    qtbot.waitUntil(lambda: preview.messages_view.toPlainText().count("=== ") == 2, timeout=10_000)
    assert "for the 2 calls of a document" in preview.cost_label.text()


def test_a_trial_on_a_document_shows_its_values_and_stores_nothing(
    qtbot, preview: PromptPreviewPanel, plans_project, runner, context, llm_server: FakeOpenAI
) -> None:
    shown(qtbot, preview, plans_project, runner)
    choose(preview, "plan_4.txt")
    before = stored_rows(context)

    with qtbot.waitSignal(preview.sig_tested, timeout=10_000) as tested:
        preview.test_button.click()
        assert not preview.test_button.isEnabled()

    result: TestResult = tested.args[0]
    assert len(llm_server.requests) == 1 == result.calls
    model = preview.result_model
    cells = [
        [
            model.index(row, column).data()
            for column in (COL_VARIABLE, COL_VALUE, COL_CONFIDENCE, COL_QUOTE, COL_PAGE)
        ]
        for row in range(model.rowCount())
    ]
    assert cells == [
        ["title", "Green Plan 4", "0.90", "found", "1"],
        ["budget", "4500", "0.90", "found", "1"],
    ]
    assert model.index(0, COL_FLAGS).data() == ""
    assert preview.result_box.isVisible() and preview.result_box.title() == "Test on plan_4.txt"
    label = preview.result_label.text()
    assert label.startswith("2 values · 1 call to fake-model: ") and label.endswith("Nothing was stored.")
    assert preview.test_button.isEnabled()
    assert stored_rows(context) == before == [0, 0, 0]


def test_a_trial_that_fails_says_why_in_the_panel(
    qtbot, preview: PromptPreviewPanel, plans_project, runner, context, alice, run
) -> None:
    run(context.secrets.set_api_key(alice.workspace_id, "compatible", "sk-wrong"))
    shown(qtbot, preview, plans_project, runner)
    choose(preview, "plan_1.txt")

    preview.test_button.click()
    qtbot.waitUntil(lambda: preview.result_error.isVisible(), timeout=10_000)

    assert "key" in preview.result_error.text().lower()
    assert preview.result_label.text() == "The test failed; nothing was stored."
    assert preview.result_model.rowCount() == 0 and preview.test_button.isEnabled()
    assert stored_rows(context) == [0, 0, 0]


def test_the_history_lists_versions_and_highlights_the_changed_line(
    qtbot, history: PromptHistoryPanel, plans_project, runner, context, alice, run, lab
) -> None:
    run(lab.preview_text(plans_project.id))  # version 1
    changed = [
        spec.model_copy(update={"instructions": "The total budget in euros over the plan's whole period."})
        if spec.name == "budget"
        else spec
        for spec in VARIABLES
    ]
    run(context.projects(alice).save_codebook(plans_project.id, Codebook(variables=changed)))

    history.set_project(plans_project)
    qtbot.waitUntil(lambda: history.model.rowCount() == 2, timeout=10_000)

    rows = [[history.model.index(r, c).data() for c in range(7)] for r in range(2)]
    assert [row[:3] for row in rows] == [["grouped:1", "2", "edited"], ["grouped:1", "1", "created"]]
    assert [row[6] for row in rows] == ["active", ""]
    assert rows[0][5] == "fake-model, temperature 0.15"
    assert history.old_combo.currentText() == "grouped:1 v1 (created)"
    assert history.new_combo.currentText() == "grouped:1 v2 (edited, active)"
    changed_rows = [row for row in history.diff_rows if row[0] != "equal"]
    assert len(changed_rows) == 1 and "whole period" in changed_rows[0][2]
    assert history.diff_label.text().startswith("1 line changed, 0 lines added, 0 lines removed.")
    page = history.diff_view.toHtml()
    assert NEW_BACKGROUND in page and NEW_WORDS in page
    assert "whole period" in history.diff_view.toPlainText()
    assert "unchanged lines" in history.diff_view.toPlainText(), "the long unchanged part is folded"

    history.whole_check.setChecked(True)
    assert "unchanged lines" not in history.diff_view.toPlainText()
    history.table.selectRow(1)  # the first version: nothing before it
    assert "nothing to compare with" in history.diff_label.text()
    history.set_variable("nothing-by-this-name")
    assert history.model.rowCount() == 0 and "No prompt versions yet" in history.count_label.text()


def test_screenshots_of_both_panels(
    qtbot, preview, history, context, alice, run, runner, llm_server: FakeOpenAI, tmp_path: Path
) -> None:
    """The demo codebook in both panels, saved as PNGs (to $CODERAI_SCREENSHOTS when set)."""
    codebook = read_codebook_file(resource("demo", "codebook.yaml"))
    assert codebook.project is not None
    project = run(context.projects(alice).create_project(codebook.project, codebook.variables))
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "lyon_climate_plan_2022.txt").write_text(
        "Plan Climat de Lyon\nplan_title: Lyon Climate Plan 2030\nadoption_date: 2022-03\n"
        "emission_target_percent: 55\nhas_net_zero_goal: yes\nnet_zero_year: 2050\nsectors: energy\n"
        "sectors: transport\nprimary_instrument: investment\n",
        encoding="utf-8",
    )
    run(context.documents(alice).import_paths(project.id, [folder]))
    settings = ProviderSettings(
        kind=ProviderKind.COMPATIBLE,
        base_url=llm_server.base_url,
        model="gpt-4o-mini",
        mode=ExtractionMode.GROUPED,
        price_input_per_million=0.15,
        price_output_per_million=0.6,
    )
    llm_server.models = ("gpt-4o-mini",)
    run(context.providers(alice).save_workspace_settings(settings))
    run(context.secrets.set_api_key(alice.workspace_id, "compatible", "sk-test"))
    run(context.projects(alice).save_codebook(project.id, codebook))
    for panel in (preview, history):
        panel.setStyleSheet(stylesheet())

    shown(qtbot, preview, project, runner)
    choose(preview, "lyon_climate_plan_2022.txt")
    preview.set_variable("emission_target_percent")
    with qtbot.waitSignal(preview.sig_tested, timeout=10_000):
        preview.test_button.click()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)

    changed = codebook.model_copy(
        update={
            "variables": [
                v.model_copy(update={"instructions": f"{v.instructions} Ignore sector-only targets."})
                if v.name == "emission_target_percent"
                else v
                for v in codebook.variables
            ]
        }
    )
    run(context.projects(alice).save_codebook(project.id, changed))
    history.set_project(project)
    history.set_variable("emission_target_percent")
    qtbot.waitUntil(lambda: history.model.rowCount() == 2, timeout=10_000)

    folder_out = Path(os.environ.get("CODERAI_SCREENSHOTS") or tmp_path)
    folder_out.mkdir(parents=True, exist_ok=True)
    for name, panel in (("prompt_preview", preview), ("prompt_history", history)):
        qtbot.wait(50)
        assert panel.grab().save(str(folder_out / f"{name}.png"))


def test_a_project_without_a_codebook_says_so_and_none_clears_the_panels(
    qtbot, preview: PromptPreviewPanel, history: PromptHistoryPanel, context, alice, run, runner
) -> None:
    empty = run(context.projects(alice).create_project(ProjectContext(name="Empty")))

    preview.set_project(empty)
    history.set_project(empty)
    qtbot.waitUntil(lambda: preview.error_label.isVisible() and not runner.busy, timeout=10_000)

    assert "has no variables yet" in preview.error_label.text()
    assert preview.messages_view.toPlainText() == "" and not preview.test_button.isEnabled()
    assert history.model.rowCount() == 0 and "No prompt versions yet" in history.count_label.text()

    preview.set_project(None)
    history.set_project(None)
    assert preview.document_combo.count() == 1 and preview.cost_label.text() == ""
    assert not preview.error_label.isVisible() and not preview.test_button.isEnabled()
