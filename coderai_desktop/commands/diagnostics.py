"""`coderai diagnostics`: a problem report to send (recent logs, versions, platform, database state; never
a key). It runs without opening the database as the app does, so it works when that fails; with --user it
also logs in, to add the workspace's provider settings."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

from coderai_desktop.commands.common import SubParsers, log_in, print_table
from coderai_desktop.config import Settings
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.formatting import file_size

if TYPE_CHECKING:
    from coderai_desktop.diagnostics import ProviderPart

NO_USER = "Not included. Run with --user NAME to include your workspace's."


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    about = (
        "write a problem report to send to whoever supports you: recent logs, versions, platform, "
        "database state, and with --user your provider settings. API keys and passwords are masked."
    )
    parser = commands.add_parser("diagnostics", help=about, description=about, parents=[common])
    parser.add_argument(
        "--out", type=Path, help="the zip to write (default: coderai-diagnostics-DATE.zip in this folder)"
    )
    parser.set_defaults(run_without_database=write_report)


def write_report(settings: Settings, args: argparse.Namespace) -> None:
    from coderai_desktop.diagnostics import SUMMARY_NAME, build_report, default_report_name  # the database

    provider = asyncio.run(_provider(settings, args))
    report = build_report(settings, provider)
    path = report.save(args.out or Path(default_report_name()))
    print_table(("FILE", "SIZE"), [(name, file_size(len(data))) for name, data in report.files.items()])
    print(f"\nWrote {path.resolve()}")
    print(f"Provider settings: {provider.note}")
    print(f"Nothing was sent. Read {SUMMARY_NAME} and the logs in it before you send it.")


async def _provider(settings: Settings, args: argparse.Namespace) -> ProviderPart:
    from coderai_desktop.app_context import AppContext
    from coderai_desktop.diagnostics import ProviderPart, workspace_provider

    if not (args.user or os.environ.get("CODERAI_USER")):
        return ProviderPart(None, NO_USER)
    try:
        context = AppContext.open(settings, log_to_console=args.debug)
        try:
            user = await log_in(context, args)
            return await workspace_provider(context.providers(user), user.login)
        finally:
            context.close()
    except CoderAIError as error:  # a wrong password, a database that cannot be opened: the rest still helps
        return ProviderPart(None, f"Not included. {error}")
