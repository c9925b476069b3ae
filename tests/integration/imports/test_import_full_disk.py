"""A disk that fills up during an import: one plain message (no "unexpected OperationalError"), what was
saved stays, and importing the same folder again once space is freed finishes the rest, each file once."""

from __future__ import annotations

from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import DocumentStatus
from coderai_desktop.domain.errors import StorageFullError
from coderai_desktop.ingest.report import Outcome
from coderai_desktop.ingest.service import DocumentService
from tests.fakes.documents import text_file
from tests.fakes.full_disk import DiskLimit
from tests.integration.imports.helpers import folder, rows

FILES = 30


async def test_a_full_disk_stops_the_import_plainly_and_importing_again_finishes_it(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    files = folder(tmp_path / "files")
    for number in range(FILES):
        text_file(files, f"note-{number:02d}.txt", f"Note {number}: " + "the council met again. " * 300)

    with DiskLimit(context) as disk:
        disk.fill()
        with pytest.raises(StorageFullError, match="is full"):
            await documents.import_paths(project, [files])
        disk.free()
        report = await documents.import_paths(project, [files])

    stored = rows(context, user.workspace_id)
    assert len(stored) == FILES and {row.status for row in stored} == {DocumentStatus.READY}
    assert report.count(Outcome.IMPORTED) + report.count(Outcome.DUPLICATE) == FILES
    assert report.count(Outcome.FAILED) == 0
