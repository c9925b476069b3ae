"""What the app shows of a project: its context, status and size."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import ProjectStatus


class ProjectSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    context: ProjectContext
    status: ProjectStatus
    variable_count: int
    document_count: int
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return self.context.name
