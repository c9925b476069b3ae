"""The About box: version, where the data is, and the licences (PyMuPDF's AGPL binds the whole app)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop import __version__
from coderai_desktop.ui.widgets.branding import app_icon

LICENCES = (
    ("PyMuPDF / MuPDF", "GNU AGPL 3.0 (or Artifex commercial licence)"),
    ("Qt and PySide6", "GNU LGPL 3.0"),
    ("psycopg", "GNU LGPL 3.0"),
    ("SQLAlchemy, Alembic, pydantic, LangChain, openpyxl, keyring, platformdirs, PyYAML", "MIT"),
    ("python-docx, beautifulsoup4, argon2-cffi", "MIT"),
    ("qasync, pandas", "BSD"),
    ("tenacity", "Apache 2.0"),
)


def about_html(database: str, log_file: Path) -> str:
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(licence)}</td></tr>" for name, licence in LICENCES
    )
    return (
        f"<h2>CoderAI Desktop {__version__}</h2>"
        "<p>Turn a corpus of documents into a research dataset with LLMs, auditable like a team of "
        "trained human coders.</p>"
        "<p><b>Licence.</b> CoderAI Desktop is free software under the GNU Affero General Public Licence, "
        "version 3 or later, because it includes PyMuPDF, which is AGPL-licensed. You may use, study, share "
        "and change it; if you distribute it or offer it over a network, you must offer its source code "
        "under the same licence. It comes with no warranty.</p>"
        f"<p><b>Built with</b> Qt for Python {escape(pyside_version)} and:</p>"
        f"<table cellpadding='3'>{rows}</table>"
        f"<p><b>Data:</b> {escape(database)}<br><b>Log file:</b> {escape(str(log_file))}</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, database: str, log_file: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About CoderAI Desktop")
        self.resize(620, 560)
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(72, 72))
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.text.setHtml(about_html(database, log_file))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(icon, alignment=Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, stretch=1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
