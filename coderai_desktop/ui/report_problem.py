"""Help > Report a problem: the problem report's files and summary, shown before anything is saved, then
a zip saved where the person chooses (and its folder opened, if they like). Nothing is sent anywhere."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.config import Settings
from coderai_desktop.diagnostics import (
    SUMMARY_NAME,
    ProblemReport,
    build_report,
    default_report_name,
    workspace_provider,
)
from coderai_desktop.formatting import file_size
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.branding import heading
from coderai_desktop.ui.widgets.messages import ask

if TYPE_CHECKING:
    from coderai_desktop.llm.provider_service import ProviderService

EXPLANATION = (
    "Save a zip file to send to whoever helps you with CoderAI Desktop. It holds the recent logs, the "
    "versions of the app and its libraries, your provider settings and the state of the database. API keys "
    "and passwords are masked, and nothing is sent automatically: read what it holds below."
)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class ReportProblemDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        providers: ProviderService,
        login: str,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._settings = settings
        self._runner = runner
        self.report: ProblemReport | None = None
        self.setWindowTitle("Report a problem")
        self.resize(760, 640)
        self.files = QTreeWidget()
        self.files.setHeaderLabels(["File", "Size"])
        self.files.setRootIsDecorated(False)
        self.files.setMaximumHeight(130)  # the summary and up to six logs
        self.files.header().setStretchLastSection(False)
        self.files.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.files.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.files.headerItem().setTextAlignment(1, RIGHT)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.summary.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.summary.setPlaceholderText("Collecting…")
        self.status_label = QLabel()
        self.status_label.setObjectName("hint")
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton("Save Zip…")
        self.save_button.setObjectName("primary")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Report a problem", EXPLANATION))
        layout.addWidget(_section("Files in the zip"))
        layout.addWidget(self.files)
        layout.addWidget(_section(f"Summary ({SUMMARY_NAME})"))
        layout.addWidget(self.summary, stretch=1)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)
        self._runner.run(
            self._build(providers, login),
            on_success=self._show,
            error_title="The problem report cannot be made",
            parent=self,
            name="problem-report",
        )

    async def _build(self, providers: ProviderService, login: str) -> ProblemReport:
        provider = await workspace_provider(providers, login)
        return await asyncio.to_thread(build_report, self._settings, provider)

    def _show(self, report: ProblemReport) -> None:
        self.report = report
        for name, content in report.files.items():
            item = QTreeWidgetItem([name, file_size(len(content))])
            item.setTextAlignment(1, RIGHT)
            self.files.addTopLevelItem(item)
        self.summary.setPlainText(report.summary)
        self.save_button.setEnabled(True)

    def save(self) -> None:
        report = self.report
        if report is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name, _filter = QFileDialog.getSaveFileName(
            self,
            "Save the problem report",
            str(Path(folder or Path.home()) / default_report_name()),
            "Zip files (*.zip)",
        )
        if not name:
            return
        self._runner.run(
            asyncio.to_thread(report.save, Path(name)),
            on_success=self._saved,
            error_title="The problem report cannot be saved",
            parent=self,
        )

    def _saved(self, path: Path) -> None:
        self.status_label.setText(f"Saved as {path}.")
        ask(
            self,
            "Problem report saved",
            f"The problem report was saved as {path}.\n\nOpen the folder that holds it?",
            "Open Folder",
            lambda: _open_folder(path.parent),
            cancel_text="Close",
        )


def _open_folder(folder: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label
