"""Documents of one workspace."""

from __future__ import annotations

from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import Document


class DocumentRepository(ProjectPartRepository[Document]):
    model = Document
    noun = "document"
