"""Runs outlive the window: closing during a run pauses it, and the next login offers to resume it."""

from __future__ import annotations

from typing import Any

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.pipeline.runner import APP_CLOSED
from coderai_desktop.ui.main_window import MainWindow
from tests.fakes.openai_server import FakeOpenAI
from tests.gui.conftest import DOCUMENTS, click_button, message_boxes, wait_for_message


def open_window(qtbot: Any, context, alice, runner, ui_state) -> MainWindow:
    window = MainWindow(context, alice, runner, ui_state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.project is not None and not runner.busy, timeout=10_000)
    return window


def start_run(qtbot: Any, window: MainWindow) -> None:
    window.go_to_page("run")
    window.run_page.full_radio.setChecked(True)
    window.run_page.start_button.click()
    qtbot.waitUntil(lambda: window.run_page.progress_bar.value() >= 1, timeout=10_000)


def test_closing_during_a_run_asks_then_pauses_it(
    qtbot, context, alice, runner, ui_state, run, plans_project, llm_server: FakeOpenAI
) -> None:
    llm_server.latency = 0.3
    window = open_window(qtbot, context, alice, runner, ui_state)
    start_run(qtbot, window)
    closed: list[bool] = []
    window.sig_closed.connect(lambda: closed.append(True))

    window.close()
    click_button(wait_for_message(qtbot), "Keep running")
    assert window.isVisible() and window.run_page.busy and not closed

    window.close()
    box = wait_for_message(qtbot)
    assert "next time you log in you can resume it" in box.text()
    click_button(box, "Pause and quit")
    qtbot.waitUntil(lambda: bool(closed), timeout=10_000)
    qtbot.waitUntil(lambda: not window.run_page.busy, timeout=10_000)
    job = run(context.jobs(alice).jobs(plans_project.id))[0]
    assert job.status is JobStatus.PAUSED and job.pause_reason == APP_CLOSED
    assert 0 < job.documents_processed < DOCUMENTS


def test_the_next_login_offers_to_resume_and_finishes_the_run(
    qtbot, context, alice, runner, ui_state, run, plans_project, llm_server: FakeOpenAI
) -> None:
    jobs = context.jobs(alice)
    job = run(jobs.start(plans_project.id))
    run(jobs.pause(job.id, APP_CLOSED))
    window = open_window(qtbot, context, alice, runner, ui_state)
    window.offer_resume()
    box = wait_for_message(qtbot)
    assert f"Plans: run {job.id}, 0 of {DOCUMENTS} documents coded. {APP_CLOSED}" in box.text()
    click_button(box, "Resume")
    assert window.tabs.currentWidget() is window.run_page
    qtbot.waitUntil(lambda: window.run_page.busy, timeout=10_000)
    qtbot.waitUntil(lambda: not window.run_page.busy, timeout=30_000)
    finished = run(jobs.get(job.id))
    assert (finished.status, finished.documents_processed) == (JobStatus.COMPLETED, DOCUMENTS)
    assert len(llm_server.requests) == DOCUMENTS


def test_nothing_is_offered_when_every_run_finished(
    qtbot, context, alice, runner, ui_state, run, plans_project
) -> None:
    jobs = context.jobs(alice)
    job = run(jobs.start(plans_project.id, sample=2))
    run(jobs.run(job.id))
    window = open_window(qtbot, context, alice, runner, ui_state)
    window.offer_resume()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    assert message_boxes() == []
