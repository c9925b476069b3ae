"""Another account can neither see nor touch a workspace's documents, by id or by project name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import DocumentStatus
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.service import DocumentService
from tests.conftest import PASSWORD
from tests.fakes.documents import encrypted_pdf, text_file
from tests.integration.imports.helpers import PROJECT, rows

Attempt = Callable[[DocumentService, int, int], Awaitable[object]]
ATTEMPTS: dict[str, Attempt] = {
    "document_text": lambda ben, _project, document: ben.document_text(document),
    "reparse": lambda ben, project, document: ben.reparse(project, [document], password="pw"),
    "delete": lambda ben, _project, document: ben.delete_documents([document]),
}


@dataclass(frozen=True)
class Ben:
    documents: DocumentService
    project: int


@pytest.fixture
async def ben(context: AppContext, parser_pool: ParserPool) -> Ben:
    """Ben, with a project of his own named like Ana's."""
    session = await context.accounts.create_account("ben", PASSWORD)
    created = await context.projects(session).create_project(ProjectContext(name=f"{PROJECT} (Ben)"))
    return Ben(DocumentService(context.database, session, context.settings, parser_pool), created.id)


@pytest.fixture
async def anas(documents: DocumentService, project: int, tmp_path: Path) -> list[int]:
    """Ana's documents: one READY, one waiting for its password."""
    report = await documents.import_paths(
        project,
        [text_file(tmp_path, "a.txt", "Ana's notes."), encrypted_pdf(tmp_path, "b.pdf", "Ana.", "pw")],
    )
    return [item.document_id for item in report.outcomes if item.document_id is not None]


async def test_another_account_cannot_list_a_project_by_name_or_id(
    ben: Ben, project: int, anas: list[int]
) -> None:
    for reference in (PROJECT, project):
        with pytest.raises(NotFoundError):
            await ben.documents.list_documents(reference)
    assert await ben.documents.list_documents(ben.project) == []


@pytest.mark.parametrize("attempt", ATTEMPTS.values(), ids=ATTEMPTS.keys())
async def test_another_account_cannot_touch_a_document_by_id(
    ben: Ben,
    anas: list[int],
    context: AppContext,
    user: UserSession,
    attempt: Attempt,
) -> None:
    def state() -> list[tuple[object, ...]]:
        return sorted(
            (r.file_name, r.id, r.status, r.text, r.stored_path) for r in rows(context, user.workspace_id)
        )

    before = state()
    assert [(name, status) for name, _, status, *_ in before] == [
        ("a.txt", DocumentStatus.READY),
        ("b.pdf", DocumentStatus.FAILED),
    ]
    for document_id in anas:
        with pytest.raises(NotFoundError) as refused:
            await attempt(ben.documents, ben.project, document_id)
        assert str(refused.value) == f"There is no document {document_id} in your workspace."
    assert state() == before
    assert all(Path(str(stored)).is_file() for *_, stored in before)


async def test_another_account_cannot_import_into_a_project(
    ben: Ben, project: int, anas: list[int], context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    path = text_file(tmp_path, "intruder.txt", "Ben's text.")
    for reference in (PROJECT, project):
        with pytest.raises(NotFoundError):
            await ben.documents.import_paths(reference, [path])
    assert sorted(row.file_name for row in rows(context, user.workspace_id)) == ["a.txt", "b.pdf"]
    assert not any("intruder" in str(path) for path in context.settings.data_dir.rglob("*"))
