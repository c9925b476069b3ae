"""Projects, their codebook variables and the versioned prompts generated from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coderai_desktop.domain.enums import (
    IfMultipleValues,
    IfUncertain,
    ProjectStatus,
    PromptReason,
    UnitOfObservation,
    VariableType,
)
from coderai_desktop.persistence.base import (
    Base,
    created_at_column,
    enum_column,
    id_in_workspace,
    owned_by,
    table_options,
    updated_at_column,
    workspace_id_column,
)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = table_options(
        id_in_workspace("projects"),
        sa.UniqueConstraint("workspace_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    domain: Mapped[str] = mapped_column(sa.String(200), default="")
    language: Mapped[str] = mapped_column(sa.String(100), default="English")
    unit_of_observation: Mapped[UnitOfObservation] = enum_column(
        UnitOfObservation, default=UnitOfObservation.DOCUMENT
    )
    entity_identification_pattern: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[ProjectStatus] = enum_column(ProjectStatus, default=ProjectStatus.CREATED)
    # Overrides of the workspace's provider settings (never API keys).
    provider_settings: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    token_budget: Mapped[int | None] = mapped_column(sa.BigInteger)
    # What agreement a variable needs before the full corpus (alpha), and the accuracy that values
    # accepted without review must keep (the suggested confidence thresholds aim at it).
    reliability_level: Mapped[float] = mapped_column(default=0.8, server_default="0.8")
    target_accuracy: Mapped[float] = mapped_column(default=0.95, server_default="0.95")
    # Corrections of a variable's values that make it worth refining its prompt (the Quality page says so).
    refine_after_errors: Mapped[int] = mapped_column(default=10, server_default="10")
    # The latest export: {"at": ISO time, "format": "csv", "rows": 120, "file": "plans.csv"}.
    last_export: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Variable(Base):
    __tablename__ = "variables"
    __table_args__ = table_options(
        id_in_workspace("variables"),
        owned_by("projects", "project_id"),
        sa.UniqueConstraint("project_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(64))
    display_name: Mapped[str | None] = mapped_column(sa.String(200))
    type: Mapped[VariableType] = enum_column(VariableType)
    instructions: Mapped[str] = mapped_column(sa.Text)
    # [{value, label, definition, examples}]
    categories: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    classification_rules: Mapped[str | None] = mapped_column(sa.Text)
    # The categories are ordered (low < medium < high): agreement is then measured at the ordinal level.
    ordered: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    confidence_threshold: Mapped[float] = mapped_column(default=0.7)
    if_uncertain: Mapped[IfUncertain] = enum_column(IfUncertain, default=IfUncertain.FLAG)
    if_multiple_values: Mapped[IfMultipleValues] = enum_column(
        IfMultipleValues, default=IfMultipleValues.FIRST
    )
    max_values: Mapped[int | None]
    default_value: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    # {min, max, pattern, allowed_values}
    validation_rules: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # {variable, operator, value}
    depends_on: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # [{quote, value, explanation, source}]: worked examples (None in rows older than 0008: none)
    examples: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON, default=list)
    # The model that codes this variable, on the project's provider (None: the project's model).
    model: Mapped[str | None] = mapped_column(sa.String(200))
    # Raised by every edit: an edit made from a stale copy (another machine changed it since) is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Prompt(Base):
    """One version of the prompt for a variable or a group of variables; old versions are kept forever."""

    __tablename__ = "prompts"
    __table_args__ = table_options(
        id_in_workspace("prompts"),
        owned_by("projects", "project_id"),
        owned_by("variables", "variable_id"),
        sa.UniqueConstraint("project_id", "scope_key", "version"),
        # At most one active version per variable or group.
        sa.Index(
            "uq_prompts_one_active",
            "project_id",
            "scope_key",
            unique=True,
            sqlite_where=sa.text("is_active"),
            postgresql_where=sa.text("is_active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column(index=True)
    # Set for a per-variable prompt; a group prompt lists its variables in variable_names.
    variable_id: Mapped[int | None] = mapped_column(index=True)
    # "variable:<name>" or "group:<key>": what the version numbers count.
    scope_key: Mapped[str] = mapped_column(sa.String(200))
    variable_names: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    version: Mapped[int]
    system_prompt: Mapped[str] = mapped_column(sa.Text)
    message_template: Mapped[str] = mapped_column(sa.Text)
    model: Mapped[str] = mapped_column(sa.String(200))
    temperature: Mapped[float]
    max_tokens: Mapped[int]
    response_schema: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    is_active: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[PromptReason] = enum_column(PromptReason)
    reason_detail: Mapped[str | None] = mapped_column(sa.Text)
    # Who saved the codebook (or refined the prompt) that made this version; None for older versions.
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()
