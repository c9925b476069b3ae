"""Every table of Base.metadata, and what a member may do with a given set of its rows, tried with raw SQL:
read them, change them, delete them, insert a copy of one. The tables are enumerated from the metadata, so
a table added later is tried too (and a test fails until it is filled and protected)."""

from __future__ import annotations

from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import errors, sql

from coderai_desktop.persistence.base import Base
from tests.integration.lab.conftest import Member

# Tables every member reads whole (the login names to share with; who is a member).
READ_BY_EVERY_MEMBER = {"accounts", "lab_members"}

TABLES: list[sa.Table] = list(Base.metadata.sorted_tables)


def key(table: sa.Table) -> str:
    (column,) = table.primary_key.columns
    return column.name


def rows_of(table: sa.Table, member: Member) -> sql.Composable:
    """The condition that picks `member`'s rows of the table (checked as the owner, who sees them all)."""
    if "workspace_id" in table.c:
        return sql.SQL("workspace_id = {}").format(member.workspace_id)
    if table.name == "workspaces":
        return sql.SQL("id = {}").format(member.workspace_id)
    if table.name == "accounts":
        return sql.SQL("id = {}").format(member.account_id)
    if table.name == "login_failures":  # the app's own password logins: nobody's in a lab
        return sql.SQL("true")
    raise AssertionError(f"Say in tests/integration/lab/scopes.py whose rows of {table.name} are whose")


def keys(connection: psycopg.Connection[Any], table: sa.Table, where: sql.Composable) -> set[Any]:
    """The keys of the rows the connection sees; none when it may not read the table at all."""
    query = sql.SQL("SELECT {} FROM {} WHERE {}").format(
        sql.Identifier(key(table)), sql.Identifier(table.name), where
    )
    try:
        return {row[0] for row in connection.execute(query)}
    except errors.InsufficientPrivilege:
        return set()


def everything(connection: psycopg.Connection[Any], member: Member) -> dict[str, set[Any]]:
    return {table.name: keys(connection, table, rows_of(table, member)) for table in TABLES}


def try_to_change(
    connection: psycopg.Connection[Any], table: sa.Table, where: sql.Composable
) -> tuple[int, int]:
    """How many of the rows `where` picks an UPDATE (a column set to itself) and a DELETE reach (0 when the
    role may not at all); each rolled back, so that the rows stay for the next check."""
    name, column = sql.Identifier(table.name), sql.Identifier(_updatable(connection, table))
    updated = _count(
        connection, sql.SQL("UPDATE {} SET {} = {} WHERE {}").format(name, column, column, where)
    )
    deleted = _count(connection, sql.SQL("DELETE FROM {} WHERE {}").format(name, where))
    return updated, deleted


def _updatable(connection: psycopg.Connection[Any], table: sa.Table) -> str:
    """A column the connected role may update (privileges; the policies are what is tried), else the key."""
    for column in table.columns:
        allowed = connection.execute(
            "SELECT has_column_privilege(%s, %s, 'UPDATE')", (table.name, column.name)
        ).fetchone()
        if allowed and allowed[0] and not column.primary_key:
            return column.name
    return key(table)


def _count(connection: psycopg.Connection[Any], statement: sql.Composed) -> int:
    try:
        with connection.transaction(force_rollback=True):
            return connection.execute(statement).rowcount
    except errors.InsufficientPrivilege:
        return 0


def insert_copy(connection: psycopg.Connection[Any], table: sa.Table, row: str) -> None:
    """INSERT a copy of a row (as JSON, read by the owner), rolled back if it gets in."""
    statement = sql.SQL("INSERT INTO {} SELECT * FROM json_populate_record(NULL::{}, %s::json)").format(
        sql.Identifier(table.name), sql.Identifier(table.name)
    )
    with connection.transaction(force_rollback=True):
        connection.execute(statement, (row,))


def as_json(connection: psycopg.Connection[Any], table: sa.Table, row_key: Any) -> str:
    query = sql.SQL("SELECT row_to_json(t)::text FROM {} t WHERE {} = %s").format(
        sql.Identifier(table.name), sql.Identifier(key(table))
    )
    found = connection.execute(query, (row_key,)).fetchone()
    assert found is not None
    return str(found[0])
