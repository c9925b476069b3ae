"""The project's documents as a table, sorted in the model (never through a proxy)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from coderai_desktop.domain.document import DocumentSummary
from coderai_desktop.domain.enums import DocumentStatus
from coderai_desktop.ui.widgets.tables import Index, ListTableModel

COL_NAME, COL_FORMAT, COL_STATUS, COL_PAGES, COL_WORDS, COL_SAME_AS, COL_NOTE = range(7)
HEADERS = ("Name", "Format", "Status", "Pages", "Words", "Same text as", "Notes")
ROLE_DOCUMENT = Qt.ItemDataRole.UserRole + 1

STATUS_TEXT = {
    DocumentStatus.UPLOADED: "Waiting to be read",
    DocumentStatus.PARSED: "Read",
    DocumentStatus.READY: "Ready",
    DocumentStatus.FAILED: "Failed",
}
STATUS_COLOUR = {DocumentStatus.FAILED: QColor("#b3261e"), DocumentStatus.READY: QColor("#1e6b3a")}
NUMERIC = {COL_PAGES, COL_WORDS}


def note(document: DocumentSummary) -> str:
    return document.error_message or "; ".join(document.warnings)


def same_text_as(document: DocumentSummary, names: dict[int, str]) -> str:
    """The document this one repeats, and whether it is coded separately all the same."""
    if document.duplicate_of is None:
        return ""
    name = names.get(document.duplicate_of, f"document {document.duplicate_of}")
    return f"{name} (coded separately)" if document.code_separately else name


def _sort_key(column: int, names: dict[int, str]) -> Any:
    keys = {
        COL_NAME: lambda d: d.file_name.lower(),
        COL_FORMAT: lambda d: d.format.value,
        COL_STATUS: lambda d: d.status.value,
        COL_PAGES: lambda d: d.page_count or 0,
        COL_WORDS: lambda d: d.word_count or 0,
        COL_SAME_AS: lambda d: same_text_as(d, names).lower(),
        COL_NOTE: lambda d: note(d).lower(),
    }
    return keys[column]


class DocumentsTableModel(ListTableModel[DocumentSummary]):
    headers = HEADERS

    def __init__(self) -> None:
        super().__init__()
        self._sort = (COL_NAME, Qt.SortOrder.AscendingOrder)
        self._names: dict[int, str] = {}  # id -> file name, for "same text as"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        document, column = self.item(index), index.column()
        if document is None:
            return None
        if role == ROLE_DOCUMENT:
            return document
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(document, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (COL_NAME, COL_NOTE):
            return document.original_path if column == COL_NAME else (note(document) or None)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_SAME_AS and document.duplicate_of:
            return (
                "Coded on its own, as you asked."
                if document.code_separately
                else "Coded once with that document: a run gives this one its values."
            )
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_STATUS:
            return STATUS_COLOUR.get(document.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self._rows[index.row()].id for index in before]
        self._sort = (column, order)
        self._rows_changed()
        rows = {document.id: row for row, document in enumerate(self._rows)}
        after = [
            self.index(rows[document_id], index.column())
            for document_id, index in zip(ids, before, strict=True)
        ]
        self.changePersistentIndexList(before, after)  # the selection follows its documents
        self.layoutChanged.emit()

    def _rows_changed(self) -> None:
        self._names = {document.id: document.file_name for document in self._rows}
        column, order = self._sort
        self._rows.sort(key=_sort_key(column, self._names), reverse=order == Qt.SortOrder.DescendingOrder)

    def _display(self, document: DocumentSummary, column: int) -> Any:
        if column == COL_NAME:
            return document.file_name
        if column == COL_FORMAT:
            return document.format.value
        if column == COL_STATUS:
            return STATUS_TEXT[document.status]
        if column == COL_PAGES:
            return document.page_count if document.page_count else ""
        if column == COL_WORDS:
            return f"{document.word_count:,}" if document.word_count else ""
        if column == COL_SAME_AS:
            return same_text_as(document, self._names)
        return note(document)
