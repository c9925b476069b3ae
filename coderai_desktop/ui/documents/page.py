"""The Documents page: drop files and folders (or use the buttons), follow the import, see every document's
status, fix what failed (a password, reading again), and read the extracted text."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.document import DocumentSummary, DocumentText
from coderai_desktop.domain.enums import DocumentStatus
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count
from coderai_desktop.ingest.formats import BY_SUFFIX, TABULAR
from coderai_desktop.ingest.parsed import ReadFailure
from coderai_desktop.ingest.report import ImportProgress, ImportReport, Outcome
from coderai_desktop.ingest.service import DocumentService, ImportOptions
from coderai_desktop.ui.bridges import ImportBridge
from coderai_desktop.ui.documents.spreadsheet_dialog import SpreadsheetDialog
from coderai_desktop.ui.documents.table_model import (
    COL_FORMAT,
    COL_NAME,
    COL_NOTE,
    COL_PAGES,
    COL_SAME_AS,
    COL_STATUS,
    COL_WORDS,
    ROLE_DOCUMENT,
    DocumentsTableModel,
)
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.empty_state import EmptyState, table_or_empty
from coderai_desktop.ui.widgets.messages import ask, show_error, show_info
from coderai_desktop.ui.widgets.tables import read_only_table

COLUMN_WIDTHS = {
    COL_NAME: 280,
    COL_FORMAT: 64,
    COL_STATUS: 130,
    COL_PAGES: 64,
    COL_WORDS: 80,
    COL_SAME_AS: 200,
}
# While an import runs, the list is refreshed at most this often, so documents appear as they are read.
LIVE_REFRESH_SECONDS = 1.0
DOCUMENT_FILTER = "Documents (" + " ".join(f"*{suffix}" for suffix in sorted(BY_SUFFIX)) + ")"
SPREADSHEET_FILTER = "Spreadsheets (*.csv *.xlsx *.xlsm)"


class DocumentsPage(QWidget):
    sig_project_changed = Signal()
    """Documents were added, read again or deleted: counts shown elsewhere are out of date."""

    sig_message = Signal(str)
    """A short confirmation for the status bar."""

    def __init__(self, service: DocumentService, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._project: ProjectSummary | None = None
        self._import: asyncio.Task[ImportReport] | None = None
        self._importing = False
        self._last_dir = Path.home()
        self._last_refresh = 0.0
        self.bridge = ImportBridge(self)
        self.bridge.sig_progress.connect(self._show_progress)
        self.setAcceptDrops(True)

        self.count_label = QLabel()
        self.count_label.setObjectName("sectionTitle")
        self.add_files_button = self._button("Add files…", self.add_files)
        self.add_folder_button = self._button("Add folder…", self.add_folder)
        self.add_sheet_button = self._button("Add spreadsheet…", self.add_spreadsheet)
        self.password_button = self._button("Enter password…", self.enter_password)
        self.reparse_button = self._button("Read again", self.read_again)
        self.delete_button = self._button("Delete", self.delete_selected)
        self.separately_button = self._button("Code separately", lambda: self.code_separately(True))
        self.separately_button.setToolTip("Code the selected near-duplicates on their own in the next runs.")
        self.once_button = self._button("Code once", lambda: self.code_separately(False))
        self.once_button.setToolTip(
            "Give the selected near-duplicates the values of the document they repeat."
        )
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.count_label, stretch=1)
        for button in (self.add_files_button, self.add_folder_button, self.add_sheet_button):
            toolbar.addWidget(button)
        toolbar.addSpacing(16)
        for button in (self.password_button, self.reparse_button, self.delete_button):
            toolbar.addWidget(button)
        toolbar.addSpacing(16)
        toolbar.addWidget(self.separately_button)
        toolbar.addWidget(self.once_button)

        self.progress_bar = QProgressBar()
        self.progress_label = QLabel()
        self.cancel_button = self._button("Cancel", self.cancel_import)
        self.progress_row = QWidget()
        progress_layout = QHBoxLayout(self.progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.progress_label, stretch=1)
        progress_layout.addWidget(self.progress_bar, stretch=2)
        progress_layout.addWidget(self.cancel_button)
        self.progress_row.hide()

        self.model = DocumentsTableModel()
        self.table = read_only_table(self.model, several=True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(COL_NOTE, QHeaderView.ResizeMode.Stretch)
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("hint")
        self.preview_label.setWordWrap(True)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        preview_box = QWidget()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 4, 0, 0)
        preview_layout.addWidget(self.preview_label)
        preview_layout.addWidget(self.preview)
        self.empty = EmptyState(
            "No documents yet",
            "Drop files or folders here: PDF, Word, HTML and plain-text files, or a CSV/Excel sheet with one "
            "document per row. Every file is read in the background; a file that cannot be read says why.",
            ("Add files…", self.add_files),
        )
        self.stack = table_or_empty(self.table, preview_box, self.empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(toolbar)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.stack, stretch=1)
        self._update_actions()

    def show_project(self, project: ProjectSummary) -> None:
        """Show a project's documents (a refreshed summary of the same project changes nothing here)."""
        changed = self._project is None or self._project.id != project.id
        self._project = project
        if changed:
            self.refresh()

    def refresh(self) -> None:
        if self._project is None:
            return
        self._runner.run(
            self._service.list_documents(self._project.id),
            on_success=self._show_documents,
            error_title="The documents cannot be listed",
            parent=self,
            name="documents-list",
        )

    def import_paths(self, paths: list[Path], options: ImportOptions | None = None) -> None:
        """Import files and folders (the buttons and drag and drop all end here)."""
        if self._project is None or self.importing or not paths:
            return
        work = self._service.import_paths(self._project.id, paths, options, self.bridge.report)
        self._start(work, "The documents cannot be imported", f"Looking at {count(len(paths), 'item')}…")

    @property
    def importing(self) -> bool:
        """An import or a re-read is going on (and its progress row is shown)."""
        return self._importing

    def add_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Add documents", str(self._last_dir), DOCUMENT_FILTER)
        if names:
            self._last_dir = Path(names[0]).parent
            self.import_paths([Path(name) for name in names])

    def add_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Add a folder of documents", str(self._last_dir))
        if name:
            self._last_dir = Path(name)
            self.import_paths([Path(name)])

    def add_spreadsheet(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Add a spreadsheet", str(self._last_dir), SPREADSHEET_FILTER
        )
        if not name:
            return
        path = Path(name)
        self._last_dir = path.parent
        try:
            dialog = SpreadsheetDialog(path, self)
        except (CoderAIError, ReadFailure) as error:
            show_error(self, "The spreadsheet cannot be read", str(error))
            return
        except OSError as error:
            show_error(self, "The spreadsheet cannot be read", f"{path.name}: {error.strerror or error}.")
            return
        dialog.accepted.connect(
            lambda: self.import_paths(
                [path], ImportOptions(text_column=dialog.text_column(), sheet=dialog.sheet())
            )
        )
        dialog.open()

    def enter_password(self) -> None:
        locked = [document for document in self.selected() if document.needs_password]
        if not locked or self._project is None:
            return
        password, given = QInputDialog.getText(
            self,
            "Password",
            f"Password of {locked[0].file_name}"
            + (f" (and {len(locked) - 1} more)" if len(locked) > 1 else "")
            + ":",
            QLineEdit.EchoMode.Password,
        )
        if given and password:
            self._reparse([document.id for document in locked], password)

    def read_again(self) -> None:
        documents = [document for document in self.selected() if document.format not in TABULAR]
        if documents:
            self._reparse([document.id for document in documents], None)

    def delete_selected(self) -> None:
        documents = self.selected()
        if not documents:
            return
        ask(
            self,
            "Delete documents?",
            f"Delete {count(len(documents), 'document')} with their text and any results? This cannot be undone.",
            "Delete",
            lambda: self._runner.run(
                self._service.delete_documents([document.id for document in documents]),
                on_success=lambda deleted: self._changed(f"Deleted {count(deleted, 'document')}."),
                error_title="The documents cannot be deleted",
                parent=self,
            ),
        )

    def code_separately(self, separately: bool) -> None:
        """Near-duplicates: code the selected ones on their own, or once with the document they repeat."""
        documents = [
            d for d in self.selected() if d.duplicate_of is not None and d.code_separately != separately
        ]
        if not documents:
            return
        how = "on their own" if separately else "once, with the document they repeat"
        self._runner.run(
            self._service.set_code_separately([document.id for document in documents], separately),
            on_success=lambda changed: self._changed(f"{count(changed, 'document')} will be coded {how}."),
            error_title="The documents cannot be changed",
            parent=self,
        )

    def cancel_import(self) -> None:
        if self.importing and self._import is not None:
            self._import.cancel()

    def selected(self) -> list[DocumentSummary]:
        return [index.data(ROLE_DOCUMENT) for index in self.table.selectionModel().selectedRows()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._project is not None and not self.importing and _local_paths(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _local_paths(event.mimeData().urls())
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def _reparse(self, document_ids: list[int], password: str | None) -> None:
        assert self._project is not None
        work = self._service.reparse(self._project.id, document_ids, password, self.bridge.report)
        self._start(
            work,
            "The documents cannot be read again",
            f"Reading {count(len(document_ids), 'document')} again…",
        )

    def _start(self, work: Coroutine[Any, Any, ImportReport], error_title: str, status: str) -> None:
        self._import = self._runner.run(
            work,
            on_success=self._import_finished,
            on_ended=self._import_ended,
            error_title=error_title,
            parent=self,
        )
        self._set_importing(True, status)

    def _import_ended(self, task: asyncio.Task[ImportReport]) -> None:
        self._set_importing(False)
        if task.cancelled():
            self.sig_message.emit("Import cancelled. Files not yet read can be imported again later.")
            self._changed(None)

    def _import_finished(self, report: ImportReport) -> None:
        self._changed(f"Import finished: {report.summary()}.")
        problems = [item for item in report.outcomes if item.outcome in (Outcome.FAILED, Outcome.SKIPPED)]
        if problems:
            details = "\n".join(f"{item.name}: {item.outcome.value}, {item.detail}" for item in problems)
            advice = (
                "Failed documents stay in the list with the reason; select one to read it again or to enter "
                "its password."
                if report.count(Outcome.FAILED)
                else "Skipped files were not imported; the details say why."
            )
            show_info(self, "Import finished", f"{report.summary().capitalize()}.\n\n{advice}", details)

    def _changed(self, message: str | None) -> None:
        if message:
            self.sig_message.emit(message)
        self.refresh()
        self.sig_project_changed.emit()

    def _show_documents(self, documents: list[DocumentSummary]) -> None:
        self.model.set_rows(documents)
        ready = sum(1 for document in documents if document.status is DocumentStatus.READY)
        self.count_label.setText(f"Documents: {len(documents)} ({ready} ready)")
        self.stack.setCurrentIndex(1 if documents else 0)
        self._update_actions()

    def _show_progress(self, progress: ImportProgress) -> None:
        if time.monotonic() - self._last_refresh >= LIVE_REFRESH_SECONDS:
            self._last_refresh = time.monotonic()
            self.refresh()
        self.progress_bar.setMaximum(max(progress.total, 1))
        self.progress_bar.setValue(progress.done)
        failed = f", {progress.failed} failed" if progress.failed else ""
        self.progress_label.setText(f"Read {progress.done} of {progress.total}{failed}: {progress.current}")

    def _set_importing(self, importing: bool, text: str = "") -> None:
        self._importing = importing
        self.progress_row.setVisible(importing)
        if importing:
            self.progress_bar.setMaximum(0)  # busy until the first file is done
            self.progress_label.setText(text)
        self._update_actions()

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_actions()
        documents = self.selected()
        if len(documents) != 1:
            self.preview_label.setText(f"{count(len(documents), 'document')} selected." if documents else "")
            self.preview.clear()
            return
        document = documents[0]
        self.preview_label.setText(_describe(document))
        self.preview.clear()
        if document.status is DocumentStatus.READY:
            self._runner.run(
                self._service.document_text(document.id),
                on_success=self._show_text,
                error_title="The text cannot be shown",
                parent=self,
                name="document-preview",
            )

    def _show_text(self, text: DocumentText) -> None:
        self.preview.setPlainText(text.text)

    def _update_actions(self) -> None:
        busy = self.importing
        documents = self.selected()
        for button in (self.add_files_button, self.add_folder_button, self.add_sheet_button):
            button.setEnabled(self._project is not None and not busy)
        if self.empty.action_button is not None:
            self.empty.action_button.setEnabled(self._project is not None and not busy)
        self.password_button.setEnabled(not busy and any(d.needs_password for d in documents))
        self.reparse_button.setEnabled(not busy and any(d.format not in TABULAR for d in documents))
        self.delete_button.setEnabled(not busy and bool(documents))
        self.separately_button.setEnabled(any(d.shares_values for d in documents))
        self.once_button.setEnabled(any(d.duplicate_of is not None and d.code_separately for d in documents))

    def _button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        return button


def _describe(document: DocumentSummary) -> str:
    parts = [document.file_name, document.format.value]
    if document.page_count:
        parts.append(count(document.page_count, "page"))
    if document.word_count:
        parts.append(count(document.word_count, "word"))
    if document.encoding:
        parts.append(document.encoding)
    text = " · ".join(parts)
    details = [document.error_message] if document.error_message else document.warnings
    return text + "".join(f"\n⚠ {line}" for line in details)


def _local_paths(urls: list[QUrl]) -> list[Path]:
    """Only existing local files and folders are accepted from a drop."""
    paths = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
    return [path for path in paths if path.exists()]
