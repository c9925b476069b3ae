"""CSV in UTF-8, every cell safe to open in a spreadsheet; with a byte order mark if asked, so that Excel
reads the file as UTF-8 rather than the system's code page."""

from __future__ import annotations

import csv
from pathlib import Path

from coderai_desktop.export.model import Table
from coderai_desktop.spreadsheet_cells import safe_cell


def write_csv(table: Table, path: Path, *, excel_bom: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig" if excel_bom else "utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(table.columns)
        writer.writerows([safe_cell(cell) for cell in row] for row in table.rows)
