"""The rows of the Overview's path: one per stage, a marker on a line that joins them (✓ done, ● current,
○ to do, ! attention), the stage's title and numbers, and the button of the next step."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from coderai_desktop.domain.project_path import Stage, StageState

MARKER_WIDTH = 28
CIRCLE = 18  # the marker's diameter
CIRCLE_TOP = 12  # from the row's top: level with the title's text
COLORS = {
    StageState.DONE: QColor("#2e7d4f"),
    StageState.CURRENT: QColor("#1f5f8b"),
    StageState.TODO: QColor("#9aa7b1"),
    StageState.ATTENTION: QColor("#b86e00"),
}
LINE = QColor("#d5dde3")
# For screen readers and tooltips: what the marker's shape says.
STATE_WORDS = {
    StageState.DONE: "Done",
    StageState.CURRENT: "Next step",
    StageState.TODO: "To do",
    StageState.ATTENTION: "Needs attention",
}


class StageMarker(QWidget):
    """The stage's state as a drawn circle, on the line that joins the stages."""

    def __init__(self, first: bool, last: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = StageState.TODO
        self._first, self._last = first, last
        self.setFixedWidth(MARKER_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(MARKER_WIDTH, CIRCLE_TOP + CIRCLE + 8)

    def set_state(self, state: StageState) -> None:
        self.state = state
        self.setToolTip(STATE_WORDS[state])
        self.setAccessibleName(STATE_WORDS[state])
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        centre = self.width() / 2
        circle = QRectF(centre - CIRCLE / 2, CIRCLE_TOP, CIRCLE, CIRCLE)
        painter.setPen(QPen(LINE, 2))
        if not self._first:
            painter.drawLine(QPointF(centre, 0), QPointF(centre, circle.top() - 3))
        if not self._last:
            painter.drawLine(QPointF(centre, circle.bottom() + 3), QPointF(centre, self.height()))
        color = COLORS[self.state]
        if self.state is StageState.TODO:
            painter.setPen(QPen(color, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(circle.adjusted(1, 1, -1, -1))
        elif self.state is StageState.CURRENT:
            painter.setPen(QPen(color, 2))
            painter.setBrush(QColor("white"))
            painter.drawEllipse(circle.adjusted(1, 1, -1, -1))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawEllipse(circle.adjusted(5, 5, -5, -5))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawEllipse(circle)
            painter.setPen(QPen(QColor("white"), 2.2))
            if self.state is StageState.DONE:
                left = circle.left()
                top = circle.top()
                painter.drawPolyline(
                    [
                        QPointF(left + 5, top + 9.5),
                        QPointF(left + 8, top + 12.5),
                        QPointF(left + 13.5, top + 6),
                    ]
                )
            else:  # attention: an exclamation mark
                font = QFont(self.font())
                font.setBold(True)
                font.setPixelSize(13)
                painter.setFont(font)
                painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, "!")
        painter.end()


class StageRow(QFrame):
    sig_go_to = Signal(str)
    """The row's button was clicked: the name of the page that takes the stage further."""

    def __init__(self, first: bool, last: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("stageRow")
        self.stage: Stage | None = None
        self.marker = StageMarker(first, last)
        self.title_label = QLabel()
        self.title_label.setObjectName("stageTitle")
        self.detail_label = QLabel()
        self.detail_label.setObjectName("stageDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton()
        self.button.setObjectName("primary")
        self.button.clicked.connect(self._go)
        self.button.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 0, 12, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.marker, 0, 0, 3, 1)
        grid.setRowMinimumHeight(0, 8)
        grid.addWidget(self.title_label, 1, 1)
        grid.addWidget(self.detail_label, 2, 1)
        grid.setRowMinimumHeight(3, 10)
        grid.addWidget(self.button, 1, 2, 2, 1, Qt.AlignmentFlag.AlignVCenter)
        grid.setColumnStretch(1, 1)

    def set_stage(self, stage: Stage, is_next: bool) -> None:
        self.stage = stage
        self.marker.set_state(stage.state)
        self.title_label.setText(stage.title)
        self.detail_label.setText(stage.detail)
        self.button.setText(stage.button)
        self.button.setVisible(is_next)
        self.setProperty("current", is_next)
        self.title_label.setProperty("state", stage.state.value)
        for widget in (self, self.title_label):  # the style sheet picks by these properties
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.setAccessibleName(f"{stage.title}: {STATE_WORDS[stage.state]}. {stage.detail}")

    def _go(self) -> None:
        if self.stage is not None:
            self.sig_go_to.emit(self.stage.page)
