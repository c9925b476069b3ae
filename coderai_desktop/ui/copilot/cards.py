"""The co-pilot conversation as cards: a line for each request, a card for each answer, and in it one card
per proposal with its reasons and Accept / Edit… / Reject. Everything the model wrote is shown as plain
text: a proposal is data, like the documents it was read from."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.formatting import local_time
from coderai_desktop.pipeline.copilot import CopilotEntry, Dropped, Proposal

ASKED = {
    "variables": "You asked for variables",
    "categories": "You asked for categories of {variable}",
    "instructions": "You asked for clearer instructions for {variable}",
    "unit": "You asked what one row should be",
}
ANSWERED = {
    "variables": ("variable", "variables"),
    "categories": ("category", "categories"),
    "instructions": ("rewrite", "rewrites"),
    "unit": ("unit of observation", "units of observation"),
}
STATUS = {"accepted": "✓ Accepted", "edited": "✓ Edited and accepted", "rejected": "✗ Rejected"}
STYLE = """
QFrame#copilotAnswer { background: #f5f8fa; border: 1px solid #dde3e8; border-radius: 8px; }
QFrame#proposalCard { background: white; border: 1px solid #d3dbe2; border-radius: 6px; }
QFrame#proposalCard[decided="true"] { background: #fafbfc; border-color: #e6eaee; }
QLabel#answerTitle { font-weight: 600; color: #1f5f8b; }
QLabel#requestLine { color: #5b6b78; }
QLabel#proposalTitle { font-weight: 600; color: #1d2b36; }
QLabel#proposalBody { color: #1d2b36; }
QLabel#rationale { color: #4a5a66; font-style: italic; }
QLabel#now { color: #5b6b78; border-left: 3px solid #dde3e8; padding-left: 6px; }
QLabel#redefines { color: #7a4f01; background: #fff3d6; border-radius: 8px; padding: 1px 8px; }
QLabel#statusAccepted { color: #1e6b3a; font-weight: 600; }
QLabel#statusRejected { color: #8c1d18; font-weight: 600; }
QLabel#dropped { color: #6b5a3a; }
"""


def plain_label(text: str, name: str | None = None) -> QLabel:
    """A wrapped label that never interprets its text (a model's answer may contain markup)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def plural(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def proposal_body(kind: str, proposal: Proposal) -> str:
    """What a proposal says, as plain text lines."""
    fields = proposal.fields
    if kind == "variables":
        lines = [str(fields.get("instructions", ""))]
        for category in fields.get("categories") or []:
            definition = category.get("definition")
            lines.append(f"• {category['value']}" + (f": {definition}" if definition else ""))
        return "\n".join(lines)
    if kind == "categories":
        return str(fields.get("definition") or "(no definition)")
    if kind == "instructions":
        return str(fields.get("instructions", ""))
    pattern = fields.get("entity_pattern")
    return f"An entity is: {pattern}" if pattern else "Each document gives one row."


class RequestLine(QWidget):
    """What the researcher asked, when, and which documents were read."""

    def __init__(self, entry: CopilotEntry, parent: QWidget | None = None):
        super().__init__(parent)
        asked = ASKED.get(entry.kind, "You asked").format(variable=entry.variable or "")
        read = f" · read {', '.join(entry.documents)}" if entry.documents else ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 6, 2, 0)
        layout.addWidget(plain_label(f"{asked}{read} · {local_time(entry.created_at)}", "requestLine"))


