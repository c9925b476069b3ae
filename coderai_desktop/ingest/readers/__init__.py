"""One reader per format. Each takes a path and options and returns ParsedDocuments or raises ReadFailure.

Readers are imported when first used, so a worker process starts without loading every library.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from coderai_desktop.domain.enums import DocumentFormat
from coderai_desktop.ingest.parsed import ParsedDocument, ReadOptions

Reader = Callable[[Path, ReadOptions], list[ParsedDocument]]

_READERS = {
    DocumentFormat.PDF: ("pdf", "read"),
    DocumentFormat.DOCX: ("docx", "read"),
    DocumentFormat.HTML: ("html", "read"),
    DocumentFormat.TXT: ("txt", "read"),
    DocumentFormat.CSV: ("tables", "read_csv"),
    DocumentFormat.XLSX: ("tables", "read_xlsx"),
}


def reader_for(kind: DocumentFormat) -> Reader:
    module, function = _READERS[kind]
    reader: Reader = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    return reader
