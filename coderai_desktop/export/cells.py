"""Cells that are safe to open in a spreadsheet: text that starts like a formula is neutralised."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
LIST_SEPARATOR = "; "


def safe_cell(value: Any) -> Any:
    """Numbers and booleans as they are; text that a spreadsheet would run as a formula gets a leading
    apostrophe (shown as text, never evaluated); lists of values joined."""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join("" if item is None else str(item) for item in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
