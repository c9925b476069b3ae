"""The Run page: estimate, start, follow, pause, resume and cancel a run against a real HTTP fake llm_server;
a run going on in another process, with the workers coding it, and (on a lab's PostgreSQL database) the
button that helps with it."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.engine import Database, create_engine
from coderai_desktop.pipeline.jobs import JobService
from coderai_desktop.ui.run.page import RunPage
from coderai_desktop.ui.run.workers_row import SQLITE_REASON
from tests.fakes.openai_server import FakeOpenAI
from tests.gui.conftest import DOCUMENTS, click_button, wait_for_message
from tests.integration.conftest import postgres_url  # noqa: F401 (a fixture of the PostgreSQL tests)

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


# --- a run in another process, and its workers ------------------------------------------------------

ELSEWHERE = f"process {os.getpid()} on this computer (alice)"


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """A SQLite file, or (parametrised "postgres") a fresh PostgreSQL database."""
    url = str(request.getfixturevalue("postgres_url")) if getattr(request, "param", "") == "postgres" else ""
    return Settings(data_dir=tmp_path / "data", db_url=url, login_failure_delay=0.01)


@pytest.fixture
def elsewhere(context: AppContext, alice: UserSession) -> Iterator[JobService]:
    """The jobs of another process of the app (a terminal, another computer): its own engine."""
    database = Database(create_engine(context.settings.database_url))
    providers = ProviderService(database, alice, context.secrets)
    yield JobService(
        database,
        alice,
        context.settings,
        providers,
        DocumentService(database, alice, context.settings, context.parsers),
    )
    database.close()


def run_elsewhere(
    qtbot: Any, qt_loop: asyncio.AbstractEventLoop, run: Any, elsewhere: JobService, project: ProjectSummary
) -> asyncio.Task[Any]:
    """Start a run in the other process, and wait until it is at work."""
    job = run(elsewhere.start(project.id, sample=DOCUMENTS))
    task = qt_loop.create_task(elsewhere.run(job.id))
    qtbot.waitUntil(lambda: bool(run(elsewhere.get(job.id)).workers), timeout=10_000)
    return task


def test_a_run_in_another_process_shows_its_worker_and_cannot_be_helped_on_sqlite(
    qtbot, page: RunPage, elsewhere: JobService, qt_loop, run, plans_project, llm_server: FakeOpenAI
) -> None:
    llm_server.latency = 0.4
    running = run_elsewhere(qtbot, qt_loop, run, elsewhere, plans_project)
    page.refresh_jobs()

    qtbot.waitUntil(lambda: page.workers_row.isVisible(), timeout=10_000)
    assert page.workers_row.label.text().startswith(f"Coded by 1 worker: {ELSEWHERE}, ")
    assert not page.workers_row.help_button.isEnabled()
    assert page.workers_row.help_button.toolTip() == SQLITE_REASON
    assert page.pause_button.isEnabled() and not page.resume_button.isEnabled()
    # The shared progress, read from the database while the other process codes.
    qtbot.waitUntil(
        lambda: re.match(r"[1-5] of 6 coded", page.counters_label.text()) is not None, timeout=10_000
    )

    page.pause_button.click()
    qtbot.waitUntil(running.done, timeout=10_000)
    page.refresh_jobs()
    qtbot.waitUntil(
        lambda: not page.workers_row.isVisible() and page.resume_button.isEnabled(), timeout=10_000
    )
    assert running.result().status is JobStatus.PAUSED


@pytest.mark.postgres
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_helping_with_a_run_in_another_process_codes_it_together(
    qtbot, page: RunPage, elsewhere: JobService, qt_loop, run, plans_project, llm_server: FakeOpenAI
) -> None:
    llm_server.latency = 0.4
    running = run_elsewhere(qtbot, qt_loop, run, elsewhere, plans_project)
    page.refresh_jobs()
    qtbot.waitUntil(lambda: page.workers_row.help_button.isEnabled(), timeout=10_000)
    assert page.workers_row.label.text().startswith(f"Coded by 1 worker: {ELSEWHERE}, ")

    page.workers_row.help_button.click()
    qtbot.waitUntil(lambda: page.busy, timeout=10_000)
    qtbot.waitUntil(lambda: page.workers_row.label.text().startswith("Coded by 2 workers: "), timeout=10_000)
    assert not page.workers_row.help_button.isEnabled(), "this window is one of them already"

    qtbot.waitUntil(lambda: running.done() and not page.busy, timeout=30_000)
    page.refresh_jobs()
    qtbot.waitUntil(lambda: page.jobs_model.rows()[0].status is JobStatus.COMPLETED, timeout=10_000)
    job = page.jobs_model.rows()[0]
    assert (job.documents_processed, job.documents_failed, job.workers) == (DOCUMENTS, 0, ())
    assert running.result().status is JobStatus.COMPLETED
    assert not page.workers_row.isVisible()
    assert len(llm_server.requests) == DOCUMENTS, "each document coded once, by one of the two"
