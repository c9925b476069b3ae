"""Accounts (logins) and workspaces (what a login's data belongs to)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coderai_desktop.persistence.base import Base, UTCDateTime, created_at_column, table_options, utcnow


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = table_options()

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = created_at_column()
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginFailure(Base):
    """Consecutive failed logins per attempted name, whether or not an account has it, so that the
    growing delay tells nobody which login names exist. Cleared by a successful login."""

    __tablename__ = "login_failures"

    login: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Workspace(Base):
    """One per account for now; projects belong here, not to the account, so sharing can come later."""

    __tablename__ = "workspaces"
    __table_args__ = table_options()

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    # Provider defaults for the workspace (never API keys: those live in the OS keyring).
    provider_settings: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = created_at_column()
