"""The prompt preview: what each call sends (as `coderai prompt show` prints it) and what it costs, with a
chosen document or a placeholder, and a trial of the prompts on that document that stores nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.document import DocumentSummary
from coderai_desktop.domain.enums import DocumentStatus, MatchStatus
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count, money
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.pipeline.prompt_lab import PreviewText, PromptLab, TestedValue, TestResult
from coderai_desktop.spreadsheet_cells import cell_text
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.tables import Index, ListTableModel, read_only_table

NO_DOCUMENT = "(no document: placeholder)"
MATCH_WORDS = {
    MatchStatus.EXACT: "found",
    MatchStatus.NORMALIZED: "found (spacing or case differ)",
    MatchStatus.FUZZY: "found (close match)",
    MatchStatus.NOT_FOUND: "NOT found",
    MatchStatus.NO_QUOTE: "no quote",
}
COL_ENTITY, COL_VARIABLE, COL_VALUE, COL_CONFIDENCE, COL_QUOTE, COL_PAGE, COL_FLAGS = range(7)
ROLE_VALUE = Qt.ItemDataRole.UserRole + 1


def monospace(widget: QWidget) -> None:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    widget.setFont(font)


def read_only_text(wrap: bool = True) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setLineWrapMode(
        QPlainTextEdit.LineWrapMode.WidgetWidth if wrap else QPlainTextEdit.LineWrapMode.NoWrap
    )
    monospace(view)
    return view


def cost_line(previews: list[PreviewText]) -> str:
    """'About 1,520 input tokens, up to 1,120 output tokens, about $0.0031 per call (gpt-4o-mini).'"""
    if not previews:
        return ""
    tokens_in = sum(preview.input_tokens for preview in previews)
    tokens_out = sum(preview.max_tokens for preview in previews)
    cost = sum(preview.cost for preview in previews)
    document = "" if previews[0].with_document else " + the document"
    per = "per call" if len(previews) == 1 else f"for the {len(previews)} calls of a document"
    tokens = f"About {tokens_in:,} input tokens{document}, up to {tokens_out:,} output tokens"
    if cost:
        line = f"{tokens}, about {money(cost)}{document} {per} ({previews[0].model})."
    else:
        line = f"{tokens} {per} ({previews[0].model}); the provider settings give no prices."
    chunks = max(preview.chunks for preview in previews)
    if chunks > 1:
        line += f" This document is read in {chunks} chunks, one call each: shown is the first."
    return line


class TestValuesModel(ListTableModel[TestedValue]):
    """The values of a trial; the variable being looked at in bold."""

    __test__ = False  # not a pytest test class
    headers = ("Entity", "Variable", "Value", "Confidence", "Quote", "Page", "Flags")

    def __init__(self) -> None:
        super().__init__()
        self.highlighted: str | None = None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        value = self.item(index)
        if value is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(value, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_QUOTE and value.quote:
                return value.quote
            if column == COL_FLAGS and value.notes:
                return "\n".join(value.notes)
            if column == COL_VALUE:
                return cell_text(value.value) or None
        if role == Qt.ItemDataRole.FontRole and value.variable == self.highlighted:
            font = QFont()
            font.setBold(True)
            return font
        if role == ROLE_VALUE:
            return value
        return None

    @staticmethod
    def _text(value: TestedValue, column: int) -> str:
        if column == COL_ENTITY:
            return value.entity or ""
        if column == COL_VARIABLE:
            return value.variable
        if column == COL_VALUE:
            return cell_text(value.value) or "—"
        if column == COL_CONFIDENCE:
            return "" if value.confidence is None else f"{value.confidence:.2f}"
        if column == COL_QUOTE:
            return MATCH_WORDS.get(value.match, value.match.lower())
        if column == COL_PAGE:
            return "" if value.page is None else str(value.page)
        flag = "flagged" if value.flagged else ""
        return "; ".join(part for part in (flag, *value.notes) if part)


class PromptPreviewPanel(QWidget):
    sig_tested = Signal(object)
    """A trial on a document ended well: its TestResult."""

    def __init__(
        self, lab: PromptLab, documents: DocumentService, runner: TaskRunner, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self._lab = lab
        self._documents = documents
        self._runner = runner
        self._project: ProjectSummary | None = None
        self._variable: str | None = None
        self._task = f"prompt-preview-{id(self)}"  # named: a new preview (or trial) cancels the last
        self._running: dict[str, asyncio.Task[Any]] = {}  # what belongs to the project shown, by name

        self.document_combo = QComboBox()
        self.document_combo.setMinimumContentsLength(28)
        self.document_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.document_combo.currentIndexChanged.connect(self._document_changed)
        self.test_button = QPushButton("Test on this document")
        self.test_button.setObjectName("primary")
        self.test_button.setToolTip("Code the chosen document with these prompts now; nothing is stored.")
        self.test_button.clicked.connect(self.test_document)
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Document:"))
        chooser.addWidget(self.document_combo, stretch=1)
        chooser.addWidget(self.test_button)

        self.cost_label = QLabel()
        self.cost_label.setObjectName("hint")
        self.cost_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.messages_view = read_only_text()
        self.schema_view = read_only_text(wrap=False)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.messages_view, "Messages")
        self.tabs.addTab(self.schema_view, "Response schema")

        self.result_model = TestValuesModel()
        self.result_table = read_only_table(self.result_model)
        header = self.result_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((COL_VARIABLE, 140), (COL_VALUE, 200), (COL_CONFIDENCE, 90), (COL_QUOTE, 110)):
            self.result_table.setColumnWidth(column, width)
        self.result_table.setColumnWidth(COL_PAGE, 50)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_error = QLabel()
        self.result_error.setObjectName("error")
        self.result_error.setWordWrap(True)
        self.result_error.hide()
        self.result_box = QGroupBox("Test on a document")
        result_layout = QVBoxLayout(self.result_box)
        result_layout.addWidget(self.result_label)
        result_layout.addWidget(self.result_error)
        result_layout.addWidget(self.result_table, stretch=1)
        self.result_box.hide()

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.result_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 6)
        layout.addLayout(chooser)
        layout.addWidget(self.cost_label)
        layout.addWidget(self.error_label)
        layout.addWidget(splitter, stretch=1)
        self._update_button()

    # --- what the page tells the panel ------------------------------------------------------------------

    def set_project(self, project: ProjectSummary | None) -> None:
        same = project is not None and self._project is not None and project.id == self._project.id
        self._project = project
        if not same:
            for task in self._running.values():  # what another project's preview or trial answers is moot
                task.cancel()
            self._clear_result()
            self.document_combo.blockSignals(True)  # no trial on the last project's document meanwhile
            self.document_combo.clear()
            self.document_combo.addItem(NO_DOCUMENT, None)
            self.document_combo.blockSignals(False)
            self._update_button()
        if project is None:
            self._fill_documents([])
            self._show_previews([])
            return
        self._run(
            "documents",
            self._documents.list_documents(project.id),
            on_success=self._fill_documents,
            error_title="The project's documents cannot be read",
            parent=self,
        )

    def set_variable(self, name: str | None) -> None:
        if name == self._variable:
            return
        self._variable = name
        self.result_model.highlighted = name
        self.result_model.set_rows(self.result_model.rows())
        self.refresh()

    @property
    def document_id(self) -> int | None:
        data = self.document_combo.currentData()
        return data if isinstance(data, int) else None

    def refresh(self) -> None:
        if self._project is None:
            return
        self._run(
            "preview",
            self._lab.preview_text(self._project.id, self._variable, self.document_id),
            on_success=self._show_previews,
            on_failure=self._preview_failed,
        )

    def _run(self, what: str, coroutine: Coroutine[Any, Any, Any], **callbacks: Any) -> None:
        self._running[what] = self._runner.run(coroutine, name=f"{self._task}:{what}", **callbacks)

    # --- the preview ------------------------------------------------------------------------------------

    def _fill_documents(self, documents: list[DocumentSummary]) -> None:
        kept = self.document_id
        self.document_combo.blockSignals(True)
        self.document_combo.clear()
        self.document_combo.addItem(NO_DOCUMENT, None)
        ready = [document for document in documents if document.status is DocumentStatus.READY]
        for document in sorted(ready, key=lambda document: (document.file_name.casefold(), document.id)):
            self.document_combo.addItem(document.file_name, document.id)
        at = self.document_combo.findData(kept) if kept is not None else -1
        self.document_combo.setCurrentIndex(max(at, 0))
        self.document_combo.blockSignals(False)
        self._update_button()
        self.refresh()

    def _document_changed(self, _index: int) -> None:
        self._update_button()
        self.refresh()

    def _show_previews(self, previews: list[PreviewText]) -> None:
        self.error_label.hide()
        self.messages_view.setPlainText("".join(f"{preview.text}\n\n" for preview in previews).rstrip("\n"))
        self.schema_view.setPlainText("\n\n".join(preview.schema for preview in previews))
        self.cost_label.setText(cost_line(previews))
        self._update_button()
        self._scroll_to_variable()

    def _scroll_to_variable(self) -> None:
        """The variable looked at, at the top: its codebook entry (the long system prompt comes first)."""
        found = self.messages_view.document().find(f"## {self._variable} (") if self._variable else None
        if found is None or found.isNull():
            return
        found.clearSelection()
        view = self.messages_view
        view.moveCursor(QTextCursor.MoveOperation.End)  # from below, the line lands at the top
        view.ensureCursorVisible()
        view.setTextCursor(found)
        view.ensureCursorVisible()

    def _preview_failed(self, error: BaseException) -> None:
        if not isinstance(error, CoderAIError):
            self._runner.report_failure(self, "The prompts cannot be shown", error)
            return
        self.messages_view.clear()
        self.schema_view.clear()
        self.cost_label.clear()
        self.error_label.setText(str(error))
        self.error_label.show()

    def _update_button(self) -> None:
        self.test_button.setEnabled(self._project is not None and self.document_id is not None)
        if self.document_id is None:
            self.test_button.setToolTip("Choose a document to code with these prompts.")
        else:
            self.test_button.setToolTip("Code the chosen document with these prompts now; nothing is stored.")

    # --- the trial --------------------------------------------------------------------------------------

    def test_document(self) -> None:
        document_id, project = self.document_id, self._project
        if document_id is None or project is None:
            return
        name = self.document_combo.currentText()
        self.result_box.show()
        self.result_box.setTitle(f"Test on {name}")
        self.result_error.hide()
        self.result_model.set_rows([])
        self.result_label.setText(f"Coding {name} with the current prompts… (nothing is stored)")
        self.test_button.setEnabled(False)
        self._run(
            "test",
            self._lab.test_on_document(project.id, document_id, self._variable),
            on_success=self._show_result,
            on_failure=self._test_failed,
            on_ended=lambda _task: self._update_button(),
        )

    def _show_result(self, result: TestResult) -> None:
        self.result_model.set_rows(result.values)
        self.result_table.setColumnHidden(COL_ENTITY, not result.entities)
        for column in (COL_ENTITY, COL_VARIABLE):  # names in full; the value and flags take what is left
            self.result_table.resizeColumnToContents(column)
        flagged = sum(1 for value in result.values if value.flagged)
        entities = len(result.entities)
        found = f" for {entities} {'entity' if entities == 1 else 'entities'}" if entities else ""
        flags = f", {flagged} flagged for review" if flagged else ""
        self.result_label.setText(
            f"{count(len(result.values), 'value')}{found}{flags} · {count(result.calls, 'call')} to "
            f"{result.model}: {result.input_tokens:,} tokens in, {result.output_tokens:,} out, about "
            f"{money(result.cost)} · Nothing was stored."
        )
        self.sig_tested.emit(result)

    def _test_failed(self, error: BaseException) -> None:
        if not isinstance(error, CoderAIError):
            self.result_label.setText("The test stopped on an unexpected error.")
            self._runner.report_failure(self, "The test failed", error)
            return
        self.result_label.setText("The test failed; nothing was stored.")
        self.result_error.setText(str(error))
        self.result_error.show()

    def _clear_result(self) -> None:
        self.result_model.set_rows([])
        self.result_box.hide()
