"""Errors a person can act on. Their message is shown as is, in the GUI and on the command line."""

from __future__ import annotations


class CoderAIError(Exception):
    """Base for expected failures: the message says what happened and what to do."""


class NotFoundError(CoderAIError):
    """The thing does not exist in the current workspace (or at all: we never say which)."""


class ConflictError(CoderAIError):
    """The change clashes with what is stored (a duplicate name, results that would be lost...)."""


class InvalidInputError(CoderAIError):
    """The input is malformed; the message names the field and the problem."""


class AuthenticationError(CoderAIError):
    """Wrong login name or password, or a login name that is not acceptable."""


class StorageError(CoderAIError):
    """The disk or the database file let us down; the message says which and what to do."""


class StorageFullError(StorageError):
    """The disk is full: the change was not saved."""


class StorageReadOnlyError(StorageError):
    """The data folder or database cannot be written (read-only file system or no permission)."""


class DatabaseDamagedError(StorageError):
    """The database file is empty, truncated, overwritten or corrupt; the backups are the way back."""

    def __init__(self, database_file: str, reason: str, advice: str):
        super().__init__(f"The database file {database_file} is damaged: {reason}. {advice}")
        self.database_file = database_file
        self.reason = reason
