"""What a window says about a background task and what it shows change together: by the time anything can
see the task done, the page has taken down its progress, and `busy` is the last thing to change; and what
went wrong is said in plain words when it can be (a full disk), not as a traceback."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path
from typing import Any

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.persistence.storage_errors import storage_problem
from coderai_desktop.ui.documents.page import DocumentsPage
from coderai_desktop.ui.tasks import TaskRunner
from tests.gui.conftest import wait_for_message


def test_a_task_ends_in_one_step_for_whoever_watches_it(
    qtbot: Any, qt_loop: asyncio.AbstractEventLoop
) -> None:
    runner = TaskRunner()
    seen: list[tuple[str, bool]] = []

    async def work() -> int:
        await asyncio.sleep(0.01)
        return 7

    runner.run(
        work(),
        on_ended=lambda task: seen.append(("ended", runner.busy)),
        on_success=lambda value: seen.append((f"success {value}", runner.busy)),
    )
    qtbot.waitUntil(lambda: not runner.busy, timeout=5_000)

    assert seen == [("ended", True), ("success 7", True)], "busy changes last"


def test_a_cancelled_task_still_ends(qtbot: Any, qt_loop: asyncio.AbstractEventLoop) -> None:
    runner = TaskRunner()
    ended: list[bool] = []
    task = runner.run(asyncio.sleep(30), on_ended=lambda done: ended.append(done.cancelled()))
    qtbot.wait(10)
    task.cancel()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5_000)
    assert ended == [True]


def test_the_documents_page_is_never_seen_done_with_its_progress_showing(
    qtbot: Any, context, alice, runner, run, tmp_path: Path
) -> None:
    project = run(context.projects(alice).create_project(ProjectContext(name="Corpus")))
    page = DocumentsPage(context.documents(alice), runner)
    qtbot.addWidget(page)
    page.show()
    page.show_project(project)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    folder = tmp_path / "notes"
    folder.mkdir()
    for number in range(6):
        (folder / f"note{number}.txt").write_text(f"Note {number} about the budget.", encoding="utf-8")
    observed: list[tuple[bool, bool]] = []

    def watch() -> bool:
        observed.append((page.importing, page.progress_row.isVisible()))
        return not page.importing

    page.import_paths([folder])
    qtbot.waitUntil(watch, timeout=60_000)

    assert observed[-1] == (False, False)
    assert all(importing == shown for importing, shown in observed), "what it says is what it shows"


def test_a_full_disk_met_by_a_task_is_a_message_not_a_traceback(
    qtbot: Any, qt_loop: asyncio.AbstractEventLoop, tmp_path: Path, monkeypatch: Any
) -> None:
    hooked: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, trace: hooked.append(error))
    runner = TaskRunner(explain=lambda error: storage_problem(error, tmp_path))

    async def save() -> None:
        full = sqlite3.OperationalError("database or disk is full")
        full.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
        raise full

    runner.run(save(), error_title="The project cannot be saved")
    box = wait_for_message(qtbot)
    shown = box.text() + box.informativeText()
    box.close()
    assert "is full: the last change was not saved" in shown
    assert hooked == []
