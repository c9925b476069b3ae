"""The Codebook page: the project's variables, imported from and exported to codebook files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.errors import CoderAIError, ConflictError
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count
from coderai_desktop.projects.codebook_file import (
    FILE_FILTER,
    FORMATS,
    read_codebook_file,
    write_codebook_file,
)
from coderai_desktop.projects.service import ProjectService
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.variables.details import variable_html
from coderai_desktop.ui.variables.table_model import (
    COL_INSTRUCTIONS,
    COL_LABEL,
    COL_MULTIPLE,
    COL_NAME,
    COL_THRESHOLD,
    COL_TYPE,
    COL_UNCERTAIN,
    ROLE_VARIABLE,
    VariablesTableModel,
)
from coderai_desktop.ui.widgets.empty_state import EmptyState, table_or_empty
from coderai_desktop.ui.widgets.messages import ask, show_error
from coderai_desktop.ui.widgets.tables import read_only_table

COLUMN_WIDTHS = {COL_LABEL: 190, COL_TYPE: 80, COL_THRESHOLD: 80, COL_UNCERTAIN: 100, COL_MULTIPLE: 110}


class CodebookPage(QWidget):
    sig_project_changed = Signal(object)
    """The project's new ProjectSummary after its codebook was replaced."""

    sig_message = Signal(str)
    """A short confirmation for the status bar."""

    def __init__(self, service: ProjectService, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._project: ProjectSummary | None = None
        self._last_dir = Path.home()

        self.count_label = QLabel()
        self.count_label.setObjectName("sectionTitle")
        self.import_button = QPushButton("Import codebook…")
        self.import_button.clicked.connect(self.import_codebook)
        self.export_button = QPushButton("Export codebook…")
        self.export_button.clicked.connect(self.export_codebook)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.count_label, stretch=1)
        toolbar.addWidget(self.import_button)
        toolbar.addWidget(self.export_button)

        self.model = VariablesTableModel()
        self.table = read_only_table(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_INSTRUCTIONS, QHeaderView.ResizeMode.Stretch)
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.empty = EmptyState(
            "No variables yet",
            "The codebook lists the variables to extract from every document: their type, instructions "
            "and categories. Import a codebook file (YAML or JSON) to define them.",
            ("Import codebook…", self.import_codebook),
        )
        self.stack = table_or_empty(self.table, self.details, self.empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(toolbar)
        layout.addWidget(self.stack, stretch=1)

    def show_project(self, project: ProjectSummary) -> None:
        self._project = project
        self._runner.run(
            self._service.get_codebook(project.id),
            on_success=self._show_codebook,
            error_title="The codebook cannot be read",
            parent=self,
            name="codebook-page",
        )

    def _show_codebook(self, codebook: Codebook) -> None:
        variables = codebook.variables
        self.model.set_rows(variables)
        self.count_label.setText(f"Codebook: {count(len(variables), 'variable')}")
        self.export_button.setEnabled(bool(variables))
        self.stack.setCurrentIndex(1 if variables else 0)
        if variables:
            self.table.resizeColumnToContents(COL_NAME)
            self.table.selectRow(0)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.details.setHtml(variable_html(rows[0].data(ROLE_VARIABLE)) if rows else "")

    def import_codebook(self) -> None:
        if self._project is None:
            return
        name, _ = QFileDialog.getOpenFileName(self, "Import codebook", str(self._last_dir), FILE_FILTER)
        if not name:
            return
        path = Path(name)
        self._last_dir = path.parent
        try:
            codebook = read_codebook_file(path)
        except CoderAIError as error:
            show_error(self, "The codebook cannot be imported", str(error))
            return
        if self.model.rowCount() == 0:
            self._save(codebook, path)
            return
        replaced = f"Replace the {count(self.model.rowCount(), 'variable')} of '{self._project.name}'"
        context = (
            " The file's project description, domain, language and unit of observation will also replace "
            "the project's."
            if codebook.project
            else ""
        )
        ask(
            self,
            "Replace the codebook?",
            f"{replaced} with the {count(len(codebook.variables), 'variable')} in {path.name}? "
            f"Variables with the same name keep their results.{context}",
            "Replace",
            lambda: self._save(codebook, path),
        )

    def _save(self, codebook: Codebook, path: Path, remove_results: bool = False) -> None:
        assert self._project is not None
        work = self._service.save_codebook(
            self._project.id, codebook, remove_variables_with_results=remove_results
        )

        def saved(project: ProjectSummary) -> None:
            self.sig_message.emit(f"Imported {count(project.variable_count, 'variable')} from {path.name}.")
            self.sig_project_changed.emit(project)

        def failed(error: BaseException) -> None:
            if isinstance(error, ConflictError) and not remove_results:
                ask(
                    self,
                    "Delete results?",
                    f"{error}\n\nImport anyway and delete the results of the variables left out?",
                    "Delete their results",
                    lambda: self._save(codebook, path, remove_results=True),
                )
            else:
                self._runner.report_failure(self, "The codebook cannot be imported", error)

        self._runner.run(work, on_success=saved, on_failure=failed)

    def export_codebook(self) -> None:
        if self._project is None:
            return
        suggested = self._last_dir / f"{self._project.name} codebook.yaml"
        name, _ = QFileDialog.getSaveFileName(
            self, "Export codebook", str(suggested), "YAML (*.yaml *.yml);;JSON (*.json)"
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in FORMATS:
            path = path.with_name(path.name + ".yaml")
        self._last_dir = path.parent
        self._runner.run(
            self._export(self._project.id, path),
            on_success=lambda n: self.sig_message.emit(f"Saved {count(n, 'variable')} to {path}."),
            error_title="The codebook cannot be saved",
            parent=self,
        )

    async def _export(self, project_id: int, path: Path) -> int:
        codebook = await self._service.get_codebook(project_id)
        await asyncio.to_thread(write_codebook_file, path, codebook)
        return len(codebook.variables)
