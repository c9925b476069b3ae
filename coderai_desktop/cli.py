"""`coderai`: with no command it opens the GUI; commands run the same services headless.

Errors a person can act on go to stderr with exit status 1 and no traceback (unless --debug).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coderai_desktop import __version__
from coderai_desktop.config import Settings
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.logging_setup import close_logging, configure_logging

logger = logging.getLogger(__name__)

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def _common_options(*, in_subcommand: bool) -> argparse.ArgumentParser:
    """Options accepted before or after the command; a subcommand only overrides what it is given."""
    parser = argparse.ArgumentParser(add_help=False)
    unset: dict[str, Any] = {"default": argparse.SUPPRESS} if in_subcommand else {}
    group = parser.add_argument_group("common options")
    group.add_argument("--user", help="login name for headless commands (or CODERAI_USER)", **unset)
    group.add_argument("--data-dir", type=Path, help="data folder (or CODERAI_DATA_DIR)", **unset)
    group.add_argument("--db-url", help="database URL, e.g. postgresql://... (or CODERAI_DB_URL)", **unset)
    group.add_argument("--debug", action="store_true", help="log to stderr and show tracebacks", **unset)
    return parser


def build_parser() -> argparse.ArgumentParser:
    from coderai_desktop import commands

    parser = argparse.ArgumentParser(
        prog="coderai",
        description="CoderAI Desktop: turn documents into a research dataset with LLMs. "
        "Without a command, opens the application window.",
        parents=[_common_options(in_subcommand=False)],
    )
    _program_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common_options(in_subcommand=True)
    for register in commands.REGISTER:
        register(subparsers, common)
    return parser


def _program_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"coderai {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation works (in a temporary folder; your data and keyring are not touched)",
    )


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The window, --version and --self-test are read without building every command's parser, which
    imports the models its options name: the login window need not wait for them."""
    launcher = argparse.ArgumentParser(
        prog="coderai", add_help=False, parents=[_common_options(in_subcommand=False)]
    )
    _program_options(launcher)
    args, rest = launcher.parse_known_args(argv)
    if rest:  # a command, --help, or something to refuse: the whole parser reads it
        return build_parser().parse_args(argv)
    args.command = None
    return args


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {"data_dir": args.data_dir, "db_url": args.db_url}
    return Settings.from_environment(**{key: value for key, value in overrides.items() if value is not None})


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    try:
        if args.self_test:  # needs neither an account nor a database of the person's
            from coderai_desktop.self_test.runner import run_self_test

            return run_self_test(debug=args.debug)
        settings = settings_from(args)
        if args.command is None:
            from coderai_desktop.ui.app import run_gui  # Qt is imported only for the GUI

            return run_gui(settings)
        return _run_command(settings, args)
    except CoderAIError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run_command(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here: every parser process imports this module again (multiprocessing re-runs the script).
    import asyncio

    from coderai_desktop.app_context import AppContext, explain_storage_error

    if run := getattr(args, "run_without_database", None):
        configure_logging(settings.log_dir, settings.log_level, console=args.debug)
        try:
            return run(settings, args) or 0
        except Exception as error:
            if problem := explain_storage_error(settings, error):
                raise problem from error
            raise
        finally:
            close_logging()
    context = AppContext.open(settings, log_to_console=args.debug)
    try:
        return asyncio.run(args.handler(context, args)) or 0
    except (CoderAIError, BrokenPipeError):
        raise
    except Exception as error:
        logger.exception("Command %s failed", args.command)
        if args.debug:
            traceback.print_exc()
        if problem := context.storage_problem(error):  # a full disk, a read-only folder, a damaged file
            print(f"error: {problem}", file=sys.stderr)
        elif not args.debug:
            print(
                f"error: unexpected {type(error).__name__}: {error}\n"
                f"The details are in {context.log_file}; run again with --debug to see them here.",
                file=sys.stderr,
            )
        return EXIT_ERROR
    finally:
        context.close()
