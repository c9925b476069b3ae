"""Start-up order: the login window is up before the database has opened, and a login typed in the
meantime waits for it instead of failing."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.ui import app as gui
from coderai_desktop.ui.app import AppController
from tests.conftest import PASSWORD


@pytest.fixture
def account(settings: Settings, run: Any) -> None:
    context = AppContext.open(settings)
    run(context.accounts.create_account("alice", PASSWORD))
    context.close()


def test_a_login_typed_before_the_database_opens_waits_for_it(
    qtbot: Any, qt_loop: asyncio.AbstractEventLoop, settings: Settings, account: None, monkeypatch: Any
) -> None:
    database_may_open = threading.Event()
    real_open = AppContext.open

    def slow_open(settings: Settings) -> AppContext:
        database_may_open.wait(10)
        return real_open(settings)

    monkeypatch.setattr(AppContext, "open", staticmethod(slow_open))
    controller = AppController(settings)
    controller.show_login()
    dialog = controller.login_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    opening = qt_loop.create_task(controller.open_database())
    dialog.login_edit.setText("alice")
    dialog.password_edit.setText(PASSWORD)
    dialog.submit_button.click()
    qtbot.wait(50)
    assert controller.context is None, "the database is still opening"
    assert dialog.isVisible() and not dialog.submit_button.isEnabled(), "the login is waiting"

    database_may_open.set()
    qtbot.waitUntil(lambda: controller.window is not None, timeout=20_000)
    window = controller.window
    assert window is not None
    qtbot.addWidget(window)
    assert not dialog.isVisible()
    qtbot.waitUntil(opening.done)
    window.close()
    qtbot.waitUntil(controller.finished.done, timeout=10_000)
    assert controller.context is not None
    controller.context.close()


def test_a_database_that_cannot_open_ends_the_app_with_the_reason(
    qtbot: Any, qt_loop: asyncio.AbstractEventLoop, settings: Settings, monkeypatch: Any
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(gui.QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "coderai.sqlite3").write_bytes(b"not a database at all" * 10)
    controller = AppController(settings)
    controller.show_login()
    assert controller.login_dialog is not None
    qtbot.addWidget(controller.login_dialog)
    qt_loop.create_task(controller.open_database())
    qtbot.waitUntil(controller.finished.done, timeout=20_000)
    assert controller.finished.result() == 1
    [text] = shown
    assert "is damaged" in text and "not a SQLite database" in text
