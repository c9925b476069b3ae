"""What a lab's admin does to its PostgreSQL database: set it up (roles, schema, security), add and remove
members, and list who shares what.

Connected as the admin (a superuser, or a CREATEROLE role that may grant on schema public): roles are made
as the admin, everything else as the lab's owner role (SET ROLE), so the owner owns every table and the
owner's policy is the one that lets the admin's data work through.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, aliased
from sqlalchemy.pool import NullPool

from coderai_desktop.domain.errors import ConflictError, InvalidInputError, NotFoundError
from coderai_desktop.persistence.base import Base
from coderai_desktop.persistence.engine import normalise_url
from coderai_desktop.persistence.lab_policies import (
    MEMBER_NAME,
    LabRoles,
    apply_security,
    is_lab_database,
    quoted,
    set_local_role,
)
from coderai_desktop.persistence.migrate import MigrationResult, upgrade_database
from coderai_desktop.persistence.repositories.accounts import AccountRepository
from coderai_desktop.persistence.tables import Account, LabMember, Project, ProjectShare, Workspace

CONNECT_TIMEOUT_SECONDS = 10
# Not an argon2 hash: the app's own password check fails on it, whatever is typed. Members sign in with
# their database role's password, which the server checks.
NO_APP_PASSWORD = "!lab member: signs in with the database role"
# The app's tables someone else owns: a database the app used before it became a lab's.
_NOT_THE_OWNERS = sa.text(
    "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND tableowner <> :owner "
    "AND tablename IN :tables"
).bindparams(sa.bindparam("tables", expanding=True))
# Roles that `add-member` put in the members group (never a superuser): the only ones remove-member drops.
_ADDED_MEMBER = sa.text(
    "SELECT EXISTS (SELECT FROM pg_catalog.pg_auth_members a JOIN pg_catalog.pg_roles g ON g.oid = a.roleid "
    "JOIN pg_catalog.pg_roles r ON r.oid = a.member WHERE g.rolname = :members AND r.rolname = :role "
    "AND NOT r.rolsuper)"
)


def admin_engine(url: str) -> Engine:
    """An engine for the admin's URL; a new connection each time (SET ROLE never outlives its work)."""
    engine = sa.create_engine(
        normalise_url(url), poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )
    if engine.dialect.name != "postgresql":
        raise InvalidInputError(
            "Lab mode needs a PostgreSQL database: pass --db-url postgresql://ADMIN@HOST/DATABASE."
        )
    return engine


@dataclass(frozen=True)
class LabSetup:
    roles: LabRoles
    migration: MigrationResult


def init_lab(engine: Engine) -> LabSetup:
    """Set up (or upgrade) a lab database; running it again upgrades the schema and re-applies security."""
    with engine.begin() as connection:
        roles = LabRoles.here(connection)
        _check_admin(connection)
        _create_roles(connection, roles)
        _hand_tables_to_owner(connection, roles)
    as_owner = sa.create_engine(engine.url, poolclass=NullPool)
    sa.event.listen(as_owner, "connect", lambda dbapi, _record: _set_role(dbapi, roles.owner))
    try:
        migration = upgrade_database(as_owner, backup_dir=None)
    finally:
        as_owner.dispose()
    with engine.begin() as connection:
        set_local_role(connection, roles.owner)
        apply_security(connection, roles)
    return LabSetup(roles, migration)


def _set_role(dbapi_connection: psycopg.Connection[Any], role: str) -> None:
    dbapi_connection.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
    dbapi_connection.commit()  # else the pool's rollback on return would undo it


def _check_admin(connection: Connection) -> None:
    query = (
        "SELECT current_user, rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user"
    )
    name, may_create_roles = connection.exec_driver_sql(query).one()
    if not may_create_roles:
        raise InvalidInputError(
            f"{name} cannot create roles. Connect as the server's admin: a superuser, or a role with "
            "CREATEROLE that owns the database."
        )


def _create_roles(connection: Connection, roles: LabRoles) -> None:
    q = lambda name: quoted(connection, name)  # noqa: E731
    for role in (roles.owner, roles.members):
        if not _role_exists(connection, role):
            connection.exec_driver_sql(f"CREATE ROLE {q(role)} NOLOGIN")
    admin = str(connection.exec_driver_sql("SELECT current_user").scalar_one())
    if not connection.execute(
        sa.text("SELECT pg_has_role(current_user, :owner, 'MEMBER')"), {"owner": roles.owner}
    ).scalar_one():
        connection.exec_driver_sql(f"GRANT {q(roles.owner)} TO {q(admin)}")
    connection.exec_driver_sql(f"GRANT USAGE, CREATE ON SCHEMA public TO {q(roles.owner)}")
    connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {q(roles.members)}")


