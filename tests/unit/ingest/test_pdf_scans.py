"""Scanned PDFs on a computer without Tesseract: every one fails with the scanned-document message and its
problem code, never as damaged, empty or an unexpected error, however the scan is stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pymupdf
import pytest

from coderai_desktop.domain.enums import DocumentProblem
from coderai_desktop.ingest.parsed import ReadOptions
from coderai_desktop.ingest.readers import ocr, pdf
from tests.fakes import documents
from tests.unit.ingest.helpers import read_failure, read_one

SCANNED = "Scanned document without a text layer; install Tesseract to read it"
Write = Callable[[Path], Path]


@pytest.fixture
def without_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tesseract as on a computer without it: PyMuPDF is pointed at a language folder with no languages."""
    empty = tmp_path / "no-tessdata"
    empty.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(empty))
    ocr.tessdata.cache_clear()
    yield
    ocr.tessdata.cache_clear()


SCANS: dict[str, Write] = {
    "image": lambda folder: documents.scanned_pdf(folder, "scan.pdf", "Harvest report"),
    # Scanners often write a faulty cross-reference table; MuPDF repairs it, which is not damage here.
    "repaired": lambda folder: documents.without_xref(documents.scanned_pdf(folder, "scan.pdf", "Harvest")),
    "inline-image": lambda folder: documents.scanned_pdf(folder, "scan.pdf", "Harvest", embedding="inline"),
    "form-xobject": lambda folder: documents.scanned_pdf(folder, "scan.pdf", "Harvest", embedding="form"),
    "pages-and-blanks": lambda folder: documents.pdf_file(
        folder, "scan.pdf", ["One", "", "Three"], scanned={0, 2}
    ),
    "repaired-pages": lambda folder: documents.without_xref(
        documents.pdf_file(folder, "scan.pdf", ["One", "Two"], scanned={0, 1})
    ),
}


@pytest.mark.usefixtures("without_tesseract")
@pytest.mark.parametrize("scan", SCANS)
def test_a_scan_without_tesseract_asks_for_it(tmp_path: Path, scan: str) -> None:
    assert not ocr.available()

    failure = read_failure(pdf.read, SCANS[scan](tmp_path))

    assert failure.problem is DocumentProblem.NEEDS_OCR
    assert SCANNED in failure.message


@pytest.mark.usefixtures("without_tesseract")
def test_an_inline_image_page_beside_text_is_reported_as_scanned(tmp_path: Path) -> None:
    path = documents.scanned_pdf(tmp_path, "scan.pdf", "Harvest", embedding="inline")
    with pymupdf.open(path) as scan, pymupdf.open() as document:
        document.new_page().insert_text((72, 72), "Typed cover page.")
        document.insert_pdf(scan)
        document.save(tmp_path / "mixed.pdf")

    document = read_one(pdf.read, tmp_path / "mixed.pdf")

    assert document.text.startswith("Typed cover page.")
    assert any("1 page(s) are scanned" in warning for warning in document.warnings)


class _BrokenTesseract:
    """A Tesseract that is found but fails, as with broken or mismatched language data."""

    language, warnings = "eng", []

    def __init__(self, _options: ReadOptions) -> None:
        pass

    def read(self, _page: pymupdf.Page) -> str:
        raise RuntimeError("OCR initialisation failed")


def test_a_scan_that_tesseract_fails_on_is_still_a_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "PageReader", _BrokenTesseract)

    failure = read_failure(pdf.read, documents.scanned_pdf(tmp_path, "scan.pdf", "Harvest report"))

    assert failure.problem is DocumentProblem.NEEDS_OCR
    assert "Scanned document without a text layer" in failure.message
    assert "OCR initialisation failed" in failure.message
