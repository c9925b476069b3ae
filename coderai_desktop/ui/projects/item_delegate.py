"""Paints a project as two lines: its name, and its status and size (or its owner and my access) in grey;
both elided to fit. A section title is one line of small grey capitals with space above it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from coderai_desktop.ui.projects.list_model import ROLE_ENTRY, ROLE_SECTION, describe

PADDING = 8
SECTION_GAP = 14  # above a section title: it separates, it does not belong to the row above
SELECTED = QColor("#d6e4ef")
HOVERED = QColor("#e6eef4")
NAME_COLOUR = QColor("#1d2b36")
DETAIL_COLOUR = QColor("#5b6b78")

Index = QModelIndex | QPersistentModelIndex


class ProjectItemDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        line = QFontMetrics(option.font).height()
        if index.data(ROLE_SECTION) is not None:
            return QSize(option.rect.width(), SECTION_GAP + line + PADDING // 2)
        return QSize(option.rect.width(), 2 * line + 2 * PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        line = QFontMetrics(option.font).height()
        if (section := index.data(ROLE_SECTION)) is not None:
            # As the sidebar's own title (QLabel#sectionTitle): bold grey.
            bold = QFont(option.font)
            bold.setBold(True)
            area = option.rect.adjusted(0, SECTION_GAP, -PADDING, 0)  # in line with the title above the list
            self._draw(painter, bold, DETAIL_COLOUR, QRect(area.x(), area.y(), area.width(), line), section)
            painter.restore()
            return
        entry = index.data(ROLE_ENTRY)
        if entry is None:
            painter.restore()
            return
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, SELECTED)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(option.rect, HOVERED)
        area = option.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        bold = QFont(option.font)
        bold.setBold(True)
        name_rect = QRect(area.x(), area.y(), area.width(), line)
        self._draw(painter, bold, NAME_COLOUR, name_rect, entry.summary.name)
        detail_rect = QRect(area.x(), area.y() + line, area.width(), line)
        self._draw(painter, option.font, DETAIL_COLOUR, detail_rect, describe(entry))
        painter.restore()

    @staticmethod
    def _draw(painter: QPainter, font: QFont, colour: QColor, rect: QRect, text: str) -> None:
        painter.setFont(font)
        painter.setPen(colour)
        elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), elided)
