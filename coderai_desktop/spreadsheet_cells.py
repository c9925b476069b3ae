"""Cells that are safe to open in a spreadsheet: text that starts like a formula is neutralised, and
characters a spreadsheet file cannot hold are removed rather than allowed to abort the export."""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
LIST_SEPARATOR = "; "
# XML 1.0 cannot hold these (control characters, non-characters, lone surrogates): openpyxl raises
# IllegalCharacterError, lxml (python-docx) ValueError, and encoding a lone surrogate fails.
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
XLSX_MAX_TEXT = 32_767  # characters in one cell
CLIPPED = " […]"


def safe_cell(value: Any) -> Any:
    """Numbers and booleans as they are; text that a spreadsheet would run as a formula gets a leading
    apostrophe (shown as text, never evaluated); lists of values joined."""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join("" if item is None else str(item) for item in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_cell(value: Any) -> Any:
    """`safe_cell`, without the characters XLSX cannot store, and clipped to what one cell holds."""
    if isinstance(value, list):  # joined first, so that its items are cleaned before the formula check
        value = cell_text(value)
    if isinstance(value, str):  # removed first, so that "\x00=1+1" cannot become a formula
        value = ILLEGAL_CHARACTERS.sub("", value)
    value = safe_cell(value)
    if isinstance(value, str) and len(value) > XLSX_MAX_TEXT:
        value = value[: XLSX_MAX_TEXT - len(CLIPPED)] + CLIPPED
    return value


def cell_text(value: Any) -> str:
    """A value as a table on screen shows it: several values joined, nothing for no value."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join("" if item is None else str(item) for item in value)
    return "" if value is None else str(value)
