"""Disk and database-file failures, in words a person can act on: the one place that recognises them.

`storage_problem(error, location)` turns what SQLite, SQLAlchemy, PostgreSQL or the OS raised into a
StorageError with a plain message, or None when the error is something else (a bug, a lost server...).
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from coderai_desktop.domain.errors import (
    CoderAIError,
    DatabaseDamagedError,
    StorageError,
    StorageFullError,
    StorageReadOnlyError,
)

__all__ = [
    "DatabaseDamagedError",
    "StorageError",
    "StorageFullError",
    "StorageReadOnlyError",
    "damaged",
    "storage_problem",
]

_FULL_SQLSTATE = "53100"  # PostgreSQL disk_full
_READ_ONLY_SQLSTATE = "25006"  # PostgreSQL read_only_sql_transaction
NEARLY_FULL_BYTES = 1_000_000


def storage_problem(error: BaseException, location: str | os.PathLike[str]) -> CoderAIError | None:
    """The plain-words error for a full disk, a read-only folder or a damaged database; else None.

    `location` is the data folder or database file the failed operation was using; an OSError that names
    its own file is reported with that file instead.
    """
    if isinstance(error, CoderAIError):  # already in plain words (whatever it was raised from)
        return error if isinstance(error, StorageError) else None
    for cause in _causes(error):
        if isinstance(cause, StorageError):
            return cause
        if isinstance(cause, sqlite3.Error):
            return _from_sqlite(cause, str(location))
        if isinstance(cause, OSError):
            return _from_os(cause, str(cause.filename or location))
        sqlstate = getattr(cause, "sqlstate", None)
        if sqlstate == _FULL_SQLSTATE:
            return full(str(location))
        if sqlstate == _READ_ONLY_SQLSTATE:
            return StorageReadOnlyError(
                f"The database server at {location} is read-only for this account: nothing was saved. "
                "Ask the lab's database administrator."
            )
    return None


def full(location: str) -> StorageFullError:
    return StorageFullError(
        f"The disk holding {_folder(location)} is full: the last change was not saved. Free some space and try "
        "again; runs and imports continue where they stopped."
    )


def read_only(location: str) -> StorageReadOnlyError:
    return StorageReadOnlyError(
        f"{_describe(location)} is read-only: CoderAI cannot save anything there. Make it writable, or "
        "choose another data folder with --data-dir (or CODERAI_DATA_DIR)."
    )


RESTORE_ADVICE = (
    "Nothing was changed. `coderai db backups` lists the automatic copies and `coderai db restore` puts "
    "the newest back, keeping the damaged file aside."
)


def damaged(
    database_file: str | os.PathLike[str], reason: str, advice: str = RESTORE_ADVICE
) -> DatabaseDamagedError:
    """Callers that know the backup folder replace the advice with the newest copy (app_context.py)."""
    return DatabaseDamagedError(str(database_file), reason, advice)


def _from_sqlite(error: sqlite3.Error, location: str) -> CoderAIError | None:
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # extended codes carry the primary in the low byte
    if code == sqlite3.SQLITE_FULL:
        return full(location)
    if code in {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM}:
        return read_only(location)
    if code == sqlite3.SQLITE_CANTOPEN:
        return StorageReadOnlyError(
            f"CoderAI cannot open the database file {location}: check that its folder exists and that your "
            "account may read and write it, or choose another data folder with --data-dir."
        )
    if code in {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT}:
        return damaged(location, f'SQLite says "{error}"')
    if code == sqlite3.SQLITE_IOERR:
        # SQLite hides the OS error: a full disk often shows up as "disk I/O error" (e.g. growing -shm).
        if _free_bytes(location) < NEARLY_FULL_BYTES:
            return full(location)
        return StorageError(
            f"The disk holding {location} reported an error ({error}). Check that the disk (or network or "
            "sync folder) is available, then try again; what was saved before is kept."
        )
    return None


def _from_os(error: OSError, location: str) -> CoderAIError | None:
    if error.errno in {errno.ENOSPC, errno.EDQUOT}:
        return full(location)
    if error.errno == errno.EROFS:
        return read_only(location)
    if error.errno in {errno.EACCES, errno.EPERM}:
        return StorageReadOnlyError(
            f"CoderAI has no permission to write {location}. Make it writable for your account, or choose "
            "another data folder with --data-dir (or CODERAI_DATA_DIR)."
        )
    return None


def _free_bytes(location: str) -> int:
    try:
        return shutil.disk_usage(_folder(location)).free
    except OSError:
        return NEARLY_FULL_BYTES


def _folder(location: str) -> Path:
    path = Path(location)
    return path if path.is_dir() or not path.suffix else path.parent


def _describe(location: str) -> str:
    path = Path(location)
    if path.is_dir():
        return f"The data folder {path}"
    # A file in a folder that cannot be written either: the folder is what the person must fix.
    return f"The file {path}" if os.access(path.parent, os.W_OK) else f"The data folder {path.parent}"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, what SQLAlchemy wrapped (`.orig`) and what it was raised from, outermost first."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        cause = pending.pop(0)
        if cause is None or id(cause) in seen:
            continue
        seen.add(id(cause))
        yield cause
        orig = getattr(cause, "orig", None)
        pending += [orig if isinstance(orig, BaseException) else None, cause.__cause__, cause.__context__]
