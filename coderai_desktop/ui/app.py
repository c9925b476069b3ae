"""Start the GUI: the login window first, this computer's database opened behind it (imports, migrations and
the daily copy take most of start-up), then login -> main window. A member logging in to a lab database
gets that database instead (this computer's is opened only if its accounts are asked for), closed again at
log out."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TYPE_CHECKING, Any

import qasync
from PySide6.QtWidgets import QApplication, QMessageBox

from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import APP_NAME, Settings
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.logging_setup import configure_logging
from coderai_desktop.ui.excepthook import install_excepthook
from coderai_desktop.ui.login.dialog import LoginDialog
from coderai_desktop.ui.login.lab_access import LabAccess
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.ui_state import UiState
from coderai_desktop.ui.widgets.branding import app_icon, stylesheet

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext
    from coderai_desktop.auth.accounts import AccountService
    from coderai_desktop.ui.login.lab_access import LabSession
    from coderai_desktop.ui.main_window import MainWindow

logger = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 10.0


class AppController:
    """Login, main window, log out, log in again... until the person quits."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.context: AppContext | None = None  # this computer's database (opened when the login offers it)
        self.lab_context: AppContext | None = None  # a lab's database, while a member is logged in to it
        self.runner = TaskRunner(explain=self._storage_problem)
        self.state = UiState(settings.ui_state_file)
        loop = asyncio.get_event_loop()
        self.finished: asyncio.Future[int] = loop.create_future()
        self.accounts: asyncio.Future[AccountService] = loop.create_future()  # the login waits for them
        self.opening: asyncio.Task[None] | None = None
        self.closing: asyncio.Task[None] | None = None
        self.login_dialog: LoginDialog | None = None
        self.window: MainWindow | None = None
        self.shutting_down: asyncio.Future[None] | None = None
        self.lab = LabAccess(settings)

    def open_local(self) -> None:
        """Open this computer's database behind the login window (once): its accounts are asked for."""
        if self.opening is None:
            self.opening = asyncio.ensure_future(self.open_database())

    async def open_database(self) -> None:
        """Open the data folder behind the login window; a database that cannot be opened ends the app."""
        from coderai_desktop.app_context import AppContext

        try:
            self.context = await asyncio.to_thread(AppContext.open, self.settings)
        except CoderAIError as error:
            QMessageBox.critical(self.login_dialog, "CoderAI Desktop cannot start", str(error))
            self.quit(1)
            return
        self.accounts.set_result(self.context.accounts)
        logger.info("Database open behind the login dialog")

    def _storage_problem(self, error: BaseException) -> CoderAIError | None:
        from coderai_desktop.app_context import explain_storage_error

        return explain_storage_error(self.settings, error)

    def show_login(self) -> None:
        self.login_dialog = LoginDialog(
            self.accounts,
            self.runner,
            self.state.last_login,
            lab=self.lab,
            last_lab=self.state.last_lab,
            lab_mode=self.state.lab_mode,
        )
        self.login_dialog.sig_logged_in.connect(self.show_main_window)
        self.login_dialog.sig_lab_logged_in.connect(self.show_lab_window)
        self.login_dialog.sig_place_changed.connect(self._place_changed)
        self.login_dialog.rejected.connect(lambda: self.quit(0))
        self.login_dialog.show()
        if not self.login_dialog.in_lab:
            self.open_local()
        logger.info("Login dialog shown")

    def _place_changed(self, lab: bool) -> None:
        if not lab:
            self.open_local()

    def show_main_window(self, user: UserSession) -> None:
        assert self.context is not None, "a login means the database is open"
        self.state.lab_mode = False
        self.state.last_login = user.login
        self._show_window(self.context, user)

    def show_lab_window(self, session: LabSession) -> None:
        """A member logged in to a lab: its database (never this computer's accounts) behind the window."""
        self.lab_context = session.context
        self.state.lab_mode = True
        self.state.last_lab = session.place
        self._show_window(session.context, session.user, session.location)

    def _show_window(self, context: AppContext, user: UserSession, location: str | None = None) -> None:
        # The pages bring LangChain, OpenAI and pandas: imported after login, not before the login window.
        from coderai_desktop.app_context import freeze_imports
        from coderai_desktop.ui.main_window import MainWindow

        freeze_imports("main window")
        self.window = MainWindow(context, user, self.runner, self.state, location)
        self.window.sig_logout.connect(self.logged_out)
        self.window.sig_closed.connect(lambda: self.quit(0))
        self.window.show()
        self.window.offer_resume()

    def logged_out(self) -> None:
        if self.lab_context is not None:
            # The window's runs pause on their way out: the lab's database closes after them.
            context, self.lab_context = self.lab_context, None
            self.closing = asyncio.ensure_future(self._close_lab(context, self.runner.cancel_all()))
        self.show_login()

    async def _close_lab(self, context: AppContext, tasks: list[asyncio.Task[Any]]) -> None:
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS)
        context.close()
        configure_logging(self.settings.log_dir, self.settings.log_level)  # closing it closed the log file

    def quit(self, status: int) -> None:
        self.shutting_down = asyncio.ensure_future(self._shut_down(status))

    async def _shut_down(self, status: int) -> None:
        # Cancelled runs record themselves as paused on the way out: wait for that before the loop stops.
        if tasks := self.runner.cancel_all():
            await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS)
        if not self.finished.done():
            self.finished.set_result(status)

    def close(self) -> None:
        """Close the databases still open (the app ends)."""
        for context in (self.lab_context, self.context):
            if context is not None:
                context.close()


def run_gui(settings: Settings) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication), "the GUI needs widgets, not a core application"
    app.setApplicationName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)  # the controller quits, after running work has wound down
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    app.setStyleSheet(stylesheet())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    install_excepthook(configure_logging(settings.log_dir, settings.log_level), loop)
    controller = AppController(settings)
    try:
        with loop:
            controller.show_login()
            status = loop.run_until_complete(controller.finished)
            # A quit while a database opens (or a lab's closes) waits for it, to close it.
            for pending in (controller.opening, controller.closing):
                if pending is not None:
                    loop.run_until_complete(pending)
            return status
    finally:
        controller.close()
        logger.info("GUI closed")
