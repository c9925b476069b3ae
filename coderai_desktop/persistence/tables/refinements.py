"""Prompt refinements: a variable's corrections split into a refinement set and a held-out set, the revisions
an LLM proposed from the refinement set, their results on the held-out set, and the researcher's choice."""

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
    updated_at_column,
    workspace_id_column,
)


class Refinement(Base):
    __tablename__ = "refinements"
    __table_args__ = table_options(
        id_in_workspace("refinements"),
        owned_by("projects", "project_id"),
        owned_by("variables", "variable_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column(index=True)
    variable_id: Mapped[int] = mapped_column(index=True)
    # "proposed", "evaluated", "chosen" (a proposal became the prompt) or "kept" (the researcher kept the
    # current prompt).
    status: Mapped[str] = mapped_column(sa.String(16))
    seed: Mapped[int]
    # {"refinement": [document ids], "held_out": [document ids]}: stored, so the evaluation and anyone reading
    # the history later see exactly which documents the proposals never saw.
    split: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # The variable as it was (VariableSpec, JSON) and its errors (the feedback analysis) when refined.
    variable: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    # [{title, rationale, changes: {instructions, classification_rules, categories, examples}, evaluation}]
    proposals: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    baseline: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)  # the current prompt on the held-out set
    usage: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # tokens and cost of the proposals and evaluations
    chosen: Mapped[int | None]  # the proposal chosen (its index), None while undecided or when kept
    prompt_versions: Mapped[list[str] | None] = mapped_column(sa.JSON)  # what the choice made: "grouped:1 v4"
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
