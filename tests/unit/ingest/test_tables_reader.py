"""CSV and XLSX: one document per row from the text column, the other columns as metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coderai_desktop.domain.enums import DocumentProblem
from coderai_desktop.ingest.parsed import ParsedDocument, ReadFailure, ReadOptions
from coderai_desktop.ingest.readers import tables
from tests.fakes import documents

ROWS = documents.example_rows(3)
COLUMNS = ["ID", "Text", "Score", "Submitted", "Note"]


def spreadsheet(tmp_path: Path, suffix: str, rows: list[dict[str, object]] = ROWS, **options: str) -> Path:
    if suffix == ".xlsx":
        return documents.xlsx_file(tmp_path, "rows.xlsx", rows)
    return documents.csv_file(tmp_path, "rows.csv", rows, **options)


def read(path: Path, text_column: str | None = "text") -> list[ParsedDocument]:
    reader = tables.read_xlsx if path.suffix == ".xlsx" else tables.read_csv
    return reader(path, ReadOptions(text_column=text_column))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_one_document_per_row_numbered_as_the_spreadsheet_shows_it(tmp_path: Path, suffix: str) -> None:
    rows = read(spreadsheet(tmp_path, suffix), text_column=" TEXT ")

    assert [row.text for row in rows] == [row["Text"] for row in ROWS]
    assert [row.row for row in rows] == [2, 3, 4]
    assert all(set(row.metadata) == set(COLUMNS) - {"Text"} for row in rows)


def test_xlsx_metadata_keeps_numbers_dates_and_empty_cells(tmp_path: Path) -> None:
    first = read(spreadsheet(tmp_path, ".xlsx"))[0]

    assert first.metadata == {"ID": 1, "Score": 1.5, "Submitted": "2023-02-02T09:30:00", "Note": None}
    json.dumps(first.metadata)


def test_csv_metadata_is_the_cells_as_written(tmp_path: Path) -> None:
    rows = [{"Text": "Ação", "Code": "007", "City": "São Paulo", "Amount": "1.5"}]
    [row] = read(documents.csv_file(tmp_path, "rows.csv", rows))

    assert row.metadata == {"Code": "007", "City": "São Paulo", "Amount": "1.5"}


def test_empty_csv_cells_are_none_like_empty_xlsx_cells(tmp_path: Path) -> None:
    # Empty CSV cells are None, as in XLSX: the same survey exported both ways gives the same metadata.
    [row] = read(documents.csv_file(tmp_path, "rows.csv", [{"Text": "Answer", "Note": None}]))

    assert row.metadata == {"Note": None}


def test_csv_row_numbers_count_blank_lines(tmp_path: Path) -> None:
    # Rows keep the number a spreadsheet program shows, blank lines included (and blank lines are no rows).
    path = tmp_path / "gaps.csv"
    path.write_text("Text,ID\nfirst,1\n\nthird,3\n", encoding="utf-8")

    assert [(row.text, row.row) for row in read(path)] == [("first", 2), ("third", 4)]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_the_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = spreadsheet(tmp_path, ".csv", delimiter=delimiter)

    assert tables.column_names(path) == COLUMNS
    assert read(path)[1].text == ROWS[1]["Text"]


def test_a_csv_in_cp1252(tmp_path: Path) -> None:
    rows = [{"Texto": "Ação política – “aspas” em São Paulo", "Cidade": "Belém"}]
    [row] = read(documents.csv_file(tmp_path, "legacy.csv", rows, encoding="cp1252"), text_column="texto")

    assert (row.text, row.metadata, row.encoding) == (rows[0]["Texto"], {"Cidade": "Belém"}, "cp1252")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize(
    ("column", "phrase"), [(None, "Choose the column"), ("Answer", "no column 'Answer'")]
)
def test_a_missing_or_unknown_text_column_lists_the_columns(
    tmp_path: Path, suffix: str, column: str | None, phrase: str
) -> None:
    with pytest.raises(ReadFailure) as caught:
        read(spreadsheet(tmp_path, suffix), text_column=column)

    assert caught.value.problem is DocumentProblem.UNREADABLE_FORMAT
    assert phrase in caught.value.message
    assert all(repr(name) in caught.value.message for name in COLUMNS)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_column_names(tmp_path: Path, suffix: str) -> None:
    assert tables.column_names(spreadsheet(tmp_path, suffix)) == COLUMNS


def test_an_unknown_sheet_is_reported(tmp_path: Path) -> None:
    path = spreadsheet(tmp_path, ".xlsx")

    with pytest.raises(ReadFailure) as caught:
        tables.read_xlsx(path, ReadOptions(text_column="Text", sheet="Missing"))

    assert "Missing" in caught.value.message
