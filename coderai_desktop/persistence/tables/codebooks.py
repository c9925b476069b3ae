"""Codebook versions (every saved codebook, kept forever) and the co-pilot conversation of a project."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coderai_desktop.persistence.base import (
    Base,
    created_at_column,
    id_in_workspace,
    owned_by,
    table_options,
    workspace_id_column,
)


class CodebookVersion(Base):
    """The whole codebook (project context and variables) as saved; runs record the version they used."""

    __tablename__ = "codebook_versions"
    __table_args__ = table_options(
        id_in_workspace("codebook_versions"),
        owned_by("projects", "project_id"),
        sa.UniqueConstraint("project_id", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column(index=True)
    version: Mapped[int]
    codebook: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # Codebook.model_dump(mode="json")
    reason: Mapped[str] = mapped_column(
        sa.Text
    )  # "edited in the Codebook page", "imported from plans.yaml"...
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()


class CopilotMessage(Base):
    """One turn of the co-pilot conversation: what was asked, or what was proposed and what became of it."""

    __tablename__ = "copilot_messages"
    __table_args__ = table_options(owned_by("projects", "project_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column(index=True)
    role: Mapped[str] = mapped_column(sa.String(16))  # "researcher" or "copilot"
    kind: Mapped[str] = mapped_column(sa.String(32))  # "variables", "categories", "instructions", "unit"
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()
