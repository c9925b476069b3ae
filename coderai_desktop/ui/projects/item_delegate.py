"""Paints a project as two lines: its name, and its status and size in grey; both elided to fit."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from coderai_desktop.ui.projects.list_model import ROLE_SUMMARY, describe

PADDING = 8
SELECTED = QColor("#d6e4ef")
HOVERED = QColor("#e6eef4")
NAME_COLOUR = QColor("#1d2b36")
DETAIL_COLOUR = QColor("#5b6b78")


class ProjectItemDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(option.rect.width(), 2 * line + 2 * PADDING)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        project = index.data(ROLE_SUMMARY)
        if project is None:
            return
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, SELECTED)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(option.rect, HOVERED)
        area = option.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        line = QFontMetrics(option.font).height()
        bold = QFont(option.font)
        bold.setBold(True)
        self._draw(painter, bold, NAME_COLOUR, QRect(area.x(), area.y(), area.width(), line), project.name)
        detail_rect = QRect(area.x(), area.y() + line, area.width(), line)
        self._draw(painter, option.font, DETAIL_COLOUR, detail_rect, describe(project))
        painter.restore()

    @staticmethod
    def _draw(painter: QPainter, font: QFont, colour: QColor, rect: QRect, text: str) -> None:
        painter.setFont(font)
        painter.setPen(colour)
        elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), elided)
