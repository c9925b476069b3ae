"""Prompt versions of one workspace."""

from __future__ import annotations

import sqlalchemy as sa

from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import Prompt


class PromptRepository(ProjectPartRepository[Prompt]):
    model = Prompt
    noun = "prompt"

    def active(self, project_id: int, scope_key: str) -> Prompt | None:
        query = self.select().where(
            Prompt.project_id == project_id, Prompt.scope_key == scope_key, Prompt.is_active
        )
        return self.session.scalars(query).first()

    def next_version(self, project_id: int, scope_key: str) -> int:
        query = sa.select(sa.func.max(Prompt.version)).where(
            Prompt.workspace_id == self.workspace_id,
            Prompt.project_id == project_id,
            Prompt.scope_key == scope_key,
        )
        return int(self.session.scalar(query) or 0) + 1

    def versions(self, project_id: int, scope_key: str) -> list[Prompt]:
        query = self.select().where(Prompt.project_id == project_id, Prompt.scope_key == scope_key)
        return list(self.session.scalars(query.order_by(Prompt.version)))
