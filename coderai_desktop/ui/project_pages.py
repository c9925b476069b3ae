"""The pages of a project (Overview to Export) for one session: every service behind them is built for it,
so a project shared with me is read and changed in its owner's workspace with my access. The main window
keeps one set per session: mine, and one per owner and access of the projects shared with me.

A viewer's set says so in a banner and holds every control that would change the project disabled, with
the reason as tooltip (the services refuse such writes anyway: this says it before the click)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ui.documents.page import DocumentsPage
from coderai_desktop.ui.export.page import ExportPage
from coderai_desktop.ui.projects.overview_page import OverviewPage
from coderai_desktop.ui.quality.page import QualityPage
from coderai_desktop.ui.results.page import ResultsPage
from coderai_desktop.ui.run.page import RunPage
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.variables.codebook_page import CodebookPage
from coderai_desktop.ui.variables.panels import codebook_panels
from coderai_desktop.ui.widgets.banner import Banner
from coderai_desktop.ui.widgets.read_only import ReadOnlyLock, keep_readable

PAGE_KEYS = ("overview", "documents", "codebook", "run", "results", "quality", "export")


def viewer_reason(owner: str) -> str:
    return f"Shared by {owner} — you can read and export this project, not change it."


def editor_note(owner: str) -> str:
    return f"Shared by {owner} — you can change this project; only {owner} can share or delete it."


class ProjectPages(QWidget):
    sig_message = Signal(str)
    """A line for the status bar."""

    sig_project_changed = Signal(object)
    """A project's name, status or counts changed: list the projects again, selecting this id (or None)."""

    def __init__(
        self,
        context: AppContext,
        session: UserSession,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.session = session
        owner = session.owner_login  # someone else's project, shared with me
        self.project: ProjectSummary | None = None
        self.service = context.projects(session)
        self.jobs = context.jobs(session)
        self.providers = context.providers(session)

        self.overview = OverviewPage(context.project_path(session), runner)
        self.codebook = CodebookPage(self.service, runner)
        self.codebook_panels = codebook_panels(self.codebook, context, session, runner)
        self.documents = DocumentsPage(context.documents(session), runner)
        self.run_page = RunPage(self.jobs, self.providers, runner)
        reviews = context.reviews(session)
        self.results_page = ResultsPage(context.results(session), runner, coders=reviews.coders)
        self.quality_page = QualityPage(reviews, context.refinement(session), runner)
        self.export_page = ExportPage(context.exports(session), runner)
        self.pages: dict[str, QWidget] = {
            "overview": self.overview,
            "documents": self.documents,
            "codebook": self.codebook,
            "run": self.run_page,
            "results": self.results_page,
            "quality": self.quality_page,
            "export": self.export_page,
        }
        self._connect()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for key in PAGE_KEYS:
            self.tabs.addTab(self.pages[key], key.capitalize())
        self.banner = Banner("warning" if self.read_only else "info")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, stretch=1)
        if owner is not None:
            self.banner.say(viewer_reason(owner) if self.read_only else editor_note(owner))
            if self.read_only:
                self._hold_changes(viewer_reason(owner))

    @property
    def read_only(self) -> bool:
        return self.session.access is ShareAccess.VIEWER

    def _connect(self) -> None:
        for signal in (
            self.codebook.sig_message,
            self.documents.sig_message,
            self.results_page.sig_message,
            self.quality_page.sig_message,
        ):
            signal.connect(self.sig_message)
        self.codebook.sig_project_changed.connect(lambda project: self.sig_project_changed.emit(project.id))
        for changed in (self.documents.sig_project_changed, self.run_page.sig_project_changed):
            changed.connect(lambda: self.sig_project_changed.emit(self._project_id()))
        self.overview.sig_go_to.connect(self.go_to_page)
        self.quality_page.sig_go_to.connect(self.go_to_page)
        self.quality_page.sig_codebook_changed.connect(self._codebook_changed_elsewhere)
        self.results_page.sig_values_changed.connect(self.quality_page.mark_stale)
        self.run_page.sig_project_changed.connect(self.quality_page.mark_stale)

    def _hold_changes(self, reason: str) -> None:
        """A viewer's controls: nothing that writes (import, delete, run, save, review) can be used."""
        lock = ReadOnlyLock(reason, self)
        documents, codebook, variables, run = self.documents, self.codebook, self.codebook.list, self.run_page
        documents.setAcceptDrops(False)
        lock.hold(documents.add_files_button, documents.add_folder_button, documents.add_sheet_button)
        lock.hold(documents.password_button, documents.reparse_button, documents.delete_button)
        lock.hold(documents.separately_button, documents.once_button)
        lock.hold(codebook.save_button, codebook.save_action, codebook.import_button)
        lock.hold(codebook.form, codebook.context_form)
        keep_readable(codebook.form)
        keep_readable(codebook.context_form)
        lock.hold(variables.add_button, variables.duplicate_button, variables.delete_button)
        lock.hold(variables.up_button, variables.down_button)
        empty_states = (documents.empty, codebook.editor.empty)
        lock.hold(*(empty.action_button for empty in empty_states if empty.action_button is not None))
        lock.hold(run.start_button, run.pause_button, run.resume_button, run.cancel_button)
        lock.hold(run.provider_button)
        # The Overview's next steps lead to pages where a viewer can do nothing, but for the last: exporting.
        lock.hold(*(row.button for row in self.overview.rows[:-1]))
        self.results_page.set_read_only(reason)
        self.quality_page.set_read_only(reason)

    def show_project(self, project: ProjectSummary) -> None:
        self.project = project
        self.overview.show_project(project)
        self.documents.show_project(project)
        self.codebook.show_project(project)
        self.codebook_panels.set_project(project)
        self.run_page.show_project(project)
        self.results_page.show_project(project)
        self.quality_page.show_project(project)
        self.export_page.show_project(project)

    def go_to_page(self, key: str) -> None:
        self.tabs.setCurrentWidget(self.pages[key])

    def _codebook_changed_elsewhere(self) -> None:
        """A refinement changed a variable: the Codebook page reads it again, unless it holds edits of its
        own (saving them then makes a version of their own, as any save does)."""
        if self.project is not None and not self.codebook.has_unsaved_changes():
            self.codebook.show_project(self.project)

    def _project_id(self) -> int | None:
        return self.project.id if self.project is not None else None
