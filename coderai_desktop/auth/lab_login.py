"""Signing in to a lab's PostgreSQL database as a member: the connection is the login (the server checks the
member's name and password), and the member is whoever connected. Failures come back in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.persistence.engine import Database, normalise_url
from coderai_desktop.persistence.lab_policies import (
    ConnectedRole,
    connected_member,
    connected_role,
    is_lab_database,
)
from coderai_desktop.persistence.migrate import (
    SCHEMA_REVISION,
    current_revision,
    known_revisions,
    lab_upgrade_advice,
    newer_schema,
)

__all__ = [
    "LabConnectionError",
    "LabServer",
    "check_member",
    "is_lab_database",
    "member_session",
    "member_url",
    "refuse_unless_member",
]

CONNECT_TIMEOUT_SECONDS = 10
DEFAULT_PORT = 5432


class LabConnectionError(CoderAIError):
    """The lab's database cannot be used as this member; the message says why and what to do."""


@dataclass(frozen=True)
class LabServer:
    host: str
    port: int
    database: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port}/{self.database}"


def member_url(server: LabServer, role: str, password: str) -> str:
    """Every part percent-encoded, so that libpq reads it as SQLAlchemy does (spaces and all)."""
    host = f"[{server.host}]" if ":" in server.host else server.host
    return (
        f"postgresql://{quote(role, safe='')}:{quote(password, safe='')}@{host}:{server.port}/"
        f"{quote(server.database, safe='')}"
    )


def check_member(url: str) -> str:
    """Connect as a member and return their name, or raise LabConnectionError saying what is wrong."""
    engine = sa.create_engine(
        normalise_url(url), poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )
    try:
        with engine.connect() as connection:
            role = connected_role(connection)
            if not role.lab:
                raise LabConnectionError(
                    f"The database {engine.url.database} is not set up for a lab: ask the admin to run "
                    "`coderai lab init` on it."
                )
            if problem := role_problem(role):
                raise LabConnectionError(problem)
            _check_schema(connection, engine.url)
            return role.name
    except OperationalError as error:
        raise connection_problem(error, engine.url) from error
    finally:
        engine.dispose()


def _check_schema(connection: Connection, url: URL) -> None:
    revision = current_revision(connection)
    if revision == SCHEMA_REVISION:
        return
    if revision in known_revisions():
        raise LabConnectionError(lab_upgrade_advice(url))
    raise LabConnectionError(newer_schema(str(revision)))


def role_problem(role: ConnectedRole) -> str | None:
    """Why the app must not do a member's work as this role (None: it is a member)."""
    member_advice = "Connect as a member: the lab admin adds one with `coderai lab add-member NAME`."
    if role.superuser or role.bypasses_rls:
        kind = "a superuser" if role.superuser else "a role that bypasses row-level security"
        return f"{role.name} is {kind}: the lab's protections do not hold for it. {member_advice}"
    if role.administers:
        return (
            f"{role.name} administers this lab (it acts as the owner of every table): use it only for "
            f"`coderai lab` commands. {member_advice}"
        )
    if not role.member:
        return (
            f"{role.name} is not a member of this lab: ask the lab admin to run "
            f"`coderai lab add-member {role.name}`."
        )
    return None


def refuse_unless_member(engine: Engine) -> None:
    """In a lab database the app does normal work only as a member: never as the owner, the admin, a
    superuser or a role that bypasses row-level security. Any other database: nothing to check."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        role = connected_role(connection)
    if role.lab and (problem := role_problem(role)):
        raise LabConnectionError(problem)


async def member_session(database: Database) -> UserSession:
    """The connected member's account and workspace (lab_members, by the role they connected as)."""

    def find(session: Session) -> tuple[int, str, int] | None:
        return connected_member(session.connection())

    found = await database.run(find)
    if found is None:
        name = database.engine.url.username
        raise LabConnectionError(
            f"{name} is not a member of this lab: ask the lab admin to run `coderai lab add-member {name}`."
        )
    return UserSession(*found)


def connection_problem(error: OperationalError, url: URL | str) -> LabConnectionError:
    """A failed connection in words a person can act on (the server's own words last, as a detail)."""
    url = make_url(normalise_url(url)) if isinstance(url, str) else url
    server = f"{url.host or 'localhost'}:{url.port or DEFAULT_PORT}"
    detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    text = detail.lower()
    if "password authentication failed" in text or "no password supplied" in text:
        return LabConnectionError(
            f"Wrong member name or password for the database {url.database} on {server}. Check both "
            "(member names are lower case); the lab admin can tell you your name."
        )
    if "does not exist" in text and "database" in text:
        return LabConnectionError(
            f"There is no database named {url.database} on {server}: check its name with the lab admin."
        )
    if "not permitted to log in" in text:
        return LabConnectionError(f"{url.username} may no longer sign in to this lab: ask the lab admin.")
    if "connection refused" in text:
        reason = "the server refused the connection: nothing listens on that port, or a firewall blocks it"
    elif "resolve host" in text or "translate host name" in text or "name or service not known" in text:
        reason = f"no server named {url.host} was found"
    elif "timeout" in text or "timed out" in text:
        reason = f"the server did not answer within {CONNECT_TIMEOUT_SECONDS} seconds"
    elif "no pg_hba.conf entry" in text:
        return LabConnectionError(
            f"The server at {server} does not accept {url.username} from this computer: ask the lab admin "
            "to allow it (pg_hba.conf)."
        )
    else:
        return LabConnectionError(f"Cannot connect to the lab's database at {server}: {detail}")
    return LabConnectionError(
        f"Cannot reach the lab's database server at {server}: {reason}. Check the server address and port "
        f"and that the server is running. ({detail})"
    )
