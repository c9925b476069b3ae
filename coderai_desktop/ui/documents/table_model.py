"""The project's documents as a table, sorted in the model (never through a proxy)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from coderai_desktop.domain.document import DocumentSummary
from coderai_desktop.domain.enums import DocumentStatus

COL_NAME, COL_FORMAT, COL_STATUS, COL_PAGES, COL_WORDS, COL_NOTE = range(6)
HEADERS = ("Name", "Format", "Status", "Pages", "Words", "Notes")
ROLE_DOCUMENT = Qt.ItemDataRole.UserRole + 1

STATUS_TEXT = {
    DocumentStatus.UPLOADED: "Waiting to be read",
    DocumentStatus.PARSED: "Read",
    DocumentStatus.READY: "Ready",
    DocumentStatus.FAILED: "Failed",
}
STATUS_COLOUR = {DocumentStatus.FAILED: QColor("#b3261e"), DocumentStatus.READY: QColor("#1e6b3a")}
NUMERIC = {COL_PAGES, COL_WORDS}

Index = QModelIndex | QPersistentModelIndex


def note(document: DocumentSummary) -> str:
    return document.error_message or "; ".join(document.warnings)


def _sort_key(column: int) -> Any:
    keys = {
        COL_NAME: lambda d: d.file_name.lower(),
        COL_FORMAT: lambda d: d.format.value,
        COL_STATUS: lambda d: d.status.value,
        COL_PAGES: lambda d: d.page_count or 0,
        COL_WORDS: lambda d: d.word_count or 0,
        COL_NOTE: lambda d: note(d).lower(),
    }
    return keys[column]


class DocumentsTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._documents: list[DocumentSummary] = []
        self._sort = (COL_NAME, Qt.SortOrder.AscendingOrder)

    def set_documents(self, documents: list[DocumentSummary]) -> None:
        self.beginResetModel()
        self._documents = list(documents)
        self._apply_sort()
        self.endResetModel()

    def documents(self) -> list[DocumentSummary]:
        return list(self._documents)

    def row_of(self, document_id: int) -> int | None:
        return next((row for row, d in enumerate(self._documents) if d.id == document_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._documents)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._documents):
            return None
        document, column = self._documents[index.row()], index.column()
        if role == ROLE_DOCUMENT:
            return document
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(document, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (COL_NAME, COL_NOTE):
            return document.original_path if column == COL_NAME else (note(document) or None)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_STATUS:
            return STATUS_COLOUR.get(document.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self._documents[index.row()].id for index in before]
        self._sort = (column, order)
        self._apply_sort()
        rows = {document.id: row for row, document in enumerate(self._documents)}
        after = [
            self.index(rows[document_id], index.column())
            for document_id, index in zip(ids, before, strict=True)
        ]
        self.changePersistentIndexList(before, after)  # the selection follows its documents
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        self._documents.sort(key=_sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder)

    @staticmethod
    def _display(document: DocumentSummary, column: int) -> Any:
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
        return note(document)
