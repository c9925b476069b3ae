"""The main window: the project list beside the pages of the selected project."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QSplitter, QStackedWidget, QTabWidget, QWidget

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import JobStatus, ShareAccess
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.domain.job import JobSummary
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count
from coderai_desktop.pipeline.runner import APP_CLOSED
from coderai_desktop.ui.about import AboutDialog
from coderai_desktop.ui.documents.page import DocumentsPage
from coderai_desktop.ui.export.page import ExportPage
from coderai_desktop.ui.project_pages import ProjectPages, viewer_reason
from coderai_desktop.ui.projects.list_model import ProjectEntry
from coderai_desktop.ui.projects.list_panel import ProjectListPanel
from coderai_desktop.ui.projects.overview_page import OverviewPage
from coderai_desktop.ui.projects.share_dialog import ShareDialog
from coderai_desktop.ui.quality.page import QualityPage
from coderai_desktop.ui.report_problem import ReportProblemDialog
from coderai_desktop.ui.results.page import ResultsPage
from coderai_desktop.ui.run.page import RunPage
from coderai_desktop.ui.settings.api_keys_dialog import ApiKeysDialog
from coderai_desktop.ui.settings.provider_dialog import ProviderDialog
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.ui_state import UiState
from coderai_desktop.ui.variables.codebook_page import CodebookPage
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

    def __init__(
        self,
        context: AppContext,
        user: UserSession,
        runner: TaskRunner,
        state: UiState,
        location: str | None = None,
    ):
        super().__init__()
        self._context = context
        self._user = user
        self._runner = runner
        self._state = state
        self._logging_out = False
        self._close_confirmed = False
        # A lab member's last project is remembered apart from a local account of the same name.
        self._state_key = user.login if location is None else f"{user.login}@{location}"
        self.service = context.projects(user)
        self.sharing = context.sharing(user)
        self.entry: ProjectEntry | None = None
        self.setWindowIcon(app_icon())
        self.resize(1180, 760)

        self.sidebar = ProjectListPanel()
        self.sidebar.sig_selected.connect(self._project_selected)
        self.sidebar.sig_new_requested.connect(self.new_project)
        self.no_project = EmptyState(
            "No project selected",
            "A project holds a corpus of documents, the codebook of variables to extract from them, and "
            "the resulting dataset. Create one to start.",
            ("New project…", self.new_project),
        )
        self.content = QStackedWidget()
        self.content.addWidget(self.no_project)
        self._page_sets: dict[UserSession, ProjectPages] = {}
        self.own_pages = self._pages_for(user)
        self.current_pages = self.own_pages
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.content)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([280, 900])
        self.setCentralWidget(self.splitter)
        self._build_menus()
        self.location_label = QLabel(f"{user.login} · {location or context.database.location}")
        self.statusBar().addPermanentWidget(self.location_label)
        if (geometry := state.geometry("main")) is not None:
            self.restoreGeometry(geometry)
        self._show_project(None)
        self.refresh_projects(state.last_project(self._state_key))

    # The pages of the project shown now (mine until a shared project is selected).

    @property
    def project(self) -> ProjectSummary | None:
        return self.entry.summary if self.entry is not None else None

    @property
    def tabs(self) -> QTabWidget:
        return self.current_pages.tabs

    @property
    def pages(self) -> dict[str, QWidget]:
        return self.current_pages.pages

    @property
    def overview(self) -> OverviewPage:
        return self.current_pages.overview

    @property
    def documents(self) -> DocumentsPage:
        return self.current_pages.documents

    @property
    def codebook(self) -> CodebookPage:
        return self.current_pages.codebook

    @property
    def run_page(self) -> RunPage:
        return self.current_pages.run_page

    @property
    def results_page(self) -> ResultsPage:
        return self.current_pages.results_page

    @property
    def quality_page(self) -> QualityPage:
        return self.current_pages.quality_page

    @property
    def export_page(self) -> ExportPage:
        return self.current_pages.export_page

    def _pages_for(self, session: UserSession) -> ProjectPages:
        """The pages working in `session` (built on first use, then kept with what they hold)."""
        if (pages := self._page_sets.get(session)) is None:
            # Beside mine, another set's tasks (reading a page, say) must not cancel those of my pages.
            runner = (
                self._runner
                if session == self._user
                else self._runner.scoped(f"session-{len(self._page_sets)}")
            )
            pages = self._page_sets[session] = ProjectPages(self._context, session, runner)
            pages.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
            pages.sig_project_changed.connect(self.refresh_projects)
            self.content.addWidget(pages)
        return pages

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.setToolTipsVisible(True)  # why an action is off, for a project shared with me
        self.new_action = self._action(
            file_menu, "&New Project…", self.new_project, QKeySequence.StandardKey.New
        )
        self.import_action = self._action(
            file_menu, "&Import Codebook…", lambda: self.codebook.import_codebook(), "Ctrl+I"
        )
        self.export_action = self._action(
            file_menu, "&Export Codebook…", lambda: self.codebook.export_codebook(), "Ctrl+E"
        )
        self.delete_action = self._action(file_menu, "&Delete Project…", self.delete_project)
        file_menu.addSeparator()
        self._action(file_menu, "&Log Out", self.log_out)
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        project_menu = self.menuBar().addMenu("&Project")
        project_menu.setToolTipsVisible(True)
        self.share_action = self._action(project_menu, "&Share…", self.share_project)
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
            self._entries(),
            on_success=lambda entries: self.sidebar.set_projects(entries, select_id),
            error_title="The projects cannot be listed",
            parent=self,
            name="project-list",
        )

    async def _entries(self) -> list[ProjectEntry]:
        """My projects (those handed over to me among them), then those shared with me."""
        mine, shared_with_me = await asyncio.gather(self.service.list_projects(), self.sharing.accessible())
        entries = [ProjectEntry(project, self._user) for project in mine]
        for shared in shared_with_me:
            session = self.sharing.session_for(shared)
            try:
                project = await self._context.projects(session).get_project(shared.project_id)
            except NotFoundError:
                continue  # unshared (or deleted) since it was listed
            entries.append(ProjectEntry(project, session))
        return sorted(entries, key=lambda entry: (entry.shared_with_me, entry.summary.name.lower()))

    def _project_selected(self, entry: ProjectEntry | None) -> None:
        """Another project was picked in the sidebar: settle unsaved codebook changes first."""
        current = self.entry
        switching = current is not None and (entry is None or entry.id != current.id)
        self.codebook.flush_edits()
        # A project that left the list (deleted) has nothing left to save.
        if (
            not switching
            or current is None
            or self.sidebar.model.row_of(current.id) is None
            or not self.codebook.has_unsaved_changes()
        ):
            self._show_project(entry)
            return
        # Settled (saved or discarded): list the projects again (a save changed one) and show `entry`.
        self.codebook.maybe_leave(
            lambda: self.refresh_projects(entry.id if entry is not None else None),
            "switch to another project",
            on_cancel=lambda: self._reselect(current),
        )

    def _reselect(self, entry: ProjectEntry) -> None:
        """Select `entry` in the sidebar again without showing it anew (switching was cancelled)."""
        row = self.sidebar.model.row_of(entry.id)
        if row is None:
            return
        self.sidebar.blockSignals(True)
        try:
            self.sidebar.view.setCurrentIndex(self.sidebar.model.index(row))
        finally:
            self.sidebar.blockSignals(False)

    def _show_project(self, entry: ProjectEntry | None) -> None:
        self.entry = entry
        pages = self.own_pages if entry is None else self._pages_for(entry.session)
        if pages is not self.current_pages:
            pages.tabs.setCurrentIndex(self.current_pages.tabs.currentIndex())  # stay on the same page
            self.current_pages = pages
        self._update_actions(entry)
        self.content.setCurrentWidget(pages if entry is not None else self.no_project)
        self.setWindowTitle("CoderAI Desktop" + (f" — {entry.summary.name}" if entry else ""))
        if entry is None:
            return
        self._state.set_last_project(self._state_key, entry.id)
        pages.show_project(entry.summary)

    def _update_actions(self, entry: ProjectEntry | None) -> None:
        """What the menus may do with the project shown: a viewer changes nothing, only its owner shares or
        deletes it; the tooltip says why an action is off."""
        owner = entry is not None and entry.owner is None
        changes = entry is not None and (owner or entry.access is ShareAccess.EDITOR)
        owner_only = (
            f"Only {entry.owner}, who owns this project, can do this." if entry and entry.owner else ""
        )
        viewer = viewer_reason(entry.owner) if entry and entry.owner and not changes else ""
        self.export_action.setEnabled(entry is not None)
        for action, allowed, reason in (
            (self.import_action, changes, viewer),
            (self.delete_action, owner, owner_only),
            (self.share_action, owner, owner_only),
        ):
            action.setEnabled(allowed)
            action.setToolTip(reason or action.text().replace("&", "").rstrip("…"))

    def go_to_page(self, key: str) -> None:
        self.tabs.setCurrentWidget(self.pages[key])

    def new_project(self) -> None:
        names = {entry.summary.name for entry in self.sidebar.model.entries() if entry.session == self._user}
        wizard = NewProjectWizard(
            self.service, self._runner, names, self, copilot=self._context.copilot(self._user)
        )
        wizard.sig_created.connect(lambda project: self.refresh_projects(project.id))
        wizard.open()

    def delete_project(self) -> None:
        project, service = self.project, self.current_pages.service  # one handed over to me: in its workspace
        if project is None:
            return
        ask(
            self,
            "Delete project?",
            f"Delete '{project.name}' with its {count(project.document_count, 'document')}, "
            f"{count(project.variable_count, 'variable')} and all results? This cannot be undone.",
            "Delete project",
            lambda: self._runner.run(
                service.delete_project(project.id),
                on_success=lambda _deleted: self.refresh_projects(),
                error_title="The project cannot be deleted",
                parent=self,
            ),
        )

    def edit_api_keys(self) -> None:
        ApiKeysDialog(self._context.secrets, self._user.workspace_id, self._runner, self).open()

    def edit_provider(self) -> None:
        dialog = ProviderDialog(self.own_pages.providers, self._runner, parent=self)
        dialog.sig_saved.connect(lambda _settings: self.own_pages.run_page.refresh_provider())
        dialog.open()

    def offer_resume(self) -> None:
        """Runs that stopped without finishing (the app closed, the computer crashed, paused): resume them?"""
        self._runner.run(self._interrupted(), on_success=self._ask_resume, name="interrupted-runs")

    async def _interrupted(self) -> list[tuple[JobSummary, str]]:
        jobs = await self.own_pages.jobs.interrupted()
        if not jobs:
            return []
        names = {project.id: project.name for project in await self.service.list_projects()}
        return [(job, names.get(job.project_id, f"project {job.project_id}")) for job in jobs]

    def _ask_resume(self, stopped: list[tuple[JobSummary, str]]) -> None:
        # A batch job the app stopped waiting for: the provider works on, so the app polls it again unasked.
        polled = [job for job, _name in stopped if job.batch and _stopped_by_the_app(job)]
        for job in polled:
            self.own_pages.run_page.run_job(job.id)
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
            self.own_pages.run_page.run_job(job.id)
        self.refresh_projects(jobs[0].project_id)
        self.go_to_page("run")

    def about(self) -> None:
        AboutDialog(self._context.database.location, self._context.log_file, self).open()

    def report_problem(self) -> None:
        ReportProblemDialog(
            self._context.settings, self.own_pages.providers, self._user.login, self._runner, self
        ).open()

    def share_project(self) -> None:
        entry = self.entry
        if entry is None or entry.owner is not None:
            return
        ShareDialog(self._context.sharing(entry.session), entry.summary, self._runner, self).open()

    def _running(self) -> bool:
        """A run goes on in this window, in my projects or in one shared with me."""
        return any(pages.run_page.busy for pages in self._page_sets.values())

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
        if self._running() and not self._close_confirmed:
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
        for pages in self._page_sets.values():
            pages.run_page.stop_all()
        self._state.set_geometry("main", self.saveGeometry())
        self._state.sync()
        super().closeEvent(event)
        (self.sig_logout if self._logging_out else self.sig_closed).emit()


def _stopped_by_the_app(job: JobSummary) -> bool:
    """Closed mid-run (or its process died), not paused by the researcher or by a failure."""
    return job.status is JobStatus.RUNNING or job.pause_reason == APP_CLOSED
