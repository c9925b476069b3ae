"""Codebook versions of one workspace: every saved codebook, kept forever, numbered per project."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import Account, CodebookVersion


class CodebookVersionRepository(ProjectPartRepository[CodebookVersion]):
    model = CodebookVersion
    noun = "codebook version"
    order_by = "version"

    def latest(self, project_id: int, *, before: datetime | None = None) -> CodebookVersion | None:
        query = self.select().where(CodebookVersion.project_id == project_id)
        if before is not None:
            query = query.where(CodebookVersion.created_at <= before)
        return self.session.scalars(query.order_by(CodebookVersion.version.desc()).limit(1)).first()

    def record(
        self, project_id: int, codebook: Codebook, reason: str, account_id: int | None
    ) -> CodebookVersion | None:
        """A new version when the codebook differs from the latest one; None when it is the same."""
        snapshot = codebook.model_dump(mode="json")
        latest = self.latest(project_id)
        if latest is not None and latest.codebook == snapshot:
            return None
        version = CodebookVersion(
            project_id=project_id,
            version=(latest.version if latest else 0) + 1,
            codebook=snapshot,
            reason=reason,
            account_id=account_id,
        )
        return self.add(version)

    def with_authors(self, project_id: int) -> list[tuple[CodebookVersion, str | None]]:
        """Newest first, with the login of whoever saved each (None once the account is deleted)."""
        query = (
            sa.select(CodebookVersion, Account.login)
            .outerjoin(Account, Account.id == CodebookVersion.account_id)
            .where(
                CodebookVersion.workspace_id == self.workspace_id, CodebookVersion.project_id == project_id
            )
            .order_by(CodebookVersion.version.desc())
        )
        return [(row[0], row[1]) for row in self.session.execute(query)]
