"""The co-pilot in the New Project wizard: variables proposed from the description typed in the wizard (and,
if chosen, a few sample files), before the project exists. Nothing is stored: accepted proposals join the
wizard's list of variables, created with the project on Finish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.pipeline.copilot import Copilot, Proposal, Suggestions
from coderai_desktop.pipeline.copilot_proposals import edit_text, parse_edit
from coderai_desktop.ui.copilot.cards import STYLE, ProposalCard, plain_label, plural
from coderai_desktop.ui.copilot.dialogs import ProposalEditDialog
from coderai_desktop.ui.tasks import TaskRunner

MAX_FILES = 5
FILE_FILTER = "Documents (*.pdf *.docx *.txt *.md *.html *.htm)"
NOT_AVAILABLE = "The co-pilot is not available here; it can suggest variables once the project exists."


class WizardCopilot(QWidget):
    sig_changed = Signal()
    """The accepted variables changed."""

    def __init__(
        self,
        copilot: Copilot | None,
        runner: TaskRunner | None,
        context: Callable[[], ProjectContext],
        existing: Callable[[], list[VariableSpec]],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._copilot = copilot
        self._runner = runner
        self._context = context
        self._existing = existing  # the wizard's variables so far (the codebook file's and accepted ones)
        self._files: list[Path] = []
        self.accepted: list[VariableSpec] = []
        self.cards: list[ProposalCard] = []
        self.setStyleSheet(STYLE)
        self.suggest_button = QPushButton("Suggest variables with the co-pilot")
        self.suggest_button.setObjectName("primary")
        self.suggest_button.clicked.connect(self.suggest)
        self.files_button = QPushButton("Sample files…")
        self.files_button.setToolTip(
            f"Up to {MAX_FILES} documents like the ones to code; read, not imported."
        )
        self.files_button.clicked.connect(self._choose_files)
        self.files_label = plain_label("", "hint")
        row = QHBoxLayout()
        row.addWidget(self.suggest_button)
        row.addWidget(self.files_button)
        row.addStretch()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.message_label = plain_label("", "hint")
        self.cards_box = QWidget()
        self.cards_layout = QVBoxLayout(self.cards_box)
        self.cards_layout.setContentsMargins(0, 0, 6, 0)
        self.cards_layout.addStretch()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(self.cards_box)
        self.scroll_area.setMinimumHeight(220)
        self.scroll_area.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.files_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.message_label)
        layout.addWidget(self.scroll_area, stretch=1)
        self._show_files()
        if copilot is None or runner is None:
            self.suggest_button.setEnabled(False)
            self.files_button.setEnabled(False)
            self.message_label.setText(NOT_AVAILABLE)

    def suggest(self) -> None:
        copilot, runner = self._copilot, self._runner
        if copilot is None or runner is None:
            return
        context, files, existing = self._context(), list(self._files), self._existing()

        async def ask() -> Suggestions:
            texts = await copilot.read_files(files) if files else []
            return await copilot.suggest_variables_for(context, texts, existing)

        self._set_busy(True)
        read = f" after reading {plural(len(files), 'file', 'files')}" if files else ""
        self.message_label.setText(f"Asking the co-pilot for variables{read}…")
        runner.run(
            ask(),
            on_success=self._show,
            on_failure=self._failed,
            on_ended=lambda _task: self._set_busy(False),
            name="wizard-copilot",
        )

    def _show(self, answer: Suggestions) -> None:
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        for proposal in answer.proposals:
            card = ProposalCard("variables", proposal)
            card.sig_decided.connect(self._decided)
            self.cards.append(card)
            self.cards_layout.insertWidget(self.cards_layout.count() - 1, card)
        left_out = (
            f" ({plural(len(answer.dropped), 'proposal', 'proposals')} left out)" if answer.dropped else ""
        )
        self.message_label.setText(
            f"{plural(len(answer.proposals), 'variable', 'variables')} proposed{left_out}. Accepted ones are added "
            "to the codebook below; nothing is saved before you create the project."
        )
        self.scroll_area.setVisible(bool(self.cards))

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, CoderAIError):
            self.message_label.setText(f"The co-pilot could not answer: {error}")
        elif self._runner is not None:
            self._runner.report_failure(self, "The co-pilot could not answer", error)

    def _decided(self, decision: str, proposal: Proposal) -> None:
        card = next(card for card in self.cards if card.proposal is proposal)
        if decision == "rejected":
            card.show_status("rejected")
        elif decision == "accepted":
            try:
                fields = self._check(proposal, edit_text("variables", proposal.fields))
            except CoderAIError as error:
                self.message_label.setText(f"{proposal.fields.get('name')} cannot be added: {error}")
                return
            self._accept(card, fields, "accepted")
        else:
            dialog = ProposalEditDialog(
                "variables",
                proposal.title,
                edit_text("variables", proposal.fields),
                lambda text: self._check(proposal, text),
                self,
            )
            dialog.sig_accepted.connect(lambda fields: self._accept(card, fields, "edited"))
            dialog.open()
            self.edit_dialog = dialog

    def _check(self, proposal: Proposal, text: str) -> dict[str, Any]:
        return parse_edit("variables", text, self._existing(), replacing=proposal.improves)

    def _accept(self, card: ProposalCard, fields: dict[str, Any], status: str) -> None:
        spec = VariableSpec.model_validate(fields)
        replaced = card.proposal.improves
        self.accepted = [v for v in self.accepted if v.name not in (spec.name, replaced)] + [spec]
        card.show_status(status)
        self.sig_changed.emit()

    def _choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Sample files for the co-pilot", str(Path.home()), FILE_FILTER
        )
        if names:
            self.set_files([Path(name) for name in names])

    def set_files(self, files: list[Path]) -> None:
        self._files = files[:MAX_FILES]
        self._show_files()

    def _show_files(self) -> None:
        if self._files:
            more = f" (the first {MAX_FILES})" if len(self._files) == MAX_FILES else ""
            names = ", ".join(path.name for path in self._files)
            self.files_label.setText(f"It will read {names}{more}.")
        else:
            self.files_label.setText(
                "It reads the description from the first page; add sample files for better proposals."
            )

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.suggest_button.setEnabled(not busy)
        self.files_button.setEnabled(not busy)
