"""The Run page: estimate, start, follow, pause, resume and cancel a run against a real HTTP fake llm_server."""

from __future__ import annotations

import re
from typing import Any

import pytest

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ui.run.page import RunPage
from tests.fakes.openai_server import FakeOpenAI
from tests.gui.conftest import DOCUMENTS, click_button, wait_for_message

ACTIVE = (JobStatus.PENDING, JobStatus.RUNNING)


@pytest.fixture
def page(qtbot: Any, context, alice, runner, plans_project: ProjectSummary) -> RunPage:
    widget = RunPage(context.jobs(alice), context.providers(alice), runner)
    qtbot.addWidget(widget)
    widget.resize(1000, 760)
    widget.show()
    widget.show_project(plans_project)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    return widget


def wait_until_stopped(qtbot: Any, page: RunPage) -> None:
    """The run is over and the page has shown its end (the jobs list and log reloaded)."""
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)
    qtbot.waitUntil(
        lambda: page.jobs_model.rowCount() > 0 and page.jobs_model.rows()[0].status not in ACTIVE,
        timeout=10_000,
    )


def test_the_estimate_and_the_provider_are_shown_before_a_run(
    qtbot, page: RunPage, llm_server: FakeOpenAI
) -> None:
    assert f"Model fake-model at {llm_server.base_url} · up to 1 calls at once" == page.provider_label.text()
    page.sample_size.setValue(4)
    qtbot.waitUntil(lambda: page.estimate_label.text().startswith("4 documents · 4 calls"), timeout=10_000)
    page.full_radio.setChecked(True)
    qtbot.waitUntil(lambda: page.estimate_label.text().startswith("6 documents · 6 calls"), timeout=10_000)
    assert "time assumed until a first run is measured" in page.estimate_label.text()
    assert page.start_button.isEnabled()
    assert not any(b.isEnabled() for b in (page.pause_button, page.resume_button, page.cancel_button))


def test_the_estimate_says_what_packing_short_documents_saves(
    qtbot, page: RunPage, context, alice, run, llm_server: FakeOpenAI
) -> None:
    packing = run(context.providers(alice).settings()).model_copy(update={"pack_token_budget": 4000})
    run(context.providers(alice).save_workspace_settings(packing))
    page.full_radio.setChecked(True)
    page.refresh_estimate()

    qtbot.waitUntil(lambda: page.estimate_label.text().startswith("6 documents · 1 call "), timeout=10_000)
    assert "6.0 documents per call. Without packing: 6 calls, about" in page.estimate_label.text()


def test_a_sample_run_codes_documents_and_shows_its_log(qtbot, page: RunPage, context, alice, run) -> None:
    page.sample_size.setValue(3)
    qtbot.waitUntil(lambda: "3 documents · 3 calls" in page.estimate_label.text(), timeout=10_000)
    page.start_button.click()
    qtbot.waitUntil(lambda: page.busy, timeout=10_000)
    assert not page.start_button.isEnabled()
    wait_until_stopped(qtbot, page)
    qtbot.waitUntil(lambda: page.jobs_model.rowCount() == 1, timeout=10_000)
    job = page.jobs_model.rows()[0]
    assert (job.status, job.documents_processed, job.documents_failed) == (JobStatus.COMPLETED, 3, 0)
    assert page.counters_label.text().startswith("3 of 3 coded")
    assert "completed" in page.status_label.text()
    qtbot.waitUntil(lambda: "finished  3 coded, 0 failed" in page.log_view.toPlainText(), timeout=10_000)
    assert len(re.findall(r"coded +plan_", page.log_view.toPlainText())) == 3
    assert "started   sample run: 3 of 3 documents to code" in page.log_view.toPlainText()
    table = run(context.exports(alice).table("Plans"))
    assert len(table.rows) == 3
    assert all(row["title"].startswith("Green Plan") for row in table.records())
    assert page.start_button.isEnabled() and not page.resume_button.isEnabled()


def test_a_paused_run_resumes_without_coding_a_document_twice(
    qtbot, page: RunPage, llm_server: FakeOpenAI, context, alice, run
) -> None:
    llm_server.latency = 0.3
    page.full_radio.setChecked(True)
    page.start_button.click()
    qtbot.waitUntil(lambda: page.busy and page.pause_button.isEnabled(), timeout=10_000)
    qtbot.waitUntil(lambda: page.progress_bar.value() >= 1, timeout=10_000)
    page.pause_button.click()
    wait_until_stopped(qtbot, page)
    qtbot.waitUntil(lambda: page.note_label.text() == "Paused by you.", timeout=10_000)
    assert page.note_label.isVisible()
    assert page.resume_button.isEnabled() and page.cancel_button.isEnabled()
    assert not page.start_button.isEnabled()
    assert "Resume or cancel" in page.start_button.toolTip()
    paused = page.jobs_model.rows()[0]
    assert paused.status is JobStatus.PAUSED and 0 < paused.documents_processed < DOCUMENTS

    llm_server.latency = 0.0
    page.resume_button.click()
    wait_until_stopped(qtbot, page)
    qtbot.waitUntil(lambda: page.jobs_model.rows()[0].status is JobStatus.COMPLETED, timeout=10_000)
    assert page.jobs_model.rows()[0].documents_processed == DOCUMENTS
    table = run(context.exports(alice).table("Plans"))
    assert sorted(row["document"] for row in table.records()) == [f"plan_{n}.txt" for n in range(DOCUMENTS)]
    assert len(llm_server.requests) == DOCUMENTS  # one grouped call per document, none repeated on resuming


def test_cancelling_asks_first_and_keeps_what_was_coded(qtbot, page: RunPage, llm_server: FakeOpenAI) -> None:
    llm_server.latency = 0.3
    page.full_radio.setChecked(True)
    page.start_button.click()
    qtbot.waitUntil(lambda: page.progress_bar.value() >= 1, timeout=10_000)
    page.cancel_button.click()
    box = wait_for_message(qtbot)
    assert "keep their results" in box.text()
    click_button(box, "Keep the run")
    assert page.busy
    page.cancel_button.click()
    click_button(wait_for_message(qtbot), "Cancel run")
    wait_until_stopped(qtbot, page)
    qtbot.waitUntil(lambda: page.jobs_model.rows()[0].status is JobStatus.CANCELLED, timeout=10_000)
    cancelled = page.jobs_model.rows()[0]
    assert 1 <= cancelled.documents_processed < DOCUMENTS
    assert not page.cancel_button.isEnabled() and not page.resume_button.isEnabled()
    assert page.start_button.isEnabled()


def test_a_refused_key_pauses_the_run_with_what_to_do(qtbot, page: RunPage, context, alice, run) -> None:
    run(context.secrets.set_api_key(alice.workspace_id, "compatible", "sk-wrong"))
    page.full_radio.setChecked(True)
    page.start_button.click()
    wait_until_stopped(qtbot, page)
    qtbot.waitUntil(lambda: page.note_label.isVisible(), timeout=10_000)
    assert "key" in page.note_label.text().lower()
    job = page.jobs_model.rows()[0]
    assert job.status is JobStatus.PAUSED and job.documents_processed == 0
    assert page.resume_button.isEnabled()
