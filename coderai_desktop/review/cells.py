"""Reading a researcher's cell: what a spreadsheet gives (text, numbers, dates, booleans) as the value a
variable's rules check; several values separated by semicolons."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

# What a coder writes for "the document gives no value" (a blank cell means "not coded").
NO_VALUE_WORDS = frozenset({"na", "n/a", "none", "-", "(none)", "no value"})


def cell_value(cell: Any) -> Any:
    """None for a blank cell; a date without its midnight; 3.0 as 3; text stripped."""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, str):
        return cell.strip() or None
    return cell


def shown(value: Any) -> Any:
    """A value as a sheet shows it: several values joined."""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


def whole_number(cell: Any) -> int | None:
    """An id or index from a cell (7, 7.0 or "7"), or None."""
    value = cell_value(cell)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
