"""The codebook as a read-only table: one row per variable, in codebook order."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import IfUncertain
from coderai_desktop.formatting import shorten
from coderai_desktop.ui.widgets.tables import Index, ListTableModel

COL_NAME, COL_LABEL, COL_TYPE, COL_THRESHOLD, COL_UNCERTAIN, COL_MULTIPLE, COL_INSTRUCTIONS = range(7)
HEADERS = ("Name", "Label", "Type", "Threshold", "If uncertain", "Several values", "Instructions")
ROLE_VARIABLE = Qt.ItemDataRole.UserRole + 1


def policy(value: str) -> str:
    return value.replace("_", " ").capitalize()


class VariablesTableModel(ListTableModel[VariableSpec]):
    headers = HEADERS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        variable = self.item(index)
        if variable is None:
            return None
        if role == ROLE_VARIABLE:
            return variable
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == COL_INSTRUCTIONS:
            return variable.instructions
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == COL_THRESHOLD:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == COL_NAME:
            return variable.name
        if column == COL_LABEL:
            return variable.label
        if column == COL_TYPE:
            return policy(variable.type)
        if column == COL_THRESHOLD:
            return f"{variable.confidence_threshold:.2f}"
        if column == COL_UNCERTAIN:
            return (
                "Leave empty" if variable.if_uncertain is IfUncertain.NULL else policy(variable.if_uncertain)
            )
        if column == COL_MULTIPLE:
            return policy(variable.if_multiple_values)
        return shorten(variable.instructions, 120)
