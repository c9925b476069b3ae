"""The first window: log in, or create an account (each account has its own workspace)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.auth.credentials import MIN_PASSWORD_LENGTH
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.branding import app_icon, heading

if TYPE_CHECKING:
    from coderai_desktop.auth.accounts import AccountService

LOG_IN, CREATE = 0, 1


class LoginDialog(QDialog):
    sig_logged_in = Signal(object)
    """Emitted with the UserSession once the login (or the new account) is accepted."""

    def __init__(
        self,
        accounts: AccountService | asyncio.Future[AccountService],
        runner: TaskRunner,
        last_login: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._accounts = accounts
        self._runner = runner
        self.setWindowTitle("CoderAI Desktop")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(440)

        self.mode_tabs = QTabBar()
        self.mode_tabs.addTab("Log in")
        self.mode_tabs.addTab("Create account")
        self.mode_tabs.setExpanding(False)
        self.mode_tabs.currentChanged.connect(self._mode_changed)

        self.login_edit = QLineEdit(last_login)
        self.login_edit.setPlaceholderText("e.g. alice")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_label = QLabel("Confirm password:")
        self.hint_label = QLabel(
            f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters. Each account has its own "
            "workspace: its projects are private to it."
        )
        self.hint_label.setObjectName("hint")
        self.hint_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout()
        form.addRow("Login name:", self.login_edit)
        form.addRow("Password:", self.password_edit)
        form.addRow(self.confirm_label, self.confirm_edit)

        self.buttons = QDialogButtonBox()
        self.submit_button = self.buttons.addButton("Log in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit_button.setObjectName("primary")
        self.submit_button.setDefault(True)
        self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("CoderAI Desktop", "Turn documents into a research dataset."))
        layout.addWidget(self.mode_tabs)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.error_label)
        layout.addStretch()
        layout.addWidget(self.buttons)
        self._mode_changed(LOG_IN)
        (self.password_edit if last_login else self.login_edit).setFocus()

    @property
    def creating(self) -> bool:
        return self.mode_tabs.currentIndex() == CREATE

    def _mode_changed(self, mode: int) -> None:
        creating = mode == CREATE
        for widget in (self.confirm_label, self.confirm_edit, self.hint_label):
            widget.setVisible(creating)
        self._update_submit_label()
        self.error_label.hide()
        self.adjustSize()

    def _submit(self) -> None:
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        if not login or not password:
            self._show_error("Enter your login name and password.")
            return
        if self.creating and password != self.confirm_edit.text():
            self._show_error("The two passwords differ. Type the same password twice.")
            return
        self._set_busy(True)
        work = self._log_in(login, password, creating=self.creating)
        self._runner.run(work, on_success=self._accepted, on_failure=self._failed, name="login")

    async def _log_in(self, login: str, password: str, *, creating: bool) -> UserSession:
        # The window shows before the database opens (ui/app.py): the accounts may still be on their way.
        accounts = await self._accounts if isinstance(self._accounts, asyncio.Future) else self._accounts
        if creating:
            return await accounts.create_account(login, password)
        return await accounts.login(login, password)

    def _accepted(self, user: UserSession) -> None:
        self._set_busy(False)
        self.sig_logged_in.emit(user)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(error, CoderAIError):
            self._runner.report_failure(self, "Login failed", error)
            return
        self._show_error(str(error))
        self.password_edit.clear()
        self.confirm_edit.clear()
        self.password_edit.setFocus()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.mode_tabs, self.login_edit, self.password_edit, self.confirm_edit, self.buttons):
            widget.setEnabled(not busy)
        if busy:
            self.error_label.hide()
            self.submit_button.setText("Checking…")
        else:
            self._update_submit_label()

    def _update_submit_label(self) -> None:
        self.submit_button.setText("Create account" if self.creating else "Log in")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape while a check runs would close the dialog under the running task.
        if event.key() == Qt.Key.Key_Escape and self._runner.busy:
            return
        super().keyPressEvent(event)
