"""Fixtures of the import tests: spawning parser processes costs about a second, so the whole session
shares ONE ParserPool; each test gets its own database, account and project, and a DocumentService built
on that pool. Settings turn OCR off: the tests that check OCR build their own settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.service import DocumentService
from tests.integration.imports.helpers import PROJECT


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The test's data folder, without OCR (overrides the settings fixture of tests/conftest.py)."""
    return Settings(data_dir=tmp_path / "data", login_failure_delay=0.01, ocr_enabled=False)


@pytest.fixture
async def project(context: AppContext, user: UserSession) -> int:
    created = await context.projects(user).create_project(ProjectContext(name=PROJECT))
    return created.id


@pytest.fixture
def documents(context: AppContext, user: UserSession, parser_pool: ParserPool) -> DocumentService:
    return DocumentService(context.database, user, context.settings, parser_pool)
