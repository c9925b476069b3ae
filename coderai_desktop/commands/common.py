"""What the headless commands share: who is logged in, confirmation, and plain-text tables."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import InvalidInputError, NotFoundError
from coderai_desktop.domain.project import BIDI_CONTROLS, ProjectSummary

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext

Handler = Callable[["AppContext", argparse.Namespace], Awaitable[int | None]]
SubParsers = Any  # argparse's private _SubParsersAction


def add_group(commands: SubParsers, name: str, help_text: str) -> SubParsers:
    """A command group such as `project`, whose actions are required."""
    group = commands.add_parser(name, help=help_text, description=help_text)
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    return actions


def add_command(
    actions: SubParsers, name: str, handler: Handler, help_text: str, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=help_text, description=help_text, parents=[common])
    parser.set_defaults(handler=handler)
    return parser


def login_name(args: argparse.Namespace) -> str:
    name = args.user or os.environ.get("CODERAI_USER")
    if not name:
        raise InvalidInputError("Say who you are: pass --user NAME or set CODERAI_USER.")
    return str(name)


def password(prompt: str, *, confirm: bool = False, variable: str = "CODERAI_PASSWORD") -> str:
    """From the environment `variable`, or asked for in the terminal (never echoed)."""
    given = os.environ.get(variable)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise InvalidInputError(f"No password: set {variable}, or run the command in a terminal.")
    typed = getpass.getpass(prompt)
    if confirm and getpass.getpass("Type it again: ") != typed:
        raise InvalidInputError("The two passwords differ; nothing was changed.")
    return typed


async def log_in(context: AppContext, args: argparse.Namespace) -> UserSession:
    """Who runs the command. When the command's project (`args.project`) is another member's, written
    OWNER/PROJECT, their session in it (with the access it was shared with), and `args.project` its id:
    every command then works on shared projects as on one's own."""
    user = await _who(context, args)
    reference = getattr(args, "project", None)
    if not isinstance(reference, str):
        return user
    return await _open_shared(context, user, args, reference)


async def log_in_for_job(context: AppContext, args: argparse.Namespace) -> UserSession:
    """Who runs a command on job `args.id`: their own session, or theirs in the project another member
    shared with them that the job codes (job ids are unique across workspaces)."""
    user = await log_in(context, args)
    try:
        await context.jobs(user).get(args.id)
    except NotFoundError:
        sharing = context.sharing(user)
        if (shared := await sharing.find_job(args.id)) is None:
            raise
        return sharing.session_for(shared)
    return user


async def _who(context: AppContext, args: argparse.Namespace) -> UserSession:
    """In a lab database the member is whoever connected (the server checked their password); elsewhere
    the account named by --user, with its app password."""
    from coderai_desktop.auth.lab_login import is_lab_database, member_session

    if is_lab_database(context.database.engine):
        return await member_session(context.database)
    name = login_name(args)
    return await context.accounts.login(name, password(f"Password for {name}: "))


async def _open_shared(
    context: AppContext, user: UserSession, args: argparse.Namespace, reference: str
) -> UserSession:
    from coderai_desktop.projects.sharing import shared_reference

    if (named := shared_reference(reference)) is None:
        return user
    sharing = context.sharing(user)
    try:
        shared = await sharing.find(*named)
    except NotFoundError:
        if await _own_project(context, user, reference) is None:
            raise
        return user  # a project of one's own with a slash in its name
    if (own := await _own_project(context, user, reference)) is not None:
        raise InvalidInputError(
            f"{reference!r} is the name of your project #{own.id} and of {shared.owner_login}'s project "
            f"#{shared.project_id}. Write '#{own.id}' or '{shared.owner_login}/#{shared.project_id}' to say which."
        )
    args.project, args.project_as_written = shared.project_id, reference
    return sharing.session_for(shared)


async def _own_project(context: AppContext, user: UserSession, reference: str) -> ProjectSummary | None:
    try:
        return await context.projects(user).get_project(reference)
    except NotFoundError:
        return None


def project_as_written(args: argparse.Namespace) -> str:
    """The command's project as the person wrote it (log_in turns a shared project's into its id)."""
    return str(getattr(args, "project_as_written", args.project))


def confirm(question: str, *, assume_yes: bool, why: str = "This cannot be undone") -> None:
    """Ask in a terminal; without one, require --yes rather than guess (`why` says what is at stake)."""
    if assume_yes:
        return
    if not sys.stdin.isatty():
        raise InvalidInputError(f"{why}: add --yes to confirm.")
    if input(f"{question} [y/N] ").strip().lower() not in {"y", "yes"}:
        raise InvalidInputError("Cancelled; nothing was changed.")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[_one_line(str(value)) for value in row] for row in rows]
    widths = [max([len(header), *(len(row[i]) for row in cells)]) for i, header in enumerate(headers)]
    for row in [list(headers), *cells]:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def _one_line(text: str) -> str:
    """Line breaks, control and bidi characters as escapes: a value stored by an older version (or read
    from a document) cannot break a table or reorder it unseen."""
    return "".join(
        character.encode("unicode_escape").decode("ascii")
        if unicodedata.category(character) in ("Cc", "Zl", "Zp") or character in BIDI_CONTROLS
        else character
        for character in text
    )
