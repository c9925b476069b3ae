"""Declarative base, column types and the helpers every table shares."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.schema import SchemaItem

# Named constraints let Alembic's batch mode rebuild SQLite tables and drop constraints by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def table_options(*constraints: SchemaItem) -> tuple[Any, ...]:
    """A table's constraints, and ids never reused after a delete on SQLite (as on PostgreSQL): a new
    project must not inherit a deleted one's id, and with it its store folder or old references."""
    return (*constraints, {"sqlite_autoincrement": True})


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so store UTC and restore the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: type[StrEnum], **kwargs: Any) -> Mapped[Any]:
    """Store an enum by value as a short string with a CHECK constraint (portable, readable in SQL)."""
    kind = sa.Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=32,
        name=enum.__name__.lower(),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
    return mapped_column(kind, **kwargs)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow)


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def workspace_id_column() -> Mapped[int]:
    """Every workspace-owned row says whose it is; repositories filter on it, PostgreSQL enforces it."""
    return mapped_column(sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)


def owned_by(parent: str, column: str) -> sa.ForeignKeyConstraint:
    """A reference to a row of the same workspace: (column, workspace_id) -> parent (id, workspace_id).

    The database itself then refuses a row that points into another workspace.
    """
    return sa.ForeignKeyConstraint(
        [column, "workspace_id"], [f"{parent}.id", f"{parent}.workspace_id"], ondelete="CASCADE"
    )


def id_in_workspace(table: str) -> sa.UniqueConstraint:
    """The target of `owned_by` references."""
    return sa.UniqueConstraint("id", "workspace_id", name=f"uq_{table}_id_workspace")
