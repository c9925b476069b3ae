"""The Excel workbook, read back as a researcher's spreadsheet program would read it: four sheets, the
values as they were (numbers, booleans, text), never a formula, and the colours and notes that explain them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from coderai_desktop.export.model import Dataset, DocumentDetails, ExportOptions, Mark, Table
from coderai_desktop.export.summary import CODEBOOK_COLUMNS, QUALITY_COLUMNS, RUN_COLUMNS
from coderai_desktop.export.tables import long_table, wide_table
from coderai_desktop.export.writers.xlsx import MARK_FILLS, write_xlsx
from coderai_desktop.spreadsheet_cells import CLIPPED, XLSX_MAX_TEXT
from tests.unit.export.sample import LONG_NAME, agreement, coded, dataset, entity_dataset, unit_of

SHEETS = ["Data", "Codebook", "Quality", "Run info"]


def written(tmp_path: Path, data: Dataset, table: Table | None = None) -> Workbook:
    path = tmp_path / "export.xlsx"
    write_xlsx(data, wide_table(data) if table is None else table, path)
    return load_workbook(path)


def rows(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def data_cell(sheet: Worksheet, table: Table, row: int, column: str) -> object:
    """The value the Data sheet holds for table.rows[row][column]."""
    return sheet.cell(row=row + 2, column=table.columns.index(column) + 1).value


def no_formulas(workbook: Workbook) -> bool:
    return all(cell.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for cell in row)


def test_the_workbook_has_data_codebook_quality_and_run_info(tmp_path: Path) -> None:
    workbook = written(tmp_path, dataset())

    assert workbook.sheetnames == SHEETS
    for sheet in workbook:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1] if cell.value is not None)


def test_the_data_sheet_is_the_table_under_a_filtered_header(tmp_path: Path) -> None:
    data = dataset(ExportOptions(value_details=True, document_details=True))
    table = wide_table(data)
    sheet = written(tmp_path, data, table)["Data"]

    assert rows(sheet)[0] == table.columns
    assert sheet.max_row == len(table.rows) + 1
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(table.columns)).column_letter}4"
    widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
    assert all(8 <= width <= 60 for width in widths)
    assert sheet.column_dimensions["A"].width < 20  # "document", "plan_b.docx"
    assert widths[table.columns.index(f"{LONG_NAME}_prompt_version")] == 60


def test_values_keep_their_type_and_text(tmp_path: Path) -> None:
    data = dataset()
    table = wide_table(data)
    sheet = written(tmp_path, data, table)["Data"]

    assert data_cell(sheet, table, 0, "document_id") == 1
    assert data_cell(sheet, table, 0, LONG_NAME) == 42.5
    assert data_cell(sheet, table, 1, LONG_NAME) == -3.0  # a number, not text to neutralise
    assert data_cell(sheet, table, 0, "adopted") is True
    assert data_cell(sheet, table, 1, "adopted") is False
    assert data_cell(sheet, table, 2, "adopted") is None
    assert data_cell(sheet, table, 0, "level") == "national; regional"
    assert data_cell(sheet, table, 0, "target_year") == "2030-12-31"
    assert data_cell(sheet, table, 1, "title") == "Plan with control characters — Ünïcödé, 中文"


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    data = dataset(ExportOptions(document_details=True))
    table = wide_table(data)
    workbook = written(tmp_path, data, table)
    sheet = workbook["Data"]

    assert data_cell(sheet, table, 0, "title") == '\'=HYPERLINK("http://evil")'
    assert data_cell(sheet, table, 1, "doc_country") == "'=cmd|' /C calc'!A0"
    assert data_cell(sheet, table, 2, "document") == "'@plan_c.txt"
    assert no_formulas(workbook)


def test_text_openpyxl_would_not_keep_as_text_still_is(tmp_path: Path) -> None:
    """A control character in front of "=" must not leave a formula once it is removed; error names,
    NaN and a dict of imported metadata must neither abort the export nor change what a cell means."""
    unit = unit_of(1, "plan_a.pdf", None, None, {"title": coded("\x00=1+1"), LONG_NAME: coded(float("nan"))})
    data = dataset(
        ExportOptions(document_details=True),
        sample_units=[unit, unit._replace(row=unit.row._replace(document_id=2))],
    )
    data = replace(
        data,
        documents={1: DocumentDetails(1, 1, {"code": "#N/A"}), 2: DocumentDetails(1, 1, {"code": {"a": 1}})},
    )
    table = wide_table(data)
    workbook = written(tmp_path, data, table)
    sheet = workbook["Data"]

    assert no_formulas(workbook)
    # Text either way; spreadsheet_cell checks for "=" before it removes the control character.
    assert data_cell(sheet, table, 0, "title") in ("=1+1", "'=1+1")
    assert data_cell(sheet, table, 0, "doc_code") == "#N/A"
    assert sheet.cell(2, table.columns.index("doc_code") + 1).data_type == "s"
    assert data_cell(sheet, table, 1, "doc_code") == "{'a': 1}"
    assert data_cell(sheet, table, 0, LONG_NAME) is None


def test_a_text_longer_than_a_cell_holds_is_clipped(tmp_path: Path) -> None:
    data = dataset(sample_units=[unit_of(1, "plan_a.pdf", None, None, {"title": coded("word " * 10_000)})])
    table = wide_table(data)
    text = data_cell(written(tmp_path, data, table)["Data"], table, 0, "title")

    assert isinstance(text, str)
    assert len(text) == XLSX_MAX_TEXT
    assert text.endswith(CLIPPED)


def test_marked_cells_are_coloured_and_the_others_are_not(tmp_path: Path) -> None:
    data = dataset()
    table = wide_table(data)
    sheet = written(tmp_path, data, table)["Data"]

    assert set(table.marks.values()) == set(Mark)
    for row, cells in enumerate(sheet.iter_rows(min_row=2)):
        for column, cell in enumerate(cells):
            mark = table.marks.get((row, column))
            if mark is None:
                assert cell.fill.fill_type is None, cell.coordinate
            else:
                assert cell.fill.fgColor.rgb == MARK_FILLS[mark].fgColor.rgb, cell.coordinate


def test_the_codebook_sheet_lists_every_variable(tmp_path: Path) -> None:
    data = dataset()
    sheet = written(tmp_path, data)["Codebook"]
    content = rows(sheet)

    assert content[0] == CODEBOOK_COLUMNS
    assert [row[0] for row in content[1:]] == [info.spec.name for info in data.variables]
    level = content[1 + [info.spec.name for info in data.variables].index("level")]
    assert level[CODEBOOK_COLUMNS.index("categories")] == "national\nregional"
    assert sheet.cell(2, CODEBOOK_COLUMNS.index("instructions") + 1).alignment.wrap_text


def test_the_quality_sheet_shows_shares_as_percentages_and_the_agreement_figures(tmp_path: Path) -> None:
    data = dataset(agreement=agreement())
    sheet = written(tmp_path, data)["Quality"]

    def cell(variable: str, column: str) -> Any:
        row = 2 + [info.spec.name for info in data.variables].index(variable)
        return sheet.cell(row, QUALITY_COLUMNS.index(column) + 1)

    assert rows(sheet)[0] == QUALITY_COLUMNS
    coverage = cell("title", "coverage")
    assert coverage.value == 2 / 3
    assert coverage.number_format == "0%"
    assert cell("title", "mean confidence").number_format == "0.00"
    assert cell("title", "units coded").value == 3
    assert (cell("title", "comparison").value, cell("title", "compared").value) == ("AI vs review", 12)
    assert cell("title", "agreement").value == 11 / 12 and cell("title", "agreement").number_format == "0.0%"
    assert (cell("title", "measure").value, cell("title", "reliability").value) == ("alpha (nominal)", 0.8312)
    assert cell("title", "reliability").number_format == "0.00"
    assert (cell("title", "95% interval").value, cell("title", "verdict").value) == ("[0.64, 0.96]", "ready")
    assert (cell("title", "calibration error").value, cell("title", "suggested threshold").value) == (
        0.0417,
        0.873,
    )
    assert cell("title", "suggested threshold").number_format == "General"  # never shown rounded down
    # adopted rests on the blind coding, with kappa; level on F1; the long-named variable is not measured.
    assert (cell("adopted", "comparison").value, cell("adopted", "kappa").value) == ("AI vs bea", 0.7101)
    assert cell("adopted", "verdict").value == "tentative"
    assert (cell("level", "measure").value, cell("level", "reliability").value) == ("F1 (set)", 0.9231)
    assert cell("target_year", "verdict").value == "too few units"
    assert cell(LONG_NAME, "verdict").value == "not measured"
    assert cell(LONG_NAME, "compared").value is None and cell(LONG_NAME, "reliability").value is None


def test_without_an_agreement_report_the_agreement_cells_are_empty(tmp_path: Path) -> None:
    sheet = written(tmp_path, dataset())["Quality"]

    first = rows(sheet)[1]
    assert first[: QUALITY_COLUMNS.index("reviewed") + 1] == pytest.approx(
        ["title", 3, 2 / 3, 1 / 3, 1 / 3, 0.7, 1]
    )
    assert set(first[QUALITY_COLUMNS.index("reviewed") + 1 :]) == {None}


def test_run_info_says_what_the_export_is_and_what_its_columns_and_colours_mean(tmp_path: Path) -> None:
    data = dataset(ExportOptions(value_details=True, reviewed_only=True))
    table = wide_table(data)
    sheet = written(tmp_path, data, table)["Run info"]
    content = rows(sheet)
    pairs = {row[0]: row[1] for row in content if row[0] is not None}

    assert pairs["Project"] == "Climate plans"
    assert "reviewed values only" in str(pairs["Values"])
    assert RUN_COLUMNS in [row[: len(RUN_COLUMNS)] for row in content]
    assert [1, "sample", "completed", "gpt-4o-mini"] in [row[:4] for row in content]
    for column in table.columns:
        assert pairs[column] == table.labels[column]
    assert "version of the prompt" in str(pairs[f"{LONG_NAME}_prompt_version"])
    legend = {cell.value: cell.fill.fgColor.rgb for cell in sheet["A"] if cell.fill.fill_type == "solid"}
    assert {key: legend[key] for key in ("flagged", "low confidence", "corrected")} == {
        mark.replace("_", " ").lower(): fill.fgColor.rgb for mark, fill in MARK_FILLS.items()
    }


def test_an_export_without_rows_is_a_header(tmp_path: Path) -> None:
    data = dataset(sample_units=[])
    table = wide_table(data)
    workbook = written(tmp_path, data, table)

    assert rows(workbook["Data"]) == [table.columns]
    assert workbook.sheetnames == SHEETS


def test_a_long_table_is_written_with_its_marks(tmp_path: Path) -> None:
    data = dataset()
    table = long_table(data)
    sheet = written(tmp_path, data, table)["Data"]

    assert rows(sheet)[0] == table.columns
    assert len(rows(sheet)) == len(table.rows) + 1
    for row, column in table.marks:
        assert sheet.cell(row + 2, column + 1).fill.fill_type == "solid"
    assert [row[table.columns.index("value")] for row in rows(sheet)[1:4]] == [
        '\'=HYPERLINK("http://evil")',
        True,
        "national",
    ]


def test_entities_and_expanded_multi_values_are_columns(tmp_path: Path) -> None:
    entities = entity_dataset()
    sheet = written(tmp_path, entities)["Data"]
    assert rows(sheet)[1][:4] == ["plan_a.pdf", 1, 0, "Ministry of Energy"]

    data = dataset(ExportOptions(expand_multi=True))
    table = wide_table(data)
    sheet = written(tmp_path, data, table)["Data"]
    assert [data_cell(sheet, table, 0, name) for name in ("level_1", "level_2")] == ["national", "regional"]


def test_pandas_reads_the_data_sheet_with_the_shape_of_the_table(tmp_path: Path) -> None:
    data = dataset(ExportOptions(value_details=True, document_details=True))
    table = wide_table(data)
    path = tmp_path / "export.xlsx"
    write_xlsx(data, table, path)

    frame = pd.read_excel(path, sheet_name="Data")

    assert frame.shape == (len(table.rows), len(table.columns))
    assert list(frame.columns) == table.columns
    assert frame[LONG_NAME].tolist()[:2] == [42.5, -3.0]
    assert frame[LONG_NAME].isna().tolist() == [False, False, True]
    assert frame["adopted"].tolist()[:2] == [True, False]
