"""A full disk for SQLite, without root or a small filesystem: the file capped at its current size (SQLite's
max_page_count) on every new connection, so writes fail with SQLite's own "database or disk is full"."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from coderai_desktop.app_context import AppContext


class DiskLimit:
    """Caps the SQLite file at its current size for every new connection, as a full disk would, between
    fill() and free(); `with DiskLimit(context) as disk:` removes it at the end."""

    def __init__(self, context: AppContext):
        self._engine = context.database.engine
        self.on = False
        sa.event.listen(self._engine, "connect", self._limit)

    def _limit(self, connection: Any, _record: Any) -> None:
        if self.on:
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count = {pages}")

    def fill(self) -> None:
        self.on = True
        self._engine.dispose()

    def free(self) -> None:
        self.on = False
        self._engine.dispose()

    def __enter__(self) -> DiskLimit:
        return self

    def __exit__(self, *exc_info: object) -> None:
        sa.event.remove(self._engine, "connect", self._limit)
        self._engine.dispose()
