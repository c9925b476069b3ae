"""Extracted values of one workspace."""

from __future__ import annotations

from coderai_desktop.persistence.repositories.scoped import WorkspaceRepository
from coderai_desktop.persistence.tables import Extraction


class ExtractionRepository(WorkspaceRepository[Extraction]):
    model = Extraction
    noun = "result"

    def of_project(self, project_id: int) -> list[Extraction]:
        query = self.select().where(Extraction.project_id == project_id).order_by(Extraction.id)
        return list(self.session.scalars(query))
