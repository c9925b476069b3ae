"""The project list: my projects, then those shared with me under a section title; one row per project,
with its status and size (or its owner and my access) as a second line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import ProjectStatus, ShareAccess
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count

ROLE_SUMMARY = Qt.ItemDataRole.UserRole + 1
ROLE_ENTRY = Qt.ItemDataRole.UserRole + 2
ROLE_SECTION = Qt.ItemDataRole.UserRole + 3  # a section title's text (None on a project's row)
SHARED_SECTION = "SHARED WITH ME"

STATUS_TEXT = {
    ProjectStatus.CREATED: "No codebook yet",
    ProjectStatus.SCHEMA_DEFINED: "Codebook defined",
    ProjectStatus.SAMPLE_COMPLETE: "Sample coded",
    ProjectStatus.PROCESSING: "Processing",
    ProjectStatus.COMPLETE: "Complete",
}
ACCESS_TEXT = {ShareAccess.VIEWER: "viewer", ShareAccess.EDITOR: "editor"}

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ProjectEntry:
    """A project in the sidebar, with the session its pages work in (a shared project's is its owner's
    workspace with my access)."""

    summary: ProjectSummary
    session: UserSession

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def name(self) -> str:
        return self.summary.name

    @property
    def owner(self) -> str | None:
        """Whose project it is, when someone else owns it and shared it with me."""
        return self.session.owner_login

    @property
    def shared_with_me(self) -> bool:
        return self.owner is not None

    @property
    def access(self) -> ShareAccess | None:
        """None: mine (created by me, or handed over to me)."""
        return self.session.access


class ProjectListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ProjectEntry | str] = []

    def set_entries(self, entries: list[ProjectEntry]) -> None:
        mine = [entry for entry in entries if not entry.shared_with_me]
        shared = [entry for entry in entries if entry.shared_with_me]
        self.beginResetModel()
        section: list[ProjectEntry | str] = [SHARED_SECTION, *shared] if shared else []
        self._rows = [*mine, *section]
        self.endResetModel()

    def entries(self) -> list[ProjectEntry]:
        return [row for row in self._rows if isinstance(row, ProjectEntry)]

    def projects(self) -> list[ProjectSummary]:
        return [entry.summary for entry in self.entries()]

    def row_of(self, project_id: int) -> int | None:
        return next(
            (n for n, row in enumerate(self._rows) if isinstance(row, ProjectEntry) and row.id == project_id),
            None,
        )

    def first_project_row(self) -> int | None:
        return next((n for n, row in enumerate(self._rows) if isinstance(row, ProjectEntry)), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or isinstance(self._rows[index.row()], str):
            return Qt.ItemFlag.NoItemFlags  # a section title: neither selectable nor focusable
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if isinstance(row, str):
            return row if role in (Qt.ItemDataRole.DisplayRole, ROLE_SECTION) else None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.summary.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(row)
        if role == ROLE_SUMMARY:
            return row.summary
        if role == ROLE_ENTRY:
            return row
        return None


def describe(entry: ProjectEntry) -> str:
    """'Codebook defined · 7 variables · 0 documents' for mine; 'ana · viewer' for one shared with me."""
    if entry.owner is not None and entry.access is not None:
        return f"{entry.owner} · {ACCESS_TEXT[entry.access]}"
    project = entry.summary
    return " · ".join(
        (
            STATUS_TEXT[project.status],
            count(project.variable_count, "variable"),
            count(project.document_count, "document"),
        )
    )


def tooltip(entry: ProjectEntry) -> str:
    text = entry.summary.context.description or entry.summary.name
    if entry.owner is None or entry.access is None:
        return text
    rights = "read and export it" if entry.access is ShareAccess.VIEWER else "read and change it"
    return f"{text}\n\nShared with you by {entry.owner}: you can {rights}."
