"""A model with a smaller context gets its own chunks, cut from the stored text: the file is not read again."""

from __future__ import annotations

from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.ingest.chunking import ChunkPolicy
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from tests.fakes.documents import paragraphs, text_file


async def test_a_smaller_budget_gets_its_own_chunks_without_reading_the_file_again(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    text = paragraphs(5, 30, words=(40, 120))
    report = await documents.import_paths(project, [text_file(tmp_path, "long.txt", text)])
    document_id = report.outcomes[0].document_id
    assert document_id is not None
    default_budget = context.settings.chunk_token_budget
    for stored in (context.settings.data_dir / "workspaces").rglob("*.txt"):
        stored.unlink()  # were the file read again, this would fail

    small = await documents.chunks(document_id, ChunkPolicy.fit(300))

    stored_text = (await documents.document_text(document_id)).text
    assert len(small) > 5
    assert small[0].start == 0 and small[-1].end == len(stored_text)
    assert all(span.tokens <= 300 for span in small)
    assert await documents.chunks(document_id, ChunkPolicy.fit(300)) == small  # kept, not cut again
    with context.database.transaction() as session:
        repository = DocumentRepository(session, user.workspace_id)
        assert len(repository.chunks(document_id, 300)) == len(small)
        assert len(repository.chunks(document_id, default_budget)) == 1  # the other budget's chunks stay


async def test_a_document_without_text_has_no_chunks(
    documents: DocumentService, project: int, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    report = await documents.import_paths(project, [empty])
    document_id = report.outcomes[0].document_id
    assert document_id is not None
    with pytest.raises(InvalidInputError, match="not ready"):
        await documents.chunks(document_id, ChunkPolicy.fit(300))
