"""API keys: in the OS keyring, per workspace and provider; never in the database, settings or logs.

Where no keyring works (headless Linux raises NoKeyringError on reads too), a key is kept in memory for
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

NO_KEYRING = (
    "No system keyring is available on this computer, so the API key cannot be saved. It is kept in "
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
        # Keys the keyring could not take, held for this process only.
        self._session_keys: dict[str, str] = {}

    @staticmethod
    def account_name(workspace_id: int, provider: str) -> str:
        return f"workspace-{workspace_id}/{provider}"

    async def set_api_key(self, workspace_id: int, provider: str, key: str) -> KeyStatus:
        key = key.strip()
        if not key:
            return await self.delete_api_key(workspace_id, provider)
        register_secret(key)
        name = self.account_name(workspace_id, provider)
        try:
            await asyncio.to_thread(keyring.set_password, SERVICE_NAME, name, key)
        except KeyringError as error:
            self._session_keys[name] = key
            logger.warning(
                "Keyring unavailable (%s); keeping the %s key for this session",
                type(error).__name__,
                provider,
            )
            return KeyStatus(True, False, self._session_only_message(error))
        self._session_keys.pop(name, None)
        logger.info("Saved the %s key of workspace %s in the system keyring", provider, workspace_id)
        return KeyStatus(True, True, f"The key is saved in the system keyring ({self.backend_name()}).")

    async def get_api_key(self, workspace_id: int, provider: str) -> str | None:
        name = self.account_name(workspace_id, provider)
        if name in self._session_keys:
            return self._session_keys[name]
        try:
            key = await asyncio.to_thread(keyring.get_password, SERVICE_NAME, name)
        except KeyringError as error:
            logger.info("Keyring unavailable (%s) while reading the %s key", type(error).__name__, provider)
            return None
        if key:
            register_secret(key)
        return key

    async def delete_api_key(self, workspace_id: int, provider: str) -> KeyStatus:
        name = self.account_name(workspace_id, provider)
        self._session_keys.pop(name, None)
        try:
            await asyncio.to_thread(keyring.delete_password, SERVICE_NAME, name)
        except PasswordDeleteError:
            pass  # nothing was stored
        except KeyringError as error:
            logger.info("Keyring unavailable (%s) while deleting the %s key", type(error).__name__, provider)
        return KeyStatus(False, False, "No key is stored for this provider.")

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
    def _session_only_message(error: KeyringError) -> str:
        if isinstance(error, NoKeyringError):
            return NO_KEYRING
        return (
            f"The system keyring refused the key ({type(error).__name__}); it may be locked. The key is "
            "kept in memory for this session only. Unlock the keyring and save the key again to keep it."
        )
