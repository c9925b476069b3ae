"""API keys, and the excepthook that turns a bug into a logged report and a plain message."""

from __future__ import annotations

import sys

import keyring
import pytest
from keyring.backends import fail

from coderai_desktop.ui.excepthook import install_excepthook
from coderai_desktop.ui.settings.api_keys_dialog import ApiKeysDialog
from tests.gui.conftest import wait_for_message

KEY = "sk-test-0123456789abcdefghijklmnop"


@pytest.fixture
def keys_dialog(qtbot, context, alice, runner) -> ApiKeysDialog:
    dialog = ApiKeysDialog(context.secrets, alice.workspace_id, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    return dialog


def test_a_key_is_saved_in_the_keyring_and_can_be_forgotten(qtbot, keys_dialog, isolated_environment) -> None:
    assert "No key is stored" in keys_dialog.status_label.text()
    assert not keys_dialog.save_button.isEnabled()
    keys_dialog.key_edit.setText(KEY)
    keys_dialog.save_button.click()
    qtbot.waitUntil(lambda: "saved in the system keyring" in keys_dialog.status_label.text(), timeout=10_000)
    assert keys_dialog.key_edit.text() == "", "the key does not linger in the form"
    assert KEY in isolated_environment.passwords.values()
    keys_dialog.forget_button.click()
    qtbot.waitUntil(lambda: "No key is stored" in keys_dialog.status_label.text(), timeout=10_000)
    assert isolated_environment.passwords == {}


def test_without_a_keyring_the_key_is_kept_for_the_session_and_it_says_so(
    qtbot, context, alice, runner
) -> None:
    keyring.set_keyring(fail.Keyring())
    dialog = ApiKeysDialog(context.secrets, alice.workspace_id, runner)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "No system keyring" in dialog.status_label.text(), timeout=10_000)
    dialog.key_edit.setText(KEY)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "kept in memory for this session" in dialog.status_label.text(), timeout=10_000)
    assert dialog.forget_button.isEnabled()


def test_an_unexpected_error_is_logged_and_shown_without_secrets(
    qtbot, context, qt_loop, monkeypatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_excepthook(context.log_file, qt_loop)
    try:
        raise RuntimeError(f"boom with api_key={KEY}")
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    box = wait_for_message(qtbot)
    assert "Something went wrong" in box.text()
    assert str(context.log_file) in box.text()
    assert KEY not in box.text() and KEY not in box.detailedText()
    assert "RuntimeError" in box.detailedText()
    box.close()
    log = context.log_file.read_text(encoding="utf-8")
    assert "Unexpected error" in log and "Traceback" in log
    assert KEY not in log


def test_a_failing_background_task_reaches_the_excepthook(qtbot, runner, monkeypatch) -> None:
    reported = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: reported.append(info[1]))

    async def broken() -> None:
        raise ValueError("bug")

    runner.run(broken())
    qtbot.waitUntil(lambda: bool(reported), timeout=10_000)
    assert isinstance(reported[0], ValueError)


def test_a_key_typed_in_the_gui_is_nowhere_in_the_data_folder(qtbot, keys_dialog, context, ui_state) -> None:
    keyring.set_keyring(fail.Keyring())  # the session-only path keeps the key in memory: still not on disk
    keys_dialog.key_edit.setText(KEY)
    keys_dialog.save_button.click()
    qtbot.waitUntil(lambda: "kept in memory" in keys_dialog.status_label.text(), timeout=10_000)
    ui_state.last_login = "alice"
    ui_state.sync()
    files = [path for path in context.settings.data_dir.rglob("*") if path.is_file()]
    assert any(path.name == "ui-state.ini" for path in files)
    assert any(path.name == "coderai.log" for path in files)
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
