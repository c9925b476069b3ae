"""Importing a folder tree: what is read (in which order), what is passed over and why, and what is stored."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.enums import DocumentFormat, DocumentStatus
from coderai_desktop.ingest.report import ImportReport, Outcome
from coderai_desktop.ingest.service import DocumentService
from tests.fakes.documents import docx_file, html_file, paragraphs, pdf_file, prose, text_file
from tests.integration.imports.helpers import by_name, chunks, folder, rows

READ_IN_ORDER = ["b-notes.txt", "z-report.html", "a-letter.docx", "b-minutes.pdf", "long.md", "deep.txt"]
SKIPPED = {
    ".DS_Store": "hidden or system file",
    "~$letter.docx": "hidden or system file",
    ".git": "hidden or system folder",
    "old.doc": "save it as .docx",
    "scan.png": "images are not read on their own",
    "bundle.zip": "archives are not opened",
    "README": "unsupported file type (no extension)",
    "missing.pdf": "there is no such file or folder",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A small chunk budget, so the long document is cut into several chunks."""
    return Settings(
        data_dir=tmp_path / "data", login_failure_delay=0.01, ocr_enabled=False, chunk_token_budget=400
    )


def make_tree(root: Path) -> None:
    sub, deeper, git = folder(root / "sub"), folder(root / "sub" / "deeper"), folder(root / ".git")
    text_file(root, "b-notes.txt", "Notes on the housing plan, written in Ålesund.\nSecond line.")
    html_file(root, "z-report.html", "<p>The committee approved the plan.</p>", title="Annual report")
    docx_file(sub, "a-letter.docx", ["Dear council,", "the letter asks for more housing."])
    pdf_file(sub, "b-minutes.pdf", ["Minutes, page one.", "Minutes, page two."])
    text_file(sub, "long.md", paragraphs(1, 30))
    text_file(deeper, "deep.txt", prose(7, 40))
    text_file(root, ".DS_Store", "binary junk")
    text_file(sub, "~$letter.docx", "lock")
    text_file(git, "config.txt", "hidden folder: never read")
    for name in ("old.doc", "scan.png", "bundle.zip", "README"):
        text_file(sub, name, "not read")


@pytest.fixture
async def imported(tmp_path: Path, documents: DocumentService, project: int) -> ImportReport:
    make_tree(folder(tmp_path / "corpus"))
    return await documents.import_paths(project, [tmp_path / "corpus", tmp_path / "missing.pdf"])


def test_the_tree_is_read_folder_by_folder_in_name_order(imported: ImportReport) -> None:
    read = [item.name for item in imported.outcomes if item.outcome is not Outcome.SKIPPED]
    assert read == READ_IN_ORDER
    assert imported.count(Outcome.IMPORTED) == len(READ_IN_ORDER)
    assert imported.summary() == f"{len(READ_IN_ORDER)} imported, {len(SKIPPED)} skipped"


@pytest.mark.parametrize(("name", "reason"), SKIPPED.items())
def test_files_passed_over_are_reported_with_the_reason(
    imported: ImportReport, name: str, reason: str
) -> None:
    outcome, detail = by_name(imported)[name]
    assert outcome is Outcome.SKIPPED
    assert reason in detail


def test_every_document_is_ready_with_its_text_counts_and_chunks(
    imported: ImportReport, context: AppContext, user: UserSession
) -> None:
    stored = {row.file_name: row for row in rows(context, user.workspace_id)}
    assert sorted(stored) == sorted(READ_IN_ORDER)
    for row in stored.values():
        assert row.status is DocumentStatus.READY, row.file_name
        assert row.text and row.text.strip()
        assert row.char_count == len(row.text)
        assert row.word_count is not None and row.word_count >= 3
        assert row.page_count == len(row.page_offsets or []) >= 1
        assert row.warnings == [] and row.error_message is None and row.problem is None
        assert row.chunk_count >= 1
        if row.format in (DocumentFormat.TXT, DocumentFormat.HTML):
            assert row.encoding == "utf-8"
    assert "Ålesund" in (stored["b-notes.txt"].text or "")
    assert (stored["b-minutes.pdf"].text or "").split("\n\n") == ["Minutes, page one.", "Minutes, page two."]
    assert stored["b-minutes.pdf"].page_count == 2
    assert stored["long.md"].chunk_count > 1
    assert {stored[name].format for name in READ_IN_ORDER} == set(DocumentFormat) - {
        DocumentFormat.CSV,
        DocumentFormat.XLSX,
    }


def test_the_chunks_cover_the_whole_text_in_order(
    imported: ImportReport, context: AppContext, user: UserSession
) -> None:
    for row in rows(context, user.workspace_id):
        with context.database.transaction() as session:
            spans = [(chunk.char_start, chunk.char_end) for chunk in chunks(session, row.id)]
        assert len(spans) == row.chunk_count
        assert spans[0][0] == 0 and spans[-1][1] == len(row.text or "")
        for (_start, end), (next_start, next_end) in itertools.pairwise(spans):
            assert next_start <= end < next_end  # no gap, always further on


def test_each_original_is_copied_into_the_workspace_store(
    imported: ImportReport, context: AppContext, user: UserSession, project: int, tmp_path: Path
) -> None:
    store = context.settings.workspace_store(user.workspace_id) / "projects" / str(project) / "documents"
    for row in rows(context, user.workspace_id):
        stored = Path(row.stored_path or "")
        original = Path(row.original_path)
        assert stored == store / f"{row.sha256}{original.suffix}"
        assert stored.read_bytes() == original.read_bytes()
        assert original.is_relative_to(tmp_path / "corpus")
    assert not list(store.glob(".importing-*"))  # no temporary copy left behind
