"""What the checks share: the temporary folder, and what earlier checks built in it for later ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coderai_desktop.self_test.verdicts import NotReady

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext
    from coderai_desktop.auth.session import UserSession


@dataclass
class Workspace:
    folder: Path
    context: AppContext | None = None
    user: UserSession | None = None
    project_id: int | None = None
    documents: dict[str, list[int]] = field(default_factory=dict)  # sample file name -> its documents

    def opened(self) -> tuple[AppContext, UserSession, int]:
        """The app, its self-test account and project, as the database check made them."""
        if self.context is None or self.user is None or self.project_id is None:
            raise NotReady("needs the database check")
        return self.context, self.user, self.project_id

    def documents_of(self, file_name: str) -> list[int]:
        if file_name not in self.documents:
            raise NotReady(f"needs {file_name} imported")
        return self.documents[file_name]

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None
