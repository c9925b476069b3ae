"""PDF reader: pages in order with exact offsets, passwords, forms, scans, damage and limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from coderai_desktop.domain.enums import DocumentProblem
from coderai_desktop.ingest.parsed import ReadFailure
from coderai_desktop.ingest.readers import ocr, pdf
from tests.fakes import documents
from tests.unit.ingest.helpers import read_failure, read_one

needs_tesseract = pytest.mark.skipif(not ocr.available(), reason="Tesseract is not installed")


@pytest.mark.parametrize(
    "pages",
    [
        ["Page one: the budget.", "Page two: the ministry.", "Page three: the vote."],
        ["Only page."],
        ["Before a blank page.", "", "After a blank page."],
        ["Русский текст на первой странице.", "第二页的中文文本。"],
    ],
)
def test_pages_are_read_in_order_with_exact_offsets(tmp_path: Path, pages: list[str]) -> None:
    document = read_one(pdf.read, documents.pdf_file(tmp_path, "report.pdf", pages))

    assert document.text == pdf.PAGE_SEPARATOR.join(pages)
    assert document.page_count == len(pages)
    for offset, page in zip(document.page_offsets, pages, strict=True):
        assert document.text[offset:].startswith(page)
    assert document.warnings == []


def test_long_pages_keep_their_words_in_reading_order(tmp_path: Path) -> None:
    pages = [documents.prose(seed, 250) for seed in (1, 2)]
    document = read_one(pdf.read, documents.pdf_file(tmp_path, "long.pdf", pages))

    second = document.text[document.page_offsets[1] :]
    assert document.text[: document.page_offsets[1]].split() == pages[0].split()
    assert second.split() == pages[1].split()


def test_ligatures_become_letters(tmp_path: Path) -> None:
    document = read_one(pdf.read, documents.pdf_file(tmp_path, "ligatures.pdf", ["The ﬁnal ﬂow of ﬁgures."]))

    assert document.text == "The final flow of figures."


def test_a_pdf_without_pages_is_damaged(tmp_path: Path) -> None:
    failure = read_failure(pdf.read, documents.pdf_file(tmp_path, "empty.pdf", []))

    assert failure.problem is DocumentProblem.DAMAGED


def test_a_blank_page_gives_empty_text_not_a_failure(tmp_path: Path) -> None:
    document = read_one(pdf.read, documents.pdf_file(tmp_path, "blank.pdf", [""]))

    assert (document.text, document.page_offsets) == ("", [0])


@pytest.mark.parametrize("password", ["æøå", "密码abc"])
def test_an_encrypted_pdf_needs_its_password(tmp_path: Path, password: str) -> None:
    path = documents.encrypted_pdf(tmp_path, "secret.pdf", "Minutes of the board meeting.", password)

    missing = read_failure(pdf.read, path)
    assert missing.problem is DocumentProblem.PASSWORD_REQUIRED
    assert "Password required" in missing.message
    assert read_failure(pdf.read, path, password="wrong").problem is DocumentProblem.WRONG_PASSWORD
    assert read_one(pdf.read, path, password=password).text == "Minutes of the board meeting."


def test_filled_form_fields_are_name_value_lines(tmp_path: Path) -> None:
    fields = {"Applicant": "Ana Souza", "Country": "Brasil", "Income": "1200"}
    document = read_one(pdf.read, documents.form_pdf(tmp_path, "form.pdf", fields))

    lines = document.text.splitlines()
    assert "Application form" in lines
    for name, value in fields.items():
        assert f"{name}: {value}" in lines


def test_a_scan_without_ocr_asks_for_tesseract(tmp_path: Path) -> None:
    path = documents.scanned_pdf(tmp_path, "scan.pdf", "Quarterly harvest report")

    failure = read_failure(pdf.read, path, ocr_enabled=False)

    assert failure.problem is DocumentProblem.NEEDS_OCR
    assert "install Tesseract" in failure.message


def test_a_scanned_page_beside_text_pages_is_reported(tmp_path: Path) -> None:
    path = documents.pdf_file(tmp_path, "mixed.pdf", ["Typed page.", "Scanned page."], scanned={1})

    document = read_one(pdf.read, path, ocr_enabled=False)

    assert document.text.startswith("Typed page.")
    assert any("1 page(s) are scanned" in warning for warning in document.warnings)


@needs_tesseract
def test_ocr_reads_a_scanned_page(tmp_path: Path) -> None:
    path = documents.scanned_pdf(tmp_path, "scan.pdf", "Quarterly harvest report\nMinistry of Agriculture")

    document = read_one(pdf.read, path, ocr_dpi=150)

    words = document.text.lower()
    assert {"harvest", "ministry", "agriculture"} <= set(words.split())
    assert any("OCR" in warning for warning in document.warnings)


def test_garbled_text_is_kept_with_a_warning_when_ocr_is_off(tmp_path: Path) -> None:
    path = documents.garbled_pdf(tmp_path, "garbled.pdf", "Annual report of the ministry of finance")

    document = read_one(pdf.read, path, ocr_enabled=False)

    assert "ministry" not in document.text
    assert any("garbled" in warning for warning in document.warnings)


@needs_tesseract
def test_garbled_text_is_read_again_by_ocr(tmp_path: Path) -> None:
    path = documents.garbled_pdf(tmp_path, "garbled.pdf", "Annual report of the ministry of finance")

    document = read_one(pdf.read, path, ocr_dpi=150)

    assert {"annual", "ministry", "finance"} <= set(document.text.lower().split())
    assert any("garbled" in warning and "OCR" in warning for warning in document.warnings)


def test_too_many_pages_is_too_large(tmp_path: Path) -> None:
    path = documents.pdf_file(tmp_path, "three.pdf", ["One.", "Two.", "Three."])

    failure = read_failure(pdf.read, path, max_pdf_pages=2)

    assert failure.problem is DocumentProblem.TOO_LARGE
    assert "3 pages" in failure.message


def test_a_pdf_without_its_cross_reference_table_is_repaired_with_a_warning(tmp_path: Path) -> None:
    pages = ["First page of the report.", "Second page of the report."]
    document = read_one(pdf.read, documents.pdf_without_xref(tmp_path, "no-xref.pdf", pages))

    assert document.text == pdf.PAGE_SEPARATOR.join(pages)
    assert any("repaired" in warning for warning in document.warnings)


@pytest.mark.parametrize("keep", [0.02, 0.3, 0.5, 0.8, 0.9, 0.97])
def test_a_truncated_pdf_is_repaired_with_a_warning_or_damaged(tmp_path: Path, keep: float) -> None:
    pages = [documents.prose(seed, 120) for seed in range(3)]
    path = documents.truncated_pdf(tmp_path, "cut.pdf", pages, keep=keep)

    try:
        document = read_one(pdf.read, path)
    except ReadFailure as failure:
        assert failure.problem is DocumentProblem.DAMAGED
    else:
        assert any("repaired" in warning for warning in document.warnings)


def test_a_pdf_cut_in_half_is_damaged_rather_than_empty(tmp_path: Path) -> None:
    # MuPDF "repairs" a PDF cut in half into pages without text: that is damage, not a PDF without text.
    path = documents.truncated_pdf(tmp_path, "cut.pdf", ["Report text that is lost."])

    failure = read_failure(pdf.read, path)

    assert failure.problem is DocumentProblem.DAMAGED
