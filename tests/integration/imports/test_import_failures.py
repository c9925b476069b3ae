"""Files that cannot be read stay in the project as FAILED, with the kind of problem and what to do."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import DocumentProblem, DocumentStatus
from coderai_desktop.ingest.pool import ParserPool
from coderai_desktop.ingest.report import Outcome
from coderai_desktop.ingest.service import DocumentService, ImportOptions
from coderai_desktop.persistence.tables import Document
from tests.fakes.documents import (
    csv_file,
    docx_file,
    encrypted_pdf,
    example_rows,
    pdf_file,
    prose,
    text_file,
    truncated_docx,
    truncated_pdf,
    xlsx_file,
)
from tests.integration.imports.helpers import rows

PASSWORD = "æøå-Ключ"
Write = Callable[[Path, str], Path]


def one(context: AppContext, user: UserSession) -> Document:
    [row] = rows(context, user.workspace_id)
    return row


def without_xref(folder: Path, name: str) -> Path:
    """A PDF whose cross-reference table and trailer are gone: MuPDF rebuilds them."""
    path = pdf_file(folder, name, ["Minutes of May."])
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"xref")])
    return path


@pytest.mark.parametrize(
    ("name", "write", "problem", "message"),
    [
        ("empty.txt", lambda f, n: text_file(f, n, ""), DocumentProblem.NO_TEXT, "The file is empty."),
        ("empty.pdf", lambda f, n: text_file(f, n, ""), DocumentProblem.NO_TEXT, "The file is empty."),
        ("spaces.txt", lambda f, n: text_file(f, n, " \n\t\n"), DocumentProblem.NO_TEXT, "contains no text"),
        ("blank.pdf", lambda f, n: pdf_file(f, n, ["", ""]), DocumentProblem.NO_TEXT, "contains no text"),
        ("blank.docx", lambda f, n: docx_file(f, n, []), DocumentProblem.NO_TEXT, "contains no text"),
        ("no-pages.pdf", lambda f, n: pdf_file(f, n, []), DocumentProblem.DAMAGED, "no pages"),
        (
            "junk.pdf",
            lambda f, n: text_file(f, n, "%PDF-1.7\n" + "\0" * 64),
            DocumentProblem.DAMAGED,
            "damaged",
        ),
        ("text.docx", lambda f, n: text_file(f, n, prose(1, 20)), DocumentProblem.DAMAGED, "damaged"),
    ],
)
async def test_an_unreadable_file_is_kept_as_failed_with_the_reason(
    documents: DocumentService,
    project: int,
    context: AppContext,
    user: UserSession,
    tmp_path: Path,
    name: str,
    write: Write,
    problem: DocumentProblem,
    message: str,
) -> None:
    report = await documents.import_paths(project, [write(tmp_path, name)])
    [outcome] = report.outcomes
    assert outcome.outcome is Outcome.FAILED and message in outcome.detail
    assert report.nothing_read
    row = one(context, user)
    assert (row.status, row.problem, row.error_message) == (DocumentStatus.FAILED, problem, outcome.detail)
    assert row.chunk_count == 0


@pytest.mark.parametrize(
    ("name", "write", "text", "warning"),
    [
        ("no-xref.pdf", without_xref, "Minutes of May.", "repaired"),
        ("cut.docx", lambda f, n: truncated_docx(f, n, ["Salvaged words."], keep=0.8), "Salvaged", "damaged"),
    ],
)
async def test_a_damaged_file_is_repaired_and_says_so(
    documents: DocumentService,
    project: int,
    context: AppContext,
    user: UserSession,
    tmp_path: Path,
    name: str,
    write: Write,
    text: str,
    warning: str,
) -> None:
    await documents.import_paths(project, [write(tmp_path, name)])
    row = one(context, user)
    assert row.status is DocumentStatus.READY and text in (row.text or "")
    assert any(warning in item for item in row.warnings)


# A PDF cut short (an interrupted download) is "repaired" by MuPDF with no text left: it is damaged, not blank.
async def test_a_truncated_pdf_is_reported_as_damaged(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    await documents.import_paths(project, [truncated_pdf(tmp_path, "download.pdf", keep=0.5)])
    row = one(context, user)
    failed_as_damaged = (row.status, row.problem) == (DocumentStatus.FAILED, DocumentProblem.DAMAGED)
    read_with_warning = row.status is DocumentStatus.READY and any("repaired" in w for w in row.warnings)
    assert failed_as_damaged or read_with_warning, (row.status, row.problem, row.error_message)


async def test_an_encrypted_pdf_waits_for_its_password_and_keeps_its_id(
    documents: DocumentService, project: int, context: AppContext, user: UserSession, tmp_path: Path
) -> None:
    path = encrypted_pdf(tmp_path, "locked.pdf", "Protected minutes.", PASSWORD)
    [first] = (await documents.import_paths(project, [path])).outcomes
    assert first.outcome is Outcome.FAILED and "Password required" in first.detail
    [summary] = await documents.list_documents(project)
    assert summary.problem is DocumentProblem.PASSWORD_REQUIRED and summary.needs_password

    assert first.document_id is not None
    [wrong] = (await documents.reparse(project, [first.document_id], password="wrong")).outcomes
    assert wrong.outcome is Outcome.FAILED and "password is wrong" in wrong.detail
    assert one(context, user).problem is DocumentProblem.WRONG_PASSWORD

    [right] = (await documents.reparse(project, [first.document_id], password=PASSWORD)).outcomes
    assert (right.outcome, right.document_id) == (Outcome.IMPORTED, first.document_id)
    row = one(context, user)
    assert (row.status, row.problem, row.error_message) == (DocumentStatus.READY, None, None)
    assert "Protected minutes." in (row.text or "") and row.chunk_count == 1


@pytest.fixture
def large_files_refused(context: AppContext, user: UserSession, parser_pool: ParserPool) -> DocumentService:
    """Every non-empty file is over the limit."""
    settings = dataclasses.replace(context.settings, max_file_mb=0)
    return DocumentService(context.database, user, settings, parser_pool)


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("big.txt", lambda f, n: text_file(f, n, prose(1, 50))),
        ("big.pdf", lambda f, n: pdf_file(f, n, [prose(1, 50)])),
        ("big.docx", lambda f, n: docx_file(f, n, [prose(1, 50)])),
    ],
)
async def test_a_file_over_the_size_limit_is_not_read(
    large_files_refused: DocumentService,
    project: int,
    context: AppContext,
    user: UserSession,
    tmp_path: Path,
    name: str,
    write: Write,
) -> None:
    [outcome] = (await large_files_refused.import_paths(project, [write(tmp_path, name)])).outcomes
    assert outcome.outcome is Outcome.FAILED and "larger than 0 MB" in outcome.detail
    row = one(context, user)
    assert (row.status, row.problem) == (DocumentStatus.FAILED, DocumentProblem.TOO_LARGE)


# The size limit applies to spreadsheets as to every other file.
@pytest.mark.parametrize("write", [csv_file, xlsx_file], ids=["csv", "xlsx"])
async def test_a_spreadsheet_over_the_size_limit_is_not_read(
    large_files_refused: DocumentService,
    project: int,
    context: AppContext,
    user: UserSession,
    tmp_path: Path,
    write: Callable[..., Path],
) -> None:
    path = write(tmp_path, f"big.{write.__name__[:-5]}", example_rows(3))
    report = await large_files_refused.import_paths(project, [path], ImportOptions(text_column="Text"))
    assert [(item.outcome, "larger than 0 MB" in item.detail) for item in report.outcomes] == [
        (Outcome.FAILED, True)
    ]
    assert rows(context, user.workspace_id) == []
