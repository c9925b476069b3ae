"""Entry point of the PyInstaller bundle: the same `coderai` command (no arguments opens the GUI).

For packaging/check_bundle.py only: with CODERAI_EXIT_AFTER_LOGIN_SHOWN=1, the login dialog is cancelled
as soon as the app logs that it is shown, so the GUI goes through its normal shutdown and exits 0 by itself.
The check runs the source the same way (`python packaging/launcher.py`) to compare start-up times.
"""

import logging
import multiprocessing
import os
import sys

from coderai_desktop.cli import main

LOGIN_SHOWN = "Login dialog shown"  # what coderai_desktop/ui/app.py logs right after showing the dialog
CANCEL_AFTER_MS = 200  # let the dialog be drawn once first


class CancelLoginWhenShown(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == LOGIN_SHOWN:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(CANCEL_AFTER_MS, cancel_login)


def cancel_login() -> None:
    from PySide6.QtWidgets import QApplication

    from coderai_desktop.ui.login.dialog import LoginDialog

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, LoginDialog) and widget.isVisible():
            widget.reject()  # as the Cancel button or closing the window: the app quits with status 0
            return
    logging.getLogger(__name__).error("%s was logged, but no login dialog is visible", LOGIN_SHOWN)


if __name__ == "__main__":
    multiprocessing.freeze_support()  # document readers run in spawned processes
    if os.environ.get("CODERAI_EXIT_AFTER_LOGIN_SHOWN") == "1":
        logging.getLogger("coderai_desktop.ui.app").addHandler(CancelLoginWhenShown())
    sys.exit(main())
