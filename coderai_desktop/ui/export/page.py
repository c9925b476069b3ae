"""The Export page: choose a format and what goes in, see the table that will be written, write it."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.export.model import ExportFormat, ExportOptions, Mark, RunFilter, Table
from coderai_desktop.export.service import ExportResult, ExportService
from coderai_desktop.formatting import count
from coderai_desktop.ui.export.preview_model import PreviewModel
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.messages import ask
from coderai_desktop.ui.widgets.scrolling import scroll_page
from coderai_desktop.ui.widgets.tables import read_only_table

RUN_CHOICES = {
    RunFilter.LATEST: "The latest run that coded each document",
    RunFilter.SAMPLE: "Sample runs only",
    RunFilter.FULL: "Full runs only",
}
CODEBOOK_CHOICES = {".docx": "Word document (.docx)", ".md": "Markdown (.md)"}
CSV_FORMATS = (ExportFormat.CSV, ExportFormat.CSV_LONG)
MAX_COLUMN_WIDTH = 260


class ExportPage(QWidget):
    def __init__(self, exports: ExportService, runner: TaskRunner):
        super().__init__()
        self._exports = exports
        self._runner = runner
        self._project: ProjectSummary | None = None
        self._folder = Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home()
        )

        self.format_combo = QComboBox()
        for kind in ExportFormat:
            self.format_combo.addItem(kind.description, kind.value)
        self.details_box = QCheckBox(
            "Confidence, quote, page, status, prompt version and review of each value"
        )
        self.documents_box = QCheckBox("Pages, words and the metadata each document was imported with")
        self.expand_box = QCheckBox("Several values of a variable in separate columns (name_1 … name_k)")
        self.runs_combo = QComboBox()
        for key, text in RUN_CHOICES.items():
            self.runs_combo.addItem(text, key.value)
        self.reviewed_box = QCheckBox("Only values you have reviewed")
        self.confidence_box = QCheckBox("Leave out values with a confidence below")
        self.confidence_spin = QDoubleSpinBox()
        self.confidence_spin.setRange(0.0, 1.0)
        self.confidence_spin.setSingleStep(0.05)
        self.confidence_spin.setValue(0.8)
        self.confidence_spin.setEnabled(False)
        self.flagged_box = QCheckBox("Leave out values flagged for review")
        self.codebook_box = QCheckBox("Also write the codebook, as")
        self.codebook_box.setChecked(True)
        self.codebook_combo = QComboBox()
        for suffix, text in CODEBOOK_CHOICES.items():
            self.codebook_combo.addItem(text, suffix)
        self.bom_box = QCheckBox("Byte order mark, so that Excel reads accents and non-Latin text right")
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Where to write the file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.preview_model = PreviewModel()
        self.preview = read_only_table(self.preview_model)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.open_button = QPushButton("Show in Folder")
        self.open_button.clicked.connect(self._open_folder)
        self.open_button.hide()
        self._last: ExportResult | None = None

        contents = QFormLayout()
        contents.addRow("Format:", self.format_combo)
        contents.addRow("Include:", self.details_box)
        contents.addRow("", self.documents_box)
        contents.addRow("", self.expand_box)
        contents.addRow("", self.bom_box)
        what = QGroupBox("What to write")
        what.setLayout(contents)
        values = QFormLayout()
        values.addRow("Values of:", self.runs_combo)
        values.addRow("", self.reviewed_box)
        confidence = QHBoxLayout()
        confidence.addWidget(self.confidence_box)
        confidence.addWidget(self.confidence_spin)
        confidence.addStretch(1)
        values.addRow("", confidence)
        values.addRow("", self.flagged_box)
        which = QGroupBox("Which values")
        which.setLayout(values)
        target = QHBoxLayout()
        target.addWidget(QLabel("Save to:"))
        target.addWidget(self.path_edit, 1)
        target.addWidget(browse)
        codebook = QHBoxLayout()
        codebook.addWidget(self.codebook_box)
        codebook.addWidget(self.codebook_combo)
        codebook.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.result_label, 1)
        actions.addWidget(self.open_button)
        actions.addWidget(self.export_button)
        groups = QHBoxLayout()
        groups.addWidget(what, 3)
        groups.addWidget(which, 2)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addLayout(groups)
        layout.addLayout(codebook)
        layout.addLayout(target)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.preview, 1)
        layout.addLayout(actions)
        # Scrolls rather than widening the window: the options' long labels would squeeze the project list.
        scroll_page(self, content)

        for box in (
            self.details_box,
            self.documents_box,
            self.expand_box,
            self.reviewed_box,
            self.confidence_box,
            self.flagged_box,
        ):
            box.toggled.connect(self.refresh_preview)
        self.confidence_box.toggled.connect(self.confidence_spin.setEnabled)
        self.confidence_spin.valueChanged.connect(self.refresh_preview)
        self.runs_combo.currentIndexChanged.connect(self.refresh_preview)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.codebook_box.toggled.connect(self.codebook_combo.setEnabled)
        self._format_changed()

    # --- choices ------------------------------------------------------------------------------------

    def export_format(self) -> ExportFormat:
        return ExportFormat(self.format_combo.currentData())

    def options(self) -> ExportOptions:
        return ExportOptions(
            runs=RunFilter(self.runs_combo.currentData()),
            reviewed_only=self.reviewed_box.isChecked(),
            min_confidence=self.confidence_spin.value() if self.confidence_box.isChecked() else None,
            exclude_flagged=self.flagged_box.isChecked(),
            value_details=self.details_box.isChecked(),
            document_details=self.documents_box.isChecked(),
            expand_multi=self.expand_box.isChecked(),
        )

    def show_project(self, project: ProjectSummary | None) -> None:
        changed = project is None or self._project is None or project.id != self._project.id
        self._project = project
        if changed:
            self.result_label.clear()
            self.open_button.hide()
            self._suggest_path()
        if self.isVisible():
            self.refresh_preview()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_preview()  # results may have changed while another page was shown

    def browse(self) -> None:
        kind = self.export_format()
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the dataset", self.path_edit.text(), f"{kind.description} (*{kind.suffix})"
        )
        if path:
            self.path_edit.setText(str(Path(path).with_suffix(kind.suffix)))

    def _format_changed(self) -> None:
        kind = self.export_format()
        self.bom_box.setEnabled(kind in CSV_FORMATS)
        self.expand_box.setEnabled(kind is not ExportFormat.CSV_LONG)  # long tables have a row per value
        if self.path_edit.text():
            self.path_edit.setText(str(Path(self.path_edit.text()).with_suffix(kind.suffix)))
        self.refresh_preview()

    def _suggest_path(self) -> None:
        if self._project is None:
            return
        stem = (
            "".join(c if c.isalnum() or c in "-_" else "_" for c in self._project.name).strip("_")
            or "dataset"
        )
        name = f"{stem}_{date.today():%Y-%m-%d}{self.export_format().suffix}"
        self.path_edit.setText(str(self._folder / name))

    # --- preview and export ---------------------------------------------------------------------------

    def refresh_preview(self) -> None:
        if self._project is None:
            return
        self.summary_label.setText("Reading the results…")
        self._runner.run(
            self._exports.preview(self._project.id, self.export_format(), self.options()),
            on_success=self._show_preview,
            on_failure=lambda error: self.summary_label.setText(str(error)),
            name="export-preview",
        )

    def _show_preview(self, table: Table) -> None:
        self.preview_model.show_table(table)
        self.preview.resizeColumnsToContents()  # at most PREVIEW_ROWS rows: cheap
        for column in range(len(table.columns)):
            self.preview.setColumnWidth(column, min(self.preview.columnWidth(column), MAX_COLUMN_WIDTH))
        if not table.rows:
            self.summary_label.setText(
                "Nothing to export with these choices yet: code documents on the Run page, or loosen the "
                "filters. An export now writes the column headers only."
            )
            return
        marks = list(table.marks.values())
        notes = [
            f"{count(len(table.rows), 'row')} × {count(len(table.columns), 'column')}",
            f"{marks.count(Mark.CORRECTED)} corrected by a reviewer" if Mark.CORRECTED in marks else "",
            f"{marks.count(Mark.FLAGGED)} flagged" if Mark.FLAGGED in marks else "",
            f"{marks.count(Mark.LOW_CONFIDENCE)} below their confidence threshold"
            if Mark.LOW_CONFIDENCE in marks
            else "",
        ]
        shown = (
            f" (the first {self.preview_model.rowCount()} shown)"
            if len(table.rows) > self.preview_model.rowCount()
            else ""
        )
        self.summary_label.setText(" · ".join(note for note in notes if note) + shown)

    def export(self) -> None:
        if self._project is None:
            return
        text = self.path_edit.text().strip()
        if not text:
            self.browse()
            text = self.path_edit.text().strip()
            if not text:
                return
        path = Path(text).expanduser()
        if path.exists():
            ask(
                self,
                "Replace the file?",
                f"{path.name} already exists in {path.parent}. Replace it?",
                "Replace",
                lambda: self._write(path),
            )
            return
        self._write(path)

    def _write(self, path: Path) -> None:
        assert self._project is not None
        codebook = (
            path.with_name(f"{path.stem}_codebook{self.codebook_combo.currentData()}")
            if self.codebook_box.isChecked()
            else None
        )
        self.export_button.setEnabled(False)
        self.result_label.setText(f"Writing {path.name}…")
        self._runner.run(
            self._exports.export(
                self._project.id,
                self.export_format(),
                path,
                self.options(),
                codebook=codebook,
                excel_bom=self.bom_box.isChecked(),
            ),
            on_success=self._written,
            on_ended=self._export_ended,
            error_title="The export failed",
            parent=self,
        )

    def _export_ended(self, task: asyncio.Task[ExportResult]) -> None:
        self.export_button.setEnabled(True)
        if not task.cancelled() and task.exception() is not None:
            self.result_label.clear()

    def _written(self, result: ExportResult) -> None:
        self._last = result
        self._folder = result.path.parent
        codebook = f" and the codebook to {result.codebook.name}" if result.codebook else ""
        text = f"Wrote {count(result.rows, 'row')} and {count(result.columns, 'column')} to {result.path}{codebook}."
        self.result_label.setText(text)
        self.open_button.show()

    def _open_folder(self) -> None:
        if self._last is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._last.path.parent)))
