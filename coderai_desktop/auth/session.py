"""Who is logged in, and so which workspace every repository query is limited to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserSession:
    account_id: int
    login: str
    workspace_id: int
