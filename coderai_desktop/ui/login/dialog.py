"""The first window: log in to this computer's accounts (or create one: each has its own workspace), or to
a lab database as a member."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.auth.credentials import MIN_PASSWORD_LENGTH
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.ui.login.lab_form import LabForm
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.ui_state import LabPlace
from coderai_desktop.ui.widgets.branding import app_icon, heading

if TYPE_CHECKING:
    from coderai_desktop.auth.accounts import AccountService
    from coderai_desktop.ui.login.lab_access import LabAccess, LabLogin, LabSession

LOG_IN, CREATE = 0, 1


class LoginDialog(QDialog):
    sig_logged_in = Signal(object)
    """Emitted with the UserSession once the login (or the new account) on this computer is accepted."""

    sig_lab_logged_in = Signal(object)
    """Emitted with the LabSession once a member logged in to a lab database."""

    sig_place_changed = Signal(bool)
    """The person chose a lab database (True) or this computer (False)."""

    def __init__(
        self,
        accounts: AccountService | asyncio.Future[AccountService],
        runner: TaskRunner,
        last_login: str = "",
        parent: QWidget | None = None,
        *,
        lab: LabAccess | None = None,
        last_lab: LabPlace | None = None,
        lab_mode: bool = False,
    ):
        super().__init__(parent)
        self._accounts = accounts
        self._runner = runner
        self._lab = lab
        self.setWindowTitle("CoderAI Desktop")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(500)

        self.local_radio = QRadioButton("This computer")
        self.local_radio.setToolTip("Accounts and projects in this computer's data folder")
        self.lab_radio = QRadioButton("Lab database")
        self.lab_radio.setToolTip("Your lab's PostgreSQL server, shared with the other members")
        places = QButtonGroup(self)
        places.addButton(self.local_radio)
        places.addButton(self.lab_radio)
        place_row = QHBoxLayout()
        place_row.addWidget(QLabel("Projects on:"))
        place_row.addWidget(self.local_radio)
        place_row.addWidget(self.lab_radio)
        place_row.addStretch()
        self.place_choice = QWidget()
        self.place_choice.setLayout(place_row)
        place_row.setContentsMargins(0, 0, 0, 4)
        self.place_choice.setVisible(lab is not None)

        self.local_page = QWidget()
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
        form = QFormLayout()
        form.addRow("Login name:", self.login_edit)
        form.addRow("Password:", self.password_edit)
        form.addRow(self.confirm_label, self.confirm_edit)
        local_layout = QVBoxLayout(self.local_page)
        local_layout.setContentsMargins(0, 0, 0, 0)
        local_layout.addWidget(self.mode_tabs)
        local_layout.addLayout(form)
        local_layout.addWidget(self.hint_label)

        self.lab_form = LabForm()
        self.lab_form.set_place(last_lab or LabPlace())
        self.lab_form.sig_test_requested.connect(self._test_lab)
        self.lab_form.sig_member_entered.connect(self._fill_saved_password)

        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox()
        self.submit_button = self.buttons.addButton("Log in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit_button.setObjectName("primary")
        self.submit_button.setDefault(True)
        self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("CoderAI Desktop", "Turn documents into a research dataset."))
        layout.addWidget(self.place_choice)
        layout.addWidget(self.local_page)
        layout.addWidget(self.lab_form)
        layout.addWidget(self.error_label)
        layout.addStretch()
        layout.addWidget(self.buttons)
        self._mode_changed(LOG_IN)
        (self.lab_radio if lab is not None and lab_mode else self.local_radio).setChecked(True)
        self._show_place()
        self.local_radio.toggled.connect(self._place_toggled)
        self._fill_saved_password()

    @property
    def creating(self) -> bool:
        return self.in_lab is False and self.mode_tabs.currentIndex() == CREATE

    @property
    def in_lab(self) -> bool:
        return self.lab_radio.isChecked()

    def _place_toggled(self) -> None:
        self._show_place()
        self.sig_place_changed.emit(self.in_lab)

    def _show_place(self) -> None:
        self.local_page.setVisible(not self.in_lab)
        self.lab_form.setVisible(self.in_lab)
        self.error_label.hide()
        self._update_submit_label()
        self._fit()
        if self.in_lab:
            self.lab_form.first_empty().setFocus()
        else:
            (self.password_edit if self.login_edit.text() else self.login_edit).setFocus()

    def _mode_changed(self, mode: int) -> None:
        creating = mode == CREATE
        for widget in (self.confirm_label, self.confirm_edit, self.hint_label):
            widget.setVisible(creating)
        self._update_submit_label()
        self.error_label.hide()
        self._fit()

    # -- this computer ------------------------------------------------------------------------------------

    def _submit(self) -> None:
        if self.in_lab:
            self._submit_lab()
            return
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

    # -- a lab database ---------------------------------------------------------------------------------

    def _lab_login(self) -> LabLogin | None:
        """What is typed, or None (and a word on what is missing)."""
        from coderai_desktop.ui.login.lab_access import LabLogin

        if not self.lab_form.complete():
            self._show_error("Enter the server, the database, your member name and your password.")
            self.lab_form.first_empty().setFocus()
            return None
        form = self.lab_form
        return LabLogin(form.place(), form.password_edit.text(), form.remember_box.isChecked())

    def _submit_lab(self) -> None:
        assert self._lab is not None, "the lab choice shows only with a LabAccess"
        if (login := self._lab_login()) is None:
            return
        self._set_busy(True)
        self.lab_form.clear_test_result()
        self._runner.run(
            self._lab.open(login), on_success=self._lab_accepted, on_failure=self._failed, name="login"
        )

    def _lab_accepted(self, session: LabSession) -> None:
        self._set_busy(False)
        self.sig_lab_logged_in.emit(session)
        self.accept()

    def _test_lab(self) -> None:
        assert self._lab is not None
        if (login := self._lab_login()) is None:
            return
        self.error_label.hide()
        self._set_busy(True, "Testing…")
        place = login.place
        self._runner.run(
            self._lab.test(login),
            on_success=lambda member: self._tested(
                f"Connected: {place.database} on {place.host} knows you as {member}.", ok=True
            ),
            on_failure=self._test_failed,
            name="login",
        )

    def _tested(self, text: str, ok: bool) -> None:
        self._set_busy(False)
        self.lab_form.show_test_result(text, ok)
        self._fit()

    def _test_failed(self, error: BaseException) -> None:
        if not isinstance(error, CoderAIError):
            self._set_busy(False)
            self._runner.report_failure(self, "The connection test failed", error)
            return
        self._tested(str(error), ok=False)

    def _fill_saved_password(self) -> None:
        """The password remembered for this server, database and member, when one is and none is typed."""
        place, form = self.lab_form.place(), self.lab_form
        if self._lab is None or not (place.host and place.database and place.member):
            return
        if form.password_edit.text():
            return
        self._runner.run(
            self._lab.saved_password(place),
            on_success=lambda password: self._saved_password(place, password),
            on_failure=lambda _error: None,  # no keyring: the password is typed, as without one
            name="login-keyring",
        )

    def _saved_password(self, place: LabPlace, password: str | None) -> None:
        form = self.lab_form
        if password and place == form.place() and not form.password_edit.text():
            form.password_edit.setText(password)
            form.remember_box.setChecked(True)

    # -- both ----------------------------------------------------------------------------------------------

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(error, CoderAIError):
            self._runner.report_failure(self, "Login failed", error)
            return
        self._show_error(str(error))
        password = self.lab_form.password_edit if self.in_lab else self.password_edit
        password.clear()
        self.confirm_edit.clear()
        password.setFocus()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self._fit()

    def _fit(self) -> None:
        """As tall as what is shown now needs (an error, the other form), as wide as it is."""
        layout = self.layout()
        if layout is None or not self.isVisible():  # not laid out at its size yet: its preferred size
            self.adjustSize()
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        self.resize(self.width(), max(needed, layout.totalMinimumSize().height()))

    def _set_busy(self, busy: bool, label: str = "Checking…") -> None:
        inputs: list[QWidget] = [self.place_choice, self.mode_tabs, self.login_edit, self.password_edit]
        for widget in [*inputs, self.confirm_edit, self.buttons, *self.lab_form.inputs()]:
            widget.setEnabled(not busy)
        if busy:
            self.error_label.hide()
            self.submit_button.setText(label)
        else:
            self._update_submit_label()

    def _update_submit_label(self) -> None:
        self.submit_button.setText("Create account" if self.creating else "Log in")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape while a check runs would close the dialog under the running task.
        if event.key() == Qt.Key.Key_Escape and self._runner.busy:
            return
        super().keyPressEvent(event)
