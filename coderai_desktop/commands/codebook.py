"""`coderai codebook load|dump|versions`: the codebook file is the contract shared with the GUI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coderai_desktop.commands.common import SubParsers, add_command, add_group, log_in, print_table
from coderai_desktop.commands.projects import PROJECT_HELP
from coderai_desktop.domain.errors import ConcurrentEditError, ConflictError, ReadOnlyProjectError
from coderai_desktop.formatting import local_time

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    actions = add_group(commands, "codebook", "load or save a project's codebook (YAML or JSON)")
    load = add_command(actions, "load", load_codebook, "replace a project's codebook with a file", common)
    load.add_argument("project", help=PROJECT_HELP)
    load.add_argument("file", type=Path, help=".yaml, .yml or .json")
    load.add_argument(
        "--remove-variables-with-results",
        action="store_true",
        help="allow deleting variables that are missing from the file and already have results",
    )
    dump = add_command(actions, "dump", dump_codebook, "save a project's codebook to a file", common)
    dump.add_argument("project", help=PROJECT_HELP)
    dump.add_argument("file", help=".yaml, .yml or .json; - prints YAML")
    versions = add_command(
        actions, "versions", list_versions, "every saved codebook: why, by whom and when", common
    )
    versions.add_argument("project", help=PROJECT_HELP)
    versions.add_argument(
        "--changed", action="store_true", help="also name the variables changed since the last run"
    )


async def load_codebook(context: AppContext, args: argparse.Namespace) -> None:
    from coderai_desktop.projects.codebook_file import read_codebook_file  # YAML: for these commands only

    codebook = read_codebook_file(args.file)  # a bad file fails before any password prompt
    user = await log_in(context, args)
    try:
        summary = await context.projects(user).save_codebook(
            args.project,
            codebook,
            remove_variables_with_results=args.remove_variables_with_results,
            reason=f"imported from {args.file.name}",
        )
    except (ConcurrentEditError, ReadOnlyProjectError):
        raise
    except ConflictError as error:
        raise ConflictError(f"{error} To delete them, add --remove-variables-with-results.") from None
    print(f"Loaded {summary.variable_count} variables into project {summary.id}: {summary.name}.")


async def dump_codebook(context: AppContext, args: argparse.Namespace) -> None:
    from coderai_desktop.projects.codebook_file import codebook_text, write_codebook_file

    user = await log_in(context, args)
    codebook = await context.projects(user).get_codebook(args.project)
    if args.file == "-":
        sys.stdout.write(codebook_text(codebook, "yaml"))
        return
    write_codebook_file(Path(args.file), codebook)
    print(f"Saved {len(codebook.variables)} variables to {args.file}.")


async def list_versions(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    projects = context.projects(user)
    versions = await projects.codebook_versions(args.project)
    rows = [
        (v.version, local_time(v.created_at), v.author or "(deleted account)", v.variable_count, v.reason)
        for v in versions
    ]
    print_table(("VERSION", "SAVED", "BY", "VARIABLES", "WHY"), rows)
    if args.changed:
        changed = await projects.changed_since_last_run(args.project)
        print(
            f"Changed since the last run: {', '.join(changed)}."
            if changed
            else "No variable changed since the last run (or nothing has run yet)."
        )
