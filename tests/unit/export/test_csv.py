"""A table written as CSV: one column per variable, cells safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

from coderai_desktop.export.model import Table
from coderai_desktop.export.writers.delimited import write_csv


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_rows_are_written_under_the_variable_columns(tmp_path: Path) -> None:
    table = Table(
        ["document", "city", "budget", "binding"],
        [["a.pdf", "Zürich", 4500000, True], ["b.pdf", "Oslo", None, None]],  # no value: an empty cell
    )
    path = tmp_path / "results.csv"

    write_csv(table, path)

    assert read(path) == [
        ["document", "city", "budget", "binding"],
        ["a.pdf", "Zürich", "4500000", "True"],
        ["b.pdf", "Oslo", "", ""],
    ]
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_text_that_a_spreadsheet_would_run_is_neutralised(tmp_path: Path) -> None:
    table = Table(
        ["document", "note"],
        [['=HYPERLINK("http://x")', "+1 555"], ["@SUM(A1)", "-2"], ["c.pdf", -2], ["\tx", "\r\ny"]],
    )
    path = tmp_path / "results.csv"

    write_csv(table, path)

    assert read(path)[1:] == [
        ['\'=HYPERLINK("http://x")', "'+1 555"],
        ["'@SUM(A1)", "'-2"],
        ["c.pdf", "-2"],  # a number stays a number
        ["'\tx", "'\r\ny"],
    ]


def test_lists_of_values_are_joined_and_multiline_text_survives(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"

    write_csv(Table(["cities", "quote"], [[["Oslo", "Bergen"], "line one\nline, two"]]), path)

    assert read(path)[1] == ["Oslo; Bergen", "line one\nline, two"]


def test_an_empty_table_has_its_header_and_excel_can_have_its_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"

    write_csv(Table(["document", "city"], []), path)
    assert path.read_bytes() == b"document,city\r\n"

    write_csv(Table(["document", "city"], [["Ærø.pdf", "Zürich"]]), path, excel_bom=True)
    assert path.read_bytes() == "\ufeffdocument,city\r\nÆrø.pdf,Zürich\r\n".encode()
