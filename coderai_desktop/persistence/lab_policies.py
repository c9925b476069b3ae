"""The security of a lab database (PostgreSQL): its two roles, who is connected, and the row-level security
policies, generated from the tables so that a table added by a later migration is covered by `lab upgrade`.

`<db>_owner` (NOLOGIN) owns every table; FORCE ROW LEVEL SECURITY holds it to its own policy (everything),
which the admin reaches through SET ROLE. `<db>_members` is the group of the members' login roles; their
policies find the member by `session_user`, which no member can change (SET ROLE changes `current_user`
only), through SECURITY DEFINER helpers called as `(SELECT f())`: run once per query, not once per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

import coderai_desktop.persistence.tables  # noqa: F401  (fills Base.metadata)
from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.persistence.base import Base

# PostgreSQL's rules for an unquoted identifier, in lower case: what a person types in psql as is.
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_$]*")
# A member's name is also their app login (auth/credentials.LOGIN_PATTERN): no $, and not reserved.
MEMBER_NAME = re.compile(r"(?!pg_)[a-z][a-z0-9_]{1,62}")
MAX_ROLE_LENGTH = 63
OWNER_SUFFIX, MEMBERS_SUFFIX = "_owner", "_members"
OWNER_POLICY = "coderai_owner"
MEMBER_POLICY = "coderai_member"


def quoted(connection: Connection, name: str) -> str:
    """An identifier always double-quoted (and escaped), never pasted into SQL as typed."""
    return connection.dialect.identifier_preparer.quote_identifier(name)


@dataclass(frozen=True)
class LabRoles:
    database: str
    owner: str
    members: str

    @classmethod
    def of(cls, database: str) -> LabRoles:
        longest = MAX_ROLE_LENGTH - len(MEMBERS_SUFFIX)
        if not ROLE_NAME.fullmatch(database) or len(database) > longest:
            raise InvalidInputError(
                f"The lab's roles are named after its database, so a lab database's name has at most {longest} "
                f"lower-case letters, digits and underscores; '{database}' does not. Create one with such a name "
                "(or rename this one) and run the command on it."
            )
        return cls(database, database + OWNER_SUFFIX, database + MEMBERS_SUFFIX)

    @classmethod
    def here(cls, connection: Connection) -> LabRoles:
        return cls.of(str(connection.execute(sa.text("SELECT current_database()")).scalar_one()))


def set_local_role(connection: Connection, role: str) -> None:
    """Act as `role` until the end of the transaction."""
    connection.exec_driver_sql(f"SET LOCAL ROLE {quoted(connection, role)}")


# A lab database is one whose tables its owner role owns (`coderai lab init` made it so).
_IS_LAB = """SELECT EXISTS (SELECT FROM pg_catalog.pg_tables WHERE schemaname = 'public'
    AND tablename = 'alembic_version' AND tableowner = current_database() || '_owner')"""


def is_lab_database(bind: Engine | Connection) -> bool:
    if bind.dialect.name != "postgresql":
        return False
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return is_lab_database(connection)
    return bool(bind.exec_driver_sql(_IS_LAB).scalar_one())


def may_change_schema(connection: Connection) -> bool:
    """Only the owner role changes a lab database's schema; any database that is not a lab, whoever can."""
    if not is_lab_database(connection):
        return True
    query = "SELECT current_user = current_database() || '_owner'"
    return bool(connection.exec_driver_sql(query).scalar_one())


@dataclass(frozen=True)
class ConnectedRole:
    """Who a connection to a PostgreSQL database is, as far as a lab is concerned."""

    name: str
    lab: bool
    superuser: bool
    bypasses_rls: bool
    administers: bool  # may act as the lab's owner role (the admin who ran lab init)
    member: bool  # in the members group, with a row in lab_members


