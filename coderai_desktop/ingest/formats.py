"""Which files are read, as what, and why the others are skipped."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from coderai_desktop.domain.enums import DocumentFormat

BY_SUFFIX = {
    ".pdf": DocumentFormat.PDF,
    ".docx": DocumentFormat.DOCX,
    ".docm": DocumentFormat.DOCX,  # macros are never run: the file is only unzipped
    ".html": DocumentFormat.HTML,
    ".htm": DocumentFormat.HTML,
    ".xhtml": DocumentFormat.HTML,
    ".txt": DocumentFormat.TXT,
    ".text": DocumentFormat.TXT,
    ".md": DocumentFormat.TXT,
    ".srt": DocumentFormat.TXT,
    ".csv": DocumentFormat.CSV,
    ".xlsx": DocumentFormat.XLSX,
    ".xlsm": DocumentFormat.XLSX,
}
TABULAR = {DocumentFormat.CSV, DocumentFormat.XLSX}

_UNSUPPORTED = {
    ".doc": "old Word 97-2003 documents are not supported: save it as .docx",
    ".rtf": "RTF is not supported: save it as .docx",
    ".odt": "OpenDocument text is not supported: save it as .docx or PDF",
    ".pages": "Pages documents are not supported: export it as .docx or PDF",
    ".xls": "old Excel 97-2003 workbooks are not supported: save it as .xlsx",
    ".ppt": "presentations are not supported: save it as PDF",
    ".pptx": "presentations are not supported: save it as PDF",
    ".epub": "e-books are not supported: convert it to PDF",
    ".zip": "archives are not opened: extract it and import the folder",
}
_IMAGES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp", ".heic"}
_SYSTEM_NAMES = {"thumbs.db", "desktop.ini", ".ds_store", "__macosx", "$recycle.bin"}


def classify(path: Path) -> DocumentFormat | str:
    """The format to read the file as, or the reason it is skipped."""
    suffix = path.suffix.lower()
    if suffix in BY_SUFFIX:
        return BY_SUFFIX[suffix]
    if suffix in _UNSUPPORTED:
        return _UNSUPPORTED[suffix]
    if suffix in _IMAGES:
        return "images are not read on their own: put scans in a PDF (OCR reads PDF pages)"
    return f"unsupported file type ({suffix or 'no extension'})"


def is_hidden(path: Path) -> bool:
    """Hidden and system files and folders, and Office lock files (~$report.docx)."""
    name = path.name.lower()
    if name.startswith((".", "~$")) or name in _SYSTEM_NAMES:
        return True
    attributes = getattr(os.stat(path, follow_symlinks=False), "st_file_attributes", 0)  # Windows only
    return bool(
        attributes & (getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0) | getattr(stat, "FILE_ATTRIBUTE_SYSTEM", 0))
    )
