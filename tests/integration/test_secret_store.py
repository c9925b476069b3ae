"""API keys per workspace and provider in the keyring, or for this session only when there is none."""

from __future__ import annotations

import uuid

import keyring
import pytest
from keyring.backends import fail

from coderai_desktop.auth.secrets import SERVICE_NAME, SecretStore
from tests.fakes.keyring_backend import MemoryKeyring


def new_key() -> str:
    return f"sk-test-{uuid.uuid4().hex}"


@pytest.fixture
def store() -> SecretStore:
    return SecretStore()


@pytest.fixture
def no_keyring() -> None:
    """A computer without any keyring (headless Linux): every call raises NoKeyringError."""
    keyring.set_keyring(fail.Keyring())  # the autouse fixture restores the previous backend


async def test_a_key_is_saved_in_the_keyring_per_workspace_and_provider(
    store: SecretStore, isolated_environment: MemoryKeyring
) -> None:
    key = new_key()
    status = await store.set_api_key(1, "openai", f"  {key}\n")
    assert (status.has_key, status.persistent) == (True, True)
    assert "system keyring" in status.message
    assert isolated_environment.passwords == {(SERVICE_NAME, "workspace-1/openai"): key}
    assert await store.get_api_key(1, "openai") == key
    assert await SecretStore().get_api_key(1, "openai") == key  # survives a restart
    assert await store.get_api_key(2, "openai") is None
    assert await store.get_api_key(1, "azure") is None
    assert (await store.status(1, "openai")).has_key
    assert not (await store.status(2, "openai")).has_key


async def test_workspaces_keep_their_own_keys(store: SecretStore) -> None:
    first, second = new_key(), new_key()
    await store.set_api_key(1, "openai", first)
    await store.set_api_key(2, "openai", second)
    assert (await store.get_api_key(1, "openai"), await store.get_api_key(2, "openai")) == (first, second)
    await store.delete_api_key(1, "openai")
    assert await store.get_api_key(1, "openai") is None
    assert await store.get_api_key(2, "openai") == second


async def test_deleting_a_key_and_saving_an_empty_one_both_remove_it(store: SecretStore) -> None:
    await store.set_api_key(1, "openai", new_key())
    status = await store.set_api_key(1, "openai", "   ")
    assert (status.has_key, status.persistent) == (False, False)
    assert await store.get_api_key(1, "openai") is None
    assert (await store.delete_api_key(1, "openai")).has_key is False  # deleting nothing is fine
    assert (await store.status(1, "openai")).message == "No key is stored for this provider."


@pytest.mark.usefixtures("no_keyring")
async def test_without_a_keyring_the_key_is_kept_for_this_session_and_the_app_says_so(
    store: SecretStore,
) -> None:
    before = await store.status(1, "openai")
    assert not before.has_key and "this session only" in before.message

    key = new_key()
    status = await store.set_api_key(1, "openai", key)

    assert (status.has_key, status.persistent) == (True, False)
    assert "keyring" in status.message and "this session" in status.message
    assert await store.get_api_key(1, "openai") == key
    assert await store.get_api_key(2, "openai") is None
    after = await store.status(1, "openai")
    assert (after.has_key, after.persistent) == (True, False)
    assert "this session only" in after.message
    assert await SecretStore().get_api_key(1, "openai") is None  # gone after a restart, as it said
    await store.delete_api_key(1, "openai")
    assert await store.get_api_key(1, "openai") is None
