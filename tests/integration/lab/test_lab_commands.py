"""`coderai lab ...` through the command line, and what the app says to whoever connects to a lab database
as someone other than a member, or to a member whose server, password, database or schema is wrong."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.lab_login import (
    LabConnectionError,
    LabServer,
    check_member,
    member_url,
    role_problem,
)
from coderai_desktop.config import Settings
from coderai_desktop.domain.errors import CoderAIError, InvalidInputError
from coderai_desktop.persistence import lab_admin
from coderai_desktop.persistence.lab_policies import ConnectedRole, LabRoles
from tests.conftest import PASSWORD
from tests.integration.conftest import Cli
from tests.integration.lab.conftest import MEMBER_PASSWORD, FreshDatabase, Lab, LabWithMembers

pytestmark = pytest.mark.postgres


def test_init_add_members_list_and_remove_them_on_the_command_line(
    cli: Cli, fresh: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = ("--db-url", fresh.admin_url)
    first = cli("lab", "init", *admin)
    assert first.code == 0, first.err
    assert "is ready" in first.out and "went from empty to" in first.out
    assert "is up to date" in cli("lab", "upgrade", *admin).out

    ana, ben = (f"{name}_{uuid.uuid4().hex[:8]}" for name in ("ana", "ben"))
    fresh.roles.extend([ana, ben])
    monkeypatch.setenv("CODERAI_MEMBER_PASSWORD", MEMBER_PASSWORD)
    for name in (ana, ben):
        added = cli("lab", "add-member", name, *admin)
        assert added.code == 0, added.err
        assert f"Added {name}" in added.out and MEMBER_PASSWORD not in added.out + added.err
    again = cli("lab", "add-member", ana, *admin)
    assert again.code == 1 and "already exists" in again.err
    for unfit in ("Ana-B", "pg_ana", "a", "ana$"):
        assert "cannot name a member" in cli("lab", "add-member", unfit, *admin).err

    # A member's commands: the connection says who they are, and no app password is asked for.
    monkeypatch.delenv("CODERAI_PASSWORD")
    server = make_url(fresh.admin_url)
    where = LabServer(server.host or "127.0.0.1", server.port or 5432, server.database or "")
    as_ana = ("--db-url", member_url(where, ana, MEMBER_PASSWORD))
    assert cli("project", "create", "Climate plans", *as_ana).code == 0
    assert "Climate plans" in cli("project", "list", *as_ana).out

    listing = cli("lab", "members", *admin).out
    assert listing.split("\n")[0].split() == ["MEMBER", "PROJECTS", "STATUS"]
    assert f"{ana}  1         member" in listing and f"{ben}  0         member" in listing

    assert cli("lab", "remove-member", ana, *admin).code == 2  # keep or hand over: the admin must say
    kept = cli("lab", "remove-member", ana, "--keep-projects", *admin)
    assert kept.code == 0, kept.err
    assert "1 project(s) are kept, readable by no member" in kept.out
    assert f"{ana}  1         removed (projects kept)" in cli("lab", "members", *admin).out
    handed = cli("lab", "remove-member", ana, "--hand-over-to", ben, *admin)
    assert f"{ana} was removed earlier; their 1 project(s) now belong to {ben}" in handed.out
    after = cli("lab", "members", *admin).out
    assert f"{ben}  1         member" in after and ana not in after


def test_the_lab_commands_need_a_postgresql_admin_url(cli: Cli) -> None:
    assert "Say which database: --db-url postgresql://" in cli("lab", "init").err


def test_the_app_refuses_the_admin_of_a_lab_and_says_to_connect_as_a_member(lab: Lab, tmp_path: Path) -> None:
    with pytest.raises(CoderAIError, match=r"administers this lab.*Connect as a member"):
        AppContext.open(Settings(data_dir=tmp_path, db_url=lab.admin_url))


@pytest.mark.parametrize(
    ("superuser", "bypasses_rls", "kind"),
    [(True, True, "a superuser"), (False, True, "a role that bypasses row-level security")],
)
def test_a_superuser_or_a_role_that_bypasses_security_is_no_member(
    superuser: bool, bypasses_rls: bool, kind: str
) -> None:
    role = ConnectedRole("postgres", True, superuser, bypasses_rls, administers=True, member=False)
    assert role_problem(role) == (
        f"postgres is {kind}: the lab's protections do not hold for it. Connect as a member: the lab admin "
        "adds one with `coderai lab add-member NAME`."
    )


def test_check_member_says_what_is_wrong(members: LabWithMembers, fresh: FreshDatabase) -> None:
    lab, ana = members.lab, members.ana
    assert check_member(ana.url) == ana.name
    with pytest.raises(LabConnectionError, match="Wrong member name or password for the database"):
        check_member(member_url(lab.server, ana.name, "not the password"))
    closed = LabServer(lab.server.host, 1, lab.server.database)
    with pytest.raises(LabConnectionError, match=r"Cannot reach .* at 127.0.0.1:1: the server refused"):
        check_member(member_url(closed, ana.name, MEMBER_PASSWORD))
    missing = LabServer(lab.server.host, lab.server.port, "no_such_lab")
    with pytest.raises(LabConnectionError, match="There is no database named no_such_lab"):
        check_member(member_url(missing, ana.name, MEMBER_PASSWORD))
    with pytest.raises(LabConnectionError, match="administers this lab"):
        check_member(lab.admin_url)


def test_check_member_on_a_database_that_is_no_lab_says_to_run_lab_init(postgres_url: str) -> None:
    with pytest.raises(
        LabConnectionError, match=r"is not set up for a lab: ask the admin to run `coderai lab init`"
    ):
        check_member(postgres_url)


def test_a_member_behind_the_schema_is_told_to_ask_for_an_upgrade(
    members: LabWithMembers, tmp_path: Path
) -> None:
    lab, ana = members.lab, members.ana
    with lab.owner() as owner:
        owner.execute("UPDATE alembic_version SET version_num = '0009'")
    advice = (
        "This lab database needs an upgrade: ask your lab admin to run `coderai lab upgrade --db-url "
        f"postgresql://ADMIN@127.0.0.1:5432/{lab.roles.database}`."
    )
    with pytest.raises(LabConnectionError) as told:
        check_member(ana.url)
    assert str(told.value) == advice
    with pytest.raises(CoderAIError) as opening:
        AppContext.open(Settings(data_dir=tmp_path, db_url=ana.url))
    assert str(opening.value) == advice


async def test_a_database_the_app_used_before_becomes_a_lab_whose_owner_owns_every_table(
    fresh: FreshDatabase, tmp_path: Path
) -> None:
    before = AppContext.open(Settings(data_dir=tmp_path, db_url=fresh.admin_url))
    await before.accounts.create_account("ana", PASSWORD)
    before.close()
    engine = lab_admin.admin_engine(fresh.admin_url)
    try:
        setup = lab_admin.init_lab(engine)
        with engine.connect() as connection:
            owners: str = connection.exec_driver_sql(
                "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'"
            ).scalar_one()
            forced: bool = connection.exec_driver_sql(
                "SELECT bool_and(relforcerowsecurity) FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                "AND relkind = 'r' AND relname <> 'alembic_version'"
            ).scalar_one()
    finally:
        engine.dispose()
    assert (owners, forced) == (setup.roles.owner, True)


def test_a_database_whose_name_cannot_name_its_roles_is_refused_in_plain_words() -> None:
    with pytest.raises(InvalidInputError, match=r"roles are named after its database.*'Coder-Lab' does not"):
        LabRoles.of("Coder-Lab")
    assert LabRoles.of("climate_lab") == LabRoles("climate_lab", "climate_lab_owner", "climate_lab_members")


def test_an_admin_who_may_not_end_sessions_still_removes_a_connected_member(
    cli: Cli, members: LabWithMembers, fresh: FreshDatabase
) -> None:
    """An admin role with CREATEROLE but not pg_signal_backend: the member's open connection cannot be
    ended, yet the removal goes through, says so, and that connection reaches nothing any more."""
    ana, lab = members.ana, members.lab
    limited = f"admin_{uuid.uuid4().hex[:8]}"
    fresh.roles.append(limited)
    with psycopg.connect(fresh.admin_url, autocommit=True) as server:
        server.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD 'admin'").format(sql.Identifier(limited))
        )
        server.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(lab.roles.owner), sql.Identifier(limited))
        )
        if server.info.server_version >= 160000:  # CREATEROLE alone no longer lets it drop others' roles
            server.execute(
                sql.SQL("GRANT {} TO {} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE").format(
                    sql.Identifier(ana.name), sql.Identifier(limited)
                )
            )
    url = make_url(fresh.admin_url).set(username=limited, password="admin")
    with ana.connect() as open_connection:
        removed = cli(
            "lab", "remove-member", ana.name, "--keep-projects", "--db-url", url.render_as_string(False)
        )

        assert removed.code == 0, removed.err
        assert f"1 connection(s) of {ana.name} are still open" in removed.out
        with pytest.raises(psycopg.Error):
            open_connection.execute("SELECT count(*) FROM projects").fetchone()
    assert ana.name not in cli("lab", "members", "--db-url", fresh.admin_url).out.split()
