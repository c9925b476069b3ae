"""Alembic environment: migrations always run on a connection handed over by persistence/migrate.py."""

from typing import Any

from alembic import context

import coderai_desktop.persistence.tables  # noqa: F401  (fills Base.metadata)
from coderai_desktop.persistence.base import Base, UTCDateTime


def render_item(kind: str, item: Any, _context: Any) -> str | bool:
    # Revisions must not import the app's column types: they outlive them.
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: rebuild tables instead ("move and copy").
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
