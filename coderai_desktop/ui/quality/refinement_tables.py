"""The tables of the refinement dialog: the corrections of a variable, and the prompts' results on the
held-out documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from coderai_desktop.domain.refinement import FeedbackItem, HeldOutResult, RefinementInfo
from coderai_desktop.formatting import money, shorten, value_text
from coderai_desktop.ui.widgets.tables import Index, ListTableModel

COL_DOCUMENT, COL_AI, COL_CORRECTED, COL_KIND, COL_QUOTE, COL_NOTE = range(6)
COL_PROMPT, COL_AGREEMENT, COL_IDENTICAL, COL_UNITS, COL_COST = range(5)
BETTER, WORSE = QColor("#1e7b34"), QColor("#b3261e")


class CorrectionsModel(ListTableModel[FeedbackItem]):
    headers = ("Document", "AI value", "Corrected to", "Kind of error", "Model's quote", "Note")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index)
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            document = item.document + (f" [{item.entity}]" if item.entity else "")
            return (
                document,
                value_text(item.ai_value),
                value_text(item.human_value),
                str(item.kind) + (f" ({item.other_variable})" if item.other_variable else ""),
                shorten(item.quote or "—", 80),
                item.note or "",
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == COL_QUOTE and item.quote:
            return item.quote
        return None


@dataclass(frozen=True)
class PromptResult:
    name: str  # "Current prompt" or "1. Odd plans count double"
    result: HeldOutResult | None
    cost: float | None  # None: the current prompt's values are those reviewed (no cost)
    proposal: int | None  # its index, None for the current prompt


def result_rows(info: RefinementInfo) -> list[PromptResult]:
    rows = [PromptResult("Current prompt (the values you reviewed)", info.baseline, None, None)]
    for number, proposal in enumerate(info.proposals, 1):
        rows.append(PromptResult(f"{number}. {proposal.title}", proposal.result, proposal.cost, number - 1))
    return rows


class ResultsModel(ListTableModel[PromptResult]):
    headers = ("Prompt", "Agreement on held-out units", "Identical", "Units", "Cost")

    def __init__(self) -> None:
        super().__init__()
        self.best: int | None = None
        self.baseline: float | None = None

    def show(self, info: RefinementInfo) -> None:
        self.best = info.best
        self.baseline = info.baseline.reliability if info.baseline is not None else None
        self.set_rows(result_rows(info))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.item(index)
        if row is None:
            return None
        result, column = row.result, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.name,
                _figure(result),
                "—" if result is None or result.percent is None else f"{result.percent:.0%}",
                "—" if result is None else str(result.n),
                "—" if row.cost is None else money(row.cost),
            )[column]
        if role == Qt.ItemDataRole.FontRole and row.proposal is not None and row.proposal == self.best:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_AGREEMENT and row.proposal is not None:
            return _against(result, self.baseline)
        if role == Qt.ItemDataRole.ToolTipRole and result is not None and result.failed:
            return f"The model gave no value for {result.failed} of the held-out units: counted as missing."
        return None


def _against(result: HeldOutResult | None, baseline: float | None) -> QColor | None:
    """Green when the proposal did better than the current prompt on the held-out units, red when worse."""
    if result is None or result.reliability is None or baseline is None or result.reliability == baseline:
        return None
    return BETTER if result.reliability > baseline else WORSE


def _figure(result: HeldOutResult | None) -> str:
    return "not tested" if result is None else result.figure
