"""Before a spreadsheet is imported: which column holds each row's text (and which sheet)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from coderai_desktop.domain.enums import DocumentProblem
from coderai_desktop.ingest.files import not_a_file
from coderai_desktop.ingest.parsed import ReadFailure
from coderai_desktop.ingest.readers.tables import column_names, sheet_names

# Columns whose name suggests they hold the text, preselected when present.
LIKELY_TEXT = ("text", "content", "body", "document", "abstract", "answer", "response", "comment")


class SpreadsheetDialog(QDialog):
    """Raises ReadFailure (before showing) when the file cannot be read as a table."""

    def __init__(self, path: Path, parent: QWidget | None = None):
        if (problem := not_a_file(path)) is not None:  # a named pipe would hang the window
            raise ReadFailure(DocumentProblem.UNREADABLE_FORMAT, f"{path.name}: {problem}.")
        super().__init__(parent)
        self._path = path
        self.setWindowTitle("Import a spreadsheet")
        self.setMinimumWidth(480)
        explanation = QLabel(
            f"Each row of {path.name} becomes one document. Choose the column that holds the text to code; "
            "the other columns are kept with each document and appear in exports."
        )
        explanation.setWordWrap(True)
        self.sheet_combo = QComboBox()
        self.sheet_combo.addItems(sheet_names(path))
        self.sheet_combo.currentTextChanged.connect(self._load_columns)
        self.column_combo = QComboBox()
        form = QFormLayout()
        if self.sheet_combo.count():
            form.addRow("Sheet:", self.sheet_combo)
        form.addRow("Text column:", self.column_combo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import rows")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._load_columns()

    def sheet(self) -> str | None:
        return self.sheet_combo.currentText() or None

    def text_column(self) -> str:
        return self.column_combo.currentText()

    def _load_columns(self) -> None:
        columns = column_names(self._path, self.sheet())
        self.column_combo.clear()
        self.column_combo.addItems(columns)
        likely = next((name for name in columns if name.strip().lower() in LIKELY_TEXT), None)
        if likely is not None:
            self.column_combo.setCurrentText(likely)
        self.import_button.setEnabled(bool(columns))
