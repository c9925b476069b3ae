"""Shared fixtures: an isolated data folder, a fake keyring, and a ready AppContext on a real SQLite file."""

from __future__ import annotations

import os

# Before anything imports Qt: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from langchain_openai.chat_models._client_utils import _cached_async_httpx_client, _cached_sync_httpx_client

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from tests.fakes.keyring_backend import MemoryKeyring

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Every test gets its own data folder and an in-memory keyring; nothing leaks from the developer's."""
    for name in ("CODERAI_DB_URL", "CODERAI_USER", "CODERAI_PASSWORD", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CODERAI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CODERAI_LOGIN_FAILURE_DELAY", "0.01")
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def fresh_http_clients() -> None:
    """langchain-openai keeps one httpx client per (base URL, timeout) for the whole process. The app runs one
    event loop per process, but every test has its own: when a later test's fake server gets a port used
    before, it would be handed a client whose connections belong to a closed loop ("Event loop is closed")."""
    _cached_async_httpx_client.cache_clear()
    _cached_sync_httpx_client.cache_clear()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", login_failure_delay=0.01)


@pytest.fixture
def context(settings: Settings) -> Iterator[AppContext]:
    """The app as the GUI and CLI open it: migrated SQLite file in the data folder, real services."""
    app_context = AppContext.open(settings)
    yield app_context
    app_context.close()
