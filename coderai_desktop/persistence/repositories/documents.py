"""Documents of one workspace."""

from __future__ import annotations

from coderai_desktop.persistence.repositories.scoped import WorkspaceRepository
from coderai_desktop.persistence.tables import Document


class DocumentRepository(WorkspaceRepository[Document]):
    model = Document
    noun = "document"

    def of_project(self, project_id: int) -> list[Document]:
        query = self.select().where(Document.project_id == project_id).order_by(Document.id)
        return list(self.session.scalars(query))
