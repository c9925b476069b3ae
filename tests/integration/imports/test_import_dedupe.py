"""A file is one document, whatever its name: the same bytes again are a duplicate, and a document whose
import never finished is read again into the same document."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import DocumentProblem, DocumentStatus
from coderai_desktop.ingest.report import Outcome
from coderai_desktop.ingest.service import DocumentService, ImportOptions
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from tests.fakes.documents import encrypted_pdf, pdf_file, prose, text_file
from tests.integration.imports.helpers import folder, rows


async def test_the_same_file_again_is_a_duplicate_even_under_another_name(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    original = pdf_file(tmp_path, "plan.pdf", ["The housing plan.", "Second page."])
    [first] = (await documents.import_paths(project, [original])).outcomes
    renamed = shutil.copyfile(original, folder(tmp_path / "elsewhere") / "copy of plan.pdf")

    again = await documents.import_paths(project, [original, renamed])

    assert [(item.outcome, item.document_id) for item in again.outcomes] == [
        (Outcome.DUPLICATE, first.document_id),
        (Outcome.DUPLICATE, first.document_id),
    ]
    assert all("already imported as plan.pdf" in item.detail for item in again.outcomes)
    assert not again.nothing_read  # duplicates were read before: not a failure
    assert [row.id for row in rows(context, user.workspace_id)] == [first.document_id]


async def test_a_changed_file_is_a_new_document(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    path = text_file(tmp_path, "notes.txt", prose(1, 30))
    await documents.import_paths(project, [path])
    text_file(tmp_path, "notes.txt", prose(2, 30))
    report = await documents.import_paths(project, [path])
    assert [item.outcome for item in report.outcomes] == [Outcome.IMPORTED]
    assert [row.text for row in rows(context, user.workspace_id)] == [prose(1, 30), prose(2, 30)]


# Files with the same bytes in ONE import are read concurrently: each must not find "no document yet" and
# insert its own (UNIQUE(project_id, sha256) would fail the whole import).
async def test_the_same_content_twice_in_one_import_is_one_document_and_duplicates(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    corpus = folder(tmp_path / "corpus")
    for name in ("a.txt", "b.txt", "c.txt"):
        text_file(corpus, name, prose(3, 30))
    report = await documents.import_paths(project, [corpus])
    assert sorted(item.outcome for item in report.outcomes) == sorted(
        [Outcome.IMPORTED, Outcome.DUPLICATE, Outcome.DUPLICATE]
    )
    assert len(rows(context, user.workspace_id)) == 1


def interrupt(context: AppContext, workspace_id: int, document_id: int, status: DocumentStatus) -> None:
    """Leave the document as a killed import (UPLOADED, PARSED) or a failed read leaves it."""
    with context.database.transaction() as session:
        document = DocumentRepository(session, workspace_id).require(document_id)
        document.status = status
        if status is DocumentStatus.UPLOADED:
            document.text, document.word_count, document.chunk_count = None, None, 0
        if status is DocumentStatus.FAILED:
            document.problem, document.error_message = DocumentProblem.CRASHED, "The reader stopped."


@pytest.mark.parametrize("status", [DocumentStatus.UPLOADED, DocumentStatus.PARSED, DocumentStatus.FAILED])
async def test_an_unfinished_document_is_read_again_into_the_same_id(
    documents: DocumentService,
    project: int,
    context: AppContext,
    user: UserSession,
    tmp_path: Path,
    status: DocumentStatus,
) -> None:
    path = text_file(tmp_path, "notes.txt", prose(4, 30))
    [first] = (await documents.import_paths(project, [path])).outcomes
    assert first.document_id is not None
    interrupt(context, user.workspace_id, first.document_id, status)
    Path(rows(context, user.workspace_id)[0].stored_path or "").unlink()  # even killed before the copy

    [again] = (await documents.import_paths(project, [path])).outcomes

    assert (again.outcome, again.document_id) == (Outcome.IMPORTED, first.document_id)
    [row] = rows(context, user.workspace_id)
    assert (row.status, row.problem, row.error_message) == (DocumentStatus.READY, None, None)
    assert row.text == prose(4, 30) and row.chunk_count == 1
    assert Path(row.stored_path or "").read_bytes() == path.read_bytes()


async def test_a_pdf_that_needed_a_password_is_read_again_when_imported_with_it(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    path = encrypted_pdf(tmp_path, "locked.pdf", "Budget 2024, confidential.", "s3cret")
    [failed] = (await documents.import_paths(project, [path])).outcomes
    [read] = (await documents.import_paths(project, [path], ImportOptions(password="s3cret"))).outcomes
    assert failed.outcome is Outcome.FAILED and read.outcome is Outcome.IMPORTED
    assert read.document_id == failed.document_id
    [row] = rows(context, user.workspace_id)
    assert row.status is DocumentStatus.READY and "Budget 2024" in (row.text or "")
