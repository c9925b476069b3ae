"""The login dialog: create an account, log in, and the errors a person can meet on the way."""

from __future__ import annotations

from typing import Any

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.ui.login.dialog import CREATE, LoginDialog
from coderai_desktop.ui.tasks import TaskRunner
from tests.conftest import PASSWORD


def make_dialog(qtbot: Any, context: AppContext, runner: TaskRunner, last_login: str = "") -> LoginDialog:
    dialog = LoginDialog(context.accounts, runner, last_login)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill(dialog: LoginDialog, login: str, password: str, confirm: str | None = None) -> None:
    dialog.login_edit.setText(login)
    dialog.password_edit.setText(password)
    if confirm is not None:
        dialog.mode_tabs.setCurrentIndex(CREATE)
        dialog.confirm_edit.setText(confirm)


def test_creating_an_account_logs_in_to_its_new_workspace(qtbot, context, runner) -> None:
    dialog = make_dialog(qtbot, context, runner)
    fill(dialog, "Alice", PASSWORD, PASSWORD)
    assert dialog.submit_button.text() == "Create account"
    assert dialog.confirm_edit.isVisible()
    with qtbot.waitSignal(dialog.sig_logged_in, timeout=10_000) as signal:
        dialog.submit_button.click()
    user = signal.args[0]
    assert isinstance(user, UserSession)
    assert user.login == "alice"
    assert not dialog.isVisible()


def test_logging_in_with_the_right_password(qtbot, context, runner, alice) -> None:
    dialog = make_dialog(qtbot, context, runner, last_login="alice")
    assert dialog.login_edit.text() == "alice"
    dialog.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(dialog.sig_logged_in, timeout=10_000) as signal:
        dialog.submit_button.click()
    assert signal.args[0] == alice


def test_a_wrong_password_says_so_and_lets_the_person_try_again(qtbot, context, runner, alice) -> None:
    dialog = make_dialog(qtbot, context, runner)
    fill(dialog, "alice", "not the password")
    dialog.submit_button.click()
    assert not dialog.login_edit.isEnabled(), "the form is disabled while the password is checked"
    assert dialog.submit_button.text() == "Checking…"
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=10_000)
    assert "Wrong login name or password" in dialog.error_label.text()
    assert dialog.login_edit.isEnabled()
    assert dialog.password_edit.text() == "", "the wrong password is cleared"
    assert dialog.isVisible()


def test_passwords_that_differ_are_caught_before_anything_is_created(qtbot, context, runner) -> None:
    dialog = make_dialog(qtbot, context, runner)
    fill(dialog, "bob", PASSWORD, PASSWORD + "x")
    dialog.submit_button.click()
    assert "differ" in dialog.error_label.text()
    assert not runner.busy


def test_a_short_password_is_refused_with_the_rule(qtbot, context, runner) -> None:
    dialog = make_dialog(qtbot, context, runner)
    fill(dialog, "bob", "short", "short")
    dialog.submit_button.click()
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=10_000)
    assert "at least 8 characters" in dialog.error_label.text()


def test_a_taken_login_name_is_refused(qtbot, context, runner, alice) -> None:
    dialog = make_dialog(qtbot, context, runner)
    fill(dialog, "ALICE", PASSWORD, PASSWORD)
    dialog.submit_button.click()
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=10_000)
    assert "is taken" in dialog.error_label.text()


def test_empty_fields_are_asked_for(qtbot, context, runner) -> None:
    dialog = make_dialog(qtbot, context, runner)
    dialog.submit_button.click()
    assert "Enter your login name and password" in dialog.error_label.text()
