"""`coderai prompt show PROJECT [VARIABLE] [--document ID]`: the exact messages and schema of each call."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from coderai_desktop.commands.common import SubParsers, add_command, add_group, log_in
from coderai_desktop.commands.projects import PROJECT_HELP

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    actions = add_group(commands, "prompt", "see the prompts generated from the codebook")
    show = add_command(actions, "show", show_prompts, "show the messages and schema each call sends", common)
    show.add_argument("project", help=PROJECT_HELP)
    show.add_argument("variable", nargs="?", help="only the call that codes this variable")
    show.add_argument(
        "--document", type=int, metavar="ID", help="with this document's text (its first chunk)"
    )
    show.add_argument("--schema", action="store_true", help="also print the JSON schema of the answers")


async def show_prompts(context: AppContext, args: argparse.Namespace) -> None:
    from coderai_desktop.pipeline.prompt_lab import render_previews  # the pipeline, only when asked for

    user = await log_in(context, args)
    previews = await context.jobs(user).preview(args.project, args.variable, args.document)
    print(render_previews(previews, schema=args.schema), end="")
