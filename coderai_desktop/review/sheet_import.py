"""What importing a sheet did: rows applied, unchanged and blank, and each bad row with its number and
reason. Good rows are kept unless all-or-nothing was asked for."""

from __future__ import annotations

from dataclasses import dataclass

SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet numbers it (the header is row 1)
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass(frozen=True)
class ImportReport:
    rows: int  # data rows read
    applied: int  # rows that changed something
    unchanged: int  # rows that said what was already stored
    blank: int  # rows with nothing to import
    problems: tuple[RowProblem, ...]
    kept: bool  # False: all-or-nothing, and a problem kept everything out

    def summary(self) -> str:
        if not self.kept:
            text = f"Nothing was imported: {len(self.problems)} of {self.rows} rows have a problem (all or nothing)."
        else:
            text = f"{self.applied} rows imported, {self.unchanged} unchanged, {self.blank} left blank"
            text += f", {len(self.problems)} refused." if self.problems else "."
        lines = [text, *(f"  {problem}" for problem in self.problems[:SHOWN_PROBLEMS])]
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(f"  ... and {len(self.problems) - SHOWN_PROBLEMS} more")
        return "\n".join(lines)


class RowError(ValueError):
    """A row that cannot be imported; the message says why, in words for the person who filled it in."""
