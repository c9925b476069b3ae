"""The Overview page: what the project is, where it stands, and the next step to take."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from coderai_desktop.domain.enums import ProjectStatus, UnitOfObservation
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count, local_time
from coderai_desktop.ui.projects.list_model import STATUS_TEXT

NEXT_STEP = {
    ProjectStatus.CREATED: (
        "Next: define the codebook, the variables to extract from every document.",
        "Open the codebook",
        "codebook",
    ),
    ProjectStatus.SCHEMA_DEFINED: (
        "The codebook is defined. Next: import the documents to code.",
        "Open documents",
        "documents",
    ),
}


class OverviewPage(QWidget):
    sig_go_to = Signal(str)
    """The name of the page the next-step button leads to ('codebook', 'documents')."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title_label = QLabel()
        self.title_label.setObjectName("title")
        self.title_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setObjectName("badge")
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.description_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        for name in (
            "Domain",
            "Language",
            "Unit of observation",
            "Codebook",
            "Documents",
            "Created",
            "Updated",
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(name)
            caption.setObjectName("fieldName")
            form.addRow(caption, value)
            self.fields[name] = value
        self.next_label = QLabel()
        self.next_label.setObjectName("nextStep")
        self.next_label.setWordWrap(True)
        self.next_button = QPushButton()
        self.next_button.clicked.connect(self._go_next)
        self._next_page = ""

        header = QHBoxLayout()
        header.addWidget(self.title_label, stretch=1)
        header.addWidget(self.status_label, alignment=Qt.AlignmentFlag.AlignTop)
        next_row = QHBoxLayout()
        next_row.addWidget(self.next_label, stretch=1)
        next_row.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addLayout(header)
        layout.addWidget(self.description_label)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addSpacing(16)
        layout.addLayout(next_row)
        layout.addStretch()

    def show_project(self, project: ProjectSummary) -> None:
        context = project.context
        self.title_label.setText(project.name)
        self.status_label.setText(STATUS_TEXT[project.status])
        self.description_label.setText(context.description.strip() or "No description.")
        unit = "One row per document"
        if context.unit_of_observation is UnitOfObservation.ENTITY:
            unit = f"One row per entity: {context.entity_identification_pattern}"
        values = {
            "Domain": context.domain or "—",
            "Language": context.language,
            "Unit of observation": unit,
            "Codebook": count(project.variable_count, "variable"),
            "Documents": count(project.document_count, "document"),
            "Created": local_time(project.created_at),
            "Updated": local_time(project.updated_at),
        }
        for name, text in values.items():
            self.fields[name].setText(text)
        step = NEXT_STEP.get(project.status)
        self.next_label.setVisible(step is not None)
        self.next_button.setVisible(step is not None)
        if step is not None:
            text, button, self._next_page = step
            self.next_label.setText(text)
            self.next_button.setText(button)

    def _go_next(self) -> None:
        self.sig_go_to.emit(self._next_page)
