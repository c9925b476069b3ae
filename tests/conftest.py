"""Shared fixtures: an isolated data folder, a fake keyring, and a ready AppContext on a real SQLite file."""

from __future__ import annotations

import os
import shutil

# Before anything imports Qt: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import keyring
import pytest
from langchain_openai.chat_models._client_utils import _cached_async_httpx_client, _cached_sync_httpx_client

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth import accounts
from coderai_desktop.config import DATABASE_FILE_NAME, Settings
from coderai_desktop.persistence.engine import create_engine, sqlite_path
from coderai_desktop.persistence.migrate import upgrade_database
from coderai_desktop.private_files import private_dir
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
def fast_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its smallest cost: tests check what is hashed and compared, not how slowly (the real
    cost takes ~0.2 s per hash or login). A module with REAL_PASSWORD_COST = True keeps the real cost."""
    if not getattr(request.module, "REAL_PASSWORD_COST", False):
        cheap = partial(accounts.PasswordHasher, time_cost=1, memory_cost=8, parallelism=1)
        monkeypatch.setattr(accounts, "PasswordHasher", cheap)


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


@pytest.fixture(scope="session")
def sqlite_at_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per test process: running every migration takes ~0.4 s, and most
    tests start from a copy (those about migrations start from nothing)."""
    path = tmp_path_factory.mktemp("at-head") / DATABASE_FILE_NAME
    engine = create_engine(f"sqlite:///{path}")
    upgrade_database(engine, None)
    engine.dispose()  # its WAL checkpointed into the file
    return path


def start_at_head(database_url: str, template: Path) -> None:
    """A copy of the migrated `template` where the SQLite file of `database_url` is to be, unless one is
    there already (a server's database is left as it is)."""
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        private_dir(path.parent)
        shutil.copyfile(template, path)


@pytest.fixture
def context(settings: Settings, sqlite_at_head: Path) -> Iterator[AppContext]:
    """The app as the GUI and CLI open it: migrated SQLite file in the data folder, real services."""
    start_at_head(settings.database_url, sqlite_at_head)
    app_context = AppContext.open(settings)
    yield app_context
    app_context.close()
