"""A PDF page as a PNG, with the passage a value came from highlighted: what the evidence panel shows
when the text alone does not tell enough (tables, layout).

Call `render_page` in a worker process only (PyMuPDF is not thread-safe and holds the GIL). It is a
top-level function of plain arguments, so a process pool can pickle it; PyMuPDF is imported inside it so
that the app's process, which only names the function, never loads PyMuPDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coderai_desktop.domain.errors import InvalidInputError

if TYPE_CHECKING:
    import pymupdf

MAX_ZOOM = 8.0
MAX_PIXELS = 40_000_000  # a poster-sized page at a high zoom would take gigabytes: it is scaled down
CHUNK_WORDS = (8, 4)  # the pieces of a quote looked for when it is not on the page as a whole
HIGHLIGHT = (1.0, 0.85, 0.0)  # yellow, multiplied over the text as a highlighter pen would


def render_page(path: str, page_number: int, quote: str | None = None, zoom: float = 1.5) -> bytes:
    """The page (1-based) of the PDF at `path` as PNG bytes, `zoom` times its size at 72 dpi, with each
    place where `quote` (or, failing that, runs of its words) appears highlighted."""
    import pymupdf  # here, not at the top: see the module's docstring

    if not 0 < zoom <= MAX_ZOOM:
        raise InvalidInputError(f"The zoom must be above 0 and at most {MAX_ZOOM:g}, not {zoom:g}.")
    if not Path(path).is_file():
        raise InvalidInputError(
            f"The file {path} is missing (moved or deleted since it was imported): its pages cannot be "
            "shown, only its text."
        )
    errors = (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase)  # FileDataError is a RuntimeError
    try:
        document = pymupdf.open(path, filetype="pdf")
    except errors:
        raise InvalidInputError("This file is not a PDF that can be read: it has no pages to show.") from None
    with document:
        if document.needs_pass:
            raise InvalidInputError("This PDF is encrypted: its pages cannot be shown, only its text.")
        if not 1 <= page_number <= document.page_count:
            raise InvalidInputError(
                f"This PDF has {document.page_count} page(s): there is no page {page_number}."
            )
        try:
            page = document.load_page(page_number - 1)
            if quote:
                _highlight(page, _quads(page, quote))
            scale = min(zoom, (MAX_PIXELS / max(page.rect.width * page.rect.height, 1.0)) ** 0.5)
            return bytes(page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), annots=True).tobytes("png"))
        except errors:
            raise InvalidInputError(
                f"Page {page_number} of this PDF is damaged and cannot be drawn; its text is still shown."
            ) from None


def _quads(page: pymupdf.Page, quote: str) -> list[pymupdf.Quad]:
    """Where the quote is on the page. MuPDF's search ignores case and line breaks but not a hyphen at a
    line end, a ligature or a word the model changed: then the quote's runs of words that are on the page
    (8 words, or 4 if none of 8 are) mark the passage instead."""
    words = quote.split()
    if not words:
        return []
    if found := page.search_for(" ".join(words), quads=True):
        return list(found)
    for size in CHUNK_WORDS:
        if len(words) <= size:
            continue  # the whole quote was this short and was not found
        found = []
        for at in range(0, len(words), size):
            chunk = words[at : at + size]
            if len(chunk) * 2 > size:  # a short tail ("of the") would match all over the page
                found.extend(page.search_for(" ".join(chunk), quads=True))
        if found:
            return found
    return []


def _highlight(page: pymupdf.Page, quads: list[pymupdf.Quad]) -> None:
    """Highlight annotations on the page in memory (the file is never saved)."""
    if not quads:
        return
    annotation = page.add_highlight_annot(quads)
    annotation.set_colors(stroke=HIGHLIGHT)
    annotation.update()
