"""The Overview page: what the project is, and its path from documents to an exported dataset, with the
button that takes the next step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.domain.project_path import ProjectPath, StageState
from coderai_desktop.formatting import local_time
from coderai_desktop.ui.projects.list_model import STATUS_TEXT
from coderai_desktop.ui.projects.path_rows import StageRow
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.scrolling import scroll_page

if TYPE_CHECKING:  # the service (and the statistics behind it) loads when the window first asks for it
    from coderai_desktop.pipeline.project_path import ProjectPathService

# The unit of observation last: an entity pattern may be long, and wraps in the room left.
FACTS = ("Domain", "Language", "Created", "Unit of observation")
STAGES = 7
READING = "Reading the project…"


class OverviewPage(QWidget):
    sig_go_to = Signal(str)
    """The name of the page the next-step button leads to ('documents', 'codebook', 'run', 'results',
    'quality', 'export')."""

    def __init__(self, paths: ProjectPathService, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._paths = paths
        self._runner = runner
        self.project: ProjectSummary | None = None
        self.path: ProjectPath | None = None

        self.title_label = QLabel()
        self.title_label.setObjectName("title")
        self.title_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setObjectName("badge")
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.description_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields: dict[str, QLabel] = {}
        facts = QGridLayout()
        facts.setHorizontalSpacing(28)
        facts.setVerticalSpacing(2)
        for column, name in enumerate(FACTS):
            caption = QLabel(name)
            caption.setObjectName("fieldName")
            value = QLabel()
            value.setWordWrap(name == FACTS[-1])
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            facts.addWidget(caption, 0, column)
            facts.addWidget(value, 1, column, Qt.AlignmentFlag.AlignTop)
            self.fields[name] = value
        facts.setColumnStretch(len(FACTS) - 1, 1)

        path_title = QLabel("The path to the dataset")
        path_title.setObjectName("sectionTitle")
        self.reading_label = QLabel(READING)
        self.reading_label.setObjectName("hint")
        self.reading_label.setWordWrap(True)
        self.rows = [StageRow(first=index == 0, last=index == STAGES - 1) for index in range(STAGES)]
        self.path_box = QFrame()
        self.path_box.setObjectName("pathBox")
        rows = QVBoxLayout(self.path_box)
        rows.setContentsMargins(0, 4, 0, 4)
        rows.setSpacing(0)
        for row in self.rows:
            row.sig_go_to.connect(self.sig_go_to)
            rows.addWidget(row)
        self.path_box.hide()

        header = QHBoxLayout()
        header.addWidget(self.title_label, stretch=1)
        header.addWidget(self.status_label, alignment=Qt.AlignmentFlag.AlignTop)
        content = QWidget()
        content.setObjectName("overviewContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addLayout(header)
        layout.addWidget(self.description_label)
        layout.addSpacing(10)
        layout.addLayout(facts)
        layout.addSpacing(18)
        layout.addWidget(path_title)
        layout.addSpacing(4)
        layout.addWidget(self.reading_label)
        layout.addWidget(self.path_box)
        layout.addStretch()
        scroll_page(self, content)

    @property
    def next_button(self) -> QPushButton | None:
        """The one button on the page: the next step's (None while reading, or when every stage is done)."""
        if self.path is None or (stage := self.path.next) is None:
            return None
        return self.rows[self.path.stages.index(stage)].button

    def show_project(self, project: ProjectSummary) -> None:
        """The project's facts at once; its path read in the background (now if the page is visible)."""
        if self.project is None or self.project.id != project.id:
            self.path = None
            self.path_box.hide()
            self._say(READING)
        self.project = project
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
            "Created": local_time(project.created_at),
        }
        for name, text in values.items():
            self.fields[name].setText(text)
        if self.isVisible():
            self.refresh()  # a hidden page reads it when shown (showEvent)

    def refresh(self) -> None:
        """Read the shown project's path again (a named task: a newer read replaces an older one)."""
        if self.project is None:
            return
        project_id = self.project.id
        self._runner.run(
            self._paths.path(project_id),
            on_success=lambda path: self._show_path(project_id, path),
            on_failure=lambda error: self._failed(project_id, error),
            name="overview-path",
        )

    def _show_path(self, project_id: int, path: ProjectPath) -> None:
        if self.project is None or self.project.id != project_id:
            return  # another project was shown meanwhile
        self.path = path
        for row, stage in zip(self.rows, path.stages, strict=True):
            row.set_stage(stage, stage is path.next)
        self.reading_label.setVisible(path.next is None)
        attention = any(stage.state is StageState.ATTENTION for stage in path.stages)
        self.reading_label.setText(
            "The dataset is exported. The stages marked ! have something to look at."
            if attention
            else "Every stage is done: the dataset is exported."
        )
        self.path_box.show()

    def _failed(self, project_id: int, error: BaseException) -> None:
        if self.project is None or self.project.id != project_id:
            return
        if not isinstance(error, CoderAIError):
            self._runner.report_failure(self, "The project's path cannot be read", error)
        self._say(f"The project's path cannot be read: {error}")

    def _say(self, text: str) -> None:
        self.reading_label.setText(text)
        self.reading_label.show()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.project is not None:
            self.refresh()  # runs, reviews and exports made on other pages meanwhile
