"""Cancelling an import leaves nothing half-done that a second import cannot finish."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import DocumentStatus
from coderai_desktop.ingest.report import ImportProgress, Outcome
from coderai_desktop.ingest.service import DocumentService
from tests.fakes.documents import docx_file, pdf_file, prose, text_file
from tests.integration.imports.helpers import rows

FILES = 36


def make_files(folder: Path) -> list[str]:
    for number in range(FILES):
        name = f"file-{number:02}"
        if number % 3 == 0:
            pdf_file(folder, f"{name}.pdf", [prose(number, 60), prose(number + 100, 60)])
        elif number % 3 == 1:
            docx_file(folder, f"{name}.docx", [prose(number, 80)])
        else:
            text_file(folder, f"{name}.txt", prose(number, 80))
    return sorted(path.name for path in folder.iterdir())


async def test_a_cancelled_import_stops_cleanly_and_a_second_one_finishes_it(
    documents: DocumentService,
    project: int,
    context: AppContext,
    user: UserSession,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "corpus").mkdir()
    names = make_files(tmp_path / "corpus")
    loop_errors: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, error: loop_errors.append(error))
    first_file = asyncio.Event()

    def progress(_event: ImportProgress) -> None:
        first_file.set()

    task = asyncio.create_task(documents.import_paths(project, [tmp_path / "corpus"], progress=progress))
    await asyncio.wait_for(first_file.wait(), timeout=30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    await context.database.run(lambda _session: None)  # writes already queued have finished

    left = rows(context, user.workspace_id)
    assert 1 <= len(left) < FILES  # the first file was done; many were never started
    for row in left:
        assert row.status is not DocumentStatus.FAILED, (row.file_name, row.error_message)
        if row.status is DocumentStatus.UPLOADED:
            assert row.chunk_count == 0
        else:  # READY, or PARSED when the cancel came between saving the text and the chunks
            assert row.text and row.word_count, row.file_name
    ready_before = {row.file_name for row in left if row.status is DocumentStatus.READY}

    report = await documents.import_paths(project, [tmp_path / "corpus"])

    assert {item.name for item in report.outcomes if item.outcome is Outcome.DUPLICATE} == ready_before
    assert report.count(Outcome.IMPORTED) == FILES - len(ready_before)
    finished = rows(context, user.workspace_id)
    assert sorted(row.file_name for row in finished) == names  # exactly one document per file
    assert {row.status for row in finished} == {DocumentStatus.READY}
    assert all(row.text and row.chunk_count >= 1 for row in finished)
    assert {row.id for row in left} <= {row.id for row in finished}  # unfinished ones kept their ids
    assert loop_errors == []
    assert not [record for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")]
