"""What an edit in the grid means for the service, without Qt: a typed value against the AI's (confirm or
correct), where a pasted block lands, and how refused cells are told to the researcher."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coderai_desktop.domain.dataset import Cell
from coderai_desktop.formatting import count
from coderai_desktop.review.grid_edits import CellEdit, Edit

Range = tuple[int, int, int, int]  # top, bottom, left, right (inclusive), as QItemSelectionRange has them
Target = tuple[int, int, str]  # row, column, the pasted text
SHOWN_PROBLEMS = 3  # a status line names this many refused cells, then says how many more


def review_edit(cell: Cell, value: Any) -> CellEdit:
    """A researcher's value for a cell: a confirmation when it is the AI's own value, else a correction."""
    same = value == cell.ai_value and isinstance(value, bool) == isinstance(cell.ai_value, bool)
    # The review the researcher saw goes along: one someone recorded since (another computer) is not overridden.
    if same:  # 5 == 5.0, but True is not 1
        return CellEdit(cell.extraction_id, Edit.CONFIRM, seen_review=cell.review_id)
    return CellEdit(cell.extraction_id, Edit.CORRECT, value, seen_review=cell.review_id)


def paste_targets(block: list[list[str]], ranges: Sequence[Range], current: tuple[int, int]) -> list[Target]:
    """Where a pasted block goes: from the selection's top-left cell (or the current cell) down and right;
    a single copied cell pasted on a larger selection fills every selected cell, as spreadsheets do."""
    if not block:
        return []
    cells = sum((bottom - top + 1) * (right - left + 1) for top, bottom, left, right in ranges)
    if len(block) == 1 and len(block[0]) == 1 and cells > 1:
        text = block[0][0]
        seen: dict[tuple[int, int], None] = {}
        for top, bottom, left, right in ranges:
            for row in range(top, bottom + 1):
                for column in range(left, right + 1):
                    seen[(row, column)] = None
        return [(row, column, text) for row, column in sorted(seen)]
    anchor = (min(r[0] for r in ranges), min(r[2] for r in ranges)) if ranges else current
    return [
        (anchor[0] + i, anchor[1] + j, text) for i, line in enumerate(block) for j, text in enumerate(line)
    ]


def selected_cells(ranges: Sequence[Range]) -> list[tuple[int, int]]:
    """Every selected (row, column), once, top to bottom and left to right."""
    cells = {
        (row, column)
        for top, bottom, left, right in ranges
        for row in range(top, bottom + 1)
        for column in range(left, right + 1)
    }
    return sorted(cells)


def problems_text(problems: Sequence[str], verb: str) -> str:
    """'2 cells not pasted: row 3, budget: 'abc' is not a number; row 4, …' (the first few, then how many
    more)."""
    if not problems:
        return ""
    shown = "; ".join(problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    return f"{count(len(problems), 'cell')} not {verb}: {shown}" + (f"; and {more} more" if more > 0 else "")
