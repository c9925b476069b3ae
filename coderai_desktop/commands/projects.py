"""`coderai project create|list|show|delete|share|unshare|shares`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from coderai_desktop.auth.credentials import normalise_login
from coderai_desktop.commands.common import (
    SubParsers,
    add_command,
    add_group,
    confirm,
    log_in,
    print_table,
)
from coderai_desktop.domain.codebook import Codebook, ProjectContext
from coderai_desktop.domain.codebook_input import problems_from_validation_error
from coderai_desktop.domain.codebook_rules import CodebookError
from coderai_desktop.domain.enums import IfUncertain, ShareAccess, UnitOfObservation
from coderai_desktop.formatting import local_time, shorten

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext

# The rule is ProjectRepository.resolve's; the shell reads an unquoted # as the start of a comment. A
# project another member shared is named OWNER/PROJECT (commands.common.log_in opens it).
PROJECT_HELP = (
    "project name, or '#ID' for its id (a number that is no project's name is read as an id too); "
    "OWNER/PROJECT for one another member shared with you"
)
ACCESS_CHOICES = {access.lower(): access for access in ShareAccess}


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    actions = add_group(commands, "project", "create, list, show, delete and share projects")
    create = add_command(actions, "create", create_project, "create a project", common)
    create.add_argument("name", help="project name (unique in your workspace)")
    create.add_argument("--description")
    create.add_argument("--domain", help="research field, e.g. 'public policy'")
    create.add_argument("--language", help="language of the documents (default English)")
    create.add_argument(
        "--unit",
        choices=[unit.lower() for unit in UnitOfObservation],
        help="one row per document (default) or per entity found in a document",
    )
    create.add_argument("--entity-pattern", help="how to recognise one entity (required with --unit entity)")
    create.add_argument("--codebook", type=Path, help="YAML or JSON codebook to start from")
    add_command(actions, "list", list_projects, "list your projects and those shared with you", common)
    show = add_command(actions, "show", show_project, "show a project and its codebook", common)
    show.add_argument("project", help=PROJECT_HELP)
    delete = add_command(actions, "delete", delete_project, "delete a project and everything in it", common)
    delete.add_argument("project", help=PROJECT_HELP)
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    share = add_command(
        actions,
        "share",
        share_project,
        "let another member open a project (again: change what they may do)",
        common,
    )
    share.add_argument("project", help=PROJECT_HELP)
    share.add_argument("login", help="the member's login name")
    share.add_argument(
        "--as",
        dest="access",
        choices=list(ACCESS_CHOICES),
        required=True,
        help="viewer: reads and exports, changes nothing; editor: changes everything but deleting or sharing it",
    )
    unshare = add_command(actions, "unshare", unshare_project, "stop sharing a project with a member", common)
    unshare.add_argument("project", help=PROJECT_HELP)
    unshare.add_argument("login", help="the member's login name")
    shares = add_command(actions, "shares", list_shares, "list who a project is shared with", common)
    shares.add_argument("project", help=PROJECT_HELP)


async def create_project(context: AppContext, args: argparse.Namespace) -> None:
    from coderai_desktop.projects.codebook_file import read_codebook_file  # YAML: for this command only

    codebook = read_codebook_file(args.codebook) if args.codebook else Codebook()
    user = await log_in(context, args)
    summary = await context.projects(user).create_project(_context_from(args, codebook), codebook.variables)
    print(f"Created project {summary.id}: {summary.name} ({summary.variable_count} variables).")


def _context_from(args: argparse.Namespace, codebook: Codebook) -> ProjectContext:
    """The codebook file's project section, overridden by what the command line says."""
    values: dict[str, Any] = codebook.project.model_dump() if codebook.project else {}
    given = {
        "name": args.name,
        "description": args.description,
        "domain": args.domain,
        "language": args.language,
        "unit_of_observation": args.unit,
        "entity_identification_pattern": args.entity_pattern,
    }
    values.update({key: value for key, value in given.items() if value is not None})
    try:
        return ProjectContext.model_validate(values)
    except ValidationError as error:
        raise CodebookError(problems_from_validation_error(error, values), "the project") from None


