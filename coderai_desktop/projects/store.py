"""Where a project's files live on disk: the copies of its imported documents."""

from __future__ import annotations

from pathlib import Path


def project_folder(workspace_store: Path, project_id: int) -> Path:
    return workspace_store / "projects" / str(project_id)


def documents_folder(workspace_store: Path, project_id: int) -> Path:
    return project_folder(workspace_store, project_id) / "documents"
