"""Unexpected errors (a bug, not bad input): log them with the traceback and tell the person plainly."""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtWidgets import QApplication

from coderai_desktop.logging_setup import redact
from coderai_desktop.ui.widgets.messages import show_error

logger = logging.getLogger(__name__)


def install_excepthook(log_file: Path, loop: asyncio.AbstractEventLoop) -> None:
    """Route sys.excepthook (where qasync sends slot exceptions) and asyncio's handler to one report."""

    def report(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        logger.critical("Unexpected error", exc_info=(kind, error, trace))
        details = redact("".join(traceback.format_exception(kind, error, trace)))
        show_error(
            QApplication.activeWindow(),
            "Unexpected error",
            f"Something went wrong: {redact(str(error)) or kind.__name__}\n\n"
            f"Your saved work is safe. The details were written to the log file:\n{log_file}",
            details,
        )

    def asyncio_handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if error is None:
            logger.error("asyncio: %s", context.get("message"))
            return
        report(type(error), error, error.__traceback__)

    sys.excepthook = report
    loop.set_exception_handler(asyncio_handler)
