"""Hostile documents imported end to end (real SQLite, real Alembic schema, real parser processes): Word files
saved as Strict Open XML, pages whose text sits outside paragraphs, HTML nested 100,000 elements deep, and
scanned PDFs on a computer without Tesseract. Each ends READY with its text, or FAILED with the message
that says what to do, well inside the per-file time limit."""

from __future__ import annotations

import multiprocessing
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import DocumentProblem, DocumentStatus
from coderai_desktop.ingest import pool as pool_module
from coderai_desktop.ingest.pool import ParserPool, PoolLimits
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.persistence.tables import Document
from tests.fakes import documents
from tests.fakes.documents import w_paragraph, w_table
from tests.integration.imports.helpers import rows

# Far below the app's 300 s: a deep page that took minutes (as it did) fails here as TIMED_OUT.
TIMEOUT_SECONDS = 90
DEPTH = 100_000
LETTER = documents.prose(3, 80)
Write = Callable[[Path], Path]
Importer = Callable[[Write], Awaitable[Document]]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", login_failure_delay=0.01, ocr_enabled=True)


@pytest.fixture(scope="module")
def pool_without_tesseract(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParserPool]:
    """Parser processes that find no Tesseract: PyMuPDF is pointed at a language folder with no languages.
    They are spawned, so they take this environment (the shared fork server was started with the real one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TESSDATA_PREFIX", str(tmp_path_factory.mktemp("no-tessdata")))
        patch.setattr(pool_module, "_worker_context", lambda: multiprocessing.get_context("spawn"))
        pool = ParserPool(PoolLimits(workers=2, timeout_seconds=TIMEOUT_SECONDS, memory_mb=2048))
        try:
            yield pool
        finally:
            pool.close()


@pytest.fixture
async def imported(
    context: AppContext, user: UserSession, pool_without_tesseract: ParserPool, tmp_path: Path
) -> Importer:
    project = await context.projects(user).create_project(ProjectContext(name="Hostile documents"))
    service = DocumentService(context.database, user, context.settings, pool_without_tesseract)
    folder = tmp_path / "files"
    folder.mkdir()

    async def import_one(write: Write) -> Document:
        await service.import_paths(project.id, [write(folder)])
        [row] = rows(context, user.workspace_id)
        return row

    return import_one


def _strict_docx(folder: Path) -> Path:
    parts = {
        "word/header1.xml": documents.header_part("Ministry of Finance"),
        "word/footnotes.xml": documents.notes_part("footnote", ["Source: census 2020."]),
    }
    body = w_paragraph("Budget report.", documents.w_text_box("Boxed remark.")) + w_table(
        [["Region", "Votes"]]
    )
    return documents.as_strict(documents.docx_from_xml(folder, "strict.docx", body, parts))


def _html(body: str) -> Write:
    return lambda folder: documents.html_file(folder, "page.html", body, title="Town hall")


READY_CASES: dict[str, tuple[Write, list[str]]] = {
    "strict-docx": (
        _strict_docx,
        ["Ministry of Finance", "Budget report.", "Boxed remark.", "Region | Votes", "Source: census 2020."],
    ),
    "html-text-in-body": (
        _html(f'<nav><a href="/">Home</a> <a href="/about">About</a></nav>{LETTER}<br>Signed, the mayor.'),
        ["Town hall", LETTER, "Signed, the mayor."],
    ),
    "html-deep-divs": (_html("<div>" * DEPTH + "Deep text." + "</div>" * DEPTH), ["Town hall", "Deep text."]),
    "html-deep-spans": (
        _html("<span>" * DEPTH + "Deep text." + "</span>" * DEPTH),
        ["Town hall", "Deep text."],
    ),
    "html-deep-bold": (_html("<b>" * DEPTH + "Deep text." + "</b>" * DEPTH), ["Town hall", "Deep text."]),
    "html-unclosed-paragraphs": (_html("<p>" * DEPTH + "Deep text."), ["Town hall", "Deep text."]),
}


@pytest.mark.parametrize("case", READY_CASES)
async def test_a_hostile_document_is_read(imported: Importer, case: str) -> None:
    write, lines = READY_CASES[case]

    row = await imported(write)

    assert row.status is DocumentStatus.READY, (row.problem, row.error_message)
    assert [line for line in (row.text or "").splitlines() if line] == lines
    assert row.chunk_count >= 1


SCANS: dict[str, Write] = {
    "image": lambda folder: documents.scanned_pdf(folder, "scan.pdf", "Harvest report"),
    "repaired": lambda folder: documents.without_xref(documents.scanned_pdf(folder, "scan.pdf", "Harvest")),
    "inline-image": lambda folder: documents.scanned_pdf(folder, "scan.pdf", "Harvest", embedding="inline"),
}


@pytest.mark.parametrize("scan", SCANS)
async def test_a_scan_without_tesseract_fails_asking_for_it(imported: Importer, scan: str) -> None:
    row = await imported(SCANS[scan])

    assert (row.status, row.problem) == (DocumentStatus.FAILED, DocumentProblem.NEEDS_OCR), row.error_message
    assert "Scanned document without a text layer; install Tesseract to read it" in (row.error_message or "")
