"""Text for people, shared by the command line and the GUI."""

from __future__ import annotations

from datetime import datetime


def count(number: int, noun: str) -> str:
    """'1 variable', '7 variables', '14,059 words'."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def shorten(text: str, width: int) -> str:
    """One line of at most `width` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def duration(seconds: float) -> str:
    """'40 seconds', '12 minutes', '2.5 hours': a rough span for estimates."""
    if seconds < 90:
        return count(round(seconds), "second")
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def money(dollars: float) -> str:
    """'$12.40', and small sums with the digits that tell them apart: '$0.0025'."""
    return f"${dollars:,.2f}" if dollars >= 1 or dollars == 0 else f"${dollars:.4f}"


def file_size(size: int) -> str:
    """'812 bytes', '14 KB', '1.8 MB'."""
    if size < 1000:
        return f"{size:,} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1e6:.1f} MB"


def value_text(value: object) -> str:
    """A coded value in a sentence or a table cell: '(no value)', 'yes', 'a; b'."""
    if value is None or value == "" or value == []:
        return "(no value)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(value_text(item) for item in value)
    return str(value)
