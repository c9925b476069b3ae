"""Stata (.dta) and SPSS (.sav) files of a table: variable labels, value labels for categories and yes/no
columns, numbers as numbers and full dates as dates.

Both formats are stricter than CSV: short ASCII names, labels of limited length, no NUL in text. Rather than
fail an export on these, names are made legal (a changed name keeps the original in its label), labels and
text are clipped, and characters the formats cannot hold are removed."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import VariableType
from coderai_desktop.export.model import Dataset, Table
from coderai_desktop.export.tables import DETAILS
from coderai_desktop.spreadsheet_cells import CLIPPED, ILLEGAL_CHARACTERS, cell_text

# Stata 14's format (release 118): UTF-8, and strL for text beyond 2045 bytes. Stata 14 and later and pandas
# read it; pyreadstat's version 15 (release 119) is meant for over 32,767 variables and Stata 14 cannot read it.
STATA_VERSION = 14


@dataclass(frozen=True)
class Limits:
    """What a format holds. Labels as (characters, UTF-8 bytes): beyond them pyreadstat fails (Stata) or cuts
    the bytes, possibly inside a character (SPSS)."""

    name: int  # names are ASCII here: characters and bytes alike
    label: tuple[int, int]
    file_label: tuple[int, int]
    value_label: tuple[int, int]
    text: int | None  # bytes of a string value; None: nothing to clip to (a Stata strL holds 2 GB)
    numbered_label_sets: bool  # see _name_limits


STATA = Limits(32, (80, 320), (80, 320), (32_000, 32_000), None, numbered_label_sets=True)
SPSS = Limits(64, (256, 256), (64, 64), (120, 120), 32_767, numbered_label_sets=False)

# Reserved words of Stata (less those starting with _: names here never do) and of SPSS. Both files avoid
# both, so that they get the same names wherever the length allows.
STATA_RESERVED = {"byte", "double", "float", "if", "in", "int", "long", "strl", "using", "with"}
SPSS_RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}
RESERVED = STATA_RESERVED | SPSS_RESERVED
STATA_STRING_TYPE = re.compile(r"str\d+")  # str1 ... str2045 are type names too
# What a shortened name keeps at its end, so that a variable's detail columns stay told apart.
KEPT_SUFFIX = re.compile(rf"_(?:{'|'.join(sorted(DETAILS, key=len, reverse=True))}|\d+)$")
FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_DOUBLE = 8.988e307  # Stata's largest double; beyond it (and infinity) pyreadstat fails
YES_NO: dict[int | float, str] = {0: "No", 1: "Yes"}

ValueLabels = dict[int | float, str]


def write_dta(dataset: Dataset, table: Table, path: Path) -> None:
    frame, labels, value_labels = prepare_frame(table, STATA)
    file_label = _clip(dataset.project.name, STATA.file_label)
    pyreadstat.write_dta(
        frame, path, file_label, labels, version=STATA_VERSION, variable_value_labels=value_labels
    )


def write_sav(dataset: Dataset, table: Table, path: Path) -> None:
    frame, labels, value_labels = prepare_frame(table, SPSS)
    file_label = _clip(dataset.project.name, SPSS.file_label)
    pyreadstat.write_sav(frame, path, file_label, labels, variable_value_labels=value_labels)


def prepare_frame(
    table: Table, limits: Limits
) -> tuple[pd.DataFrame, list[str | None], dict[str, ValueLabels]]:
    """The table as a data frame with legal names, its variable labels and its value labels."""
    by_column = list(zip(*table.rows, strict=True)) if table.rows else [()] * len(table.columns)
    codes = {s.name: _Codes(s) for s in table.value_columns.values() if s.type is VariableType.CATEGORY}
    converted = [
        _convert(list(cells), table.value_columns.get(column), codes, limits)
        for column, cells in zip(table.columns, by_column, strict=True)
    ]
    names = _names(table.columns, _name_limits([bool(labels) for _, labels in converted], limits))
    frame = pd.DataFrame({name: series for name, (series, _) in zip(names, converted, strict=True)})
    labels: list[str | None] = [
        _clip(_label(table, column, name), limits.label)
        for column, name in zip(table.columns, names, strict=True)
    ]
    value_labels = {
        name: {code: _clip(text, limits.value_label) for code, text in found.items()}
        for name, (_, found) in zip(names, converted, strict=True)
        if found
    }
    return frame, labels, value_labels


class _Codes:
    """A category variable's codes: 1..n in codebook order, then values outside the categories (a
    researcher's correction, say) as they turn up, labelled with themselves. Shared by name_1 ... name_k."""

    def __init__(self, spec: VariableSpec):
        self.codes = {category.value: code for code, category in enumerate(spec.categories, 1)}
        self.labels: ValueLabels = {
            code: category.label or category.value for code, category in enumerate(spec.categories, 1)
        }

    def code(self, value: Any) -> int | None:
        if value is None or value == "":
            return None
        key = str(value)
        if key not in self.codes:
            self.codes[key] = len(self.codes) + 1
            self.labels[self.codes[key]] = key
        return self.codes[key]


