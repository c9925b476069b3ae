"""The problem report: the recent logs, the database's migration state and the provider settings, with no
secret in any byte of the zip."""

from __future__ import annotations

import logging
import re
import sqlite3
import uuid
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.diagnostics import (
    SUMMARY_NAME,
    ProviderPart,
    build_report,
    database_state,
    recent_logs,
    workspace_provider,
)
from coderai_desktop.domain.errors import StorageError
from coderai_desktop.domain.provider import ProviderKind, ProviderSettings
from coderai_desktop.logging_setup import MASK
from coderai_desktop.persistence.engine import normalise_url
from coderai_desktop.persistence.migrate import head_revision, upgrade_database
from tests.conftest import PASSWORD

NO_PROVIDER = ProviderPart(None, "Not included.")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


async def test_no_secret_reaches_any_byte_of_the_zip(settings: Settings, tmp_path: Path) -> None:
    key = f"prov{uuid.uuid4().hex}"  # no key shape: only its registration as a secret can mask it
    context = AppContext.open(settings)
    try:
        user = await context.accounts.create_account("ana", PASSWORD)
        await context.secrets.set_api_key(user.workspace_id, "compatible", key)
        local = ProviderSettings(
            kind=ProviderKind.COMPATIBLE, base_url="http://127.0.0.1:11434/v1", model="m7"
        )
        await context.providers(user).save_workspace_settings(local)
        logging.getLogger("coderai_desktop.llm.client").warning("request with api_key=%s", key)
        provider = await workspace_provider(context.providers(user), user.login)
    finally:
        context.close()
    # A log the masking never saw (written by hand, or by an older version): masked on the way in.
    (settings.log_dir / "coderai.log.1").write_text(f"old line: key {key} and sk-live0123456789abcdef\n")

    path = build_report(settings, provider).save(tmp_path / "report.zip")

    files = members(path)
    assert list(files) == [SUMMARY_NAME, "logs/coderai.log", "logs/coderai.log.1"]
    assert key.encode() not in path.read_bytes()
    assert [name for name, content in files.items() if key.encode() in content] == []
    assert PASSWORD.encode() not in b"".join(files.values())
    assert files["logs/coderai.log.1"] == f"old line: key {MASK} and {MASK}\n".encode()
    assert b"request with api_key=[secret]" in files["logs/coderai.log"]
    summary = files[SUMMARY_NAME].decode()
    assert "Those of the workspace of ana." in summary
    assert re.search(r"^  model +m7$", summary, re.MULTILINE) and "http://127.0.0.1:11434/v1" in summary


def test_a_database_password_is_never_shown(tmp_path: Path) -> None:
    password = f"pw{uuid.uuid4().hex}"
    settings = Settings(data_dir=tmp_path / "data", db_url=f"postgresql://lab:{password}@127.0.0.1:1/coderai")

    report = build_report(settings, NO_PROVIDER)

    assert password not in report.summary
    assert "Location  postgresql+psycopg://lab:***@127.0.0.1:1/coderai" in report.summary
    assert "Schema    cannot be read (OperationalError:" in report.summary
    assert "db_url                 postgresql+psycopg://lab:***@127.0.0.1:1/coderai" in report.summary


def test_the_schema_state_is_read_without_creating_or_upgrading_anything(settings: Settings) -> None:
    database = settings.data_dir / "coderai.sqlite3"
    head = head_revision()
    assert (
        database_state(settings.database_url)["Schema"]
        == f"no database file yet (this version's schema: {head})"
    )
    assert not database.exists()
    AppContext.open(settings).close()
    assert database_state(settings.database_url)["Schema"] == f"{head} (this version's: {head}): up to date"

    for revision, verdict in [
        ("0001", "older: upgraded at the next start, after a backup"),
        ("9999", "unknown to this version: a newer version of CoderAI Desktop wrote it"),
    ]:
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        state = database_state(settings.database_url)
        assert state["Schema"] == f"{revision} (this version's: {head}): {verdict}"
        assert (state["Engine"], state["Location"]) == ("sqlite (pysqlite)", str(database))


@pytest.mark.postgres
def test_a_postgresql_database_is_described_without_its_password(postgres_url: str, tmp_path: Path) -> None:
    engine = sa.create_engine(normalise_url(postgres_url))
    upgrade_database(engine, tmp_path / "backups")
    engine.dispose()

    state = database_state(postgres_url)

    assert state["Engine"] == "postgresql (psycopg)"
    assert ":***@" in state["Location"]
    assert state["Schema"].endswith("up to date")


def test_the_newest_logs_come_first_and_the_oldest_is_cut_at_a_line(tmp_path: Path) -> None:
    for name, label in [("coderai.log", "now"), ("coderai.log.1", "older"), ("coderai.log.2", "oldest")]:
        (tmp_path / name).write_text("".join(f"{label} line {n:02}\n" for n in range(10)))
    line = len("older line 00\n")

    logs = recent_logs(tmp_path, cap=len("now line 00\n") * 10 + 3 * line + 5)

    assert list(logs) == ["logs/coderai.log", "logs/coderai.log.1"]
    assert logs["logs/coderai.log"] == (tmp_path / "coderai.log").read_bytes()
    assert logs["logs/coderai.log.1"] == b"older line 07\nolder line 08\nolder line 09\n"


def test_the_zip_is_named_zip_and_a_folder_that_cannot_hold_it_is_said_plainly(
    settings: Settings, tmp_path: Path
) -> None:
    report = build_report(settings, NO_PROVIDER)
    assert report.save(tmp_path / "report") == tmp_path / "report.zip"
    assert list(members(tmp_path / "report.zip")) == [SUMMARY_NAME]
    with pytest.raises(StorageError, match=r"cannot be written to .*missing.*Choose another folder"):
        report.save(tmp_path / "missing" / "report.zip")
    assert [path.name for path in tmp_path.iterdir() if path.suffix in {".zip", ".part"}] == ["report.zip"]
