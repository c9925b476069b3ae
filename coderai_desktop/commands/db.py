"""`coderai db backups|restore`: the automatic copies of the SQLite file. They run without opening the
database, which is the point: they are the way back when it cannot be opened."""

from __future__ import annotations

import argparse
from pathlib import Path

from coderai_desktop.commands.common import SubParsers, add_group, confirm, print_table
from coderai_desktop.config import Settings
from coderai_desktop.domain.errors import DatabaseDamagedError, InvalidInputError, NotFoundError
from coderai_desktop.formatting import local_time
from coderai_desktop.persistence.backups import Backup, list_backups, no_copy_yet, restore_backup
from coderai_desktop.persistence.engine import sqlite_path


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    actions = add_group(commands, "db", "list the database's automatic copies and restore one")
    listing = "list the automatic copies of the database (one is made each day and before each upgrade)"
    backups = actions.add_parser("backups", help=listing, description=listing, parents=[common])
    backups.set_defaults(run_without_database=list_copies)
    restoring = (
        "put an automatic copy in place of the database file; the current file is kept aside as "
        "coderai.sqlite3.damaged-DATE, never deleted"
    )
    restore = actions.add_parser("restore", help=restoring, description=restoring, parents=[common])
    restore.add_argument("backup", nargs="?", help="file name of a copy (default: the newest)")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(run_without_database=restore_copy)


def list_copies(settings: Settings, _args: argparse.Namespace) -> None:
    backups = list_backups(settings.backup_dir, _database_file(settings))
    if not backups:
        print(
            f"No automatic copies in {settings.backup_dir} yet: one is made each day at start-up and before each database upgrade."
        )
        return
    rows = [(local_time(b.made), f"{b.path.stat().st_size / 1e6:.1f} MB", b.path.name) for b in backups]
    print_table(("MADE", "SIZE", "FILE"), rows)
    print(f"\nIn {settings.backup_dir}. Put one back with: coderai db restore [FILE] (default: the newest)")


def restore_copy(settings: Settings, args: argparse.Namespace) -> None:
    database_file = _database_file(settings)
    backup = _chosen(list_backups(settings.backup_dir, database_file), args.backup, settings.backup_dir)
    confirm(
        f"Replace {database_file} with the copy made {local_time(backup.made)} ({backup.path.name})? "
        "Close CoderAI Desktop first; the current file is kept aside.",
        assume_yes=args.yes,
        why="This replaces the database (the current file is kept aside)",
    )
    try:
        aside = restore_backup(backup.path, database_file)
    except DatabaseDamagedError as error:
        raise InvalidInputError(
            f"The copy {backup.path.name} is damaged too ({error.reason}); nothing was changed. "
            "Choose another one: `coderai db backups` lists them."
        ) from error
    print(f"Restored {database_file} from the copy made {local_time(backup.made)} ({backup.path.name}).")
    if aside is not None:
        print(f"The previous file is kept as {aside}.")


def _database_file(settings: Settings) -> Path:
    path = sqlite_path(settings.database_url)
    if path is None:
        raise InvalidInputError(
            "The database is on a server: its administrator keeps its backups. These commands restore the "
            "SQLite file of a data folder."
        )
    return path


def _chosen(backups: list[Backup], name: str | None, backup_dir: Path) -> Backup:
    if not backups:
        raise NotFoundError(no_copy_yet(backup_dir))
    if name is None:
        return backups[0]
    for backup in backups:
        if name in {backup.path.name, str(backup.path)}:
            return backup
    raise NotFoundError(f"There is no copy named {name} in {backup_dir}: `coderai db backups` lists them.")
