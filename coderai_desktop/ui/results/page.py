"""The Results page: the project's dataset as a grid to review (filters, sort, lazy pages, edits that can be
undone, blind coding), with the passage behind the selected value beside it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from coderai_desktop.domain.dataset import Cell, UnitKey, UnitQuery, ValueEvidence
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.review.queue import QueueItem
from coderai_desktop.review.results import GridInfo, ResultsService, UnitList
from coderai_desktop.review.service import Coder
from coderai_desktop.ui.results.delegate import CellDelegate
from coderai_desktop.ui.results.editing import ResultsEditing
from coderai_desktop.ui.results.evidence_panel import EvidencePanel
from coderai_desktop.ui.results.filter_bar import NEXT_SHORTCUT, FilterBar
from coderai_desktop.ui.results.grid_model import PAGE_SIZE, ResultsModel
from coderai_desktop.ui.results.grid_view import ResultsGrid
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.empty_state import EmptyState
from coderai_desktop.ui.widgets.read_only import ReadOnlyLock

PANEL_WIDTH = 380
Fetched = tuple[dict[UnitKey, dict[str, Cell]], dict[UnitKey, dict[str, Any]] | None]
Opened = tuple[GridInfo, list[str], UnitList]  # the grid, the logins of its coders, the units
Coders = Callable[[int], Awaitable[list[Coder]]]


class ResultsPage(QWidget):
    sig_message = Signal(str)
    """A short confirmation or problem for the status bar."""

    sig_values_changed = Signal()
    """Reviews or codings were written or undone."""

    def __init__(
        self,
        service: ResultsService,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        coders: Coders | None = None,
    ):
        super().__init__(parent)
        self._service = service
        self._coders = coders  # who reviewed or coded a project: the filter bar offers their reviews alone
        self._runner = runner
        self._project_id: int | None = None
        self._info: GridInfo | None = None
        self._sort: tuple[str | None, bool] = (None, False)
        self._target: QueueItem | None = None  # next to review, found once the units are shown again
        self._visited: dict[int, set[int]] = {}  # project id -> values "next to review" went to
        self._evidence_for: int | None = None
        self._read_only: str | None = None  # why the values cannot be reviewed here (a viewer's page)

        self.filter_bar = FilterBar()
        self.model = ResultsModel()
        self.grid = ResultsGrid()
        self.grid.setModel(self.model)
        self.delegate = CellDelegate(self.grid)
        self.grid.setItemDelegate(self.delegate)
        self.panel = EvidencePanel()
        self.editing = ResultsEditing(service, runner, self.model, self.grid, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([900, PANEL_WIDTH])
        self.empty = EmptyState("Nothing to review yet", "No values yet: run a sample on the Run page.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.splitter)
        self.status_label = QLabel()
        self.status_label.setObjectName("hint")
        self.status_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.stack, stretch=1)
        layout.addWidget(self.status_label)

        self.undo_action, self.redo_action = self.editing.add_undo_actions(self)
        self._shortcut("Find", QKeySequence(QKeySequence.StandardKey.Find), self.filter_bar.focus_search)
        self._shortcut("Next to review", NEXT_SHORTCUT, self.next_to_review)
        self.model.sig_page_needed.connect(self._fetch_page)
        self.model.dataChanged.connect(self._values_arrived)
        self.model.sig_sort_requested.connect(self._sort_requested)
        self.grid.selectionModel().currentChanged.connect(self._current_changed)
        self.grid.sig_confirm_requested.connect(lambda: self._unless_read_only(self.editing.confirm_selected))
        self.grid.sig_clear_requested.connect(lambda: self._unless_read_only(self.editing.clear_selected))
        self.grid.sig_copy_requested.connect(self.editing.copy_selected)
        self.grid.sig_paste_requested.connect(
            lambda text: self._unless_read_only(lambda: self.editing.paste(text))
        )
        self.filter_bar.sig_query_changed.connect(lambda _query: self.reload())
        self.filter_bar.sig_next_requested.connect(self.next_to_review)
        self.filter_bar.sig_confirm_requested.connect(self.editing.confirm_selected)
        self.filter_bar.sig_clear_requested.connect(self.editing.clear_selected)
        self.filter_bar.sig_blind_toggled.connect(self.set_blind)
        self.panel.sig_page_requested.connect(self._fetch_page_image)
        self.delegate.sig_problem.connect(self._say)
        self.editing.sig_message.connect(self._say)
        self.editing.sig_values_changed.connect(self.sig_values_changed)
        self.set_project(None)

    # -- project and units ------------------------------------------------------------------------------

    def show_project(self, project: ProjectSummary) -> None:
        """As the other pages: show a project (a refreshed summary of the same one changes nothing)."""
        self.set_project(project)

    def set_project(self, project: ProjectSummary | None) -> None:
        if project is not None and project.id == self._project_id:
            return
        self._project_id = None if project is None else project.id
        self._info, self._target = None, None
        self.editing.set_project(self._project_id)
        self.model.set_blind(False)
        self.filter_bar.set_blind(False)
        self.panel.setVisible(True)
        self.panel.show_evidence(None)
        self.grid.reset_sort()
        self._sort = (None, False)
        self.model.set_columns([], False)
        self.model.set_units([])
        self.filter_bar.set_variables([])
        self.filter_bar.coder_choice.reset()
        self.filter_bar.set_counts(0, 0)
        self.filter_bar.setEnabled(project is not None)
        self.stack.setCurrentIndex(0)
        if project is not None:
            self.refresh()

    def refresh(self) -> None:
        """Read the project's variables and units again (values come in while a run goes on)."""
        project_id = self._project_id
        if project_id is None:
            return
        query = self.query()

        window, coder = self._window(), self.filter_bar.coder()

        async def load() -> Opened:
            info = await self._service.open(project_id)
            coders = [c.login for c in await self._coders(project_id)] if self._coders is not None else []
            coder_known = (
                coder if coder in coders else None
            )  # one whose reviews were all taken back: everyone
            units = await self._service.units(project_id, query, window=window, coder=coder_known)
            return info, coders, units

        self._runner.run(
            load(),
            on_success=self._opened,
            error_title="The results cannot be shown",
            parent=self,
            name="results-load",
        )

    def query(self) -> UnitQuery:
        sort_by, descending = self._sort
        return replace(self.filter_bar.query(), sort_by=sort_by, descending=descending)

    def reload(self) -> None:
        """The units again, in the order and under the filter chosen now."""
        if self._project_id is None:
            return
        self._runner.run(
            self._service.units(
                self._project_id, self.query(), window=self._window(), coder=self.filter_bar.coder()
            ),
            on_success=self._show_units,
            error_title="The results cannot be listed",
            parent=self,
            name="results-units",
        )

    def _window(self) -> int:
        """The units whose cells come with the list: the first page (in blind mode pages bring codings)."""
        return 0 if self.model.blind else PAGE_SIZE

    def _opened(self, loaded: Opened) -> None:
        info, coders, units = loaded
        self.filter_bar.coder_choice.set_coders(coders)
        if (
            self._info is None
            or self._info.variables != info.variables
            or self._info.per_entity != info.per_entity
        ):
            self.model.set_columns(info.variables, info.per_entity)
            self.filter_bar.set_variables(info.variables)
            self.panel.set_variables(info.variables)
        self._info = info
        self.stack.setCurrentIndex(1 if units.total else 0)
        self._show_units(units)

    def _show_units(self, units: UnitList) -> None:
        current = self.grid.currentIndex()
        keep = (self.model.unit(current.row()).key, current.column()) if current.isValid() else None
        self.model.set_units(units.rows)
        if units.first:
            self.model.set_page(0, units.first)
        self.filter_bar.set_counts(len(units.rows), units.total)
        target, self._target = self._target, None
        if target is not None:
            self._go_to(target, again=False)
        elif keep is not None and (row := self.model.row_of(keep[0])) is not None:
            self.grid.select_cell(row, keep[1])
        else:
            self._show_evidence()

    def _sort_requested(self, sort_by: str | None, descending: bool) -> None:
        if (sort_by, descending) != self._sort:
            self._sort = (sort_by, descending)
            self.reload()

    def _fetch_page(self, page: int) -> None:
        project_id, keys = self._project_id, self.model.page_keys(page)
        if project_id is None or not keys:
            return
        generation, blind, coder = self.model.generation, self.model.blind, self.filter_bar.coder()

        async def fetch() -> Fetched:
            cells = await self._service.cells(project_id, keys, coder=coder)
            return cells, (await self._service.codings(project_id, keys) if blind else None)

        def fetched(result: Fetched) -> None:
            if self.model.generation == generation:
                self.model.set_page(page, *result)

        def failed(error: BaseException) -> None:
            self.model.page_failed(page)
            self._runner.report_failure(self, "The values cannot be loaded", error)

        self._runner.run(fetch(), on_success=fetched, on_failure=failed, name=f"results-page-{page}")

    # -- evidence -----------------------------------------------------------------------------------------

    def _values_arrived(self, top: QModelIndex, bottom: QModelIndex) -> None:
        """The current value arrived (its page), or changed (an edit): show its evidence as it is now."""
        current = self.grid.currentIndex()
        if current.isValid() and top.row() <= current.row() <= bottom.row():
            self._show_evidence()

    def _current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_evidence()

    def _show_evidence(self) -> None:
        if self.model.blind:
            return
        current = self.grid.currentIndex()
        cell = self.model.cell(current.row(), current.column()) if current.isValid() else None
        self._evidence_for = None if cell is None else cell.extraction_id
        if cell is None:
            self.panel.show_evidence(None)
            return
        extraction_id = cell.extraction_id

        def show(evidence: ValueEvidence) -> None:
            if self._evidence_for == extraction_id:  # not moved on meanwhile (to a cell without a value)
                self.panel.show_evidence(evidence)

        self._runner.run(
            self._service.evidence(extraction_id),
            on_success=show,
            error_title="The evidence cannot be shown",
            parent=self,
            name="results-evidence",
        )

    def _fetch_page_image(self, extraction_id: int) -> None:
        self._runner.run(
            self._service.page_image(extraction_id),
            on_success=lambda png: self.panel.show_page_image(extraction_id, png),
            on_failure=lambda error: self.panel.show_page_problem(
                f"The page cannot be shown: {error}", extraction_id
            ),
            name="results-page-image",
        )

    # -- next to review, blind coding ----------------------------------------------------------------------

    def next_to_review(self) -> None:
        project_id = self._project_id
        if project_id is None:
            return
        skip = sorted(self.editing.reviewed(project_id) | self._visited.setdefault(project_id, set()))
        self._runner.run(
            self._service.next_to_review(project_id, variable=self.filter_bar.query().variable, skip=skip),
            on_success=self._go_to,
            error_title="The next value to review cannot be found",
            parent=self,
            name="results-next",
        )

    def _go_to(self, item: QueueItem | None, again: bool = True) -> None:
        if item is None:
            self._say("Nothing left to review.")
            return
        if self._project_id is not None:
            self._visited.setdefault(self._project_id, set()).add(item.extraction_id)
        row = self.model.row_of((item.document_id, item.entity_index))
        column = self.model.column_of(item.variable)
        if row is None and again and self.filter_bar.filtered:
            self._target = item  # shown under no filter: selected once the units are back
            self.filter_bar.show_all()
            return
        if row is None or column is None:
            self._say(f"The next value to review ({item.document}, {item.variable}) is not in the grid.")
            return
        self.grid.select_cell(row, column)
        self.grid.setFocus()
        reasons = f" ({', '.join(item.reasons)})" if item.reasons else ""
        self._say(f"Next to review: {item.document}, {item.variable}{reasons}.")

    def set_blind(self, blind: bool) -> None:
        """Blind coding: the AI's values, states and evidence are hidden; typing records one's own coding."""
        self.filter_bar.set_blind(blind)
        self.model.set_blind(blind)
        self.panel.setVisible(not blind)
        if blind and self._sort[0] is not None:
            self.grid.reset_sort()
            self._sort = (None, False)
            self.reload()
        if blind:
            self._say(
                "Blind coding: the AI's values are hidden; what you type is recorded as your own coding."
            )
        else:
            self._show_evidence()

    # -- a viewer's page -------------------------------------------------------------------------------------

    def set_read_only(self, reason: str) -> None:
        """Values, evidence, filters and copying; no review, correction or coding of one's own."""
        self._read_only = reason
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.filter_bar.set_read_only(reason)
        ReadOnlyLock(reason, self).hold(self.undo_action, self.redo_action)

    def _unless_read_only(self, edit: Callable[[], None]) -> None:
        if self._read_only is not None:
            self._say(self._read_only)
        else:
            edit()

    # -- helpers --------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._info is not None:
            self.refresh()  # values a run added meanwhile

    def _say(self, message: str) -> None:
        self.status_label.setText(message)
        self.sig_message.emit(message)

    def _shortcut(self, text: str, keys: QKeySequence, slot: Any) -> None:
        action = QAction(text, self)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
