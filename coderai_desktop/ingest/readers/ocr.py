"""OCR through PyMuPDF and Tesseract, for pages whose text layer is missing or garbled."""

from __future__ import annotations

import glob
import math
import os
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pymupdf

from coderai_desktop.ingest.parsed import ReadOptions

# A page is rendered at the requested resolution, or lower when that would exceed this many pixels:
# a poster-sized page must not exhaust the worker's memory.
MAX_PIXELS = 40_000_000
FALLBACK_LANGUAGE = "eng"


# Where the usual installers put Tesseract's language data. MuPDF carries Tesseract itself and needs only
# these files, but PyMuPDF looks for them through the `tesseract` program on PATH, which an app started from
# the macOS Finder or the Windows Start menu often does not have (Homebrew, the UB Mannheim installer).
KNOWN_TESSDATA = {
    "darwin": ["/opt/homebrew/share/tessdata", "/usr/local/share/tessdata", "/opt/local/share/tessdata"],
    "win32": [
        "%ProgramFiles%/Tesseract-OCR/tessdata",
        "%ProgramFiles(x86)%/Tesseract-OCR/tessdata",
        "%LOCALAPPDATA%/Programs/Tesseract-OCR/tessdata",
    ],
    "linux": ["/usr/share/tesseract-ocr/*/tessdata", "/usr/share/tessdata", "/usr/local/share/tessdata"],
}


@cache
def tessdata() -> Path | None:
    """Tesseract's language folder (TESSDATA_PREFIX, else the usual places, else the one of the `tesseract`
    program on PATH), or None when Tesseract is not installed."""
    if prefix := os.environ.get("TESSDATA_PREFIX"):
        return Path(prefix)
    if found := next(_known_tessdata(), None):
        return found
    try:
        return Path(pymupdf.get_tessdata())
    except RuntimeError:
        return None


def _known_tessdata() -> Iterator[Path]:
    for pattern in KNOWN_TESSDATA.get(sys.platform, []):
        for folder in sorted(
            glob.glob(os.path.expandvars(pattern)), reverse=True
        ):  # the newest version first
            if any(Path(folder).glob("*.traineddata")):
                yield Path(folder)


def installed_languages() -> set[str]:
    folder = tessdata()
    return {path.stem for path in folder.glob("*.traineddata")} if folder else set()


def available() -> bool:
    return tessdata() is not None and bool(installed_languages())


class PageReader:
    """Recognises pages in the document's languages, as far as Tesseract has them installed."""

    def __init__(self, options: ReadOptions):
        installed = installed_languages()
        languages = [code for code in options.ocr_languages if code in installed]
        missing = sorted(set(options.ocr_languages) - installed)
        self.warnings = []
        if missing:
            self.warnings.append(
                f"Tesseract has no language data for {', '.join(missing)}: install it for better OCR "
                f"(e.g. the tesseract-ocr-{missing[0]} package)."
            )
        if not languages:
            languages = [FALLBACK_LANGUAGE] if FALLBACK_LANGUAGE in installed else sorted(installed)[:1]
        self.language = "+".join(languages)
        self.dpi = options.ocr_dpi

    def read(self, page: pymupdf.Page) -> str:
        area = max(page.rect.width * page.rect.height, 1.0)
        dpi = min(self.dpi, int(72 * math.sqrt(MAX_PIXELS / area)))
        textpage = page.get_textpage_ocr(language=self.language, dpi=dpi, full=True, tessdata=str(tessdata()))
        return str(page.get_text("text", textpage=textpage))
