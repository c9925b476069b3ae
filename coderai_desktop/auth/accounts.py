"""Create accounts and log in. Passwords are stored only as argon2id hashes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coderai_desktop.auth.credentials import check_new_password, normalise_login
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import AuthenticationError, ConflictError
from coderai_desktop.persistence.base import utcnow
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.accounts import AccountRepository

logger = logging.getLogger(__name__)

MAX_DELAY_FACTOR = 8
WRONG_CREDENTIALS = "Wrong login name or password. Check the spelling and Caps Lock, then try again."


@dataclass(frozen=True)
class _LoginOutcome:
    session: UserSession | None
    failures: int


class AccountService:
    def __init__(
        self,
        database: Database,
        failure_delay: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self._database = database
        self._failure_delay = failure_delay
        self._sleep = sleep
        self._hasher = PasswordHasher()  # argon2id with the library's current recommended cost

    @cached_property
    def _decoy_hash(self) -> str:
        """Verified against when the login does not exist, so that both failures take as long."""
        return self._hasher.hash("decoy password, never valid")

    async def create_account(self, login: str, password: str) -> UserSession:
        name = normalise_login(login)
        check_new_password(password)

        def create(session: Session) -> UserSession:
            repository = AccountRepository(session)
            if repository.by_login(name) is not None:
                raise ConflictError(f"The login name '{name}' is taken. Choose another one, or log in.")
            account, workspace = repository.add_with_workspace(name, self._hasher.hash(password))
            return UserSession(account.id, account.login, workspace.id)

        try:
            user = await self._database.run(create)
        except IntegrityError as error:  # another process created it between our check and insert
            raise ConflictError(
                f"The login name '{name}' is taken. Choose another one, or log in."
            ) from error
        logger.info("Created account %s (workspace %s)", user.login, user.workspace_id)
        return user

    async def login(self, login: str, password: str) -> UserSession:
        """The user's session; after a failure, wait (longer each time) and raise AuthenticationError."""
        name = login.strip().lower()
        outcome = await self._database.run(lambda session: self._verify(session, name, password))
        if outcome.session is not None:
            logger.info("Logged in as %s", name)
            return outcome.session
        logger.warning("Failed login for %r (%s in a row)", name, outcome.failures)
        await self._sleep(self._failure_delay * min(2 ** (outcome.failures - 1), MAX_DELAY_FACTOR))
        raise AuthenticationError(WRONG_CREDENTIALS)

    def _verify(self, session: Session, name: str, password: str) -> _LoginOutcome:
        repository = AccountRepository(session)
        account = repository.by_login(name)
        # An unknown name costs a hash check and counts failures like a known one: nothing tells them apart.
        matches = self._matches(account.password_hash if account else self._decoy_hash, password)
        # The bookkeeping below is a write: a read-only database (a read-only data folder, an archived
        # copy) can still be logged in to and read, without it.
        bookkeeping = not self._database.read_only
        if not bookkeeping:
            logger.info("The database is read-only: this login attempt is not recorded")
        if account is None or not matches:
            return _LoginOutcome(None, repository.record_failure(name) if bookkeeping else 1)
        if bookkeeping:
            repository.clear_failures(name)
            account.last_login_at = utcnow()
            if self._hasher.check_needs_rehash(account.password_hash):
                account.password_hash = self._hasher.hash(password)
        workspace = repository.workspace_of(account)
        return _LoginOutcome(UserSession(account.id, account.login, workspace.id), 0)

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
