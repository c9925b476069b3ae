"""A lab database on the test PostgreSQL server: `coderai lab init` on a fresh database, two members with
unique role names (roles are cluster-wide), raw psycopg connections as each member or as the owner, and
every table filled with a member's rows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql
from psycopg.types.json import Json
from sqlalchemy.engine import make_url

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.lab_login import LabServer, member_session, member_url
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.persistence import lab_admin
from coderai_desktop.persistence.engine import normalise_url
from coderai_desktop.persistence.lab_policies import LabRoles
from coderai_desktop.persistence.repositories.variables import VariableRepository
from coderai_desktop.projects.codebook_file import read_codebook_file
from tests.integration.conftest import PG_URL_VARIABLE
from tests.integration.rows import fill_project
from tests.unit.codebook_data import DEMO_CODEBOOK

pytestmark = pytest.mark.postgres

MEMBER_PASSWORD = "lab member's password, 'quoted' \\ and all"


@dataclass
class Member:
    name: str
    url: str
    account_id: int = 0
    workspace_id: int = 0

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True)


@dataclass
class Lab:
    admin_url: str
    roles: LabRoles
    server: LabServer
    added: list[str] = field(default_factory=list)  # every member role, to drop after the database

    def add_member(self, prefix: str) -> Member:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.added.append(name)
        engine = lab_admin.admin_engine(self.admin_url)
        try:
            lab_admin.add_member(engine, name, MEMBER_PASSWORD)
        finally:
            engine.dispose()
        member = Member(name, member_url(self.server, name, MEMBER_PASSWORD))
        with self.owner() as connection:
            member.account_id, member.workspace_id = connection.execute(
                "SELECT account_id, workspace_id FROM lab_members WHERE role_name = %s", (name,)
            ).fetchone() or (0, 0)
        return member

    def admin_engine(self) -> sa.Engine:
        return lab_admin.admin_engine(self.admin_url)

    def owner(self) -> psycopg.Connection[Any]:
        """The admin acting as the owner role: sees and may change everything."""
        connection = psycopg.connect(self.admin_url, autocommit=True)
        connection.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(self.roles.owner)))
        return connection


@dataclass
class LabWithMembers:
    lab: Lab
    ana: Member
    ben: Member


@dataclass
class FreshDatabase:
    admin_url: str  # the test server's role, which may create roles and owns the database
    roles: list[str]  # roles made on the server for it, dropped after the database


@pytest.fixture
def fresh(postgres_url: str) -> Iterator[FreshDatabase]:
    """An empty database; afterwards it is dropped, then its lab's roles and those the test made."""
    url = make_url(normalise_url(postgres_url))
    assert url.database is not None
    database = FreshDatabase(url.set(drivername="postgresql").render_as_string(hide_password=False), [])
    try:
        yield database
    finally:
        roles = [*database.roles, url.database + "_owner", url.database + "_members"]
        _drop_database_then_roles(url.database, roles)


@pytest.fixture
def lab(fresh: FreshDatabase) -> Lab:
    """`lab init` on a fresh database."""
    engine = lab_admin.admin_engine(fresh.admin_url)
    setup = lab_admin.init_lab(engine)
    engine.dispose()
    url = make_url(fresh.admin_url)
    server = LabServer(url.host or "127.0.0.1", url.port or 5432, setup.roles.database)
    return Lab(fresh.admin_url, setup.roles, server, fresh.roles)


