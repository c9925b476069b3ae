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
