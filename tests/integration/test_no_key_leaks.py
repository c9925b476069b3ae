"""An API key never reaches the database, the settings or the logs, whatever the app (or a bug) logs."""

from __future__ import annotations

import dataclasses
import logging
import re
import uuid
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.logging_setup import MASK
from coderai_desktop.projects.codebook_file import read_codebook_file
from tests.conftest import PASSWORD
from tests.unit.codebook_data import DEMO_CODEBOOK


def new_key() -> str:
    """No known key shape: only the app registering it as a secret can keep it out of the logs."""
    return f"prov{uuid.uuid4().hex}{uuid.uuid4().hex[:8]}"


async def use_the_app_with(key: str, settings: Settings) -> None:
    """What a session does, including logging the key by mistake in every way a bug could."""
    context = AppContext.open(settings)
    try:
        await context.accounts.create_account("ana", PASSWORD)
        user = await context.accounts.login("ana", PASSWORD)
        await context.secrets.set_api_key(user.workspace_id, "openai", key)
        codebook = read_codebook_file(DEMO_CODEBOOK)
        project = await context.projects(user).create_project(
            ProjectContext(name="Plans"), codebook.variables
        )
        assert await context.secrets.get_api_key(user.workspace_id, "openai") == key

        log = logging.getLogger("coderai_desktop.llm.client")
        log.info("key=%s", key)
        log.debug("request headers %s", {"Authorization": f"Bearer {key}"})
        log.warning("project %s: calling the provider with %r", project.id, {"api_key": key})
        try:
            raise PermissionError(f"401 Unauthorized: the key {key} was rejected")
        except PermissionError:
            log.exception("extraction call failed")
    finally:
        context.close()


def files_under(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize("keyring_available", [True, False], ids=["keyring", "no-keyring"])
async def test_no_key_is_written_to_any_file_in_the_data_folder(
    tmp_path: Path, keyring_available: bool
) -> None:
    if not keyring_available:
        keyring.set_keyring(fail.Keyring())
    key = new_key()
    settings = Settings(data_dir=tmp_path / "data", log_level="DEBUG", login_failure_delay=0.01)

    await use_the_app_with(key, settings)

    files = files_under(settings.data_dir)
    assert {"coderai.sqlite3", "coderai.log"} <= {path.name for path in files}
    leaks = [path.name for path, content in files.items() if key.encode() in content]
    assert leaks == []
    assert [path.name for path, content in files.items() if PASSWORD.encode() in content] == []
    log = (settings.log_dir / "coderai.log").read_text(encoding="utf-8")
    assert "extraction call failed" in log and "Traceback" in log and "PermissionError" in log
    assert log.count(MASK) >= 4


def test_no_setting_can_hold_a_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Names that could hold a secret; token *counts* (chunk_token_budget) are fine.
    suspicious = re.compile(r"key|secret|token$|password|credential|auth", re.IGNORECASE)
    assert [item.name for item in dataclasses.fields(Settings) if suspicious.search(item.name)] == []
    key = new_key()
    for variable in ("CODERAI_API_KEY", "CODERAI_OPENAI_API_KEY", "CODERAI_SECRET", "OPENAI_API_KEY"):
        monkeypatch.setenv(variable, key)
    settings = Settings.from_environment(data_dir=tmp_path)
    assert key not in str(settings.as_text())
    assert key not in repr(settings)
