"""A spreadsheet (CSV or XLSX) as a corpus: one document per row, from the chosen text column.

The other columns travel with each document as metadata and appear in exports. Rows are numbered as
the spreadsheet shows them (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from coderai_desktop.domain.enums import DocumentProblem
from coderai_desktop.ingest.decoding import decode
from coderai_desktop.ingest.parsed import ParsedDocument, ReadFailure, ReadOptions
from coderai_desktop.ingest.text import normalise

HEADER_ROWS = 1
_DELIMITERS = ",;\t|"


def read_csv(path: Path, options: ReadOptions) -> list[ParsedDocument]:
    text, encoding, warnings = decode(path.read_bytes())
    frame = _csv_frame(text)
    return _documents(frame, options, encoding, warnings)


def read_xlsx(path: Path, options: ReadOptions) -> list[ParsedDocument]:
    return _documents(_xlsx_frame(path, options.sheet), options, None, [])


def column_names(path: Path, sheet: str | None = None) -> list[str]:
    """The header of a spreadsheet, to let a person choose the text column before importing."""
    if path.suffix.lower() == ".csv":
        with path.open("rb") as stream:  # the header only: a big file is not read on the GUI thread
            text, _encoding, _warnings = decode(stream.read(256 * 1024))
        return [str(name) for name in _csv_frame(text, rows=0).columns]
    return [str(name) for name in _xlsx_frame(path, sheet, rows=0).columns]


def sheet_names(path: Path) -> list[str]:
    """The sheets of an XLSX workbook (a CSV file has none)."""
    if path.suffix.lower() == ".csv":
        return []
    try:
        workbook = openpyxl.load_workbook(path, read_only=True)
    except Exception as error:  # openpyxl raises many kinds for damaged files
        raise ReadFailure(DocumentProblem.DAMAGED, f"The spreadsheet is damaged ({error}).") from None
    names = list(workbook.sheetnames)
    workbook.close()
    return names


def _csv_frame(text: str, rows: int | None = None) -> pd.DataFrame:
    try:
        dialect: Any = csv.Sniffer().sniff(text[: 64 * 1024], delimiters=_DELIMITERS)
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        # Blank lines kept, so rows are numbered as a spreadsheet shows them; empty cells become None,
        # as in XLSX, while text such as "007" or "NA" stays as written.
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            nrows=rows,
            engine="python",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        raise ReadFailure(
            DocumentProblem.DAMAGED, f"The CSV file cannot be read as a table: {error}."
        ) from None


def _xlsx_frame(path: Path, sheet: str | None, rows: int | None = None) -> pd.DataFrame:
    try:
        return pd.read_excel(path, sheet_name=sheet or 0, dtype=object, nrows=rows, engine="openpyxl")
    except ValueError as error:  # e.g. no such sheet
        raise ReadFailure(
            DocumentProblem.UNREADABLE_FORMAT, f"The spreadsheet cannot be read: {error}."
        ) from None
    except Exception as error:  # openpyxl raises many kinds for damaged files
        raise ReadFailure(DocumentProblem.DAMAGED, f"The spreadsheet is damaged ({error}).") from None


def _documents(
    frame: pd.DataFrame, options: ReadOptions, encoding: str | None, warnings: list[str]
) -> list[ParsedDocument]:
    columns = [str(name) for name in frame.columns]
    column = _text_column(columns, options.text_column)
    documents = []
    for position, values in enumerate(frame.itertuples(index=False, name=None)):
        row = {name: _json_value(value) for name, value in zip(columns, values, strict=True)}
        if all(value in (None, "") for value in row.values()):
            continue  # a blank line between rows
        metadata = {name: value for name, value in row.items() if name != column}
        text = normalise(str(row[column] or ""))
        documents.append(
            ParsedDocument(
                text=text,
                encoding=encoding,
                warnings=list(warnings),
                metadata=metadata,
                row=position + 1 + HEADER_ROWS,
            )
        )
    return documents


def _text_column(columns: list[str], wanted: str | None) -> str:
    listed = ", ".join(repr(name) for name in columns) or "none"
    if not wanted:
        raise ReadFailure(
            DocumentProblem.UNREADABLE_FORMAT,
            f"Choose the column that holds each row's text (on the command line: --text-column). Columns: {listed}.",
        )
    for name in columns:
        if name.strip().lower() == wanted.strip().lower():
            return name
    raise ReadFailure(DocumentProblem.UNREADABLE_FORMAT, f"There is no column {wanted!r}. Columns: {listed}.")


def _json_value(value: Any) -> Any:
    """Cells as JSON values: numbers, text, ISO dates, and None for empty cells."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, datetime | date | time | pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value if isinstance(value, bool | int | float | str) else str(value)