def _hand_tables_to_owner(connection: Connection, roles: LabRoles) -> None:
    """Tables (with their sequences) the admin made before the lab existed become the owner's."""
    tables = [*Base.metadata.tables, "alembic_version"]
    table: str
    for table in connection.execute(_NOT_THE_OWNERS, {"owner": roles.owner, "tables": tables}).scalars():
        connection.exec_driver_sql(
            f"ALTER TABLE public.{quoted(connection, table)} OWNER TO {quoted(connection, roles.owner)}"
        )


def _role_exists(connection: Connection, role: str) -> bool:
    query = sa.text("SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :role)")
    return bool(connection.execute(query, {"role": role}).scalar_one())


def _lab_roles(connection: Connection) -> LabRoles:
    if not is_lab_database(connection):
        raise InvalidInputError(
            "This database is not set up for a lab yet: run `coderai lab init --db-url ...` first."
        )
    return LabRoles.here(connection)


def check_member_name(name: str) -> str:
    """A member's name is both a database role and an app login: lower-case letters, digits, underscores."""
    name = name.strip()
    if not MEMBER_NAME.fullmatch(name):
        raise InvalidInputError(
            f"'{name}' cannot name a member: use 2 to 63 lower-case letters, digits and underscores, starting "
            "with a letter (and not with pg_). It is their database login and their name in the app."
        )
    return name


def set_password(connection: Connection, role: str, password: str) -> None:
    """ALTER ROLE ... PASSWORD with the SCRAM verifier computed here: the password itself never reaches the
    server, so no statement log can show it."""
    dbapi = cast("psycopg.Connection[Any]", connection.connection.dbapi_connection)
    verifier = dbapi.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
    statement = sql.SQL("ALTER ROLE {} PASSWORD {}").format(
        sql.Identifier(role), sql.Literal(verifier.decode())
    )
    connection.exec_driver_sql(statement.as_string(dbapi))


@dataclass(frozen=True)
class MemberAdded:
    name: str
    projects_back: int  # a removed member added again finds the projects that were kept


def add_member(engine: Engine, name: str, password: str) -> MemberAdded:
    """A login role in the members group, an account with no app password, a workspace, the lab_members row."""
    name = check_member_name(name)
    with engine.begin() as connection:
        roles = _lab_roles(connection)
        if name in (roles.owner, roles.members) or _role_exists(connection, name):
            raise ConflictError(
                f"A database role named {name} already exists on this server: choose another name."
            )
        connection.exec_driver_sql(f"CREATE ROLE {quoted(connection, name)} LOGIN")
        connection.exec_driver_sql(f"GRANT {quoted(connection, roles.members)} TO {quoted(connection, name)}")
        set_password(connection, name, password)
        set_local_role(connection, roles.owner)
        with Session(connection) as session:
            return _add_member_rows(session, name)


def _add_member_rows(session: Session, name: str) -> MemberAdded:
    repository = AccountRepository(session)
    account = repository.by_login(name)
    if account is None:
        account, workspace = repository.add_with_workspace(name, NO_APP_PASSWORD)
    elif _member_of(session, account.id) is not None:
        raise ConflictError(f"{name} is already a member of this lab.")
    else:  # a removed member comes back: their kept workspace, or a new one
        account.password_hash = NO_APP_PASSWORD
        workspace = session.scalars(_owned_workspaces(account.id)).first() or _new_workspace(session, account)
    session.add(LabMember(role_name=name, account_id=account.id, workspace_id=workspace.id))
    session.flush()
    return MemberAdded(name, _project_count(session, account.id))


def _new_workspace(session: Session, account: Account) -> Workspace:
    workspace = Workspace(owner_account_id=account.id, name=f"{account.login}'s workspace")
    session.add(workspace)
    session.flush()
    return workspace


def _member_of(session: Session, account_id: int) -> LabMember | None:
    return session.scalars(sa.select(LabMember).where(LabMember.account_id == account_id)).first()


def _owned_workspaces(account_id: int) -> sa.Select[Workspace]:
    return sa.select(Workspace).where(Workspace.owner_account_id == account_id).order_by(Workspace.id)


def _project_count(session: Session, account_id: int) -> int:
    owned = sa.select(Workspace.id).where(Workspace.owner_account_id == account_id)
    query = sa.select(sa.func.count()).select_from(Project).where(Project.workspace_id.in_(owned))
    return session.execute(query).scalar_one()


@dataclass(frozen=True)
class Removal:
    name: str
    projects: int  # the projects of the workspaces they owned
    handed_to: str | None  # who owns them now; None: kept, readable by no member
    already_removed: bool
    # Their connections still open: the admin may not end other roles' sessions (no pg_signal_backend).
    # Those reach nothing any more (the role and its membership are gone) and end with their app.
    connections_left: int = 0


