"""Clipboard text as spreadsheets write and read it (Excel, LibreOffice): tabs, line ends, quoted cells."""

from __future__ import annotations

import pytest

from coderai_desktop.ui.results.clipboard import from_tsv, to_tsv


def test_plain_cells_are_joined_with_tabs_and_crlf() -> None:
    assert to_tsv([["a", "b"], ["c", ""]]) == "a\tb\r\nc\t\r\n"


def test_cells_with_a_tab_a_line_break_or_a_quote_are_quoted_as_excel_does() -> None:
    text = to_tsv([["tab\there", "two\nlines", 'say "hi"', "plain"]])
    assert text == '"tab\there"\t"two\nlines"\t"say ""hi"""\tplain\r\n'
    assert from_tsv(text) == [["tab\there", "two\nlines", 'say "hi"', "plain"]]


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("a\tb\r\nc\td\r\n", [["a", "b"], ["c", "d"]]),  # Excel on Windows
        ("a\tb\nc\td\n", [["a", "b"], ["c", "d"]]),  # LibreOffice on Linux
        ("a\tb\rc\td", [["a", "b"], ["c", "d"]]),  # old Mac line ends, no trailing one
        ("single", [["single"]]),
        ("a\t\tc", [["a", "", "c"]]),  # an empty cell in the middle
        ("a\n\nb\n", [["a"], [""], ["b"]]),  # an empty row in the middle is kept
        ('"x\r\ny"\tz\r\n', [["x\ny", "z"]]),  # a quoted cell with a line break inside
        ('12 "inch"\tq', [['12 "inch"', "q"]]),  # a quote inside an unquoted cell is text
        ("", []),
    ],
)
def test_clipboard_text_from_spreadsheets_is_read(text: str, rows: list[list[str]]) -> None:
    assert from_tsv(text) == rows


def test_what_is_written_reads_back_the_same() -> None:
    rows = [["Plan A", "1,500"], ["multi\nline", 'a "quote"'], ["", "\ttab"]]
    assert from_tsv(to_tsv(rows)) == rows
