"""A PDF page as a PNG with the passage highlighted (coderai_desktop/page_images.py), on real PDFs."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pymupdf
import pytest

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.page_images import render_page
from tests.fakes.documents import A4, encrypted_pdf, paragraphs, pdf_file

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MARGIN = (-6, -6, 6, 6)  # pixels: a highlight reaches a little beyond the letters it covers
QUOTE = "the annual budget was approved by the regional council after a long debate on school funding"
PAGE_TWO = (
    f"{paragraphs(3, 2, words=(40, 60))}\n\nIn March {QUOTE} and its consequences.\n\n{paragraphs(4, 1)}"
)


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return pdf_file(tmp_path, "report.pdf", [paragraphs(1, 3), PAGE_TWO, paragraphs(2, 3)])


def pixels(png: bytes) -> pymupdf.Pixmap:
    return pymupdf.Pixmap(png)


def changed(with_quote: bytes, without: bytes) -> pymupdf.IRect:
    """The bounding box of the pixels that differ between two renders of the same page (empty: none)."""
    first, second = pixels(with_quote), pixels(without)
    assert (first.width, first.height) == (second.width, second.height)
    box = pymupdf.IRect()  # empty
    step = first.n
    a, b = first.samples, second.samples
    for y in range(first.height):
        row = y * first.stride
        if a[row : row + first.width * step] == b[row : row + first.width * step]:
            continue
        for x in range(first.width):
            at = row + x * step
            if a[at : at + step] != b[at : at + step]:
                box |= pymupdf.IRect(x, y, x + 1, y + 1)
    return box


def quote_area(path: Path, page: int, text: str, zoom: float) -> pymupdf.IRect:
    with pymupdf.open(path) as document:
        rects = document[page - 1].search_for(text)
    assert rects, "the test document must contain the text"
    area = pymupdf.Rect()
    for rect in rects:
        area |= rect
    return (area * pymupdf.Matrix(zoom, zoom)).irect


def test_the_page_comes_as_png_at_the_zoom(report: Path) -> None:
    png = render_page(str(report), 2, None, zoom=1.5)
    assert png.startswith(PNG_SIGNATURE)
    image = pixels(png)
    assert abs(image.width - A4[0] * 1.5) <= 1 and abs(image.height - A4[1] * 1.5) <= 1
    assert abs(pixels(render_page(str(report), 2, None, zoom=1.0)).width - A4[0]) <= 1


def test_the_quote_is_highlighted_where_it_is_on_the_page(report: Path) -> None:
    plain = render_page(str(report), 2, None)
    marked = render_page(str(report), 2, QUOTE)
    box = changed(marked, plain)
    assert not box.is_empty
    area = quote_area(report, 2, QUOTE, 1.5)
    assert (area + MARGIN).contains(box)
    assert box.get_area() > area.get_area() / 3  # the passage, not a speck of it


def test_a_quote_that_differs_from_the_page_is_still_highlighted_by_its_runs_of_words(report: Path) -> None:
    words = QUOTE.split()
    words[11] = "lengthy"  # 'long' on the page: the model reworded one word (a fuzzy match)
    reworded = "  ".join(words)  # and spaced it differently
    box = changed(render_page(str(report), 2, reworded), render_page(str(report), 2, None))
    assert not box.is_empty
    assert (quote_area(report, 2, QUOTE, 1.5) + MARGIN).contains(box)


def test_a_quote_on_another_page_changes_nothing(report: Path) -> None:
    assert render_page(str(report), 1, QUOTE) == render_page(str(report), 1, None)
    assert render_page(str(report), 2, "") == render_page(str(report), 2, None)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="missing"):
        render_page(str(tmp_path / "gone.pdf"), 1, QUOTE)


def test_a_file_that_is_not_a_pdf_says_so(tmp_path: Path) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_text("Just some notes, not a PDF.", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not a PDF"):
        render_page(str(notes), 1, None)


def test_an_encrypted_pdf_says_so(tmp_path: Path) -> None:
    locked = encrypted_pdf(tmp_path, "locked.pdf", "Confidential minutes.", "secret")
    with pytest.raises(InvalidInputError, match="encrypted"):
        render_page(str(locked), 1, "Confidential")


@pytest.mark.parametrize("page", [0, 4, -1])
def test_a_page_out_of_range_says_how_many_there_are(report: Path, page: int) -> None:
    with pytest.raises(InvalidInputError, match=rf"3 page\(s\): there is no page {page}\."):
        render_page(str(report), page, None)


@pytest.mark.parametrize("zoom", [0, -1, 100])
def test_a_zoom_out_of_range_is_refused(report: Path, zoom: float) -> None:
    with pytest.raises(InvalidInputError, match="zoom"):
        render_page(str(report), 1, None, zoom=zoom)


def test_it_runs_in_a_worker_process_and_its_errors_come_back(report: Path, tmp_path: Path) -> None:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        png = pool.submit(render_page, str(report), 2, QUOTE).result(timeout=60)
        failure = pool.submit(render_page, str(tmp_path / "gone.pdf"), 1, None).exception(timeout=60)
    assert png == render_page(str(report), 2, QUOTE)
    assert isinstance(failure, InvalidInputError)
    assert "missing" in str(failure)


def test_importing_it_does_not_load_pymupdf() -> None:
    """The app's process names render_page to send it to a worker; PyMuPDF stays out of it (start-up)."""
    code = "import sys, coderai_desktop.page_images; print('pymupdf' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"
