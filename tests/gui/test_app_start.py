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
from coderai_desktop.ui.ui_state import UiState
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
    opening = controller.opening
    assert opening is not None, "the login window asks for this computer's accounts"
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
    qtbot.waitUntil(controller.finished.done, timeout=20_000)
    assert controller.finished.result() == 1
    [text] = shown
    assert "is damaged" in text and "not a SQLite database" in text


def test_a_lab_login_window_leaves_this_computers_database_closed_until_asked_for(
    qtbot: Any, qt_loop: asyncio.AbstractEventLoop, settings: Settings, account: None
) -> None:
    state = UiState(settings.ui_state_file)
    state.lab_mode = True
    state.sync()
    controller = AppController(settings)
    controller.show_login()
    dialog = controller.login_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.in_lab and dialog.lab_form.isVisible() and not dialog.login_edit.isVisible()
    qtbot.wait(100)
    assert controller.opening is None and controller.context is None

    dialog.local_radio.click()  # this computer's accounts are asked for: its database opens
    assert controller.opening is not None
    qtbot.waitUntil(lambda: controller.context is not None, timeout=20_000)
    dialog.login_edit.setText("alice")
    dialog.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(dialog.sig_logged_in, timeout=10_000):
        dialog.submit_button.click()
    window = controller.window
    assert window is not None
    qtbot.addWidget(window)
    assert not UiState(settings.ui_state_file).lab_mode, "the next start offers this computer again"
    window.close()
    qtbot.waitUntil(controller.finished.done, timeout=10_000)
    controller.close()
