"""The first window drawn without a screen, for `coderai --self-test`: Qt's platform plugin, the style
sheet, the icons and the fonts of this installation at work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from coderai_desktop.ui.login.dialog import LoginDialog
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.branding import stylesheet

if TYPE_CHECKING:
    from coderai_desktop.auth.accounts import AccountService


@dataclass(frozen=True)
class Painted:
    platform: str
    width: int
    height: int
    shades: int  # distinct grey levels in the picture: 1 means nothing was drawn


def paint_login_dialog(accounts: AccountService) -> Painted:
    # -platform wins over QT_QPA_PLATFORM: offscreen even where a display (or a wrong setting) exists.
    app = QApplication.instance() or QApplication(["coderai", "-platform", "offscreen"])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    dialog = LoginDialog(accounts, TaskRunner())
    try:
        dialog.show()
        app.processEvents()
        image = dialog.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    finally:
        dialog.close()
        dialog.deleteLater()
    return Painted(app.platformName(), image.width(), image.height(), _shades(image))


def _shades(image: QImage) -> int:
    width = image.width()  # each line is padded beyond it
    lines = (cast(memoryview, image.constScanLine(row))[:width] for row in range(image.height()))
    return len(set().union(*lines))
