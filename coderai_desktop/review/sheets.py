"""Spreadsheets a researcher fills in and gives back (corrections of the AI's values, blind coding), as CSV
or Excel workbook by the file's suffix.

Written safe to open (text that looks like a formula gets a leading apostrophe; characters a spreadsheet
file cannot hold are removed) and atomically. Read back from what we wrote or from what Excel or
LibreOffice saved: UTF-8 with or without BOM, UTF-16 (Excel's "Unicode text") or cp1252; comma, semicolon
(European Excel) or tab; headers in any case and order; the apostrophe undone. Rows are numbered as the
spreadsheet shows them, so a message can point the researcher to "row 14"."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from coderai_desktop.atomic_files import atomic_path
from coderai_desktop.domain.errors import CoderAIError, InvalidInputError
from coderai_desktop.regular_files import NotARegularFile, open_regular
from coderai_desktop.spreadsheet_cells import (
    FORMULA_STARTS,
    ILLEGAL_CHARACTERS,
    LIST_SEPARATOR,
    safe_cell,
    spreadsheet_cell,
)

SUFFIXES = (".csv", ".xlsx")
MAX_ROWS = 200_000  # data rows in a sheet given back: more is refused rather than read into memory
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
EDITABLE_FILL = PatternFill("solid", fgColor="FFF7CC")  # light yellow: the cells the researcher fills in
INSTRUCTIONS, CHOICES = "Instructions", "Choices"
RESERVED_TITLES = {INSTRUCTIONS.lower(), CHOICES.lower(), "history"}  # Excel reserves "History"
INLINE_CHOICES_MAX = 250  # Excel refuses a drop-down list written in its formula beyond 255 characters
HEADER_LINE_MAX = 1 << 20  # characters read to find a CSV's delimiter
BOMS_UTF16 = (b"\xff\xfe", b"\xfe\xff")
ZIP_MAGIC, OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
RESAVE = "Open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx) or as CSV (.csv)."


@dataclass(frozen=True)
class SheetColumn:
    name: str  # header text, e.g. "review"
    help: str = ""  # what the column holds: a comment on the XLSX header cell and a line of Instructions
    width: int = 14  # XLSX column width, in characters
    choices: tuple[str, ...] = ()  # XLSX: a drop-down on this column's data cells
    editable: bool = False  # XLSX: a column the researcher fills in has a light yellow fill


@dataclass(frozen=True)
class SheetRow:
    number: int  # as Excel or LibreOffice shows it: the header is row 1, the first data row 2
    cells: dict[str, Any]  # column -> value (CSV: str; XLSX: str, int, float, bool, datetime); blank: None


@dataclass(frozen=True)
class Sheet:
    columns: list[str]  # stripped and lowercased, in the file's order
    rows: list[SheetRow]


# ---- writing ----------------------------------------------------------------------------------------


def write_sheet(
    path: Path,
    columns: Sequence[SheetColumn],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    instructions: Sequence[str] = (),
) -> int:
    """Write the sheet (CSV or XLSX by `path`'s suffix); the number of data rows written. Nothing is left
    behind, and an existing file is kept whole, if writing fails."""
    suffix = _suffix(path)
    try:
        with atomic_path(path) as temporary:
            if suffix == ".csv":
                return _write_csv(temporary, columns, rows)
            return _write_xlsx(temporary, columns, rows, title, instructions)
    except OSError as error:  # e.g. the disk is full; a locked file is atomic_path's message already
        raise InvalidInputError(f"Cannot write {path.name}: {error.strerror or error}.") from error


def _write_csv(path: Path, columns: Sequence[SheetColumn], rows: Iterable[Sequence[Any]]) -> int:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:  # the BOM tells Excel it is UTF-8
        writer = csv.writer(stream)
        writer.writerow([_csv_cell(column.name) for column in columns])
        count = 0
        for row in rows:
            count = _counted(count, row, columns)
            writer.writerow([_csv_cell(value) for value in row])
    return count


def _csv_cell(value: Any) -> Any:
    value = safe_cell(_plain(value))
    return "" if value is None else value


def _write_xlsx(
    path: Path,
    columns: Sequence[SheetColumn],
    rows: Iterable[Sequence[Any]],
    title: str,
    instructions: Sequence[str],
) -> int:
    workbook = Workbook(write_only=True)
    try:
        return _fill_workbook(workbook, path, columns, rows, title, instructions)
    except BaseException:
        _discard(workbook)
        raise


def _fill_workbook(
    workbook: Workbook,
    path: Path,
    columns: Sequence[SheetColumn],
    rows: Iterable[Sequence[Any]],
    title: str,
    instructions: Sequence[str],
) -> int:
    sheet = workbook.create_sheet(_sheet_title(title))
    for index, column in enumerate(columns, 1):  # a write-only sheet takes these only before its first row
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, column) for column in columns])
    count = 0
    for row in rows:
        count = _counted(count, row, columns)
        sheet.append(
            [_data_cell(sheet, value, column.editable) for value, column in zip(row, columns, strict=True)]
        )
    last_row = max(count + 1, 2)
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    _write_instructions(workbook.create_sheet(INSTRUCTIONS), title, columns, instructions)
    _add_drop_downs(workbook, sheet, columns, last_row)
    workbook.save(path)
    return count


def _discard(workbook: Workbook) -> None:
    """End the streams of an abandoned write-only workbook, in order, and remove their temporary files
    (openpyxl would only at exit, and the streams complain when the garbage collector closes them)."""
    for sheet in workbook.worksheets:
        writer = getattr(sheet, "_writer", None)
        if writer is None:
            continue
        with suppress(Exception):
            if sheet._rows is not None:
                sheet._rows.close()  # the rows' element first, then the sheet's
            writer.close()
        with suppress(Exception):
            writer.cleanup()


def _counted(count: int, row: Sequence[Any], columns: Sequence[SheetColumn]) -> int:
    if len(row) != len(columns):
        raise ValueError(f"A sheet row has {len(row)} cells for {len(columns)} columns")
    if count == MAX_ROWS:
        raise InvalidInputError(
            f"A sheet to give back holds at most {MAX_ROWS:,} rows; this one would have more. "
            "Choose fewer rows for one sheet."
        )
    return count + 1


def _header_cell(sheet: WriteOnlyWorksheet, column: SheetColumn) -> WriteOnlyCell:
    cell = _styled(sheet, spreadsheet_cell(_plain(column.name)), font=Font(bold=True), fill=HEADER_FILL)
    if column.help:
        cell.comment = Comment(ILLEGAL_CHARACTERS.sub("", column.help), "CoderAI", width=300, height=120)
    return cell


def _data_cell(sheet: WriteOnlyWorksheet, value: Any, editable: bool) -> Any:
    """Plain where it can be (write-only mode's fast path); a styled cell for the editable columns."""
    value = _xlsx_value(value)
    style: dict[str, Any] = {"fill": EDITABLE_FILL} if editable else {}
    if isinstance(value, str) and value in ERROR_CODES:  # openpyxl would store "#N/A" as an error value
        style["data_type"] = "s"
    return _styled(sheet, value, **style) if style else value


def _xlsx_value(value: Any) -> Any:
    value = spreadsheet_cell(_plain(value))
    if isinstance(value, datetime) and value.tzinfo is not None:  # Excel has no time zones
        return spreadsheet_cell(value.isoformat())
    return value


def _plain(value: Any) -> Any:
    """A value a spreadsheet cell holds: None, a number, a boolean, a date or text without the characters
    a spreadsheet file cannot hold. Lists are joined here, before `safe_cell` looks at the first
    character: a list whose first item starts with "\\x00=" would otherwise lose the NUL after the check
    and be written as a formula."""
    if isinstance(value, (list, tuple)):
        value = LIST_SEPARATOR.join("" if item is None else str(item) for item in value)
    elif value is not None and not isinstance(value, (str, int, float, Decimal, date, time, timedelta)):
        value = str(value)
    return ILLEGAL_CHARACTERS.sub("", value) if isinstance(value, str) else value


def _styled(sheet: WriteOnlyWorksheet, value: Any, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, no apostrophe at either end."""
    text = " ".join(re.sub(r"[\[\]:*?/\\]", " ", ILLEGAL_CHARACTERS.sub("", title)).split())
    text = text.strip("'")[:31].rstrip(" '") or "Sheet"
    return f"{text} sheet" if text.lower() in RESERVED_TITLES else text


def _write_instructions(
    sheet: WriteOnlyWorksheet, title: str, columns: Sequence[SheetColumn], instructions: Sequence[str]
) -> None:
    for letter, width in zip("ABCD", (28, 80, 14, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    bold = {"font": Font(bold=True)}
    sheet.append([_styled(sheet, _xlsx_value(title), **bold)])
    for line in instructions:
        sheet.append([_xlsx_value(line)])
    sheet.append([])
    sheet.append([_styled(sheet, name, fill=HEADER_FILL, **bold) for name in _INSTRUCTION_HEADER])
    wrapped = Alignment(wrap_text=True, vertical="top")
    for column in columns:
        filled_in = _styled(sheet, "yes", fill=EDITABLE_FILL) if column.editable else "no"
        choices = _xlsx_value(list(column.choices)) if column.choices else None
        sheet.append(
            [
                _xlsx_value(column.name),
                _styled(sheet, _xlsx_value(column.help), alignment=wrapped),
                filled_in,
                _styled(sheet, choices, alignment=wrapped),
            ]
        )


_INSTRUCTION_HEADER = ("Column", "What it holds", "You fill it in", "Choices")


def _add_drop_downs(
    workbook: Workbook, sheet: WriteOnlyWorksheet, columns: Sequence[SheetColumn], last_row: int
) -> None:
    """A list drop-down on each column with choices. Short lists are written in the rule itself; a list
    too long for that, or with a comma or a quote in a choice, goes to a hidden sheet the rule points to."""
    lists: WriteOnlyWorksheet | None = None
    listed: list[list[Any]] = []
    for index, column in enumerate(columns, 1):
        if not column.choices:
            continue
        choices = [str(_xlsx_value(choice)) for choice in column.choices if _xlsx_value(choice)]
        if not choices:
            continue
        inline = ",".join(choices)
        if len(inline) <= INLINE_CHOICES_MAX and not any(
            "," in choice or '"' in choice for choice in choices
        ):
            formula = f'"{inline}"'
        else:
            if lists is None:
                lists = workbook.create_sheet(CHOICES)
                lists.sheet_state = "hidden"
            listed.append(choices)
            letter = get_column_letter(len(listed))
            formula = f"'{CHOICES}'!${letter}$1:${letter}${len(choices)}"
        letter = get_column_letter(index)
        rule = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=ILLEGAL_CHARACTERS.sub("", column.name)[:32],  # Excel's limit
            error="Choose a value from the list, or leave the cell empty.",
        )
        rule.add(f"{letter}2:{letter}{last_row}")
        sheet.data_validations.append(rule)
    if lists is not None:
        for line in range(max(len(choices) for choices in listed)):
            lists.append([choices[line] if line < len(choices) else None for choices in listed])


# ---- reading ----------------------------------------------------------------------------------------


def read_sheet(path: Path, *, required: Sequence[str]) -> Sheet:
    """The sheet in `path` (CSV or XLSX by its suffix): its columns and its non-empty rows. Raises
    InvalidInputError, saying what is wrong, for a file that is missing, damaged, not a spreadsheet,
    empty, too large or without one of the `required` columns."""
    suffix = _suffix(path)
    try:
        with open_regular(path) as stream:
            start = stream.read(8)
            if not start:
                raise InvalidInputError(f"{path.name} is empty. {RESAVE}")
            if suffix == ".xlsx":
                return _read_xlsx(path, stream, start, required)
        return _read_csv(path, start, required)
    except FileNotFoundError as error:
        raise InvalidInputError(f"There is no file {path}: was it moved or renamed?") from error
    except NotARegularFile as error:
        raise InvalidInputError(
            f"{path} is not a file (a folder or a device?). Choose the sheet's file."
        ) from error
    except OSError as error:
        raise InvalidInputError(
            f"Cannot read {path.name}: {error.strerror or error}. If it is open in another program, close "
            "it there and try again."
        ) from error


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return suffix
    hint = ""
    if suffix in (".txt", ".tsv"):
        hint = " A tab-separated text file (Excel's 'Unicode Text') can be renamed to .csv."
    raise InvalidInputError(
        f"{path.name} is neither a CSV file (.csv) nor an Excel workbook (.xlsx).{hint} {RESAVE}"
    )


def _read_xlsx(path: Path, stream: BinaryIO, start: bytes, required: Sequence[str]) -> Sheet:
    if start.startswith(OLE_MAGIC):
        raise InvalidInputError(f"{path.name} is an old Excel 97-2003 workbook (.xls), not .xlsx. {RESAVE}")
    if not start.startswith(ZIP_MAGIC):
        raise InvalidInputError(f"{path.name} is not an Excel workbook (.xlsx). {RESAVE}")
    stream.seek(0)
    try:
        # data_only: a formula the researcher typed gives the value it shows (the one saved with it).
        workbook = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # zip, XML and openpyxl errors alike: the file is damaged
        raise _damaged(path, error) from error
    try:
        if not workbook.worksheets:
            raise InvalidInputError(f"{path.name} has no worksheet. {RESAVE}")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the size a file states can be wrong: read the rows that are there
        records = enumerate(sheet.iter_rows(values_only=True), 1)
        return _sheet(f"The sheet '{sheet.title}' in {path.name}", records, required)
    except CoderAIError:
        raise
    except Exception as error:  # damage found while reading the rows
        raise _damaged(path, error) from error
    finally:
        workbook.close()


def _damaged(path: Path, error: Exception) -> InvalidInputError:
    return InvalidInputError(f"{path.name} is damaged or not an Excel workbook ({error}). {RESAVE}")


def _read_csv(path: Path, start: bytes, required: Sequence[str]) -> Sheet:
    if start.startswith(ZIP_MAGIC):
        raise InvalidInputError(f"{path.name} is an Excel workbook, not a CSV file: rename it to .xlsx.")
    if start.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif start.startswith(BOMS_UTF16):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp1252"]  # no BOM: UTF-8, else what Excel on Windows saves as "CSV"
    for encoding in encodings:
        with open_regular(path) as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
            try:
                reader = _csv_reader(text)
                return _sheet(path.name, enumerate(reader, 1), required)
            except UnicodeDecodeError:
                continue
            except csv.Error as error:
                raise InvalidInputError(
                    f"{path.name} is not a CSV file that can be read (line {reader.line_num}: {error}). {RESAVE}"
                ) from error
    raise InvalidInputError(
        f"{path.name} is not text in a known encoding. Save it as 'CSV UTF-8' and try again."
    )


def _csv_reader(text: io.TextIOWrapper) -> Any:
    """A csv reader with the delimiter the header line uses (or that an Excel "sep=;" line names)."""
    line = text.readline(HEADER_LINE_MAX)
    separator = re.fullmatch(r"sep=([,;\t|])\r?\n?", line, re.IGNORECASE)
    if separator:
        return csv.reader(text, delimiter=separator.group(1))  # Excel hides that line: the header is row 1
    while line and not line.strip():  # blank lines above the header
        line = text.readline(HEADER_LINE_MAX)
    text.seek(0)
    return csv.reader(text, delimiter=_delimiter(line))


def _delimiter(line: str) -> str:
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for character in line:
        if character == '"':
            quoted = not quoted
        elif not quoted and character in counts:
            counts[character] += 1
    best = max(counts, key=lambda candidate: counts[candidate])  # a tie goes to the comma
    return best if counts[best] else ","


def _sheet(where: str, records: Iterator[tuple[int, Sequence[Any]]], required: Sequence[str]) -> Sheet:
    """The header (the first row that is not empty), then each non-empty row by the header's names."""
    header: list[str] | None = None
    for _, values in records:
        if not all(_blank(value) for value in values):
            header = [_name(value) for value in values]
            break
    if header is None:
        raise InvalidInputError(f"{where} is empty: it has no header row. {RESAVE}")
    positions = [(index, name) for index, name in enumerate(header) if name]
    names = [name for _, name in positions]
    _check_header(where, names, required)
    rows: list[SheetRow] = []
    for number, values in records:
        cells = {name: _value(values[index]) if index < len(values) else None for index, name in positions}
        if all(_blank(value) for value in cells.values()):
            continue
        if len(rows) == MAX_ROWS:
            raise InvalidInputError(
                f"{where} has more than {MAX_ROWS:,} rows, more than a sheet given back may hold. "
                "Split it into smaller sheets."
            )
        rows.append(SheetRow(number, cells))
    return Sheet(names, rows)


def _check_header(where: str, names: list[str], required: Sequence[str]) -> None:
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise InvalidInputError(
            f"{where} has more than one column named {_quoted(doubled)}. Rename or delete the extra one."
        )
    wanted = [_name(name) for name in required]
    missing = [name for name in wanted if name not in names]
    if missing:
        found = ", ".join(name[:40] for name in names[:10]) + (", ..." if len(names) > 10 else "")
        raise InvalidInputError(
            f"{where} has no column{'s' if len(missing) > 1 else ''} {_quoted(missing)} "
            f"(its header row has: {found or 'nothing'}). It needs the columns: {', '.join(wanted)}."
        )


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _name(value: Any) -> str:
    value = _value(value)
    return "" if value is None else str(value).strip().strip("\ufeff").strip().lower()


def _value(value: Any) -> Any:
    """A cell as read: blank as None, and the apostrophe that kept a formula-like text inert removed."""
    if isinstance(value, str):
        if not value:
            return None
        if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
            return value[1:]
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
