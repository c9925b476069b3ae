"""A lab's shared PostgreSQL database: its members, the projects they share, and the workers of a run.

The row-level security policies (persistence/lab_policies.py) find the connected member in `lab_members`
by the database role it logged in as; on SQLite the table stays empty and accounts keep work apart.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.persistence.base import (
    Base,
    UTCDateTime,
    created_at_column,
    enum_column,
    id_in_workspace,
    owned_by,
    table_options,
    utcnow,
    workspace_id_column,
)


class LabMember(Base):
    """A member of a lab database: the PostgreSQL login role, and the account and workspace it works in."""

    __tablename__ = "lab_members"

    role_name: Mapped[str] = mapped_column(sa.String(63), primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"), unique=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = created_at_column()


class ProjectShare(Base):
    """A project of one workspace shared with another member's account, as viewer or editor."""

    __tablename__ = "project_shares"
    __table_args__ = table_options(
        owned_by("projects", "project_id"), sa.UniqueConstraint("project_id", "account_id")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()  # the project's (its owner's) workspace
    project_id: Mapped[int] = mapped_column(index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    access: Mapped[ShareAccess] = enum_column(ShareAccess)
    granted_by_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()


class JobWorker(Base):
    """A process working on a run, one of possibly several on several computers. It is alive while it holds
    its liveness lock (persistence/worker_liveness.py): the lock ends with its process or connection."""

    __tablename__ = "job_workers"
    __table_args__ = table_options(id_in_workspace("job_workers"), owned_by("processing_jobs", "job_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    job_id: Mapped[int] = mapped_column(index=True)
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id", ondelete="SET NULL"))
    host: Mapped[str] = mapped_column(sa.String(255))
    pid: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = created_at_column()
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    documents_done: Mapped[int] = mapped_column(default=0, server_default="0")


class BlindRound(Base):
    """Blind double coding of a sample of a project's documents by several members: until every coder of
    the round is done, each sees only their own codings of it (review/blind_rounds.py)."""

    __tablename__ = "blind_rounds"
    __table_args__ = table_options(id_in_workspace("blind_rounds"), owned_by("projects", "project_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    project_id: Mapped[int] = mapped_column(index=True)
    document_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)  # the sample, in order
    created_by_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()


class BlindRoundCoder(Base):
    """A coder of a blind round, and when they said they were done (their codings then count)."""

    __tablename__ = "blind_round_coders"
    __table_args__ = table_options(
        owned_by("blind_rounds", "round_id"), sa.UniqueConstraint("round_id", "account_id")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = workspace_id_column()
    round_id: Mapped[int] = mapped_column(index=True)
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id", ondelete="SET NULL"))
    coder: Mapped[str] = mapped_column(sa.String(200))  # the login name, readable after an account goes
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
