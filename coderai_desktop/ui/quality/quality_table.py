"""The Quality page's table: one row per variable, sortable by any column (sorted here, in the model)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from coderai_desktop.domain.agreement import Verdict
from coderai_desktop.domain.quality import VariableQuality
from coderai_desktop.ui.widgets.tables import Index, ListTableModel

(
    COL_VARIABLE,
    COL_REVIEWED,
    COL_AGREEMENT,
    COL_INTERVAL,
    COL_VERDICT,
    COL_CORRECTIONS,
    COL_FLAGGED,
    COL_CONFIDENCE,
    COL_PROMPT,
) = range(9)
VERDICT_COLOURS = {
    Verdict.READY: QColor("#1e7b34"),
    Verdict.TENTATIVE: QColor("#9a6700"),
    Verdict.NEEDS_WORK: QColor("#b3261e"),
}
OUTDATED_COLOUR = QColor("#9a6700")  # the prompt changed since the values shown were coded
VERDICT_ORDER = [Verdict.NEEDS_WORK, Verdict.TENTATIVE, Verdict.TOO_FEW, Verdict.NOT_MEASURED, Verdict.READY]
LOWEST = -2.0  # sorts "no figure" below every figure


def _reliability(item: VariableQuality) -> float | None:
    basis = item.agreement.basis
    return basis.reliability if basis is not None else None


SORT_KEYS: dict[int, Callable[[VariableQuality], Any]] = {
    COL_VARIABLE: lambda item: item.label.casefold(),
    COL_REVIEWED: lambda item: item.reviewed,
    COL_AGREEMENT: lambda item: _or_lowest(_reliability(item)),
    COL_INTERVAL: lambda item: _or_lowest(_interval_width(item)),
    COL_VERDICT: lambda item: VERDICT_ORDER.index(item.agreement.verdict),
    COL_CORRECTIONS: lambda item: item.errors,
    COL_FLAGGED: lambda item: _or_lowest(item.flagged_share),
    COL_CONFIDENCE: lambda item: _or_lowest(item.mean_confidence),
    COL_PROMPT: lambda item: item.prompt_version or "",
}


class QualityModel(ListTableModel[VariableQuality]):
    headers = (
        "Variable",
        "Reviewed",
        "Agreement",
        "95% interval",
        "Verdict",
        "Corrections",
        "To review",
        "Confidence",
        "Prompt",
    )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index)
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _texts(item)[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_VERDICT:
            return VERDICT_COLOURS.get(item.agreement.verdict)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_PROMPT and item.outdated:
            return OUTDATED_COLOUR
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (
            COL_VARIABLE,
            COL_VERDICT,
            COL_PROMPT,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(item, column)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(column)
        if key is None:
            return
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()

    def row_of(self, name: str) -> int | None:
        return next((row for row, item in enumerate(self._rows) if item.name == name), None)


COLUMN_TIPS = {
    COL_FLAGGED: "Share of its values the pipeline sends to review: flagged, or below the confidence threshold.",
    COL_CONFIDENCE: "Mean confidence the model stated for its values.",
    COL_PROMPT: "The prompt version that codes it now.",
}


def _tooltip(item: VariableQuality, column: int) -> str | None:
    basis = item.agreement.basis
    if column == COL_VARIABLE:
        return f"{item.name} ({item.type})"
    if column == COL_CORRECTIONS and item.ready_to_refine:
        return "Enough corrections to learn from: refine its prompt."
    if column in (COL_AGREEMENT, COL_VERDICT) and basis is not None:
        return f"{basis.label}, {basis.n} units"
    if column == COL_PROMPT and item.outdated:
        return f"{item.outdated} of its values were coded by an older prompt: run the sample again."
    return COLUMN_TIPS.get(column)


def _texts(item: VariableQuality) -> tuple[str, ...]:
    basis = item.agreement.basis
    figure = "—"
    if basis is not None and basis.reliability is not None:
        figure = f"{basis.reliability_name} {basis.reliability:.2f}"
    interval = basis.reliability_ci if basis is not None else None
    return (
        item.label,
        f"{item.reviewed:,}",
        figure,
        str(interval) if interval is not None else "—",
        str(item.agreement.verdict),
        f"{item.errors:,}" + (" · refine" if item.ready_to_refine else ""),
        _percent(item.flagged_share),
        "—" if item.mean_confidence is None else f"{item.mean_confidence:.2f}",
        item.prompt_version or "—",
    )


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def _interval_width(item: VariableQuality) -> float | None:
    basis = item.agreement.basis
    interval = basis.reliability_ci if basis is not None else None
    return None if interval is None else -(interval.high - interval.low)  # narrower is better


def _or_lowest(value: float | None) -> float:
    return LOWEST if value is None else value
