"""The Run page offers the provider's batch service where there is one, shows what a batch run waits for,
and the app polls a batch run again when it starts."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.provider import ProviderKind, ProviderSettings
from coderai_desktop.llm.batch_api import NO_BATCH_API
from coderai_desktop.pipeline import batch_jobs
from coderai_desktop.pipeline.runner import APP_CLOSED
from coderai_desktop.ui.main_window import MainWindow
from tests.fakes.openai_server import FakeOpenAI
from tests.gui.conftest import DOCUMENTS, message_boxes
from tests.gui.test_unfinished_runs import open_window


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_jobs, "POLL_SECONDS", 0.05)


def use_openai(run: Any, context: Any, alice: Any, server: FakeOpenAI) -> None:
    settings = ProviderSettings(kind=ProviderKind.OPENAI, base_url=server.base_url, model="fake-model")
    run(context.providers(alice).save_workspace_settings(settings))
    run(context.secrets.set_api_key(alice.workspace_id, "openai", "sk-test"))


def test_a_local_server_has_no_batch_choice_and_says_why(
    qtbot, context, alice, runner, ui_state, plans_project
) -> None:
    window = open_window(qtbot, context, alice, runner, ui_state)
    window.go_to_page("run")
    qtbot.waitUntil(lambda: "Model fake-model" in window.run_page.provider_label.text(), timeout=10_000)
    choice = window.run_page.batch_choice
    assert not choice.isEnabled() and not choice.chosen
    assert choice.toolTip() == NO_BATCH_API


def test_a_batch_run_from_the_run_page_says_what_it_waits_for_then_finishes(
    qtbot, context, alice, runner, ui_state, run, plans_project, llm_server: FakeOpenAI
) -> None:
    use_openai(run, context, alice, llm_server)
    llm_server.batches.hold = True
    window = open_window(qtbot, context, alice, runner, ui_state)
    window.go_to_page("run")
    page = window.run_page
    qtbot.waitUntil(page.batch_choice.isEnabled, timeout=10_000)

    page.full_radio.setChecked(True)
    page.batch_choice.setChecked(True)
    page.start_button.click()

    waiting = f"1 batch part at the provider: 0 of {DOCUMENTS} requests answered"
    qtbot.waitUntil(lambda: page.note_label.text() == waiting and page.note_label.isVisible(), timeout=10_000)
    assert page.busy and llm_server.requests == []
    llm_server.batches.finish()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)
    [job] = run(context.jobs(alice).jobs(plans_project.id))
    assert (job.batch, job.status, job.documents_processed) == (True, JobStatus.COMPLETED, DOCUMENTS)
    assert not page.note_label.isVisible()


def test_the_app_polls_a_batch_run_again_when_it_starts_without_asking(
    qtbot, context, alice, runner, ui_state, run, plans_project, llm_server: FakeOpenAI
) -> None:
    use_openai(run, context, alice, llm_server)
    jobs = context.jobs(alice)
    job = run(jobs.start(plans_project.id, batch=True))
    run(jobs.pause(job.id, APP_CLOSED))  # as closing the app mid-run leaves it

    window: MainWindow = open_window(qtbot, context, alice, runner, ui_state)
    window.offer_resume()

    qtbot.waitUntil(lambda: window.run_page.busy, timeout=10_000)
    assert message_boxes() == []
    qtbot.waitUntil(lambda: not window.run_page.busy, timeout=20_000)
    finished = run(jobs.get(job.id))
    assert (finished.status, finished.documents_processed) == (JobStatus.COMPLETED, DOCUMENTS)
    assert len(llm_server.batches.created) == 1 and llm_server.requests == []
