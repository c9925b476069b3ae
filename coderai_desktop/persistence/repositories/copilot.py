"""The co-pilot conversation of a project: what the researcher asked, what was proposed, and what became of it."""

from __future__ import annotations

from typing import Any

from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import CopilotMessage

RESEARCHER, COPILOT = "researcher", "copilot"


class CopilotRepository(ProjectPartRepository[CopilotMessage]):
    model = CopilotMessage
    noun = "co-pilot message"

    def add_message(
        self, project_id: int, role: str, kind: str, content: dict[str, Any], account_id: int | None
    ) -> CopilotMessage:
        return self.add(
            CopilotMessage(
                project_id=project_id, role=role, kind=kind, content=content, account_id=account_id
            )
        )

    def of_project_message(self, project_id: int, message_id: int) -> CopilotMessage:
        """One message of the project's conversation (another project's, or workspace's, reads as missing)."""
        row = self.get(message_id)
        if row is None or row.project_id != project_id:
            raise NotFoundError(f"There is no co-pilot message {message_id} in this project.")
        return row

    def set_content(self, row: CopilotMessage, content: dict[str, Any]) -> None:
        """A JSON column changed in place is not seen by the ORM: the new content is assigned whole."""
        row.content = content
        self.session.flush()
