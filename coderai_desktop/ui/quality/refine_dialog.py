"""Refine a variable's prompt: its corrections, the revisions an LLM proposes from the refinement set, their
results on the held-out documents beside the current prompt's, and the researcher's choice. Nothing in the
codebook changes until "Use this proposal"."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.refinement import (
    DEFAULT_PROPOSALS,
    HELD_OUT_SHARE,
    MAX_PROPOSALS,
    MIN_PROPOSALS,
    EvaluationEstimate,
    FeedbackAnalysis,
    Proposal,
    RefinementInfo,
    RefinementStatus,
)
from coderai_desktop.formatting import count, local_time, shorten
from coderai_desktop.pipeline.prompt_lab import side_by_side
from coderai_desktop.pipeline.refinement import RefinementService
from coderai_desktop.ui.quality.refinement_tables import CorrectionsModel, ResultsModel
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.variables.prompt_history import diff_html
from coderai_desktop.ui.widgets.tables import read_only_table

STEPS = ("1  Corrections", "2  Proposals", "3  Test and choose")
CORRECTIONS, PROPOSALS, RESULTS = range(3)
CURRENT_STEP, OTHER_STEP = "font-weight: 600; color: #1d2b36;", "color: #8a99a6;"


class RefinementDialog(QDialog):
    sig_decided = Signal(object)
    """The researcher chose a proposal or kept the current prompt (the RefinementInfo)."""

    def __init__(
        self,
        service: RefinementService,
        runner: TaskRunner,
        project_id: int,
        variable: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._project_id = project_id
        self.variable = variable
        self.info: RefinementInfo | None = None
        self.pending: RefinementInfo | None = None
        self._task: asyncio.Task[Any] | None = None
        self.setWindowTitle(f"Refine the prompt of {variable}")
        self.resize(1080, 700)

        title = QLabel(f"Refine the prompt of {variable}")
        title.setObjectName("title")
        self.step_labels = [QLabel(text) for text in STEPS]
        steps = QHBoxLayout()
        for label in self.step_labels:
            steps.addWidget(label)
        steps.addStretch()
        self.stack = QStackedWidget()
        self.stack.addWidget(self._corrections_step())
        self.stack.addWidget(self._proposals_step())
        self.stack.addWidget(self._results_step())
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, stretch=1)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(steps)
        layout.addWidget(self.stack, stretch=1)
        layout.addLayout(bottom)
        self._show_step(CORRECTIONS)
        self._start(self._load(), "Reading the corrections…")

    # --- step 1: the corrections --------------------------------------------------------------------

    def _corrections_step(self) -> QWidget:
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.kinds = QLabel()
        self.kinds.setObjectName("hint")
        self.kinds.setWordWrap(True)
        self.corrections = CorrectionsModel()
        self.corrections_table = read_only_table(self.corrections)
        header = self.corrections_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((170, 110, 110, 170, 300)):
            self.corrections_table.setColumnWidth(column, width)
        self.proposals_count = QSpinBox()
        self.proposals_count.setRange(MIN_PROPOSALS, MAX_PROPOSALS)
        self.proposals_count.setValue(DEFAULT_PROPOSALS)
        self.held_out = QSpinBox()
        self.held_out.setRange(10, 50)
        self.held_out.setSuffix(" % of the reviewed documents")
        self.held_out.setValue(round(HELD_OUT_SHARE * 100))
        self.seed = QLineEdit()
        self.seed.setPlaceholderText("random")
        self.seed.setMaximumWidth(120)
        form = QFormLayout()
        form.addRow("Proposals to ask for:", self.proposals_count)
        form.addRow("Held out to test them:", self.held_out)
        form.addRow("Seed of the split:", self.seed)
        explanation = QLabel(
            "The reviewed documents are split in two. The refiner reads the corrections of the first part "
            "only; the held-out part is then re-coded with each proposal, so that a better score there is "
            "not an echo of the documents the proposals were made from."
        )
        explanation.setWordWrap(True)
        explanation.setObjectName("hint")
        self.pending_label = QLabel()
        self.pending_label.setWordWrap(True)
        self.continue_button = QPushButton("Continue it")
        self.continue_button.clicked.connect(self._continue)
        pending = QHBoxLayout()
        pending.addWidget(self.pending_label, stretch=1)
        pending.addWidget(self.continue_button)
        self.propose_button = QPushButton("Ask for proposals")
        self.propose_button.setObjectName("primary")
        self.propose_button.clicked.connect(self.propose)
        actions = QHBoxLayout()
        actions.addLayout(form)
        actions.addStretch()
        actions.addWidget(self.propose_button, alignment=Qt.AlignmentFlag.AlignBottom)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.kinds)
        layout.addWidget(self.corrections_table, stretch=1)
        layout.addWidget(explanation)
        layout.addLayout(pending)
        layout.addLayout(actions)
        return page

    async def _load(self) -> None:
        analysis = await self._service.analyse(self._project_id, self.variable)
        history = await self._service.history(self._project_id, self.variable)
        open_ones = (RefinementStatus.PROPOSED, RefinementStatus.EVALUATED)
        self._show_analysis(analysis, next((info for info in history if info.status in open_ones), None))

    def _show_analysis(self, analysis: FeedbackAnalysis, pending: RefinementInfo | None) -> None:
        self.summary.setText(analysis.summary())
        kinds = " · ".join(f"{kind.value}: {number}" for kind, number in analysis.by_kind.items())
        self.kinds.setText(kinds or "No corrections yet.")
        self.corrections.set_rows(list(analysis.errors))
        self.propose_button.setEnabled(bool(analysis.errors))
        self.pending = pending
        self.pending_label.setVisible(pending is not None)
        self.continue_button.setVisible(pending is not None)
        if pending is not None:
            state = (
                "tested, not decided" if pending.status is RefinementStatus.EVALUATED else "not tested yet"
            )
            self.pending_label.setText(
                f"Refinement {pending.id} of {local_time(pending.created_at)} is open ({state})."
            )

    def propose(self) -> None:
        text = self.seed.text().strip()
        if text and not text.isdigit():
            self.status.setText("The seed is a whole number (or leave it empty for a random one).")
            return
        coroutine = self._service.propose(
            self._project_id,
            self.variable,
            proposals=self.proposals_count.value(),
            seed=int(text) if text else None,
            held_out_share=self.held_out.value() / 100,
        )
        self._start(self._proposed(coroutine), "The refiner is reading the corrections…")

    async def _proposed(self, coroutine: Coroutine[Any, Any, RefinementInfo]) -> None:
        await self._estimated(await coroutine)

    def _continue(self) -> None:
        if self.pending is None:
            return
        if self.pending.status is RefinementStatus.EVALUATED:
            self._show_results(self.pending)
        else:
            self._start(self._estimated(self.pending), "Estimating the test…")

    async def _estimated(self, info: RefinementInfo) -> None:
        """The proposals, with what testing them would cost."""
        self._show_proposals(info, await self._service.estimate(info.id))

    # --- step 2: the proposals ----------------------------------------------------------------------

    def _proposals_step(self) -> QWidget:
        self.split_label = QLabel()
        self.split_label.setWordWrap(True)
        self.proposal_list = QListWidget()
        self.proposal_list.setMaximumWidth(280)
        self.proposal_list.currentRowChanged.connect(self._show_proposal)
        self.rationale = QLabel()
        self.rationale.setWordWrap(True)
        self.diff = QTextBrowser()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.rationale)
        right_layout.addWidget(self.diff, stretch=1)
        splitter = QSplitter()
        splitter.addWidget(self.proposal_list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        self.estimate_label = QLabel()
        self.estimate_label.setWordWrap(True)
        self.test_button = QPushButton("Test on the held-out documents")
        self.test_button.setObjectName("primary")
        self.test_button.clicked.connect(self.evaluate)
        actions = QHBoxLayout()
        actions.addWidget(self.estimate_label, stretch=1)
        actions.addWidget(self.test_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.split_label)
        layout.addWidget(splitter, stretch=1)
        layout.addLayout(actions)
        return page

    def _show_proposals(self, info: RefinementInfo, estimate: EvaluationEstimate) -> None:
        self.info = info
        self.split_label.setText(_split_text(info))
        self.proposal_list.clear()
        self.proposal_list.addItems(
            [f"{n}. {proposal.title}" for n, proposal in enumerate(info.proposals, 1)]
        )
        self.proposal_list.setCurrentRow(0)
        self.estimate_label.setText(
            f"{estimate.text()} Nothing in the codebook changes until you choose a proposal."
        )
        self._show_step(PROPOSALS)

    def _show_proposal(self, row: int) -> None:
        if self.info is not None and 0 <= row < len(self.info.proposals):
            self._show_diff(self.info.proposals[row], self.rationale, self.diff)

    def evaluate(self) -> None:
        if self.info is None:
            return
        info = self.info
        self.progress.setRange(0, 0)
        self._start(self._evaluated(info), "Re-coding the held-out documents…")

    async def _evaluated(self, info: RefinementInfo) -> None:
        def progress(done: int, total: int) -> None:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.status.setText(f"Re-coding the held-out documents: {done} of {total} done…")

        self._show_results(await self._service.evaluate(info.id, progress))

    # --- step 3: results and the choice -------------------------------------------------------------

    def _results_step(self) -> QWidget:
        self.results_intro = QLabel()
        self.results_intro.setWordWrap(True)
        self.results = ResultsModel()
        self.results_table = read_only_table(self.results)
        self.results_table.setMaximumHeight(150)
        header = self.results_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.results_table.selectionModel().currentRowChanged.connect(self._selection_changed)
        self.chosen_rationale = QLabel()
        self.chosen_rationale.setWordWrap(True)
        self.chosen_diff = QTextBrowser()
        self.keep_button = QPushButton("Keep the current prompt")
        self.keep_button.clicked.connect(lambda: self.choose(None))
        self.use_button = QPushButton("Use this proposal")
        self.use_button.setObjectName("primary")
        self.use_button.clicked.connect(self._use_selected)
        actions = QHBoxLayout()
        actions.addStretch()
        actions.addWidget(self.keep_button)
        actions.addWidget(self.use_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.results_intro)
        layout.addWidget(self.results_table)
        layout.addWidget(self.chosen_rationale)
        layout.addWidget(self.chosen_diff, stretch=1)
        layout.addLayout(actions)
        return page

    def _show_results(self, info: RefinementInfo) -> None:
        self.info = info
        self.results.show(info)
        best = info.best
        self.results_intro.setText(
            f"{_split_text(info)} Agreement with your reviews on the held-out units, with its 95% interval: "
            "choose the prompt to code with from now on." + _verdict(info)
        )
        self.results_table.selectRow(1 + best if best is not None else 0)  # else the current prompt
        self._show_step(RESULTS)

    def _selection_changed(self) -> None:
        proposal = self._selected()
        self.use_button.setEnabled(proposal is not None)
        if proposal is not None:
            self._show_diff(proposal, self.chosen_rationale, self.chosen_diff)
        else:
            self.chosen_rationale.setText("The current prompt: the values you reviewed were coded with it.")
            self.chosen_diff.clear()

    def _selected(self) -> Proposal | None:
        row = self.results.item(self.results_table.currentIndex())
        if self.info is None or row is None or row.proposal is None:
            return None
        return self.info.proposals[row.proposal]

    def _use_selected(self) -> None:
        row = self.results.item(self.results_table.currentIndex())
        if row is not None and row.proposal is not None:
            self.choose(row.proposal)

    def choose(self, index: int | None) -> None:
        if self.info is None:
            return
        info = self.info
        self._start(self._chosen(info, index), "Saving your choice…")

    async def _chosen(self, info: RefinementInfo, index: int | None) -> None:
        decided = await self._service.choose(info.id, index)
        self.sig_decided.emit(decided)
        self.accept()

    # --- helpers ------------------------------------------------------------------------------------

    def _show_diff(self, proposal: Proposal, rationale: QLabel, browser: QTextBrowser) -> None:
        rationale.setText(f"<b>{html.escape(proposal.title)}</b>: {html.escape(proposal.rationale)}")
        rows = side_by_side(proposal.prompt_before.splitlines(), proposal.prompt_after.splitlines())
        browser.setHtml(diff_html(rows, "Current", "Proposed", whole=True))

    def _show_step(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        for index, label in enumerate(self.step_labels):
            label.setStyleSheet(CURRENT_STEP if index == step else OTHER_STEP)

    def _start(self, coroutine: Coroutine[Any, Any, None], busy_text: str) -> None:
        self._set_busy(True, busy_text)

        def ended(_task: asyncio.Task[None]) -> None:
            self._set_busy(False, "")

        self._task = self._runner.run(
            coroutine,
            on_ended=ended,
            error_title="Refinement",
            parent=self,
            name=f"refine:{self._project_id}:{self.variable}",
        )

    def _set_busy(self, busy: bool, text: str) -> None:
        self.status.setText(text)
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
        for button in (self.propose_button, self.continue_button, self.test_button, self.keep_button):
            button.setEnabled(not busy)
        if busy:
            self.use_button.setEnabled(False)
        else:
            self.propose_button.setEnabled(self.corrections.rowCount() > 0)
            self._selection_changed()

    def reject(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()  # proposals or a test half done: nothing is stored, nothing changes
        super().reject()


def _verdict(info: RefinementInfo) -> str:
    best = info.best
    if best is None:
        return " No proposal did better than the current prompt there."
    if not info.clearly_better(best):
        return (
            f" Proposal {best + 1} did best, but its interval overlaps the current prompt's: the difference may "
            "be chance."
        )
    return f" Proposal {best + 1} did clearly better."


def _split_text(info: RefinementInfo) -> str:
    names = {item.document_id: item.document for item in info.errors}
    held = ", ".join(shorten(names.get(d, f"#{d}"), 30) for d in info.split.held_out[:6])
    more = f" and {len(info.split.held_out) - 6} more" if len(info.split.held_out) > 6 else ""
    return (
        f"Learning from {count(len(info.split.refinement), 'document')}; "
        f"{count(len(info.split.held_out), 'document')} held out to test the proposals ({held}{more}; "
        f"seed {info.split.seed})."
    )