_ROLE = """SELECT session_user, r.rolsuper, r.rolbypassrls,
    coalesce(pg_has_role(session_user, o.oid, 'MEMBER'), false),
    coalesce(pg_has_role(session_user, m.oid, 'MEMBER'), false)
FROM pg_catalog.pg_roles r
LEFT JOIN pg_catalog.pg_roles o ON o.rolname = current_database() || '_owner'
LEFT JOIN pg_catalog.pg_roles m ON m.rolname = current_database() || '_members'
WHERE r.rolname = session_user"""


def connected_role(connection: Connection) -> ConnectedRole:
    name, superuser, bypasses_rls, administers, in_group = connection.exec_driver_sql(_ROLE).one()
    lab = is_lab_database(connection)
    member = lab and bool(in_group) and connected_member(connection) is not None
    return ConnectedRole(str(name), lab, bool(superuser), bool(bypasses_rls), bool(administers), member)


def connected_member(connection: Connection) -> tuple[int, str, int] | None:
    """The connected member's account id, login and workspace id (lab_members by `session_user`)."""
    query = sa.text(
        "SELECT m.account_id, a.login, m.workspace_id FROM lab_members m "
        "JOIN accounts a ON a.id = m.account_id WHERE m.role_name = session_user"
    )
    row = connection.execute(query).first()
    return None if row is None else (row[0], row[1], row[2])


# The shares given to the connected member, of projects whose owner is a member: those of a member removed
# with their projects kept lie dormant (readable by no one) until the admin hands the projects over.
_MY_SHARES = (
    "FROM public.project_shares s JOIN public.lab_members m ON m.account_id = s.account_id "
    "JOIN public.workspaces w ON w.id = s.workspace_id "
    "JOIN public.lab_members owner ON owner.account_id = w.owner_account_id WHERE m.role_name = session_user"
)
# The helpers the member policies call. SECURITY DEFINER: they run as the owner, whose policy lets them read
# lab_members, workspaces and project_shares whatever those tables' member policies say (no recursion).
_HELPERS = {
    "coderai_lab_account()": (
        "integer",
        "SELECT account_id FROM public.lab_members WHERE role_name = session_user",
    ),
    "coderai_lab_workspaces()": (
        "integer[]",
        "SELECT coalesce(array_agg(w.id), '{}') FROM public.workspaces w "
        "JOIN public.lab_members m ON m.account_id = w.owner_account_id WHERE m.role_name = session_user",
    ),
    "coderai_lab_shared_projects(editors_only boolean)": (
        "integer[]",
        f"SELECT coalesce(array_agg(s.project_id), '{{}}') {_MY_SHARES} "
        f"AND (s.access = '{ShareAccess.EDITOR.value}' OR NOT editors_only)",
    ),
    "coderai_lab_shared_workspaces()": (
        "integer[]",
        f"SELECT coalesce(array_agg(DISTINCT s.workspace_id), '{{}}') {_MY_SHARES}",
    ),
    # Blind rounds (review/blind_rounds.py, whose rule this is): "document id:coder" of the codings the
    # member may not read yet, another coder's codings of a round not every coder is done with.
    "coderai_lab_sealed_codings()": (
        "text[]",
        "SELECT coalesce(array_agg(DISTINCT d.document_id || ':' || c.coder), '{}') "
        "FROM public.blind_rounds r "
        "CROSS JOIN LATERAL json_array_elements_text(r.document_ids) AS d(document_id) "
        "JOIN public.blind_round_coders c ON c.round_id = r.id "
        "WHERE EXISTS (SELECT FROM public.blind_round_coders o WHERE o.round_id = r.id AND o.done_at IS NULL) "
        "AND c.account_id IS DISTINCT FROM "
        "(SELECT account_id FROM public.lab_members WHERE role_name = session_user)",
    ),
    # How far each coder of the rounds has got (units coded), which sealed codings must not hide: counts of
    # the rounds of projects the member may read, never values.
    "coderai_lab_round_progress(round_ids integer[])": (
        "TABLE(round_id integer, coder text, units bigint)",
        "SELECT c.round_id, c.coder::text, count(DISTINCT (h.document_id, h.entity_index)) "
        "FROM public.blind_round_coders c JOIN public.blind_rounds r ON r.id = c.round_id "
        "JOIN public.human_codings h ON h.project_id = r.project_id AND h.coder = c.coder "
        "AND h.document_id IN (SELECT json_array_elements_text(r.document_ids)::integer) "
        "WHERE c.round_id = ANY (round_ids) AND (r.workspace_id = ANY (public.coderai_lab_workspaces()) "
        "OR r.project_id = ANY (public.coderai_lab_shared_projects(false))) GROUP BY c.round_id, c.coder",
    ),
}
MY_ACCOUNT = "(SELECT public.coderai_lab_account())"
# `= ANY ((SELECT f())::integer[])`: an array computed once per query; without the cast the parentheses
# would read as a subquery of integer[] rows.
MY_WORKSPACES = "(SELECT public.coderai_lab_workspaces())::integer[]"
SHARED_WORKSPACES = "(SELECT public.coderai_lab_shared_workspaces())::integer[]"
MINE = f"workspace_id = ANY ({MY_WORKSPACES})"
IN_SHARED_WORKSPACE = f"workspace_id = ANY ({SHARED_WORKSPACES})"
SEALED_CODING = "document_id || ':' || coder = ANY ((SELECT public.coderai_lab_sealed_codings())::text[])"