def _convert(
    cells: list[Any], spec: VariableSpec | None, codes: dict[str, _Codes], limits: Limits
) -> tuple[pd.Series, ValueLabels | None]:
    """A column as the format stores it, and its value labels. A value column's type decides, if its cells
    fit it (a correction may not); other columns are typed by their cells."""
    kind = spec.type if spec is not None else None
    types = {type(cell) for cell in cells} - {type(None)}  # one pass: tables have millions of cells
    typed = bool(types) or kind is not None  # a value column without values keeps its type
    if list in types:  # a multi-value variable, not expanded
        return _text(cells, limits), None
    if spec is not None and kind is VariableType.CATEGORY:
        found = codes[spec.name]
        return pd.Series([found.code(cell) for cell in cells], dtype="Int32"), found.labels
    if kind in (None, VariableType.BOOLEAN) and typed and types <= {bool}:
        return pd.Series([None if c is None else int(c) for c in cells], dtype="Int32"), YES_NO
    if kind in (None, VariableType.NUMBER) and typed and types <= {int, float}:
        numbers = pd.Series(cells, dtype="float64")
        return numbers.where(numbers.abs() < MAX_DOUBLE), None
    dates = _dates(cells) if kind is VariableType.DATE else None
    if dates is not None:
        # pyreadstat writes datetime.date objects as dates (%td in Stata, DATE in SPSS).
        return pd.Series(dates, dtype=object), None
    return _text(cells, limits), None


def _dates(cells: list[Any]) -> list[date | None] | None:
    """The cells as dates if every value is a full ISO date; a partial one ("2040", "2040-05") keeps the
    column text, as a date column would have to invent the missing month or day."""
    dates: list[date | None] = []
    for cell in cells:
        if cell is None:
            dates.append(None)
            continue
        if not isinstance(cell, str) or not FULL_DATE.fullmatch(cell):
            return None
        try:
            dates.append(date.fromisoformat(cell))
        except ValueError:  # 2040-02-30
            return None
    return dates if any(dates) else None


def _text(cells: list[Any], limits: Limits) -> pd.Series:
    # "" for no value: neither format has a missing string, and pyreadstat fails on a strL column with one.
    texts = [ILLEGAL_CHARACTERS.sub("", cell_text(cell)) for cell in cells]
    if limits.text is not None:
        texts = [_clip_text(text, limits.text) for text in texts]
    return pd.Series(texts, dtype="str")


def _clip_text(text: str, max_bytes: int) -> str:
    if len(text) * 4 <= max_bytes:  # no need to encode: even 4-byte characters fit
        return text
    encoded = text.encode()
    if len(encoded) <= max_bytes:
        return text
    return encoded[: max_bytes - len(CLIPPED.encode())].decode("utf-8", "ignore") + CLIPPED


def _clip(text: str, limit: tuple[int, int]) -> str:
    """A label on one line, within (characters, bytes), cut between characters."""
    chars, max_bytes = limit
    text = " ".join(ILLEGAL_CHARACTERS.sub("", text).split())[:chars]
    return text.encode()[:max_bytes].decode("utf-8", "ignore")


def _label(table: Table, column: str, name: str) -> str:
    label = table.labels.get(column, "")
    if name != column:  # the name in the file is not the one researchers know: keep that one in the label
        return f"{column}: {label}" if label else column
    return label


def _name_limits(labelled: list[bool], limits: Limits) -> list[int]:
    """The longest name of each column. pyreadstat names a Stata value label set <name><counter>, counting
    the labelled columns from 0, and fails if that is over 32 characters: labelled names leave room for it."""
    if not limits.numbered_label_sets:
        return [limits.name] * len(labelled)
    counters = itertools.accumulate(labelled, initial=0)
    return [
        limits.name - len(str(counter)) if is_labelled else limits.name
        for is_labelled, counter in zip(labelled, counters, strict=False)
    ]


def _names(columns: list[str], limits: list[int]) -> list[str]:
    """Legal names, unique ignoring case (as SPSS compares them). A column whose name is legal and fits keeps
    it; the others are named after, so that they never take a name another column has as it is."""
    kept: list[str | None] = []
    taken: set[str] = set()
    for column, limit in zip(columns, limits, strict=True):
        keep = _legal(column) == column and len(column) <= limit and column.lower() not in taken
        kept.append(column if keep else None)
        if keep:
            taken.add(column.lower())
    return [
        name or _shorten(_legal(column), limit, taken)
        for column, name, limit in zip(columns, kept, limits, strict=True)
    ]


def _legal(column: str) -> str:
    """Letters, digits and _, starting with a letter, not a reserved word: accents dropped (é -> e), any
    other character turned into _, and _ dropped at either end ("doc_中文" -> "doc", "in" -> "v_in")."""
    ascii_name = unicodedata.normalize("NFKD", column).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_name).strip("_")
    if not name[:1].isalpha() or _reserved(name):
        name = f"v_{name}".rstrip("_")
    return name


def _reserved(name: str) -> bool:
    return name.lower() in RESERVED or STATA_STRING_TYPE.fullmatch(name.lower()) is not None


def _shorten(name: str, limit: int, taken: set[str]) -> str:
    """`name` within `limit`, keeping a detail suffix (`_evidence`) or number at its end, and numbered
    (`_2`, `_3`...) if the result is taken: share_of_renewable_electricity_in_the_national_mix_by_2030_evidence
    becomes share_of_renewable_elec_evidence."""
    match = KEPT_SUFFIX.search(name)
    stem, suffix = (name[: match.start()], match.group()) if match and match.start() > 0 else (name, "")
    if len(suffix) > limit // 2:
        stem, suffix = name, ""
    candidate, number = _fit(stem, suffix, limit), 1
    while candidate.lower() in taken or _reserved(candidate):
        number += 1
        candidate = _fit(stem, f"{suffix}_{number}", limit)
    taken.add(candidate.lower())
    return candidate


def _fit(stem: str, tail: str, limit: int) -> str:
    if len(stem) + len(tail) <= limit:
        return stem + tail
    head = stem[: limit - len(tail)]
    fragment = head.rsplit("_", 1)[-1]
    # A word cut to a stub reads as something else: "mix_by_2" as a number, "el" as nothing. Drop it.
    if stem[len(head)] != "_" and fragment not in ("", head) and (fragment.isdigit() or len(fragment) < 3):
        head = head[: len(head) - len(fragment)]
    return head.rstrip("_") + tail
