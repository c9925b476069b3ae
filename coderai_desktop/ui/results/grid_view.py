"""The results grid: a spreadsheet-like table whose document column stays put while the variables scroll
(Qt's "Frozen Column" example: a second view over the same model and selection, laid on the first column),
with fixed row heights and the keys a reviewer expects."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from coderai_desktop.ui.results.edits import Range
from coderai_desktop.ui.widgets.tables import ROW_HEIGHT

COLUMN_WIDTH = 160
DOCUMENT_WIDTH = 220
Index = QModelIndex | QPersistentModelIndex
Key = Qt.Key
NO_MODIFIER = Qt.KeyboardModifier.NoModifier
EDIT_KEYS = (Key.Key_Return, Key.Key_Enter)
CLEAR_KEYS = (Key.Key_Delete, Key.Key_Backspace)


class ResultsGrid(QTableView):
    sig_confirm_requested = Signal()
    """Space: mark the selected values correct."""

    sig_clear_requested = Signal()
    """Delete or Backspace: clear the reviews of the selected values."""

    sig_copy_requested = Signal()
    """Ctrl+C: copy the selected block as tab-separated text (the page loads what is not loaded yet)."""

    sig_paste_requested = Signal(str)
    """Ctrl+V: the clipboard's text, to paste from the selection's top-left cell."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._widths: dict[str, int] = {}  # by header text: what the researcher set survives a reset
        self.frozen = QTableView(self)
        self._setup(self)
        self._setup(self.frozen)
        triggers = QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.horizontalHeader().setDefaultSectionSize(COLUMN_WIDTH)
        self.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)

        frozen = self.frozen
        frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        frozen.setEditTriggers(triggers.NoEditTriggers)
        frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setFrameShape(QTableView.Shape.NoFrame)
        frozen.horizontalHeader().sectionResized.connect(self._frozen_section_resized)
        frozen.horizontalHeader().setSortIndicatorShown(True)
        frozen.horizontalHeader().setSectionsClickable(True)
        frozen.horizontalHeader().sectionClicked.connect(self._frozen_header_clicked)
        self.viewport().stackUnder(frozen)
        frozen.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator_changed)
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(frozen.verticalScrollBar().setValue)
        # After a reset one view may learn its new height after the other has scrolled.
        for bar in (self.verticalScrollBar(), frozen.verticalScrollBar()):
            bar.rangeChanged.connect(self._align_rows)
        frozen.show()

    @staticmethod
    def _setup(view: QTableView) -> None:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.setWordWrap(False)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = view.verticalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(ROW_HEIGHT)
        header.hide()
        view.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        view.horizontalHeader().setHighlightSections(False)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        if model is not None:
            model.modelReset.connect(self._columns_changed)
            model.columnsInserted.connect(self._columns_changed)
        self._columns_changed()

    # -- selection ----------------------------------------------------------------------------------------

    def selected_ranges(self) -> list[Range]:
        """The selection as blocks (top, bottom, left, right); the current cell when nothing is selected."""
        selection = self.selectionModel().selection() if self.model() is not None else QItemSelection()
        blocks = (selection.at(number) for number in range(selection.size()))
        ranges = [(b.top(), b.bottom(), b.left(), b.right()) for b in blocks if b.isValid()]
        current = self.currentIndex()
        if not ranges and current.isValid():
            ranges = [(current.row(), current.row(), current.column(), current.column())]
        return ranges

    def select_cell(self, row: int, column: int) -> None:
        """Make a cell the current and only selected one, and bring it into view."""
        model = self.model()
        if model is None:
            return
        index = model.index(row, column)
        flags = self.selectionModel().SelectionFlag
        self.selectionModel().setCurrentIndex(index, flags.ClearAndSelect)
        self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def reset_sort(self) -> None:
        """Show the document order in the headers without asking the model to sort."""
        for header in (self.horizontalHeader(), self.frozen.horizontalHeader()):
            header.blockSignals(True)
            header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
            header.viewport().update()

    # -- keys ---------------------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Claim the keys the grid handles before a window-wide shortcut takes them.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self.state() != QAbstractItemView.State.EditingState
            and self._own_key(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() == QAbstractItemView.State.EditingState or not self._own_key(event):
            super().keyPressEvent(event)
            return
        event.accept()
        key = event.key()
        if event.matches(QKeySequence.StandardKey.Copy):
            self.sig_copy_requested.emit()
        elif event.matches(QKeySequence.StandardKey.Paste):
            text = QGuiApplication.clipboard().text()
            if text:
                self.sig_paste_requested.emit(text)
        elif key == Key.Key_Space:
            self.sig_confirm_requested.emit()
        elif key in CLEAR_KEYS:
            self.sig_clear_requested.emit()
        elif key in EDIT_KEYS:
            current = self.currentIndex()
            if current.isValid():
                self.edit(current, QAbstractItemView.EditTrigger.EditKeyPressed, event)

    @staticmethod
    def _own_key(event: QKeyEvent) -> bool:
        if event.matches(QKeySequence.StandardKey.Copy) or event.matches(QKeySequence.StandardKey.Paste):
            return True
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return modifiers == NO_MODIFIER and event.key() in (Key.Key_Space, *CLEAR_KEYS, *EDIT_KEYS)

    # -- the frozen column --------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_frozen()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        self._place_frozen()

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        current = super().moveCursor(cursorAction, modifiers)
        self._uncover(current)
        return current

    def scrollTo(
        self, index: Index, hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible
    ) -> None:
        if index.column() == 0:  # always in view horizontally: scroll the rows only
            value = self.horizontalScrollBar().value()
            super().scrollTo(index, hint)
            self.horizontalScrollBar().setValue(value)
            return
        super().scrollTo(index, hint)
        self._uncover(index)

    def _uncover(self, index: Index) -> None:
        """Scroll right of the frozen column a cell that went under it."""
        if index.isValid() and index.column() > 0:
            left = self.visualRect(self.model().index(index.row(), index.column())).left()
            if left < self.frozen.columnWidth(0):
                bar = self.horizontalScrollBar()
                bar.setValue(bar.value() + left - self.frozen.columnWidth(0))

    def _place_frozen(self) -> None:
        frame = self.frameWidth()
        header = self.verticalHeader()
        self.frozen.setGeometry(
            frame + (header.width() if header.isVisible() else 0),
            frame,
            self.columnWidth(0),
            self.viewport().height() + self.horizontalHeader().height(),
        )

    def _columns_changed(self) -> None:
        model = self.model()
        columns = model.columnCount() if model is not None else 0
        for column in range(columns):
            text = str(model.headerData(column, Qt.Orientation.Horizontal)) if model is not None else ""
            default = DOCUMENT_WIDTH if column == 0 else COLUMN_WIDTH
            self.setColumnWidth(column, self._widths.get(text, default))
            self.frozen.setColumnHidden(column, column != 0)
        if columns:
            self.frozen.setColumnWidth(0, self.columnWidth(0))
        self._place_frozen()

    def _section_resized(self, column: int, _old: int, size: int) -> None:
        model = self.model()
        if model is not None:
            self._widths[str(model.headerData(column, Qt.Orientation.Horizontal))] = size
        if column == 0:
            self.frozen.setColumnWidth(0, size)
            self._place_frozen()

    def _align_rows(self) -> None:
        self.frozen.verticalScrollBar().setValue(self.verticalScrollBar().value())

    def _sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        self.frozen.horizontalHeader().setSortIndicator(column, order)

    def _frozen_section_resized(self, column: int, _old: int, size: int) -> None:
        """The document column is widened by its frozen header, the one the researcher can reach."""
        if column == 0 and size != self.columnWidth(0):
            self.setColumnWidth(0, size)

    def _frozen_header_clicked(self, column: int) -> None:
        """A click on the frozen header sorts as a click on the main one would."""
        header = self.horizontalHeader()
        order = Qt.SortOrder.AscendingOrder
        if header.sortIndicatorSection() == column and header.sortIndicatorOrder() == order:
            order = Qt.SortOrder.DescendingOrder
        header.setSortIndicator(column, order)
