"""Plain text: any encoding we can detect, any newline convention."""

from __future__ import annotations

from pathlib import Path

from coderai_desktop.ingest.decoding import decode
from coderai_desktop.ingest.parsed import ParsedDocument, ReadOptions
from coderai_desktop.ingest.text import normalise


def read(path: Path, _options: ReadOptions) -> list[ParsedDocument]:
    text, encoding, warnings = decode(path.read_bytes())
    return [ParsedDocument(text=normalise(text), encoding=encoding, warnings=warnings)]