def shared_projects(*, editors_only: bool) -> str:
    return f"(SELECT public.coderai_lab_shared_projects({str(editors_only).lower()}))::integer[]"


@dataclass(frozen=True)
class MemberRules:
    """A table's member policies (None: members may not) and what the members group is granted on it."""

    grants: str | None
    read: str | None = None
    insert: str | None = None
    update: str | None = None
    delete: str | None = None


DATA = "SELECT, INSERT, UPDATE, DELETE"
# Tables whose rows are not a project's: the identities and the shares themselves.
_SPECIAL = {
    # Every member reads the login names (to share with) and may touch only their own row's login time.
    "accounts": MemberRules("SELECT, UPDATE (last_login_at)", "true", update=f"id = {MY_ACCOUNT}"),
    "lab_members": MemberRules("SELECT", "true"),
    "login_failures": MemberRules(None),  # the app's own password logins: none in a lab
    "workspaces": MemberRules(
        "SELECT, UPDATE (name, provider_settings)",
        f"owner_account_id = {MY_ACCOUNT} OR id = ANY ({SHARED_WORKSPACES})",
        update=f"owner_account_id = {MY_ACCOUNT}",
    ),
    # Only the project's owner shares it; a grantee reads their own share (what access they have).
    "project_shares": MemberRules(
        DATA, f"{MINE} OR account_id = {MY_ACCOUNT}", insert=MINE, update=MINE, delete=MINE
    ),
}


def member_rules(table: sa.Table) -> MemberRules:
    if (special := _SPECIAL.get(table.name)) is not None:
        return special
    if "workspace_id" not in table.c:
        raise LookupError(f"Table {table.name} has no lab policy: say in lab_policies.py who may use it.")
    if not _has_project(table):  # a workspace's own rows, no project's
        return MemberRules(DATA, MINE, MINE, MINE, MINE)
    read = _project_scope(table, editors_only=False)
    write = _project_scope(table, editors_only=True)
    if table.name == "human_codings":
        read = f"({read}) AND NOT ({SEALED_CODING})"
    if table.name == "projects":  # editors change a project; only its owner creates or deletes one
        return MemberRules(DATA, read, insert=MINE, update=write, delete=MINE)
    return MemberRules(DATA, read, write, write, write)


def _project_scope(table: sa.Table, *, editors_only: bool) -> str:
    """Mine (a workspace I own), or a project shared with me (as an editor, for writes)."""
    condition = _project_condition(table, table.name, editors_only=editors_only)
    return f"{MINE} OR ({IN_SHARED_WORKSPACE} AND {condition})"


