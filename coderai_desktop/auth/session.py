"""Who is logged in, and so which workspace every repository query is limited to."""

from __future__ import annotations

from dataclasses import dataclass

from coderai_desktop.domain.enums import ShareAccess


@dataclass(frozen=True)
class UserSession:
    account_id: int
    login: str
    workspace_id: int
    # In a project another member shared with this one (projects/sharing.py): what they may do there, and
    # whose project it is. None: the workspace is theirs.
    access: ShareAccess | None = None
    owner_login: str | None = None
    # In a shared project, the member's own workspace: their API keys are stored under it on their
    # computer, and a run they start there is paid with their key, not looked for under the owner's.
    home_workspace_id: int | None = None

    @property
    def keys_workspace_id(self) -> int:
        """The workspace whose API keys (in this computer's keyring) this session uses."""
        return self.home_workspace_id or self.workspace_id