def _drop_database_then_roles(database: str, roles: list[str]) -> None:
    server = sa.create_engine(normalise_url(os.environ[PG_URL_VARIABLE]), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in roles:
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
    server.dispose()


@pytest.fixture
def members(lab: Lab) -> LabWithMembers:
    return LabWithMembers(lab, lab.add_member("ana"), lab.add_member("ben"))


@dataclass(frozen=True)
class Filled:
    """A project of a member with a row in every project table (ids by table name)."""

    project_id: int
    rows: dict[str, int]


def open_as(member: Member, tmp_path: Path) -> AppContext:
    return AppContext.open(Settings(data_dir=tmp_path / member.name, db_url=member.url))


NOW = sql.SQL("now()")


async def fill_project_as(member: Member, tmp_path: Path, name: str, *, share_with: list[Member]) -> int:
    """As the member: a project made by the app's services and repositories (projects, variables, prompts,
    codebook versions, documents, chunks, jobs, items, extractions, feedback, logs), the other tables by
    raw SQL, and shares of it as a viewer. Returns the project's id."""
    context = open_as(member, tmp_path)
    try:
        user = await member_session(context.database)
        demo = read_codebook_file(DEMO_CODEBOOK)
        project = await context.projects(user).create_project(ProjectContext(name=name), demo.variables)
        with context.database.transaction() as session:
            variable = VariableRepository(session, user.workspace_id).of_project(project.id)[0]
            made = fill_project(session, user.workspace_id, project.id, variable.id)
    finally:
        context.close()
    with member.connect() as connection:
        _fill_the_rest(connection, user, made.project_id, made.job_id, made.document_id, made.variable_id)
        for grantee in share_with:
            share(connection, user, project.id, grantee, "VIEWER")
    return project.id


def share(
    connection: psycopg.Connection[Any], owner: UserSession, project: int, grantee: Member, access: str
) -> int:
    return insert(
        connection,
        "project_shares",
        workspace_id=owner.workspace_id,
        project_id=project,
        account_id=grantee.account_id,
        access=access,
        granted_by_account_id=owner.account_id,
        created_at=NOW,
    )


def _fill_the_rest(
    connection: psycopg.Connection[Any],
    user: UserSession,
    project: int,
    job: int,
    document: int,
    variable: int,
) -> None:
    mine = {"workspace_id": user.workspace_id, "created_at": NOW}
    by_me = {**mine, "account_id": user.account_id}
    insert(
        connection,
        "human_codings",
        **by_me,
        project_id=project,
        document_id=document,
        variable_id=variable,
        coder=user.login,
        value=Json("Oslo"),
    )
    insert(
        connection,
        "copilot_messages",
        **by_me,
        project_id=project,
        role="researcher",
        kind="variables",
        content=Json({"text": "What should I code?"}),
    )
    insert(
        connection,
        "refinements",
        **by_me,
        project_id=project,
        variable_id=variable,
        status="proposed",
        seed=7,
        split=Json({"refinement": [], "held_out": []}),
        variable=Json({}),
        errors=Json([]),
        proposals=Json([]),
        usage=Json({}),
        updated_at=NOW,
    )
    part = insert(
        connection,
        "batch_parts",
        **mine,
        job_id=job,
        status="in_progress",
        request_count=1,
        failed_count=0,
        updated_at=NOW,
    )
    insert(
        connection,
        "batch_requests",
        **mine,
        job_id=job,
        part_id=part,
        document_id=document,
        custom_id=uuid.uuid4().hex,
        body=Json({"model": "gpt-4o-mini"}),
        status="submitted",
        updated_at=NOW,
    )
    insert(
        connection,
        "job_workers",
        workspace_id=user.workspace_id,
        job_id=job,
        account_id=user.account_id,
        host="lab-workstation",
        pid=4242,
        started_at=NOW,
        heartbeat_at=NOW,
    )
    # Complete: its codings are the project's like any other (sealing: test_blind_rounds.py).
    blind_round(connection, user, project, [document], {user.account_id: user.login}, done=True)


def blind_round(
    connection: psycopg.Connection[Any],
    owner: UserSession,
    project: int,
    documents: list[int],
    coders: dict[int, str],
    *,
    done: bool,
) -> int:
    """A blind round of the owner's project on these documents for these coders (account id -> login),
    every coder done with it or none; its id."""
    round_id = insert(
        connection,
        "blind_rounds",
        workspace_id=owner.workspace_id,
        project_id=project,
        document_ids=Json(documents),
        created_by_account_id=owner.account_id,
        created_at=NOW,
    )
    for account_id, login in coders.items():
        insert(
            connection,
            "blind_round_coders",
            workspace_id=owner.workspace_id,
            round_id=round_id,
            account_id=account_id,
            coder=login,
            done_at=NOW if done else None,
        )
    return round_id


def insert(connection: psycopg.Connection[Any], table: str, **values: Any) -> int:
    """Insert one row (a value that is SQL, such as NOW, goes in as SQL) and return its id."""
    names = sql.SQL(", ").join(map(sql.Identifier, values))
    given = [value for value in values.values() if not isinstance(value, sql.Composable)]
    slots = sql.SQL(", ").join(
        value if isinstance(value, sql.Composable) else sql.Placeholder() for value in values.values()
    )
    statement = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING id").format(
        sql.Identifier(table), names, slots
    )
    row = connection.execute(statement, given).fetchone()
    assert row is not None
    return int(row[0])