def _project_condition(table: sa.Table, qualifier: str, *, editors_only: bool) -> str:
    projects = shared_projects(editors_only=editors_only)
    if table.name == "projects":
        return f"{qualifier}.id = ANY ({projects})"
    if "project_id" in table.c:
        return f"{qualifier}.project_id = ANY ({projects})"
    column, parent = _parent(table)
    inner = _project_condition(parent, parent.name, editors_only=editors_only)
    return f"{qualifier}.{column} IN (SELECT {parent.name}.id FROM public.{parent.name} WHERE {inner})"


def _has_project(table: sa.Table) -> bool:
    return table.name == "projects" or "project_id" in table.c or _parent_or_none(table) is not None


def _parent(table: sa.Table) -> tuple[str, sa.Table]:
    found = _parent_or_none(table)
    assert found is not None, f"{table.name} reaches no project"
    return found


def _parent_or_none(table: sa.Table) -> tuple[str, sa.Table] | None:
    """The row of a project-scoped table that this row belongs to: a (column, workspace_id) reference
    (base.owned_by), which the database keeps in the same workspace."""
    for constraint in sorted(table.foreign_key_constraints, key=lambda c: str(c.name)):
        columns = {column.name for column in constraint.columns}
        if "workspace_id" in columns and len(columns) == 2 and _has_project(constraint.referred_table):
            (column,) = columns - {"workspace_id"}
            return column, constraint.referred_table
    return None


def apply_security(connection: Connection, roles: LabRoles) -> None:
    """Create the helpers, then for every table: force row-level security, (re)create its policies and
    grant the members group what its policies allow. Run as the owner role, in one transaction."""
    q = lambda name: quoted(connection, name)  # noqa: E731
    for signature, (returns, body) in _HELPERS.items():
        function = f"public.{signature}"
        connection.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {function} RETURNS {returns} LANGUAGE sql STABLE SECURITY DEFINER "
            f"SET search_path = pg_catalog, pg_temp AS $$ {body} $$"
        )
        connection.exec_driver_sql(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        connection.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {function} TO {q(roles.members)}")
    for table in Base.metadata.sorted_tables:
        _secure_table(connection, table, roles)
    connection.exec_driver_sql(f"REVOKE ALL ON public.alembic_version FROM PUBLIC, {q(roles.members)}")
    connection.exec_driver_sql(f"GRANT SELECT ON public.alembic_version TO {q(roles.members)}")


def _secure_table(connection: Connection, table: sa.Table, roles: LabRoles) -> None:
    q = lambda name: quoted(connection, name)  # noqa: E731
    name = f"public.{q(table.name)}"
    rules = member_rules(table)
    run = connection.exec_driver_sql
    run(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
    run(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY")
    existing = sa.text(
        "SELECT policyname FROM pg_catalog.pg_policies WHERE schemaname = 'public' AND tablename = :t"
    )
    policy: str
    for policy in connection.execute(existing, {"t": table.name}).scalars():
        run(f"DROP POLICY {q(policy)} ON {name}")
    run(f"CREATE POLICY {OWNER_POLICY} ON {name} TO {q(roles.owner)} USING (true) WITH CHECK (true)")
    members = q(roles.members)
    for command, using, check in (
        ("SELECT", rules.read, None),
        ("INSERT", None, rules.insert),
        ("UPDATE", rules.update, rules.update),
        ("DELETE", rules.delete, None),
    ):
        if using is None and check is None:
            continue
        clauses = (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else "")
        run(f"CREATE POLICY {MEMBER_POLICY}_{command.lower()} ON {name} FOR {command} TO {members}{clauses}")
    run(f"REVOKE ALL ON {name} FROM PUBLIC, {members}")
    if rules.grants is None:
        return
    run(f"GRANT {rules.grants} ON {name} TO {members}")
    if rules.insert is not None:
        for column in table.primary_key.columns:
            sequence = connection.execute(
                sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": name, "c": column.name}
            ).scalar()
            if sequence is not None:  # already quoted by PostgreSQL
                run(f"GRANT USAGE ON SEQUENCE {sequence} TO {members}")
