"""`coderai lab init|upgrade|add-member|remove-member|members --db-url ADMIN_URL`: the admin's commands for a
lab's shared PostgreSQL database. They connect as the admin and never open the app's own database."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from coderai_desktop.auth.credentials import check_new_password
from coderai_desktop.auth.lab_login import connection_problem
from coderai_desktop.commands.common import SubParsers, add_group, password, print_table
from coderai_desktop.config import Settings
from coderai_desktop.domain.errors import CoderAIError, InvalidInputError
from coderai_desktop.logging_setup import register_secret
from coderai_desktop.persistence import lab_admin

MEMBER_PASSWORD_VARIABLE = "CODERAI_MEMBER_PASSWORD"
INSUFFICIENT_PRIVILEGE = "42501"

LabCommand = Callable[[Settings, argparse.Namespace], None]


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    actions = add_group(
        commands, "lab", "set up a lab's shared PostgreSQL database and manage its members (for its admin)"
    )

    def add(name: str, run: LabCommand, help_text: str) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=help_text, description=help_text, parents=[common])
        parser.set_defaults(run_without_database=run)
        return parser

    add(
        "init",
        set_up,
        "set up the database given by --db-url (as its admin) for a lab: roles, tables and row-level "
        "security; running it again upgrades it",
    )
    add("upgrade", set_up, "upgrade a lab's database to this version and re-apply its security")
    adding = add("add-member", add_member, "add a member: a database login, an account and a workspace")
    adding.add_argument("name", help="the member's login: lower-case letters, digits and underscores")
    removing = add(
        "remove-member",
        remove_member,
        "remove a member: end their connections, drop their login and the shares they were given",
    )
    removing.add_argument("name", help="the member's login")
    fate = removing.add_mutually_exclusive_group(required=True)
    fate.add_argument(
        "--keep-projects", action="store_true", help="keep their projects, readable by no member, for later"
    )
    fate.add_argument(
        "--hand-over-to", metavar="OTHER", help="make another member the owner of their projects"
    )
    add("members", list_members, "list the members, their projects and what is shared with whom")


@contextmanager
def _admin(settings: Settings) -> Iterator[Engine]:
    """The admin's connection, its failures in plain words."""
    if not settings.db_url:
        raise InvalidInputError(
            "Say which database: --db-url postgresql://ADMIN@HOST/DATABASE (a superuser, or a role with "
            "CREATEROLE that owns the database)."
        )
    engine = lab_admin.admin_engine(settings.db_url)
    try:
        yield engine
    except OperationalError as error:
        raise connection_problem(error, engine.url) from error
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise CoderAIError(
            f"{engine.url.username} may not do this: {str(error.orig).splitlines()[0]}. Connect as a "
            "superuser, or as a role with CREATEROLE that owns the database."
        ) from error
    finally:
        engine.dispose()


def set_up(settings: Settings, _args: argparse.Namespace) -> None:
    with _admin(settings) as engine:
        setup = lab_admin.init_lab(engine)
    roles, migration = setup.roles, setup.migration
    if migration.from_revision == migration.to_revision:
        schema = f"The schema is up to date ({migration.to_revision})"
    else:
        schema = f"The schema went from {migration.from_revision or 'empty'} to {migration.to_revision}"
    print(
        f"Lab database {roles.database} is ready. {schema}; row-level security is applied to every table.\n"
        f"{roles.owner} owns the tables; members belong to {roles.members}. "
        "Add one with: coderai lab add-member NAME --db-url ..."
    )


def add_member(settings: Settings, args: argparse.Namespace) -> None:
    name = lab_admin.check_member_name(args.name)
    secret = password(f"Choose a password for {name}: ", confirm=True, variable=MEMBER_PASSWORD_VARIABLE)
    check_new_password(secret)
    register_secret(secret)
    with _admin(settings) as engine:
        added = lab_admin.add_member(engine, name, secret)
        url = engine.url.set(drivername="postgresql", username=name, password=None).render_as_string()
    back = f" Their {added.projects_back} kept project(s) are theirs again." if added.projects_back else ""
    print(
        f"Added {name} to the lab, with a workspace of their own.{back}\n"
        f"They sign in with the name {name}, the password you chose, and the database {url}"
    )


def remove_member(settings: Settings, args: argparse.Namespace) -> None:
    with _admin(settings) as engine:
        removal = lab_admin.remove_member(engine, args.name, hand_over_to=args.hand_over_to)
    done = f"{removal.name} was removed earlier" if removal.already_removed else f"Removed {removal.name}"
    if removal.handed_to is not None:
        print(f"{done}; their {removal.projects} project(s) now belong to {removal.handed_to}.")
    else:
        print(
            f"{done}; their {removal.projects} project(s) are kept, readable by no member. Hand them over "
            f"later with: coderai lab remove-member {removal.name} --hand-over-to OTHER --db-url ..."
        )
    if removal.connections_left:
        print(
            f"{removal.connections_left} connection(s) of {removal.name} are still open: this admin role may "
            "not end other roles' sessions (grant it pg_signal_backend to end them next time). They can no "
            "longer read or change anything, and end when that app closes."
        )


def list_members(settings: Settings, _args: argparse.Namespace) -> None:
    with _admin(settings) as engine:
        members, shares = lab_admin.list_members(engine)
    if not members:
        print("The lab has no members yet. Add one with: coderai lab add-member NAME --db-url ...")
        return
    rows = [(m.name, m.projects, "member" if m.member else "removed (projects kept)") for m in members]
    print_table(("MEMBER", "PROJECTS", "STATUS"), rows)
    if shares:
        print()
        print_table(
            ("PROJECT", "OWNER", "SHARED WITH", "ACCESS"),
            [(s.project, s.owner, s.shared_with, s.access.lower()) for s in shares],
        )
