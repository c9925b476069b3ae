"""Deleting documents removes their rows, chunks and stored copies, but not a copy other rows still use."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.ingest.service import DocumentService, ImportOptions
from coderai_desktop.persistence.tables import DocumentChunk
from tests.fakes.documents import csv_file, example_rows, pdf_file, text_file
from tests.integration.imports.helpers import rows


def chunk_owners(context: AppContext) -> set[int]:
    with context.database.transaction() as session:
        return set(session.scalars(sa.select(DocumentChunk.document_id)))


async def test_deleting_documents_removes_rows_chunks_and_stored_copies(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    kept = text_file(tmp_path, "kept.txt", "This one stays.")
    gone = [text_file(tmp_path, "gone.txt", "This one goes."), pdf_file(tmp_path, "gone.pdf", ["Bye."])]
    await documents.import_paths(project, [kept, *gone])
    by_name = {row.file_name: row for row in rows(context, user.workspace_id)}
    doomed = [by_name["gone.txt"].id, by_name["gone.pdf"].id]

    assert await documents.delete_documents(doomed) == 2

    assert [row.file_name for row in rows(context, user.workspace_id)] == ["kept.txt"]
    assert chunk_owners(context) == {by_name["kept.txt"].id}
    assert not Path(by_name["gone.txt"].stored_path or "").exists()
    assert not Path(by_name["gone.pdf"].stored_path or "").exists()
    assert Path(by_name["kept.txt"].stored_path or "").read_text() == "This one stays."
    assert all(path.exists() for path in gone)  # the person's own files are never touched
    for document_id in doomed:
        with pytest.raises(NotFoundError):
            await documents.document_text(document_id)


async def test_a_spreadsheet_copy_stays_until_its_last_row_is_deleted(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    sheet = csv_file(tmp_path, "answers.csv", example_rows(3))
    await documents.import_paths(project, [sheet], ImportOptions(text_column="Text"))
    first, second, third = rows(context, user.workspace_id)
    stored = Path(first.stored_path or "")
    assert stored.read_bytes() == sheet.read_bytes()

    await documents.delete_documents([first.id])
    assert stored.exists() and len(rows(context, user.workspace_id)) == 2
    await documents.delete_documents([second.id, third.id])
    assert not stored.exists() and rows(context, user.workspace_id) == []
    assert chunk_owners(context) == set()


async def test_a_delete_with_an_unknown_id_deletes_nothing(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    await documents.import_paths(project, [text_file(tmp_path, "kept.txt", "Still here.")])
    [row] = rows(context, user.workspace_id)
    with pytest.raises(NotFoundError):
        await documents.delete_documents([row.id, row.id + 1000])
    assert [r.id for r in rows(context, user.workspace_id)] == [row.id]
    assert Path(row.stored_path or "").exists() and chunk_owners(context) == {row.id}
