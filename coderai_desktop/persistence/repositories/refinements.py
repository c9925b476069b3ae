"""Prompt refinements of one workspace."""

from __future__ import annotations

from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import Refinement


class RefinementRepository(ProjectPartRepository[Refinement]):
    model = Refinement
    noun = "refinement"

    def of_variable(self, project_id: int, variable_id: int) -> list[Refinement]:
        """A variable's refinements, oldest first."""
        query = self.select().where(
            Refinement.project_id == project_id, Refinement.variable_id == variable_id
        )
        return list(self.session.scalars(query.order_by(Refinement.id)))
