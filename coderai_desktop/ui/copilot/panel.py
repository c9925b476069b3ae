"""The co-pilot panel: ask for variables, categories, clearer instructions or the unit of observation, read
the proposals as cards, and accept, edit or reject each. Accepting changes nothing here: `sig_accept` hands
the proposal to the Codebook page, which applies it through its undo stack."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.codebook import Codebook, VariableSpec
from coderai_desktop.domain.enums import UnitOfObservation, VariableType
from coderai_desktop.domain.project import ProjectRef, ProjectSummary
from coderai_desktop.formatting import shorten
from coderai_desktop.pipeline.copilot import Copilot, CopilotEntry, Proposal, ReadyDocument
from coderai_desktop.pipeline.copilot_proposals import edit_text, parse_edit
from coderai_desktop.ui.copilot.cards import STYLE, AnswerCard, RequestLine, plain_label
from coderai_desktop.ui.copilot.dialogs import DocumentChooser, ProposalEditDialog
from coderai_desktop.ui.tasks import TaskRunner

TASK = "copilot"
EMPTY_TEXT = (
    "Ask the co-pilot for variables, for the categories of a category variable, for clearer instructions, "
    "or for the unit of observation. It reads the project's description and a few sample documents, and "
    "proposes; nothing changes in the codebook until you accept a proposal."
)


def accepted_payload(
    kind: str, proposal: Proposal, fields: dict[str, Any], variable: str | None
) -> tuple[Any, ...]:
    """What `sig_accept` carries for an accepted proposal of `kind` (see CopilotPanel.sig_accept)."""
    if kind == "variables":
        return ("variable", fields)
    if kind == "categories":
        return ("categories", variable, [fields])
    if kind == "instructions":
        return ("instructions", variable, fields["instructions"])
    return ("unit", UnitOfObservation(str(fields["unit"]).upper()), fields.get("entity_pattern"))


class CopilotPanel(QWidget):
    sig_accept = Signal(object)
    """A proposal accepted: ('variable', fields dict) | ('categories', variable name, list of category dicts)
    | ('instructions', variable name, text) | ('unit', UnitOfObservation, entity pattern or None)."""

    def __init__(self, copilot: Copilot, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._copilot = copilot
        self._runner = runner
        self._project: ProjectRef | None = None
        self._codebook = Codebook()
        self._documents: list[ReadyDocument] = []
        self._chosen: list[ReadyDocument] = []
        self._variable: str | None = None
        self._task: asyncio.Task[Any] | None = None
        self._busy = False
        self._scroll_pending = False
        self.answer_cards: dict[int, AnswerCard] = {}
        self.setStyleSheet(STYLE)

        title = QLabel("Co-pilot")
        title.setObjectName("sectionTitle")
        title_hint = plain_label("Proposals change nothing until you accept one.", "hint")
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addWidget(title_hint, stretch=1)
        self.variables_button = QPushButton("Suggest variables")
        self.categories_button = QPushButton("Suggest categories")
        self.instructions_button = QPushButton("Improve instructions")
        self.unit_button = QPushButton("Suggest unit of observation")
        self.variables_button.clicked.connect(self.suggest_variables)
        self.categories_button.clicked.connect(self.suggest_categories)
        self.instructions_button.clicked.connect(self.improve_instructions)
        self.unit_button.clicked.connect(self.suggest_unit)
        actions = QGridLayout()
        actions.addWidget(self.variables_button, 0, 0)
        actions.addWidget(self.unit_button, 0, 1)
        actions.addWidget(self.categories_button, 1, 0)
        actions.addWidget(self.instructions_button, 1, 1)
        self.variable_label = plain_label("", "hint")

        self.random_radio = QRadioButton("Read")
        self.sample_spin = QSpinBox()
        self.sample_spin.setRange(1, 10)
        self.sample_spin.setValue(3)
        self.sample_spin.setSuffix(" random documents")
        self.chosen_radio = QRadioButton("Read chosen documents:")
        self.choose_button = QPushButton("Choose…")
        self.choose_button.clicked.connect(self.choose_documents)
        self.random_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.random_radio)
        group.addButton(self.chosen_radio)
        group.buttonToggled.connect(self._refresh)
        self.chosen_label = plain_label("", "hint")
        random_row = QHBoxLayout()
        random_row.addWidget(self.random_radio)
        random_row.addWidget(self.sample_spin)
        random_row.addStretch()
        chosen_row = QHBoxLayout()
        chosen_row.addWidget(self.chosen_radio)
        chosen_row.addWidget(self.choose_button)
        chosen_row.addStretch()

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.busy_label = plain_label("", "hint")
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label, stretch=1)
        busy_row.addWidget(self.stop_button)
        self.busy = QWidget()
        busy_layout = QVBoxLayout(self.busy)
        busy_layout.setContentsMargins(0, 0, 0, 0)
        busy_layout.addWidget(self.progress)
        busy_layout.addLayout(busy_row)
        self.busy.hide()

        self.empty_label = plain_label(EMPTY_TEXT, "hint")
        self.cards = QWidget()
        self.cards_layout = QVBoxLayout(self.cards)
        self.cards_layout.setContentsMargins(0, 0, 6, 0)
        self.cards_layout.setSpacing(8)
        self.cards_layout.addWidget(self.empty_label)
        self.cards_layout.addStretch()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(self.cards)
        self.scroll_area.verticalScrollBar().rangeChanged.connect(self._scroll_to_end)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(title_row)
        layout.addLayout(actions)
        layout.addWidget(self.variable_label)
        layout.addLayout(random_row)
        layout.addLayout(chosen_row)
        layout.addWidget(self.chosen_label)
        layout.addWidget(self.busy)
        layout.addWidget(self.scroll_area, stretch=1)
        self._refresh()

    # --- what the panel is about -------------------------------------------------------------------------

    def set_project(self, project: ProjectSummary | ProjectRef) -> None:
        """Show the project's conversation; the requests are about its codebook and documents."""
        self._project = project.id if isinstance(project, ProjectSummary) else project
        self._chosen = []
        self.random_radio.setChecked(True)
        self.reload()

    def set_variable(self, name: str | None) -> None:
        """The variable selected in the codebook: what Suggest categories and Improve instructions are for."""
        self._variable = name
        self._refresh()

    def reload(self) -> None:
        """Read the codebook, the ready documents and the conversation again (after the codebook changed)."""
        if self._project is None:
            return
        project = self._project

        async def load() -> tuple[Codebook, list[ReadyDocument], list[CopilotEntry]]:
            codebook = await self._copilot.codebook(project)
            return (
                codebook,
                await self._copilot.ready_documents(project),
                await self._copilot.conversation(project),
            )

        self._runner.run(
            load(),
            on_success=self._loaded,
            error_title="The co-pilot cannot be shown",
            parent=self,
            name="copilot-load",
        )

    # --- requests ------------------------------------------------------------------------------------

    def suggest_variables(self) -> None:
        if self._project is not None:
            ids, sample = self._sample()
            self._ask(self._copilot.suggest_variables(self._project, ids, sample), "variables")

    def suggest_categories(self) -> None:
        if self._project is not None and (variable := self._selected()) is not None:
            ids, sample = self._sample()
            self._ask(
                self._copilot.suggest_categories(self._project, variable.name, ids, sample),
                f"categories of {variable.name}",
            )

    def improve_instructions(self) -> None:
        if self._project is not None and (variable := self._selected()) is not None:
            self._ask(
                self._copilot.rewrite_instructions(self._project, variable.name),
                f"clearer instructions for {variable.name}",
                reads=False,
            )

    def suggest_unit(self) -> None:
        if self._project is not None:
            ids, sample = self._sample()
            self._ask(self._copilot.suggest_unit(self._project, ids, sample), "the unit of observation")

    def choose_documents(self) -> None:
        chooser = DocumentChooser(self._documents, [document.id for document in self._chosen], self)
        chooser.sig_chosen.connect(self._documents_chosen)
        chooser.open()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _ask(self, call: Coroutine[Any, Any, Any], what: str, *, reads: bool = True) -> None:
        project = self._project
        assert project is not None

        async def ask() -> list[CopilotEntry]:
            await call
            return await self._copilot.conversation(project)

        ids, sample = self._sample()
        count = len(ids) if ids else min(sample, len(self._documents))
        reading = f", reading {count} document{'s' if count != 1 else ''}" if reads else ""
        self.busy_label.setText(f"Asking the co-pilot for {what}{reading}…")
        self._set_busy(True)
        self._task = self._runner.run(
            ask(),
            on_success=self._show_conversation,
            on_ended=lambda _task: self._set_busy(False),
            error_title="The co-pilot could not answer",
            parent=self,
            name=TASK,
        )

    # --- decisions -----------------------------------------------------------------------------------

    def _decided(self, entry: CopilotEntry, decision: str, proposal: Proposal) -> None:
        if decision == "edit":
            self._edit(entry, proposal)
            return
        if decision == "accepted":
            self.sig_accept.emit(accepted_payload(entry.kind, proposal, proposal.fields, entry.variable))
        self._record(entry, [proposal.index], decision)

    def _accept_all(self, entry: CopilotEntry) -> None:
        waiting = [proposal for proposal in entry.proposals if not proposal.decided]
        if waiting:
            self.sig_accept.emit(("categories", entry.variable, [proposal.fields for proposal in waiting]))
            self._record(entry, [proposal.index for proposal in waiting], "accepted")

    def _edit(self, entry: CopilotEntry, proposal: Proposal) -> None:
        variables = self._codebook.variables
        replacing = proposal.improves if entry.kind == "variables" else None

        def check(text: str) -> dict[str, Any]:
            return parse_edit(entry.kind, text, variables, replacing=replacing)

        dialog = ProposalEditDialog(
            entry.kind, proposal.title, edit_text(entry.kind, proposal.fields), check, self
        )

        def accepted(fields: dict[str, Any]) -> None:
            self.sig_accept.emit(accepted_payload(entry.kind, proposal, fields, entry.variable))
            self._record(entry, [proposal.index], "edited", fields)

        dialog.sig_accepted.connect(accepted)
        dialog.open()
        self.edit_dialog = dialog  # for tests, and so that it is easy to find

    def _record(
        self, entry: CopilotEntry, indexes: list[int], decision: str, fields: dict[str, Any] | None = None
    ) -> None:
        project = self._project
        card = self.answer_cards.get(entry.id)
        if project is None or card is None:
            return
        for index in indexes:
            card.cards[index].set_waiting(True)

        async def record() -> CopilotEntry:
            stored = entry
            for index in indexes:
                stored = await self._copilot.record_decision(project, entry.id, index, decision, fields)
            return stored

        self._runner.run(
            record(),
            on_success=card.update_entry,
            error_title="The decision could not be saved",
            parent=self,
        )

    # --- showing --------------------------------------------------------------------------------------

    def _loaded(self, loaded: tuple[Codebook, list[ReadyDocument], list[CopilotEntry]]) -> None:
        self._codebook, self._documents, entries = loaded
        self._refresh()
        self._show_conversation(entries)

    def _show_conversation(self, entries: list[CopilotEntry]) -> None:
        while self.cards_layout.count() > 2:  # the empty hint and the stretch stay
            item = self.cards_layout.takeAt(1)
            if item is not None and (old := item.widget()) is not None:
                old.deleteLater()
        self.answer_cards = {}
        self.empty_label.setVisible(not entries)
        for entry in entries:
            if entry.role == "copilot":
                card = AnswerCard(entry, self._codebook.variables)
                card.sig_decided.connect(self._decided)
                card.sig_accept_all.connect(self._accept_all)
                self.answer_cards[entry.id] = card
                widget: QWidget = card
            else:
                widget = RequestLine(entry)
            self.cards_layout.insertWidget(self.cards_layout.count() - 1, widget)
        self._scroll_pending = True  # to the newest card, once the cards are laid out

    def _scroll_to_end(self, _minimum: int, maximum: int) -> None:
        if self._scroll_pending:
            self._scroll_pending = False
            self.scroll_area.verticalScrollBar().setValue(maximum)

    def _documents_chosen(self, documents: list[ReadyDocument]) -> None:
        self._chosen = documents
        self.chosen_radio.setChecked(True)
        self._refresh()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        if not busy:
            self._task = None
        self._refresh()

    def _refresh(self) -> None:
        busy = self._busy
        has_project = self._project is not None
        has_documents = bool(self._documents)
        variable = self._selected()
        is_category = variable is not None and variable.type is VariableType.CATEGORY
        self.variables_button.setEnabled(has_project and has_documents and not busy)
        self.unit_button.setEnabled(has_project and has_documents and not busy)
        self.categories_button.setEnabled(is_category and has_documents and not busy)
        self.instructions_button.setEnabled(variable is not None and not busy)
        self.categories_button.setToolTip(
            "" if is_category else "Select a category variable in the codebook to suggest its categories."
        )
        self.instructions_button.setToolTip("" if variable else "Select a variable in the codebook first.")
        if variable is not None:
            self.variable_label.setText(f"Selected: {variable.name} ({variable.type.lower()})")
        elif not has_documents and has_project:
            self.variable_label.setText("Import documents first: the co-pilot reads a few of them.")
        else:
            self.variable_label.setText("Select a variable for its categories or instructions.")
        self.sample_spin.setEnabled(self.random_radio.isChecked())
        self.choose_button.setEnabled(has_documents)
        names = ", ".join(document.file_name for document in self._chosen)
        self.chosen_label.setText(shorten(names, 160) if names else "None chosen yet.")
        self.chosen_label.setVisible(self.chosen_radio.isChecked())
        if self.chosen_radio.isChecked() and not self._chosen and not busy:
            for button in (self.variables_button, self.unit_button, self.categories_button):
                button.setEnabled(False)

    def _selected(self) -> VariableSpec | None:
        return next((v for v in self._codebook.variables if v.name == self._variable), None)

    def _sample(self) -> tuple[list[int] | None, int]:
        if self.chosen_radio.isChecked() and self._chosen:
            return [document.id for document in self._chosen], len(self._chosen)
        return None, self.sample_spin.value()
