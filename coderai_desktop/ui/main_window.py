"""The main window: the project list beside the pages of the selected project."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QSplitter, QStackedWidget, QTabWidget, QWidget

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import JobStatus
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count
from coderai_desktop.pipeline.runner import APP_CLOSED
from coderai_desktop.ui.about import AboutDialog
from coderai_desktop.ui.documents.page import DocumentsPage
from coderai_desktop.ui.export.page import ExportPage
from coderai_desktop.ui.projects.list_panel import ProjectListPanel
from coderai_desktop.ui.projects.overview_page import OverviewPage
from coderai_desktop.ui.quality.page import QualityPage
from coderai_desktop.ui.report_problem import ReportProblemDialog
from coderai_desktop.ui.results.page import ResultsPage
from coderai_desktop.ui.run.page import RunPage
from coderai_desktop.ui.settings.api_keys_dialog import ApiKeysDialog
from coderai_desktop.ui.settings.provider_dialog import ProviderDialog
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.ui_state import UiState
from coderai_desktop.ui.variables.codebook_page import CodebookPage
from coderai_desktop.ui.variables.panels import codebook_panels
from coderai_desktop.ui.widgets.branding import app_icon
from coderai_desktop.ui.widgets.empty_state import EmptyState
from coderai_desktop.ui.widgets.messages import ask
from coderai_desktop.ui.wizard.new_project import NewProjectWizard

Shortcut = QKeySequence | QKeySequence.StandardKey | str


class MainWindow(QMainWindow):
    sig_logout = Signal()
    """The person logged out; the login dialog should come back."""

    sig_closed = Signal()
    """The window was closed (not by logging out): the application should quit."""

    def __init__(self, context: AppContext, user: UserSession, runner: TaskRunner, state: UiState):
        super().__init__()
        self._context = context
        self._user = user
        self._runner = runner
        self._state = state
        self._logging_out = False
        self._close_confirmed = False
        self.service = context.projects(user)
        self.project: ProjectSummary | None = None
        self.setWindowIcon(app_icon())
        self.resize(1180, 760)

        self.sidebar = ProjectListPanel()
        self.sidebar.sig_selected.connect(self._project_selected)
        self.sidebar.sig_new_requested.connect(self.new_project)
        self.overview = OverviewPage(context.project_path(user), runner)
        self.overview.sig_go_to.connect(self.go_to_page)
        self.codebook = CodebookPage(self.service, runner)
        self.codebook_panels = codebook_panels(self.codebook, context, user, runner)
        self.codebook.sig_project_changed.connect(lambda project: self.refresh_projects(project.id))
        self.codebook.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.documents = DocumentsPage(context.documents(user), runner)
        self.documents.sig_project_changed.connect(lambda: self.refresh_projects(self._project_id()))
        self.documents.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.jobs = context.jobs(user)
        self.providers = context.providers(user)
        self.run_page = RunPage(self.jobs, self.providers, runner)
        self.run_page.sig_project_changed.connect(lambda: self.refresh_projects(self._project_id()))
        self.results_page = ResultsPage(context.results(user), runner)
        self.results_page.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.quality_page = QualityPage(context.reviews(user), context.refinement(user), runner)
        self.quality_page.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.quality_page.sig_codebook_changed.connect(self._codebook_changed_elsewhere)
        self.quality_page.sig_go_to.connect(self.go_to_page)
        self.results_page.sig_values_changed.connect(self.quality_page.mark_stale)
        self.run_page.sig_project_changed.connect(self.quality_page.mark_stale)
        self.export_page = ExportPage(context.exports(user), runner)
        self.pages: dict[str, QWidget] = {
            "overview": self.overview,
            "documents": self.documents,
            "codebook": self.codebook,
            "run": self.run_page,
            "results": self.results_page,
            "quality": self.quality_page,
            "export": self.export_page,
        }
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for key in ("overview", "documents", "codebook", "run", "results", "quality", "export"):
            self.tabs.addTab(self.pages[key], key.capitalize())
        self.no_project = EmptyState(
            "No project selected",
            "A project holds a corpus of documents, the codebook of variables to extract from them, and "
            "the resulting dataset. Create one to start.",
            ("New project…", self.new_project),
        )
        self.content = QStackedWidget()
        self.content.addWidget(self.no_project)
        self.content.addWidget(self.tabs)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.content)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([280, 900])
        self.setCentralWidget(self.splitter)
        self._build_menus()
        self.location_label = QLabel(f"{user.login} · {context.database.location}")
        self.statusBar().addPermanentWidget(self.location_label)
        if (geometry := state.geometry("main")) is not None:
            self.restoreGeometry(geometry)
        self._show_project(None)
        self.refresh_projects(state.last_project(user.login))

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(
            file_menu, "&New Project…", self.new_project, QKeySequence.StandardKey.New
        )
        self.import_action = self._action(
            file_menu, "&Import Codebook…", self.codebook.import_codebook, "Ctrl+I"
        )
        self.export_action = self._action(
            file_menu, "&Export Codebook…", self.codebook.export_codebook, "Ctrl+E"
        )
        self.delete_action = self._action(file_menu, "&Delete Project…", self.delete_project)
        file_menu.addSeparator()
        self._action(file_menu, "&Log Out", self.log_out)
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        settings_menu = self.menuBar().addMenu("&Settings")
        self._action(settings_menu, "&API Keys…", self.edit_api_keys)
        self._action(settings_menu, "&Provider…", self.edit_provider)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "Open &Data Folder", lambda: self._open(self._context.settings.data_dir))
        self._action(help_menu, "Open &Log File", lambda: self._open(self._context.log_file))
        self.report_problem_action = self._action(help_menu, "&Report a Problem…", self.report_problem)
        help_menu.addSeparator()
        self._action(help_menu, "&About CoderAI Desktop", self.about)

    def _action(
        self, menu: QMenu, text: str, slot: Callable[[], object], shortcut: Shortcut | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def refresh_projects(self, select_id: int | None = None) -> None:
        self._runner.run(
            self.service.list_projects(),
            on_success=lambda projects: self.sidebar.set_projects(projects, select_id),
            error_title="The projects cannot be listed",
            parent=self,
            name="project-list",
        )

    def _project_selected(self, project: ProjectSummary | None) -> None:
        """Another project was picked in the sidebar: settle unsaved codebook changes first."""
        current = self.project
        switching = current is not None and (project is None or project.id != current.id)
        self.codebook.flush_edits()
        # A project that left the list (deleted) has nothing left to save.
        if (
            not switching
            or current is None
            or self.sidebar.model.row_of(current.id) is None
            or not self.codebook.has_unsaved_changes()
        ):
            self._show_project(project)
            return
        # Settled (saved or discarded): list the projects again (a save changed one) and show `project`.
        self.codebook.maybe_leave(
            lambda: self.refresh_projects(project.id if project is not None else None),
            "switch to another project",
            on_cancel=lambda: self._reselect(current),
        )

    def _reselect(self, project: ProjectSummary) -> None:
        """Select `project` in the sidebar again without showing it anew (switching was cancelled)."""
        row = self.sidebar.model.row_of(project.id)
        if row is None:
            return
        self.sidebar.blockSignals(True)
        try:
            self.sidebar.view.setCurrentIndex(self.sidebar.model.index(row))
        finally:
            self.sidebar.blockSignals(False)

    def _show_project(self, project: ProjectSummary | None) -> None:
        self.project = project
        for action in (self.import_action, self.export_action, self.delete_action):
            action.setEnabled(project is not None)
        self.content.setCurrentWidget(self.tabs if project is not None else self.no_project)
        self.setWindowTitle("CoderAI Desktop" + (f" — {project.name}" if project else ""))
        if project is None:
            return
        self._state.set_last_project(self._user.login, project.id)
        self.overview.show_project(project)
        self.documents.show_project(project)
        self.codebook.show_project(project)
        self.codebook_panels.set_project(project)
        self.run_page.show_project(project)
        self.results_page.show_project(project)
        self.quality_page.show_project(project)
        self.export_page.show_project(project)

    def _codebook_changed_elsewhere(self) -> None:
        """A refinement changed a variable: the Codebook page reads it again, unless it holds edits of its
        own (saving them then makes a version of their own, as any save does)."""
        if self.project is not None and not self.codebook.has_unsaved_changes():
            self.codebook.show_project(self.project)

    def _project_id(self) -> int | None:
        return self.project.id if self.project is not None else None

    def go_to_page(self, key: str) -> None:
        self.tabs.setCurrentWidget(self.pages[key])

    def new_project(self) -> None:
        names = {project.name for project in self.sidebar.model.projects()}
        wizard = NewProjectWizard(
            self.service, self._runner, names, self, copilot=self._context.copilot(self._user)
        )
        wizard.sig_created.connect(lambda project: self.refresh_projects(project.id))
        wizard.open()

    def delete_project(self) -> None:
        project = self.project
        if project is None:
            return
        ask(
            self,
            "Delete project?",
            f"Delete '{project.name}' with its {count(project.document_count, 'document')}, "
            f"{count(project.variable_count, 'variable')} and all results? This cannot be undone.",
            "Delete project",
            lambda: self._runner.run(
                self.service.delete_project(project.id),
                on_success=lambda _deleted: self.refresh_projects(),
                error_title="The project cannot be deleted",
                parent=self,
            ),
        )

    def edit_api_keys(self) -> None:
        ApiKeysDialog(self._context.secrets, self._user.workspace_id, self._runner, self).open()

    def edit_provider(self) -> None:
        dialog = ProviderDialog(self.providers, self._runner, parent=self)
        dialog.sig_saved.connect(lambda _settings: self.run_page.refresh_provider())
        dialog.open()

    def offer_resume(self) -> None:
        """Runs that stopped without finishing (the app closed, the computer crashed, paused): resume them?"""
        self._runner.run(self._interrupted(), on_success=self._ask_resume, name="interrupted-runs")

    async def _interrupted(self) -> list[tuple[JobSummary, str]]:
        jobs = await self.jobs.interrupted()
        if not jobs:
            return []
        names = {project.id: project.name for project in await self.service.list_projects()}
        return [(job, names.get(job.project_id, f"project {job.project_id}")) for job in jobs]

    def _ask_resume(self, stopped: list[tuple[JobSummary, str]]) -> None:
        # A batch job the app stopped waiting for: the provider works on, so the app polls it again unasked.
        polled = [job for job, _name in stopped if job.batch and _stopped_by_the_app(job)]
        for job in polled:
            self.run_page.run_job(job.id)
        stopped = [(job, name) for job, name in stopped if job not in polled]
        if not stopped:
            return
        lines = "\n".join(
            f"• {name}: run {job.id}, {job.documents_processed} of {job.documents_total} documents coded. "
            f"{job.pause_reason or 'Interrupted.'}"
            for job, name in stopped
        )
        ask(
            self,
            "Resume unfinished runs?",
            f"{count(len(stopped), 'run')} did not finish:\n\n{lines}\n\nResume now? Documents already "
            "coded are not coded again.",
            "Resume",
            lambda: self._resume([job for job, _name in stopped]),
            cancel_text="Not now",
        )

    def _resume(self, jobs: list[JobSummary]) -> None:
        for job in jobs:
            self.run_page.run_job(job.id)
        self.refresh_projects(jobs[0].project_id)
        self.go_to_page("run")

    def about(self) -> None:
        AboutDialog(self._context.database.location, self._context.log_file, self).open()

    def report_problem(self) -> None:
        ReportProblemDialog(
            self._context.settings, self.providers, self._user.login, self._runner, self
        ).open()

    def log_out(self) -> None:
        self._logging_out = True
        self.close()

    def _open(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _close_anyway(self, logging_out: bool) -> None:
        self._close_confirmed, self._logging_out = True, logging_out
        self.close()

    def _close_after_codebook(self, logging_out: bool) -> None:
        self._logging_out = logging_out
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.codebook.flush_edits()
        if self.codebook.has_unsaved_changes():
            event.ignore()
            logging_out, self._logging_out = self._logging_out, False
            self.codebook.maybe_leave(
                lambda: self._close_after_codebook(logging_out), "log out" if logging_out else "quit"
            )
            return
        if self.run_page.busy and not self._close_confirmed:
            event.ignore()
            logging_out, self._logging_out = self._logging_out, False
            ask(
                self,
                "Pause the run?",
                "A run is in progress. Closing pauses it: the documents coded so far are kept, and the next "
                "time you log in you can resume it where it stopped.",
                "Pause and log out" if logging_out else "Pause and quit",
                lambda: self._close_anyway(logging_out),
                cancel_text="Keep running",
            )
            return
        self.run_page.stop_all()
        self._state.set_geometry("main", self.saveGeometry())
        self._state.sync()
        super().closeEvent(event)
        (self.sig_logout if self._logging_out else self.sig_closed).emit()


def _stopped_by_the_app(job: JobSummary) -> bool:
    """Closed mid-run (or its process died), not paused by the researcher or by a failure."""
    return job.status is JobStatus.RUNNING or job.pause_reason == APP_CLOSED