class ProposalCard(QFrame):
    sig_decided = Signal(str, object)
    """Accept / Edit / Reject clicked: ("accepted" | "edit" | "rejected", the Proposal)."""

    def __init__(self, kind: str, proposal: Proposal, now: str | None = None, parent: QWidget | None = None):
        """`now`: what the proposal would replace (a redefined variable's instructions), to compare."""
        super().__init__(parent)
        self.kind = kind
        self.proposal = proposal
        self.setObjectName("proposalCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        title_row = QHBoxLayout()
        self.title_label = plain_label(proposal.title, "proposalTitle")
        title_row.addWidget(self.title_label, stretch=1)
        if proposal.improves:
            redefines = plain_label(f"redefines {proposal.improves}", "redefines")
            redefines.setWordWrap(False)
            title_row.addWidget(redefines, alignment=Qt.AlignmentFlag.AlignTop)
        layout.addLayout(title_row)
        self.body_label = plain_label(proposal_body(kind, proposal), "proposalBody")
        layout.addWidget(self.body_label)
        self.now_label = plain_label(f"Currently: {now}" if now else "", "now")
        self.now_label.setVisible(bool(now))
        layout.addWidget(self.now_label)
        self.rationale_label = plain_label(
            f"Why: {proposal.rationale}" if proposal.rationale else "", "rationale"
        )
        self.rationale_label.setVisible(bool(proposal.rationale))
        layout.addWidget(self.rationale_label)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("Accept")
        self.accept_button.setObjectName("primary")
        self.edit_button = QPushButton("Edit…")
        self.reject_button = QPushButton("Reject")
        self.accept_button.clicked.connect(lambda: self.sig_decided.emit("accepted", self.proposal))
        self.edit_button.clicked.connect(lambda: self.sig_decided.emit("edit", self.proposal))
        self.reject_button.clicked.connect(lambda: self.sig_decided.emit("rejected", self.proposal))
        self.status_label = QLabel()
        buttons.addWidget(self.status_label)
        buttons.addStretch()
        for button in (self.accept_button, self.edit_button, self.reject_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.show_status(proposal.status)

    def show_status(self, status: str) -> None:
        decided = status in STATUS
        for button in (self.accept_button, self.edit_button, self.reject_button):
            button.setVisible(not decided)
        self.status_label.setText(STATUS.get(status, ""))
        self.status_label.setObjectName("statusRejected" if status == "rejected" else "statusAccepted")
        self.status_label.setVisible(decided)
        self.setProperty("decided", "true" if decided else "false")
        for widget in (self, self.status_label):
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def set_waiting(self, waiting: bool) -> None:
        """While a decision is being stored its buttons do nothing more."""
        for button in (self.accept_button, self.edit_button, self.reject_button):
            button.setEnabled(not waiting)


class AnswerCard(QFrame):
    """The co-pilot's answer to one request: its proposals, and what it left out and why."""

    sig_decided = Signal(object, str, object)
    """A proposal's button clicked: (this card's CopilotEntry, "accepted" | "edit" | "rejected", Proposal)."""

    sig_accept_all = Signal(object)
    """Accept all clicked (categories): this card's CopilotEntry."""

    def __init__(
        self, entry: CopilotEntry, codebook: list[VariableSpec] | None = None, parent: QWidget | None = None
    ):
        """`codebook`: the current variables, to show what a redefinition or a rewrite would replace."""
        super().__init__(parent)
        self.entry = entry
        self.setObjectName("copilotAnswer")
        variables = {variable.name: variable for variable in codebook or []}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(8)
        one, many = ANSWERED.get(entry.kind, ("proposal", "proposals"))
        proposals = entry.proposals
        header = QHBoxLayout()
        title = f"Co-pilot · {plural(len(proposals), one, many)} proposed" if proposals else "Co-pilot"
        header.addWidget(plain_label(title, "answerTitle"), stretch=1)
        self.accept_all_button: QPushButton | None = None
        if entry.kind == "categories" and sum(not p.decided for p in proposals) > 1:
            self.accept_all_button = QPushButton("Accept all")
            self.accept_all_button.clicked.connect(lambda: self.sig_accept_all.emit(self.entry))
            header.addWidget(self.accept_all_button)
        layout.addLayout(header)
        target = variables.get(entry.variable or "")
        if entry.kind == "categories" and target is not None and target.categories:
            has = ", ".join(category.value for category in target.categories)
            layout.addWidget(plain_label(f"{target.name} has: {has}", "now"))
        if not proposals:
            layout.addWidget(plain_label("Nothing usable this time: see what was left out below.", "hint"))
        self.cards: list[ProposalCard] = []
        for proposal in proposals:
            replaced = variables.get(proposal.improves or "") if entry.kind == "variables" else target
            now = replaced.instructions if replaced is not None and entry.kind != "categories" else None
            card = ProposalCard(entry.kind, proposal, now)
            card.sig_decided.connect(
                lambda decision, chosen: self.sig_decided.emit(self.entry, decision, chosen)
            )
            self.cards.append(card)
            layout.addWidget(card)
        if dropped := entry.dropped:
            layout.addWidget(plain_label(_dropped_text(dropped), "dropped"))

    def update_entry(self, entry: CopilotEntry) -> None:
        """The stored entry after a decision: each card shows what became of its proposal."""
        self.entry = entry
        for card, proposal in zip(self.cards, entry.proposals, strict=True):
            card.proposal = proposal
            card.set_waiting(False)
            card.show_status(proposal.status)
        if self.accept_all_button is not None:
            self.accept_all_button.setVisible(sum(not p.decided for p in entry.proposals) > 1)


def _dropped_text(dropped: list[Dropped]) -> str:
    lines = [f"Left out {plural(len(dropped), 'proposal', 'proposals')}:"]
    lines += [f"• {item.name}: {item.reason}" for item in dropped]
    return "\n".join(lines)
