"""GUI fixtures: a qasync loop that runs inside pytest-qt's waits, and helpers to drive async services."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.ui_state import UiState
from tests.conftest import PASSWORD

T = TypeVar("T")
Run = Callable[[Coroutine[Any, Any, T]], T]


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop marked as running, so tasks advance whenever qtbot processes Qt events."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    threads = ThreadPoolExecutor(thread_name_prefix="test-to-thread")  # asyncio.to_thread's, joined below
    loop.set_default_executor(threads)
    asyncio.set_event_loop(loop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    threads.shutdown(wait=True)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


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


def message_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def wait_for_message(qtbot: Any) -> QMessageBox:
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=10_000)
    return message_boxes()[-1]


def click_button(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    button.click()


def visible(kind: type[QWidget]) -> list[Any]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
