"""Prompt versions of one workspace."""

from __future__ import annotations

import sqlalchemy as sa

from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import Account, Prompt


class PromptRepository(ProjectPartRepository[Prompt]):
    model = Prompt
    noun = "prompt"

    def active(self, project_id: int, scope_key: str) -> Prompt | None:
        query = self.select().where(
            Prompt.project_id == project_id, Prompt.scope_key == scope_key, Prompt.is_active
        )
        return self.session.scalars(query).first()

    def all_active(self, project_id: int) -> list[Prompt]:
        """The active version of each of the project's calls, oldest first."""
        query = self.select().where(Prompt.project_id == project_id, Prompt.is_active)
        return list(self.session.scalars(query.order_by(Prompt.id)))

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

    def history(self, project_id: int, scope_key: str | None = None) -> list[tuple[Prompt, str | None]]:
        """Every version of the project's prompts (of one scope, when given), newest first, each with the
        login of the account that made it (None: made before authors were kept, or the account is gone)."""
        query = (
            sa.select(Prompt, Account.login)
            .outerjoin(Account, Account.id == Prompt.account_id)
            .where(Prompt.workspace_id == self.workspace_id, Prompt.project_id == project_id)
        )
        if scope_key is not None:
            query = query.where(Prompt.scope_key == scope_key)
        rows = self.session.execute(query.order_by(Prompt.created_at.desc(), Prompt.id.desc()))
        return [(prompt, login) for prompt, login in rows]
