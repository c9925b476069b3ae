"""Members of a lab, connected with raw SQL as their own database roles, cannot read, change, delete or add
to each other's rows in any table: PostgreSQL's row-level security holds them, whatever client they use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors, sql

from tests.integration.lab.conftest import LabWithMembers, fill_project_as
from tests.integration.lab.scopes import (
    READ_BY_EVERY_MEMBER,
    TABLES,
    as_json,
    everything,
    insert_copy,
    keys,
    rows_of,
    try_to_change,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
async def filled(members: LabWithMembers, tmp_path: Path) -> LabWithMembers:
    """ana's project with a row in every table (shared with cleo, a third member: not with ben)."""
    cleo = members.lab.add_member("cleo")
    await fill_project_as(members.ana, tmp_path, "Climate plans", share_with=[cleo])
    with members.lab.owner() as owner:
        owner.execute("INSERT INTO login_failures (login, count, last_failed_at) VALUES ('ana', 2, now())")
    return members


async def test_every_table_holds_rows_of_ana_and_she_reads_all_of_hers(filled: LabWithMembers) -> None:
    with filled.lab.owner() as owner:
        hers = everything(owner, filled.ana)
    empty = [table for table, rows in hers.items() if not rows]
    assert not empty, f"fill these tables in fill_project_as too: {empty}"
    with filled.ana.connect() as ana:
        seen = everything(ana, filled.ana)
    assert seen == {**hers, "login_failures": set()}  # the app's password logins: no member's business


async def test_ben_can_neither_read_change_delete_nor_add_to_anas_rows(filled: LabWithMembers) -> None:
    with filled.lab.owner() as owner:
        before = {table.name: _rows(owner, table, filled) for table in TABLES}
    with filled.ben.connect() as ben:
        for table in TABLES:
            hers = rows_of(table, filled.ana)
            expected = set(before[table.name]) if table.name in READ_BY_EVERY_MEMBER else set()
            assert keys(ben, table, hers) == expected, table.name
            assert try_to_change(ben, table, hers) == (0, 0), table.name
            with pytest.raises(errors.InsufficientPrivilege) as refused:
                insert_copy(ben, table, next(iter(before[table.name].values())))
            may_insert = ben.execute("SELECT has_table_privilege(%s, 'INSERT')", (table.name,)).fetchone()
            if may_insert and may_insert[0]:  # then the policy is what refused it
                assert "row-level security" in str(refused.value), table.name
    with filled.lab.owner() as owner:
        assert {table.name: _rows(owner, table, filled) for table in TABLES} == before


def _rows(owner: psycopg.Connection[Any], table: sa.Table, filled: LabWithMembers) -> dict[Any, str]:
    """ana's rows of the table, each as JSON, by key."""
    return {k: as_json(owner, table, k) for k in keys(owner, table, rows_of(table, filled.ana))}


async def test_no_role_or_setting_lets_a_member_out(filled: LabWithMembers) -> None:
    roles, ana = filled.lab.roles, filled.ana
    extractions = sql.SQL("SELECT count(*) FROM extractions WHERE workspace_id = {}").format(ana.workspace_id)
    with filled.ben.connect() as ben:
        ben.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(roles.members)))  # allowed, and no help
        assert ben.execute(extractions).fetchone() == (0,)
        ben.execute("RESET ROLE")
        for escape in (
            sql.SQL("SET ROLE {}").format(sql.Identifier(roles.owner)),
            sql.SQL("SET ROLE {}").format(sql.Identifier(ana.name)),
            sql.SQL("SELECT set_config('role', {}, false)").format(sql.Literal(roles.owner)),
            sql.SQL("SET SESSION AUTHORIZATION {}").format(sql.Identifier(ana.name)),
            sql.SQL("CREATE TABLE public.escape (id integer)"),
            sql.SQL(
                "CREATE FUNCTION public.coderai_lab_workspaces() RETURNS integer[] LANGUAGE sql AS 'SELECT NULL::integer[]'"
            ),
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                ben.execute(escape)
        # Settings and look-alike tables in the session's own schema change nothing: the policies key on
        # the connected role and name their tables with their schema.
        ben.execute(
            sql.SQL("SELECT set_config('coderai.workspace_id', {}, false)").format(
                sql.Literal(str(ana.workspace_id))
            )
        )
        ben.execute(
            "CREATE TEMP TABLE lab_members (role_name text, account_id integer, workspace_id integer)"
        )
        ben.execute(
            "INSERT INTO lab_members VALUES (session_user, %s, %s)", (ana.account_id, ana.workspace_id)
        )
        ben.execute("SET search_path = pg_temp, public")
        assert ben.execute(extractions).fetchone() == (0,)
