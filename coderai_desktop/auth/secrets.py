"""API keys and lab database passwords: in the OS keyring (keys per workspace and provider, passwords per
server and member); never in the database, settings or logs.

Where no keyring works (headless Linux raises NoKeyringError on reads too), a secret is kept in memory for
this session only, and the app says so in plain words.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from coderai_desktop.logging_setup import register_secret

logger = logging.getLogger(__name__)

SERVICE_NAME = "coderai-desktop"
API_KEY, DATABASE_PASSWORD = "API key", "database password"


def no_keyring(what: str) -> str:
    return (
        f"No system keyring is available on this computer, so the {what} cannot be saved. It is kept in "
        "memory for this session only: you will have to enter it again after restarting. To keep it, "
        "install and unlock a keyring (GNOME Keyring or KWallet on Linux)."
    )


NO_KEYRING_YET = (
    "No system keyring is available on this computer: a key entered here is kept for this session only."
)


@dataclass(frozen=True)
class KeyStatus:
    """Where a key is, in words a person can act on."""

    has_key: bool
    persistent: bool
    message: str


class SecretStore:
    def __init__(self) -> None:
        # Secrets the keyring could not take, held for this process only.
        self._session_keys: dict[str, str] = {}

    @staticmethod
    def account_name(workspace_id: int, provider: str) -> str:
        return f"workspace-{workspace_id}/{provider}"

    @staticmethod
    def database_account_name(server: str, role: str) -> str:
        return f"database/{server}/{role}"

    async def set_api_key(self, workspace_id: int, provider: str, key: str) -> KeyStatus:
        key = key.strip()
        if not key:
            return await self.delete_api_key(workspace_id, provider)
        name = self.account_name(workspace_id, provider)
        status = await self._save(name, key, API_KEY)
        if status.persistent:
            logger.info("Saved the %s key of workspace %s in the system keyring", provider, workspace_id)
        return status

    async def get_api_key(self, workspace_id: int, provider: str) -> str | None:
        return await self._read(self.account_name(workspace_id, provider), f"the {provider} key")

    async def delete_api_key(self, workspace_id: int, provider: str) -> KeyStatus:
        await self._delete(self.account_name(workspace_id, provider), f"the {provider} key")
        return KeyStatus(False, False, "No key is stored for this provider.")

    async def set_database_password(self, server: str, role: str, password: str) -> KeyStatus:
        """A lab member's database password (kept as typed: spaces may be part of it)."""
        if not password:
            return await self.delete_database_password(server, role)
        status = await self._save(self.database_account_name(server, role), password, DATABASE_PASSWORD)
        if status.persistent:
            logger.info("Saved the database password of %s on %s in the system keyring", role, server)
        return status

    async def get_database_password(self, server: str, role: str) -> str | None:
        return await self._read(self.database_account_name(server, role), f"the password of {role}")

    async def delete_database_password(self, server: str, role: str) -> KeyStatus:
        await self._delete(self.database_account_name(server, role), f"the password of {role}")
        return KeyStatus(False, False, "No password is stored for this member.")

    async def _save(self, name: str, secret: str, what: str) -> KeyStatus:
        register_secret(secret)
        try:
            await asyncio.to_thread(keyring.set_password, SERVICE_NAME, name, secret)
        except KeyringError as error:
            self._session_keys[name] = secret
            logger.warning(
                "Keyring unavailable (%s); keeping a %s for this session", type(error).__name__, what
            )
            return KeyStatus(True, False, self._session_only_message(error, what))
        self._session_keys.pop(name, None)
        return KeyStatus(True, True, f"The {what} is saved in the system keyring ({self.backend_name()}).")

    async def _read(self, name: str, what: str) -> str | None:
        if name in self._session_keys:
            return self._session_keys[name]
        try:
            secret = await asyncio.to_thread(keyring.get_password, SERVICE_NAME, name)
        except KeyringError as error:
            logger.info("Keyring unavailable (%s) while reading %s", type(error).__name__, what)
            return None
        if secret:
            register_secret(secret)
        return secret

    async def _delete(self, name: str, what: str) -> None:
        self._session_keys.pop(name, None)
        try:
            await asyncio.to_thread(keyring.delete_password, SERVICE_NAME, name)
        except PasswordDeleteError:
            pass  # nothing was stored
        except KeyringError as error:
            logger.info("Keyring unavailable (%s) while deleting %s", type(error).__name__, what)

    async def status(self, workspace_id: int, provider: str) -> KeyStatus:
        name = self.account_name(workspace_id, provider)
        if name in self._session_keys:
            return KeyStatus(True, False, "A key is kept for this session only (no system keyring).")
        try:
            stored = await asyncio.to_thread(keyring.get_password, SERVICE_NAME, name)
        except NoKeyringError:
            return KeyStatus(False, False, NO_KEYRING_YET)
        except KeyringError as error:
            return KeyStatus(
                False, False, f"The system keyring could not be read ({type(error).__name__}); unlock it."
            )
        if stored:
            return KeyStatus(True, True, f"A key is saved in the system keyring ({self.backend_name()}).")
        return KeyStatus(False, False, "No key is stored for this provider.")

    @staticmethod
    def backend_name() -> str:
        backend = keyring.get_keyring()
        return getattr(backend, "name", type(backend).__name__)

    @staticmethod
    def _session_only_message(error: KeyringError, what: str) -> str:
        if isinstance(error, NoKeyringError):
            return no_keyring(what)
        return (
            f"The system keyring refused the {what} ({type(error).__name__}); it may be locked. It is "
            f"kept in memory for this session only. Unlock the keyring and save the {what} again to keep it."
        )
