"""Tab-separated text as spreadsheets put it on the clipboard (Excel, LibreOffice, Google Sheets): cells
with a tab, a line break or a double quote are quoted, quotes doubled. No Qt here."""

from __future__ import annotations

import csv
import io


def to_tsv(rows: list[list[str]]) -> str:
    """Rows of cells as the clipboard text Excel writes: tab between cells, CRLF after each row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel-tab", lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def from_tsv(text: str) -> list[list[str]]:
    """Clipboard text from a spreadsheet as rows of cells. Line ends may be LF, CRLF or CR; one trailing
    line end is not an empty row; quoted cells keep their tabs, quotes and line breaks. Rows keep the
    length they have (a short row pastes fewer cells)."""
    if not text:
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel-tab", strict=False)
    rows = [row for row in reader]
    return [row if row else [""] for row in rows]
