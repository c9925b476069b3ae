"""The codebook as a read-only table: one row per variable, in codebook order."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import IfUncertain
from coderai_desktop.formatting import shorten

COL_NAME, COL_LABEL, COL_TYPE, COL_THRESHOLD, COL_UNCERTAIN, COL_MULTIPLE, COL_INSTRUCTIONS = range(7)
HEADERS = ("Name", "Label", "Type", "Threshold", "If uncertain", "Several values", "Instructions")
ROLE_VARIABLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


def policy(value: str) -> str:
    return value.replace("_", " ").capitalize()


class VariablesTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._variables: list[VariableSpec] = []

    def set_variables(self, variables: list[VariableSpec]) -> None:
        self.beginResetModel()
        self._variables = list(variables)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._variables)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._variables):
            return None
        variable = self._variables[index.row()]
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
