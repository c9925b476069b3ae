"""The Quality page: whether each variable is coded reliably enough for the full corpus (agreement with its
interval, the verdict at the project's level, corrections, what goes to review, confidence, prompt version),
the charts behind it, and prompt refinement where corrections have piled up. Everything is computed off the
GUI thread (the report by the review service, the figures on a worker thread) and read again when the page
is shown after reviews changed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.domain.quality import QualityReport, VariableQuality
from coderai_desktop.domain.refinement import RefinementInfo
from coderai_desktop.ui.quality.quality_table import COL_VARIABLE, QualityModel
from coderai_desktop.ui.quality.refine_dialog import RefinementDialog
from coderai_desktop.ui.quality.refinement_history import history_html
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.banner import Banner
from coderai_desktop.ui.widgets.coder_choice import CoderChoice
from coderai_desktop.ui.widgets.read_only import ReadOnlyLock
from coderai_desktop.ui.widgets.tables import read_only_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coderai_desktop.pipeline.refinement import RefinementService
    from coderai_desktop.review.service import ReviewService
    from coderai_desktop.ui.quality.chart_view import ChartView
    from coderai_desktop.ui.quality.figures import VariableFigures

TABS = ("Accuracy by confidence", "Values", "AI against you", "Refinements")
CALIBRATION_TAB, VALUES_TAB, CONFUSION_TAB, HISTORY_TAB = range(4)


@dataclass(frozen=True)
class _Loaded:
    project_id: int
    coders: list[str]  # the logins of those who reviewed or coded it
    report: QualityReport
    overview: Figure


@dataclass(frozen=True)
class _Selected:
    figures: VariableFigures | None
    history: list[RefinementInfo]


class QualityPage(QWidget):
    sig_message = Signal(str)
    """A line for the status bar."""

    sig_codebook_changed = Signal()
    """A refinement changed a variable's definition (the Codebook page should read it again)."""

    sig_go_to = Signal(str)
    """The name of the page a button leads to ('run')."""

    def __init__(
        self,
        reviews: ReviewService,
        refinement: RefinementService,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._reviews = reviews
        self._refinement = refinement
        self._runner = runner
        self.project: ProjectSummary | None = None
        self.report: QualityReport | None = None
        self._stale = True
        self.charts: dict[str, ChartView] = {}

        title = QLabel("Quality")
        title.setObjectName("title")
        self.summary = QLabel("Reading the reviews…")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.coder_choice = CoderChoice()
        self.coder_choice.sig_changed.connect(lambda _coder: self.reload())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.reload)
        self.refine_after = QSpinBox()
        self.refine_after.setRange(1, 1000)
        self.refine_after.setSuffix(" corrections")
        self.refine_after.setMaximumWidth(150)
        self.refine_after.setToolTip("Offer to refine a variable's prompt once it has this many corrections.")
        self.refine_after.editingFinished.connect(self._save_refine_after)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch()
        header.addWidget(self.coder_choice)
        header.addSpacing(12)
        header.addWidget(QLabel("Offer refinement after"))
        header.addWidget(self.refine_after)
        header.addSpacing(12)
        header.addWidget(self.refresh_button)

        self.banner = Banner()
        self.banner_label, self.banner_button = self.banner.label, self.banner.button
        self._read_only = False

        self.model = QualityModel()
        self.table = read_only_table(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_VARIABLE, Qt.SortOrder.AscendingOrder)
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        columns.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._selection_changed)

        self.overview_box = QWidget()
        self.overview_layout = QVBoxLayout(self.overview_box)
        self.overview_layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tab_layouts: list[QVBoxLayout] = []
        for name in TABS:
            page = QWidget()
            self.tab_layouts.append(QVBoxLayout(page))
            self.tab_layouts[-1].setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(page, name)
        self.history = QTextBrowser()
        self.tab_layouts[HISTORY_TAB].addWidget(self.history)
        self.variable_label = QLabel()
        self.variable_label.setObjectName("sectionTitle")
        self.refine_button = QPushButton("Refine the prompt…")
        self.refine_button.clicked.connect(lambda: self.refine(self.selected()))
        variable_header = QHBoxLayout()
        variable_header.addWidget(self.variable_label, stretch=1)
        variable_header.addWidget(self.refine_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(variable_header)
        right_layout.addWidget(self.tabs, stretch=1)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.overview_box)
        charts.addWidget(right)
        charts.setSizes([500, 600])
        vertical = QSplitter(Qt.Orientation.Vertical)
        vertical.addWidget(self.table)
        vertical.addWidget(charts)
        vertical.setStretchFactor(1, 1)
        vertical.setSizes([220, 420])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.summary)
        layout.addWidget(self.banner)
        layout.addWidget(vertical, stretch=1)
        self._show_variable(None, [])

    # --- loading ------------------------------------------------------------------------------------

    def show_project(self, project: ProjectSummary) -> None:
        changed = self.project is None or self.project.id != project.id
        self.project = project
        if changed:
            self.report = None
            self.coder_choice.reset()
            self.model.set_rows([])
            self.summary.setText("Reading the reviews…")
        self.mark_stale()

    def mark_stale(self) -> None:
        """Reviews or values changed: read again now if the page is shown, else when it is."""
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        if self.project is None:
            return
        self._stale = False
        self.refresh_button.setEnabled(False)
        project_id = self.project.id
        self._runner.run(
            self._load(project_id, self.coder_choice.coder()),
            on_success=self._loaded,
            on_ended=lambda _task: self.refresh_button.setEnabled(True),
            error_title="The quality of the coding cannot be shown",
            parent=self,
            name="quality-page",
        )

    async def _load(self, project_id: int, coder: str | None) -> _Loaded:
        coders = [coder.login for coder in await self._reviews.coders(project_id)]
        report = await self._reviews.quality(project_id, coder=coder if coder in coders else None)
        return _Loaded(project_id, coders, report, await asyncio.to_thread(_overview, report))

    def _loaded(self, loaded: _Loaded) -> None:
        project_id, report, overview = loaded.project_id, loaded.report, loaded.overview
        if self.project is None or self.project.id != project_id:
            return
        self.coder_choice.set_coders(loaded.coders)
        selected = self.selected()
        self.report = report
        self.summary.setText(report.agreement.summary())  # the banner offers the refinements
        self.refine_after.blockSignals(True)
        self.refine_after.setValue(report.refine_after_errors)
        self.refine_after.blockSignals(False)
        self.model.set_rows(list(report.variables))
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._chart("agreement", self.overview_layout, overview)
        ready = sorted(report.ready_to_refine, key=lambda item: -item.errors)  # the most corrected first
        self._show_banner(ready, [item for item in report.variables if item.outdated])
        row = self.model.row_of(selected or (ready[0].name if ready else ""))
        before = self.table.currentIndex()
        self.table.selectRow(row if row is not None else 0)
        if self.table.currentIndex() == before:  # no currentRowChanged to draw the charts
            self._selection_changed()

    def _show_banner(self, ready: list[VariableQuality], outdated: list[VariableQuality]) -> None:
        """Refining where corrections piled up comes first; then measuring prompts changed since coding.
        A viewer can do neither: no banner."""
        if self._read_only or not (ready or outdated):
            self.banner.hide()
        elif ready:
            first = ready[0]
            others = f" ({len(ready) - 1} other variables too)" if len(ready) > 1 else ""
            self.banner.say(
                f"{first.label} has {first.errors} corrections to learn from{others}: refine its prompt and "
                "test the revision on documents it was not refined on.",
                (f"Refine {first.name}…", lambda: self.refine(first.name)),
            )
        else:
            which = (
                f"The prompt of {' and '.join(item.label for item in outdated)}"
                if len(outdated) <= 2
                else f"The prompts of {len(outdated)} variables"
            )
            self.banner.say(
                f"{which} changed after the values shown were coded (refined or edited): run the sample again "
                "to measure them.",
                ("Open Run", lambda: self.sig_go_to.emit("run")),
            )

    def set_read_only(self, reason: str) -> None:
        """A viewer's page: the reviews and charts, but no refinement and no setting to change."""
        self._read_only = True
        self.banner.hide()
        ReadOnlyLock(reason, self).hold(self.refine_button, self.refine_after)

    def _save_refine_after(self) -> None:
        if self.project is None or self.report is None:
            return
        if self.refine_after.value() == self.report.refine_after_errors:
            return
        self._runner.run(
            self._reviews.set_targets(self.project.id, refine_after_errors=self.refine_after.value()),
            on_success=lambda _targets: self.reload(),
            error_title="The setting cannot be saved",
            parent=self,
        )

    # --- the selected variable ----------------------------------------------------------------------

    def selected(self) -> str | None:
        item = self.model.item(self.table.currentIndex())
        return item.name if item is not None else None

    def _selection_changed(self) -> None:
        name = self.selected()
        report, project = self.report, self.project
        if name is None or report is None or project is None:
            self._show_variable(None, [])
            return
        self._runner.run(
            self._load_variable(project.id, report, name),
            on_success=lambda selected: self._selected_loaded(name, selected),
            error_title="The charts cannot be shown",
            parent=self,
            name="quality-variable",
        )

    async def _load_variable(self, project_id: int, report: QualityReport, name: str) -> _Selected:
        figures = await asyncio.to_thread(_variable, report, name)
        return _Selected(figures, await self._refinement.history(project_id, name))

    def _selected_loaded(self, name: str, selected: _Selected) -> None:
        if name == self.selected():
            self._show_variable(selected.figures, selected.history)

    def _show_variable(self, figures: VariableFigures | None, history: list[RefinementInfo]) -> None:
        item = self.report.get(figures.variable) if self.report is not None and figures is not None else None
        self.variable_label.setText(item.label if item is not None else "Select a variable")
        self.refine_button.setEnabled(item is not None and item.errors > 0)
        self.refine_button.setToolTip(
            "" if item is None or item.errors else "Correct some of its values in the Results page first."
        )
        self.tabs.setEnabled(figures is not None)
        if figures is None:
            return
        self._chart("calibration", self.tab_layouts[CALIBRATION_TAB], figures.calibration)
        self._chart("values", self.tab_layouts[VALUES_TAB], figures.values)
        self.tabs.setTabEnabled(CONFUSION_TAB, figures.confusion is not None)
        if figures.confusion is not None:
            self._chart("confusion", self.tab_layouts[CONFUSION_TAB], figures.confusion)
        elif self.tabs.currentIndex() == CONFUSION_TAB:
            self.tabs.setCurrentIndex(VALUES_TAB)
        self.history.setHtml(history_html(history))

    def _chart(self, key: str, layout: QVBoxLayout, figure: Figure) -> None:
        from coderai_desktop.ui.quality.chart_view import ChartView  # matplotlib's Qt canvas: on first use

        view = self.charts.get(key)
        if view is None:
            view = self.charts[key] = ChartView()
            layout.addWidget(view)
        view.set_figure(figure)

    # --- refinement ---------------------------------------------------------------------------------

    def refine(self, variable: str | None) -> None:
        if variable is None or self.project is None:
            return
        dialog = RefinementDialog(self._refinement, self._runner, self.project.id, variable, self)
        dialog.sig_decided.connect(self._decided)
        dialog.open()

    def _decided(self, info: RefinementInfo) -> None:
        if info.chosen is not None:
            self.sig_message.emit(
                f"{info.variable} now codes with proposal {info.chosen + 1} "
                f"({', '.join(info.prompt_versions)}): run the sample again to see it at work."
            )
            self.sig_codebook_changed.emit()
        else:
            self.sig_message.emit(f"{info.variable} keeps its current prompt.")
        self.reload()


def _overview(report: QualityReport) -> Figure:
    from coderai_desktop.ui.quality.figures import overview_figure  # imports matplotlib (worker thread)

    return overview_figure(report)


def _variable(report: QualityReport, name: str) -> VariableFigures | None:
    from coderai_desktop.ui.quality.figures import variable_figures

    return variable_figures(report, name)
