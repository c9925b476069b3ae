"""The results table written as CSV: one column per variable, cells safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

from coderai_desktop.pipeline.results import ResultsTable


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_rows_are_written_under_the_variable_columns(tmp_path: Path) -> None:
    table = ResultsTable(
        ["document", "city", "budget", "binding"],
        [
            {"document": "a.pdf", "city": "Zürich", "budget": 4500000, "binding": True},
            {"document": "b.pdf", "city": "Oslo"},  # a variable without a value is an empty cell
        ],
    )
    path = tmp_path / "results.csv"

    table.write_csv(path)

    assert read(path) == [
        ["document", "city", "budget", "binding"],
        ["a.pdf", "Zürich", "4500000", "True"],
        ["b.pdf", "Oslo", "", ""],
    ]


def test_text_that_a_spreadsheet_would_run_is_neutralised(tmp_path: Path) -> None:
    table = ResultsTable(
        ["document", "note"],
        [
            {"document": '=HYPERLINK("http://x")', "note": "+1 555"},
            {"document": "@SUM(A1)", "note": "-2"},
            {"document": "c.pdf", "note": -2},
        ],
    )
    path = tmp_path / "results.csv"

    table.write_csv(path)

    assert read(path)[1:] == [
        ['\'=HYPERLINK("http://x")', "'+1 555"],
        ["'@SUM(A1)", "'-2"],
        ["c.pdf", "-2"],  # a number stays a number
    ]


def test_lists_of_values_are_joined_and_multiline_text_survives(tmp_path: Path) -> None:
    table = ResultsTable(
        ["cities", "quote"], [{"cities": ["Oslo", "Bergen"], "quote": "line one\nline, two"}]
    )
    path = tmp_path / "results.csv"

    table.write_csv(path)

    assert read(path)[1] == ["Oslo; Bergen", "line one\nline, two"]


def test_an_empty_table_has_its_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"

    ResultsTable(["document", "city"], []).write_csv(path)

    assert path.read_bytes() == b"document,city\r\n"
