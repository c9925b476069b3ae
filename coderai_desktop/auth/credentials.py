"""What a login name and a new password must be. No database here: the login window states the rules
before the database has opened."""

from __future__ import annotations

import re

from coderai_desktop.domain.errors import InvalidInputError

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD_LENGTH = 8


def normalise_login(login: str) -> str:
    """Logins are case-insensitive: 'Alice' and 'alice' are the same person."""
    name = login.strip().lower()
    if not LOGIN_PATTERN.fullmatch(name):
        raise InvalidInputError(
            "A login name has 2 to 64 characters: letters, digits, dots, hyphens or underscores, "
            "starting with a letter or a digit."
        )
    return name


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.")
    if password.strip() != password:
        raise InvalidInputError("A password cannot start or end with a space.")
