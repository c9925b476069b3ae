"""The New Project wizard: basics, unit of observation, codebook. The project is created on Finish only."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget, QWizard

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.pipeline.copilot import Copilot
from coderai_desktop.projects.service import ProjectService
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.wizard.pages import BasicsPage, CodebookChoicePage, UnitPage


class NewProjectWizard(QWizard):
    sig_created = Signal(object)
    """The new project's ProjectSummary."""

    def __init__(
        self,
        service: ProjectService,
        runner: TaskRunner,
        existing_names: set[str],
        parent: QWidget | None = None,
        *,
        copilot: Copilot | None = None,
    ):
        """`copilot`: for "Suggest variables with the co-pilot" on the codebook step (None: not offered)."""
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.setWindowTitle("New project")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setMinimumSize(680, 640)
        self.basics = BasicsPage(existing_names)
        self.unit = UnitPage()
        self.codebook = CodebookChoicePage(copilot=copilot, runner=runner, context=self.context)
        for page in (self.basics, self.unit, self.codebook):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Create project")

    def context(self) -> ProjectContext:
        return ProjectContext(
            name=self.basics.name(),
            description=self.basics.description_edit.toPlainText().strip(),
            domain=self.basics.domain_combo.currentText().strip(),
            language=self.basics.language_combo.currentText().strip() or "English",
            unit_of_observation=self.unit.unit(),
            entity_identification_pattern=self.unit.pattern(),
        )

    def accept(self) -> None:
        """Create the project, then close; on failure stay open with everything still filled in."""
        variables = self.codebook.variables()
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self._runner.run(
            self._service.create_project(self.context(), variables),
            on_success=self._created,
            on_failure=self._failed,
        )

    def _created(self, project: ProjectSummary) -> None:
        self.sig_created.emit(project)
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        self._runner.report_failure(self, "The project cannot be created", error)
