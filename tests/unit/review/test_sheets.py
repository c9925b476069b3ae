"""Sheets a researcher fills in and gives back: written safe to open, read back as Excel and LibreOffice
save them, with errors a person can act on."""

from __future__ import annotations

import csv
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.review.sheets import MAX_ROWS, SheetColumn, read_sheet, write_sheet

COLUMNS = [
    SheetColumn("value_id", help="Which value; do not change it"),
    SheetColumn("text", width=40),
    SheetColumn("review", help="accept or correct", choices=("accept", "correct", "reject"), editable=True),
    SheetColumn("corrected_value", editable=True),
]
FORMULAS = ["=1+1", "+49 30 1234", "-5", "@user", "=SUM(A1:A3)", "\tindented"]
TEXTS = [
    'a, "quoted", text',
    "two\nlines\r\nand more",
    "مرحبا بالعالم",
    "中文 テキスト 한국어",
    "emoji 🎉👩‍🔬",
    *FORMULAS,
]
ROWS: list[list[Any]] = [
    *[[number, text, "accept", None] for number, text in enumerate(TEXTS, 1)],
    [100, 3.25, True, ["x", "=y", None]],
    [101, -7, False, "a; b"],
]


def written(path: Path, rows: list[list[Any]] = ROWS) -> int:
    return write_sheet(path, COLUMNS, rows, title="Review: sample/1", instructions=["Fill in the review."])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_gives_back_what_was_written(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"sheet{suffix}"
    assert written(path) == len(ROWS)
    sheet = read_sheet(path, required=["value_id", "review"])
    assert sheet.columns == ["value_id", "text", "review", "corrected_value"]
    assert [row.number for row in sheet.rows] == list(range(2, len(ROWS) + 2))
    texts = [row.cells["text"] for row in sheet.rows[: len(TEXTS)]]
    assert texts == TEXTS
    as_read = sheet.rows[len(TEXTS)].cells
    if suffix == ".csv":  # CSV holds text
        assert as_read == {"value_id": "100", "text": "3.25", "review": "True", "corrected_value": "x; =y; "}
    else:
        assert as_read == {"value_id": 100, "text": 3.25, "review": True, "corrected_value": "x; =y; "}
    assert sheet.rows[0].cells["corrected_value"] is None
    last = sheet.rows[-1].cells
    assert (
        last["review"] in ("False", False)
        and last["text"] in ("-7", -7)
        and last["corrected_value"] == "a; b"
    )


def test_csv_is_utf8_with_bom_and_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    written(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines(keepends=True)))
    assert rows[0] == ["value_id", "text", "review", "corrected_value"]
    cells = [cell for row in rows for cell in row]
    for formula in FORMULAS:
        assert "'" + formula in cells and formula not in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_xlsx_is_neutralised_and_laid_out_for_review(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    written(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames[:2] == ["Review sample 1", "Instructions"]
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "value_id" and sheet["A1"].font.bold
    assert sheet.auto_filter.ref == f"A1:D{len(ROWS) + 1}"
    assert sheet.column_dimensions["B"].width == 40
    assert sheet["A1"].comment is not None and "do not change" in sheet["A1"].comment.text
    text_cells = {cell.value: cell for cell in sheet["B"][1:]}
    for formula in FORMULAS:
        cell = text_cells["'" + formula]
        assert cell.data_type == "s" and cell.data_type != "f"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["D2"].fill.fgColor.rgb.endswith("FFF7CC") and sheet["C2"].fill.fgColor.rgb.endswith("FFF7CC")
    assert sheet["B2"].fill.fill_type is None
    (rule,) = sheet.data_validations.dataValidation
    assert rule.type == "list" and rule.formula1 == '"accept,correct,reject"' and rule.allow_blank
    assert str(rule.sqref) == f"C2:C{len(ROWS) + 1}"
    lines = [row[0] for row in workbook["Instructions"].iter_rows(values_only=True)]
    assert "Fill in the review." in lines
    helps = {row[0]: row[1] for row in workbook["Instructions"].iter_rows(values_only=True)}
    assert helps["review"] == "accept or correct"


def test_long_choices_go_to_a_hidden_sheet(tmp_path: Path) -> None:
    choices = tuple(f"category number {number}, with a comma" for number in range(30))
    path = tmp_path / "sheet.xlsx"
    write_sheet(
        path, [SheetColumn("id"), SheetColumn("code", choices=choices)], [[1, None]], title="Instructions"
    )
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Instructions sheet", "Instructions", "Choices"]
    assert workbook["Choices"].sheet_state == "hidden"
    assert [row[0] for row in workbook["Choices"].iter_rows(values_only=True)] == list(choices)
    (rule,) = workbook.worksheets[0].data_validations.dataValidation
    assert rule.formula1 == "'Choices'!$A$1:$A$30"


def test_a_list_that_starts_with_a_hidden_formula_is_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    write_sheet(path, [SheetColumn("a")], [[["\x00=1+1", "b"]]], title="t")
    cell = load_workbook(path).worksheets[0]["A2"]
    assert cell.value == "'=1+1; b" and cell.data_type == "s"


def test_european_csv_in_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "saved.csv"
    path.write_bytes("Value_ID;Review;Note\r\n7;correct;café, crème\r\n8;'=2*3;\r\n".encode("cp1252"))
    sheet = read_sheet(path, required=["value_id", "review"])
    assert sheet.columns == ["value_id", "review", "note"]
    assert [row.cells for row in sheet.rows] == [
        {"value_id": "7", "review": "correct", "note": "café, crème"},
        {"value_id": "8", "review": "=2*3", "note": None},
    ]


def test_excel_sep_line_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "saved.csv"
    path.write_text("sep=;\nid;review\n1;ok,fine\n", encoding="utf-8")
    sheet = read_sheet(path, required=["id"])
    assert [(row.number, row.cells) for row in sheet.rows] == [(2, {"id": "1", "review": "ok,fine"})]


def test_utf16_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes("id\treview\r\n1\tمرحبا, 😀\r\n".encode("utf-16"))  # with a BOM, as Excel saves it
    sheet = read_sheet(path, required=["id", "review"])
    assert [row.cells for row in sheet.rows] == [{"id": "1", "review": "مرحبا, 😀"}]


def test_tab_separated_utf8_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "tabs.csv"
    path.write_text('id\t"review, final"\n1\t"a;b,c"\n', encoding="utf-8")
    sheet = read_sheet(path, required=["id", "review, final"])
    assert sheet.rows[0].cells == {"id": "1", "review, final": "a;b,c"}


def test_headers_match_whatever_their_case_and_spaces(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("\ufeff  Value_ID , REVIEW\t,\n1,ok,stray\n", encoding="utf-8")
    sheet = read_sheet(path, required=[" value_id", "Review"])
    assert sheet.columns == ["value_id", "review"]
    assert sheet.rows[0].cells == {"value_id": "1", "review": "ok"}


def test_blank_rows_are_skipped_and_numbers_stay_right(tmp_path: Path) -> None:
    csv_path = tmp_path / "sheet.csv"
    csv_path.write_text('\nid,review\n1,a\n\n,\n  , \n2,"multi\nline"\n3,c\n', encoding="utf-8")
    sheet = read_sheet(csv_path, required=["id"])
    assert [(row.number, row.cells["id"]) for row in sheet.rows] == [(3, "1"), (7, "2"), (8, "3")]

    xlsx_path = tmp_path / "sheet.xlsx"
    workbook = Workbook()
    worksheet = workbook.active
    worksheet["A1"], worksheet["B1"] = "id", "review"
    worksheet["A2"] = 1
    worksheet["B4"] = "   "
    worksheet["A6"], worksheet["B6"] = 2, datetime(2024, 5, 1, 12, 30)
    workbook.create_sheet("Other")["A1"] = "not read"
    workbook.save(xlsx_path)
    sheet = read_sheet(xlsx_path, required=["id", "review"])
    assert [(row.number, row.cells) for row in sheet.rows] == [
        (2, {"id": 1, "review": None}),
        (6, {"id": 2, "review": datetime(2024, 5, 1, 12, 30)}),
    ]


def test_quote_prefixed_xlsx_cell_as_excel_saves_it(tmp_path: Path) -> None:
    path = tmp_path / "excel.xlsx"
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.append(["id", "review"])
    worksheet.append([1, "=A1"])
    worksheet["B2"].data_type = "s"  # what Excel stores for '=A1 typed by hand: the text, quote-prefixed
    worksheet["B2"].quotePrefix = True
    worksheet.append([2, "'=A1"])
    workbook.save(path)
    assert [row.cells["review"] for row in read_sheet(path, required=["review"]).rows] == ["=A1", "=A1"]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("value_id,notes\n1,x\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        read_sheet(path, required=["value_id", "review", "corrected_value"])
    message = str(caught.value)
    assert "no columns 'review', 'corrected_value'" in message
    assert "its header row has: value_id, notes" in message
    assert message.endswith("It needs the columns: value_id, review, corrected_value.")


def test_a_doubled_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("id,review,Review \n1,a,b\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="more than one column named 'review'"):
        read_sheet(path, required=["id"])


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("damaged.xlsx", bytes(range(256)) * 8, "not an Excel workbook"),
        ("truncated.xlsx", b"PK\x03\x04" + bytes(200), "damaged"),
        ("old.xlsx", b"\xd0\xcf\x11\xe0" + bytes(100), "Excel 97-2003"),
        ("workbook.csv", b"PK\x03\x04" + bytes(100), "rename it to .xlsx"),
        ("notes.txt", b"id,review\n1,a\n", r"\.txt.*neither a CSV file|neither a CSV file.*renamed to \.csv"),
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"\xef\xbb\xbf\r\n, ,\r\n", "no header row"),
        ("binary.csv", b"\x81\x8d\x8f\x90\x9d" * 10, "encoding"),
    ],
)
def test_bad_files_are_refused_with_a_reason(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=expected):
        read_sheet(path, required=["id"])


def test_a_zip_that_is_no_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(InvalidInputError, match="damaged or not an Excel workbook"):
        read_sheet(path, required=["id"])


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="There is no file"):
        read_sheet(tmp_path / "gone.csv", required=["id"])
    (tmp_path / "folder.xlsx").mkdir()
    with pytest.raises(InvalidInputError, match="is not a file"):
        read_sheet(tmp_path / "folder.xlsx", required=["id"])


def test_too_many_rows_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coderai_desktop.review.sheets.MAX_ROWS", 3)
    path = tmp_path / "big.csv"
    path.write_text("id\n" + "".join(f"{number}\n" for number in range(4)), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="more than 3 rows"):
        read_sheet(path, required=["id"])
    path.write_text("id\n" + "".join(f"{number}\n" for number in range(3)), encoding="utf-8")
    assert len(read_sheet(path, required=["id"]).rows) == 3
    with pytest.raises(InvalidInputError, match="at most 3 rows"):
        write_sheet(tmp_path / "big.xlsx", [SheetColumn("id")], [[n] for n in range(4)], title="t")
    assert not (tmp_path / "big.xlsx").exists()
    assert MAX_ROWS == 200_000


def test_other_suffixes_are_refused_when_writing(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"\(\.csv\).*\(\.xlsx\)"):
        write_sheet(tmp_path / "sheet.ods", COLUMNS, [], title="t")
    assert list(tmp_path.iterdir()) == []


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("cannot be shown")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_failed_write_keeps_the_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    folder, scratch = tmp_path / "out", tmp_path / "scratch"
    folder.mkdir()
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where openpyxl streams a sheet's rows
    path = folder / f"sheet{suffix}"
    written(path)
    before = path.read_bytes()
    rows = [*ROWS, [1, Unprintable(), None, None]]
    with pytest.raises(RuntimeError, match="cannot be shown"):
        written(path, rows)
    assert path.read_bytes() == before
    assert [child.name for child in folder.iterdir()] == [path.name]  # no temporary file left behind
    assert list(scratch.iterdir()) == []


def test_a_failed_first_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        write_sheet(tmp_path / "new.csv", COLUMNS[:1], [[Unprintable()]], title="t")
    assert list(tmp_path.iterdir()) == []
