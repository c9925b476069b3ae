"""`coderai account create NAME`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from coderai_desktop.commands.common import SubParsers, add_command, add_group, password

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    actions = add_group(commands, "account", "manage accounts (each has its own workspace)")
    create = add_command(actions, "create", create_account, "create an account and its workspace", common)
    create.add_argument("name", help="login name: letters, digits, dots, hyphens, underscores")


async def create_account(context: AppContext, args: argparse.Namespace) -> None:
    user = await context.accounts.create_account(args.name, password("Choose a password: ", confirm=True))
    print(f"Created account '{user.login}' with its own workspace.")
