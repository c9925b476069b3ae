"""Integration fixtures: migrated databases (a SQLite file, or a fresh PostgreSQL database) and the CLI."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.cli import main
from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.ingest.pool import ParserPool, PoolLimits
from coderai_desktop.persistence.engine import Database, create_engine, normalise_url
from coderai_desktop.persistence.migrate import upgrade_database
from coderai_desktop.projects.codebook_file import read_codebook_file
from coderai_desktop.projects.service import ProjectService
from tests.conftest import PASSWORD, start_at_head
from tests.unit.codebook_data import DEMO_CODEBOOK

PG_URL_VARIABLE = "CODERAI_TEST_PG_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test alone, dropped afterwards."""
    server = os.environ.get(PG_URL_VARIABLE)
    if not server:
        pytest.skip(f"set {PG_URL_VARIABLE} to run the PostgreSQL tests")
    with fresh_postgres_database(server) as url:
        yield url


@contextmanager
def fresh_postgres_database(server: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL `server` (a URL), dropped afterwards; its URL."""
    admin = sa.create_engine(normalise_url(server), isolation_level="AUTOCOMMIT")
    name = f"coderai_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(normalise_url(server)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of the backend the test is parametrised with (default: a SQLite file)."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'coderai.sqlite3'}"


@pytest.fixture
def migrated(database_url: str, tmp_path: Path, sqlite_at_head: Path) -> Iterator[Database]:
    """The database at head, with the app's engine settings."""
    start_at_head(database_url, sqlite_at_head)
    engine = create_engine(database_url)
    upgrade_database(engine, tmp_path / "backups")
    database = Database(engine)
    yield database
    database.close()


@pytest.fixture
async def user(context: AppContext) -> UserSession:
    """Ana, logged in: the owner of the projects the service tests make."""
    return await context.accounts.create_account("ana", PASSWORD)


@pytest.fixture
def service(context: AppContext, user: UserSession) -> ProjectService:
    return context.projects(user)


@pytest.fixture
def demo() -> Codebook:
    return read_codebook_file(DEMO_CODEBOOK)


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


Cli = Callable[..., CliResult]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`coderai ARGS...` in this process, with the test password in CODERAI_PASSWORD."""
    monkeypatch.setenv("CODERAI_PASSWORD", PASSWORD)
    capsys.readouterr()

    def run(*args: str | Path) -> CliResult:
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as stop:  # argparse: --version, --help, usage errors
            code = int(stop.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def ana(cli: Cli) -> str:
    """An account made with `coderai account create`; its login name."""
    result = cli("account", "create", "Ana")
    assert (result.code, result.out.strip()) == (0, "Created account 'ana' with its own workspace.")
    return "ana"


@pytest.fixture(scope="session")
def parser_pool() -> Iterator[ParserPool]:
    """One pool of parser processes for the session (starting one takes a moment)."""
    pool = ParserPool(PoolLimits(workers=2, timeout_seconds=60, memory_mb=2048))
    yield pool
    pool.close()
