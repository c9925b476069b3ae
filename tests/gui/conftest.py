"""GUI fixtures: a qasync loop that runs inside pytest-qt's waits, and helpers to drive async services."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.domain.provider import ProviderKind, ProviderSettings
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.ui_state import UiState
from tests.conftest import PASSWORD
from tests.fakes.openai_server import FakeOpenAI

T = TypeVar("T")
DOCUMENTS = 6
VARIABLES = [
    VariableSpec(name="title", type="text", instructions="The plan's title."),
    VariableSpec(name="budget", type="number", instructions="The budget in euros."),
]
Run = Callable[[Coroutine[Any, Any, T]], T]


@pytest.fixture
def qt_loop(qapp: QApplication, qtbot: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop marked as running, so tasks advance whenever qtbot processes Qt events."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    threads = ThreadPoolExecutor(thread_name_prefix="test-to-thread")  # asyncio.to_thread's, joined below
    loop.set_default_executor(threads)
    asyncio.set_event_loop(loop)
    yield loop
    settle(loop, qtbot)
    threads.shutdown(wait=True)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


def settle(loop: asyncio.AbstractEventLoop, qtbot: Any, rounds: int = 50) -> None:
    """Cancel what a test left running and let it end while the loop is still current: a task that finished
    has its callbacks queued as Qt events, which would otherwise run after the loop is gone (a finished
    project list selecting a project, which starts a task with no loop to take it)."""
    for _ in range(rounds):
        qtbot.wait(5)  # queued callbacks run, and may start tasks of their own
        tasks = asyncio.all_tasks(loop)
        if not tasks:
            return
        for task in tasks:
            task.cancel()


@pytest.fixture
def run(qtbot: Any, qt_loop: asyncio.AbstractEventLoop) -> Run[Any]:
    """Run a coroutine to completion on the Qt loop (as a test step) and return its result."""

    def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
        task = qt_loop.create_task(coroutine)
        qtbot.waitUntil(task.done, timeout=10_000)
        return task.result()

    return run_coroutine


@pytest.fixture
def runner(qt_loop: asyncio.AbstractEventLoop) -> TaskRunner:
    return TaskRunner()


@pytest.fixture
def ui_state(context: AppContext) -> UiState:
    return UiState(context.settings.ui_state_file)


@pytest.fixture
def alice(context: AppContext, run: Run[UserSession]) -> UserSession:
    return run(context.accounts.create_account("alice", PASSWORD))


@pytest.fixture
def llm_server() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server on 127.0.0.1 that reads answers off `NAME: VALUE` lines."""
    with FakeOpenAI(latency=0.05) as fake:
        yield fake


@pytest.fixture
def plans_project(
    context: AppContext, alice: UserSession, run: Run[Any], llm_server: FakeOpenAI, tmp_path: Path
) -> ProjectSummary:
    """Alice's project 'Plans': two variables, DOCUMENTS ready text files, the fake server as provider."""
    folder = tmp_path / "plans"
    folder.mkdir()
    for number in range(DOCUMENTS):
        (folder / f"plan_{number}.txt").write_text(
            f"Plan {number}.\ntitle: Green Plan {number}\nbudget: {number},500 EUR\n", encoding="utf-8"
        )
    created = run(context.projects(alice).create_project(ProjectContext(name="Plans"), VARIABLES))
    run(context.documents(alice).import_paths(created.id, [folder]))
    settings = ProviderSettings(
        kind=ProviderKind.COMPATIBLE,
        base_url=llm_server.base_url,
        model="fake-model",
        concurrency=1,
        pack_token_budget=0,  # one call per document, as the tests count them
    )
    run(context.providers(alice).save_workspace_settings(settings))
    run(context.secrets.set_api_key(alice.workspace_id, "compatible", "sk-test"))
    return created


def message_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


@pytest.fixture(autouse=True)
def no_message_left_open() -> Iterator[None]:
    """A message a test left open is closed after it, so the next test does not find it as its own."""
    yield
    for box in message_boxes():
        box.close()


def wait_for_message(qtbot: Any) -> QMessageBox:
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=10_000)
    return message_boxes()[-1]


def click_button(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    button.click()


def visible(kind: type[QWidget]) -> list[Any]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
