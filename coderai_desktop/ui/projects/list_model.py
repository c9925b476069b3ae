"""The project list: one row per project, with its status and size as a second line."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from coderai_desktop.domain.enums import ProjectStatus
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count

ROLE_SUMMARY = Qt.ItemDataRole.UserRole + 1

STATUS_TEXT = {
    ProjectStatus.CREATED: "No codebook yet",
    ProjectStatus.SCHEMA_DEFINED: "Codebook defined",
    ProjectStatus.SAMPLE_COMPLETE: "Sample coded",
    ProjectStatus.PROCESSING: "Processing",
    ProjectStatus.COMPLETE: "Complete",
}

Index = QModelIndex | QPersistentModelIndex


class ProjectListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self._projects: list[ProjectSummary] = []

    def set_projects(self, projects: list[ProjectSummary]) -> None:
        self.beginResetModel()
        self._projects = list(projects)
        self.endResetModel()

    def projects(self) -> list[ProjectSummary]:
        return list(self._projects)

    def row_of(self, project_id: int) -> int | None:
        return next((row for row, p in enumerate(self._projects) if p.id == project_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._projects)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._projects):
            return None
        project = self._projects[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return project.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return project.context.description or project.name
        if role == ROLE_SUMMARY:
            return project
        return None


def describe(project: ProjectSummary) -> str:
    """'Codebook defined · 7 variables · 0 documents'."""
    return " · ".join(
        (
            STATUS_TEXT[project.status],
            count(project.variable_count, "variable"),
            count(project.document_count, "document"),
        )
    )
