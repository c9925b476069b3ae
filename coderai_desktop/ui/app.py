"""Start the GUI: Qt application, qasync loop, migrations before any window, then login -> main window."""

from __future__ import annotations

import asyncio
import logging
import sys

import qasync
from PySide6.QtWidgets import QApplication, QMessageBox

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import APP_NAME, Settings
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.ui.excepthook import install_excepthook
from coderai_desktop.ui.login.dialog import LoginDialog
from coderai_desktop.ui.main_window import MainWindow
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.ui_state import UiState
from coderai_desktop.ui.widgets.branding import app_icon, stylesheet

logger = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 10.0


class AppController:
    """Login, main window, log out, log in again... until the person quits."""

    def __init__(self, context: AppContext):
        self.context = context
        self.runner = TaskRunner(explain=context.storage_problem)
        self.state = UiState(context.settings.ui_state_file)
        self.finished: asyncio.Future[int] = asyncio.get_event_loop().create_future()
        self.login_dialog: LoginDialog | None = None
        self.window: MainWindow | None = None
        self.shutting_down: asyncio.Future[None] | None = None

    def show_login(self) -> None:
        self.login_dialog = LoginDialog(self.context.accounts, self.runner, self.state.last_login)
        self.login_dialog.sig_logged_in.connect(self.show_main_window)
        self.login_dialog.rejected.connect(lambda: self.quit(0))
        self.login_dialog.show()
        logger.info("Login dialog shown")

    def show_main_window(self, user: UserSession) -> None:
        self.state.last_login = user.login
        self.window = MainWindow(self.context, user, self.runner, self.state)
        self.window.sig_logout.connect(self.show_login)
        self.window.sig_closed.connect(lambda: self.quit(0))
        self.window.show()
        self.window.offer_resume()

    def quit(self, status: int) -> None:
        self.shutting_down = asyncio.ensure_future(self._shut_down(status))

    async def _shut_down(self, status: int) -> None:
        # Cancelled runs record themselves as paused on the way out: wait for that before the loop stops.
        if tasks := self.runner.cancel_all():
            await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS)
        if not self.finished.done():
            self.finished.set_result(status)


def run_gui(settings: Settings) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)  # the controller quits, after running work has wound down
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    app.setStyleSheet(stylesheet())
    try:
        context = AppContext.open(settings)
    except CoderAIError as error:
        QMessageBox.critical(None, "CoderAI Desktop cannot start", str(error))
        return 1
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    install_excepthook(context.log_file, loop)
    try:
        with loop:
            controller = AppController(context)
            controller.show_login()
            return loop.run_until_complete(controller.finished)
    finally:
        context.close()
        logger.info("GUI closed")
