"""Extracted values of one workspace."""

from __future__ import annotations

from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import Extraction


class ExtractionRepository(ProjectPartRepository[Extraction]):
    model = Extraction
    noun = "result"