async def list_projects(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    summaries = await context.projects(user).list_projects()
    shared = await context.sharing(user).accessible()
    if not summaries and not shared:
        print("No projects yet. Create one with: coderai project create NAME")
        return
    if summaries:
        rows = [
            (s.id, s.name, s.status, s.variable_count, s.document_count, local_time(s.updated_at))
            for s in summaries
        ]
        print_table(("ID", "NAME", "STATUS", "VARIABLES", "DOCUMENTS", "UPDATED"), rows)
    if shared:
        if summaries:
            print()
        print("Shared with you (name them OWNER/PROJECT):")
        others = [
            (p.project_id, p.name, p.owner_login, "owner" if p.access is None else p.access.lower())
            for p in shared
        ]
        print_table(("ID", "NAME", "OWNER", "ACCESS"), others)


async def show_project(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    service = context.projects(user)
    summary = await service.get_project(args.project)
    codebook = await service.get_codebook(summary.id)
    project = summary.context
    unit = project.unit_of_observation.lower()
    if project.unit_of_observation is UnitOfObservation.ENTITY:
        unit += f" ({project.entity_identification_pattern})"
    print(f"Project {summary.id}: {summary.name}")
    for label, value in (
        ("Status", summary.status),
        ("Description", project.description or "-"),
        ("Domain", project.domain or "-"),
        ("Language", project.language),
        ("Unit", unit),
        ("Documents", summary.document_count),
        ("Created", local_time(summary.created_at)),
        ("Updated", local_time(summary.updated_at)),
    ):
        print(f"  {label + ':':<13}" + str(value).strip().replace("\n", "\n" + " " * 15))
    print(f"\nVariables ({len(codebook.variables)}):")
    if not codebook.variables:
        print("  none yet: load a codebook with `coderai codebook load PROJECT FILE`")
        return
    rows = [
        (
            v.name,
            v.type.lower(),
            shorten(v.label, 24),
            v.confidence_threshold,
            "null" if v.if_uncertain is IfUncertain.NULL else v.if_uncertain.lower(),
            v.if_multiple_values.lower(),
            shorten(v.instructions, 50),
        )
        for v in codebook.variables
    ]
    print_table(("NAME", "TYPE", "LABEL", "THRESHOLD", "IF UNCERTAIN", "MULTIPLE", "INSTRUCTIONS"), rows)


async def delete_project(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    service = context.projects(user)
    summary = await service.get_project(args.project)
    confirm(
        f"Delete project '{summary.name}' with its {summary.document_count} documents, "
        f"{summary.variable_count} variables and all results?",
        assume_yes=args.yes,
    )
    await service.delete_project(summary.id)
    print(f"Deleted project {summary.id}: {summary.name}.")


async def share_project(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    name = (await context.projects(user).get_project(args.project)).name
    share = await context.sharing(user).share(args.project, args.login, ACCESS_CHOICES[args.access])
    print(f"Shared {name} with {share.login} as {share.access.lower()}.")


async def unshare_project(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    name = (await context.projects(user).get_project(args.project)).name
    await context.sharing(user).unshare(args.project, args.login)
    print(f"{name} is no longer shared with {normalise_login(args.login)}.")


async def list_shares(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    name = (await context.projects(user).get_project(args.project)).name
    shares = await context.sharing(user).shares(args.project)
    if not shares:
        print(f"{name} is shared with nobody. Share it with: coderai project share PROJECT LOGIN --as viewer")
        return
    rows = [
        (share.login, share.access.lower(), local_time(share.granted_at), share.granted_by or "-")
        for share in shares
    ]
    print_table(("MEMBER", "ACCESS", "SINCE", "GRANTED BY"), rows)
