"""Errors a person can act on. Their message is shown as is, in the GUI and on the command line."""

from __future__ import annotations

from datetime import datetime


class CoderAIError(Exception):
    """Base for expected failures: the message says what happened and what to do."""


class NotFoundError(CoderAIError):
    """The thing does not exist in the current workspace (or at all: we never say which)."""


class ConflictError(CoderAIError):
    """The change clashes with what is stored (a duplicate name, results that would be lost...)."""


class ReadOnlyProjectError(ConflictError):
    """A member a project is shared with tried what their access does not allow: a viewer any change, an
    editor deleting, renaming or sharing it. Refused before the change reaches the database."""

    @classmethod
    def viewer(cls, owner: str) -> ReadOnlyProjectError:
        return cls(
            f"{owner} shared this project with you as a viewer: you can read it and export it, not change "
            f"it. Ask {owner} to make you an editor."
        )

    @classmethod
    def owner_only(cls, owner: str, action: str) -> ReadOnlyProjectError:
        """`action`: what only the owner may do, e.g. "delete Clean air"."""
        return cls(f"Only {owner}, who owns this project, can {action}. Ask {owner} to do it.")


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


class ConcurrentEditError(ConflictError):
    """Someone changed the thing after it was opened for this edit (on another computer, or in another
    window): the edit is refused rather than written over their change."""

    @classmethod
    def since_opened(
        cls, change: str, by: str | None, at: datetime | None, *, me: str | None = None
    ) -> ConcurrentEditError:
        """`change` says what happened, e.g. "changed the variable 'topic'"; `by` is who did it (a login,
        None when unknown) and `me` the login of the person whose edit is refused."""
        who = "You (in another window or on another computer)" if by is not None and by == me else by
        when = "" if at is None else f" at {_clock(at)}"
        return cls(
            f"{who or 'Someone else'} {change}{when} after you opened it. Reload it to see the change, then "
            "make yours again."
        )


def _clock(moment: datetime) -> str:
    local = moment.astimezone()
    return (
        f"{local:%H:%M}" if local.date() == datetime.now().astimezone().date() else f"{local:%Y-%m-%d %H:%M}"
    )