def remove_member(engine: Engine, name: str, *, hand_over_to: str | None) -> Removal:
    """End the member's connections, drop their login role, delete the shares granted to them, and hand their
    workspaces to another member or keep them. Handing over also works for a member removed earlier."""
    name, hand_over_to = name.strip(), hand_over_to and hand_over_to.strip()
    with engine.begin() as connection:
        roles = _lab_roles(connection)
        set_local_role(connection, roles.owner)
        with Session(connection) as session:
            account, member = _removed_or_member(session, name)
            if hand_over_to is not None:
                _heir(session, hand_over_to, name)
        connection.exec_driver_sql("RESET ROLE")
        in_lab: bool = connection.execute(
            _ADDED_MEMBER, {"members": roles.members, "role": name}
        ).scalar_one()
        if in_lab:  # no new connection from now on
            connection.exec_driver_sql(f"ALTER ROLE {quoted(connection, name)} NOLOGIN")
    left = _end_connections(engine, name) if in_lab else 0
    with engine.begin() as connection:
        if in_lab:
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {quoted(connection, name)}")
        set_local_role(connection, roles.owner)
        with Session(connection) as session:
            removal = _remove_rows(session, name, account, member is None, hand_over_to)
    return replace(removal, connections_left=left)


def _removed_or_member(session: Session, name: str) -> tuple[Account, LabMember | None]:
    """The account of a member, or of one removed earlier (whose kept projects can still be handed over)."""
    account = AccountRepository(session).by_login(name)
    if account is None:
        raise NotFoundError(f"{name} is not a member of this lab: `coderai lab members` lists them.")
    return account, session.get(LabMember, name)


def _heir(session: Session, name: str, leaving: str) -> LabMember:
    heir = session.get(LabMember, name)
    if heir is None or name == leaving:
        raise InvalidInputError(
            f"Hand the projects over to another current member, not {name}: `coderai lab members` lists them."
        )
    return heir


_SESSIONS_OF = "FROM pg_catalog.pg_stat_activity WHERE usename = :role"


def _end_connections(engine: Engine, role: str) -> int:
    """End the role's open connections; how many are left because the admin may not end them."""
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(f"SELECT pg_terminate_backend(pid, 5000) {_SESSIONS_OF}"), {"role": role}
            )
        return 0
    except sa.exc.DBAPIError as error:
        if not isinstance(error.orig, psycopg.errors.InsufficientPrivilege):
            raise
    with engine.begin() as connection:
        return int(
            connection.execute(sa.text(f"SELECT count(*) {_SESSIONS_OF}"), {"role": role}).scalar_one()
        )


def _remove_rows(
    session: Session, name: str, account: Account, already_removed: bool, hand_over_to: str | None
) -> Removal:
    session.execute(sa.delete(ProjectShare).where(ProjectShare.account_id == account.id))
    session.execute(sa.delete(LabMember).where(LabMember.role_name == name))
    projects = _project_count(session, account.id)
    if hand_over_to is not None:
        heir = _heir(session, hand_over_to, name)
        theirs = sa.select(Workspace.id).where(Workspace.owner_account_id == account.id).scalar_subquery()
        # The heir's own shares of these projects would only repeat what they now own.
        session.execute(
            sa.delete(ProjectShare).where(
                ProjectShare.account_id == heir.account_id, ProjectShare.workspace_id.in_(theirs)
            )
        )
        session.execute(
            sa.update(Workspace)
            .where(Workspace.owner_account_id == account.id)
            .values(owner_account_id=heir.account_id)
        )
    return Removal(name, projects, hand_over_to, already_removed)


@dataclass(frozen=True)
class MemberRow:
    name: str
    projects: int
    member: bool  # False: removed, their projects kept


@dataclass(frozen=True)
class ShareRow:
    project: str
    owner: str
    shared_with: str
    access: str


def list_members(engine: Engine) -> tuple[list[MemberRow], list[ShareRow]]:
    """The members with their project counts (and removed members whose projects are kept), and every share."""
    with engine.begin() as connection:
        set_local_role(connection, _lab_roles(connection).owner)
        with Session(connection) as session:
            return _member_rows(session), _share_rows(session)


def _member_rows(session: Session) -> list[MemberRow]:
    query = (
        sa.select(Account.login, sa.func.count(Project.id), LabMember.role_name)
        .outerjoin(Workspace, Workspace.owner_account_id == Account.id)
        .outerjoin(Project, Project.workspace_id == Workspace.id)
        .outerjoin(LabMember, LabMember.account_id == Account.id)
        .group_by(Account.login, LabMember.role_name)
        .order_by(Account.login)
    )
    rows = [MemberRow(login, count, role is not None) for login, count, role in session.execute(query)]
    return [row for row in rows if row.member or row.projects]


def _share_rows(session: Session) -> list[ShareRow]:
    owner, grantee = aliased(Account), aliased(Account)
    query = (
        sa.select(Project.name, owner.login, grantee.login, ProjectShare.access)
        .join(ProjectShare, ProjectShare.project_id == Project.id)
        .join(Workspace, Workspace.id == Project.workspace_id)
        .join(owner, owner.id == Workspace.owner_account_id)
        .join(grantee, grantee.id == ProjectShare.account_id)
        .order_by(owner.login, Project.name, grantee.login)
    )
    return [ShareRow(name, by, to, access.value) for name, by, to, access in session.execute(query)]
