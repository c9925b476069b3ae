"""The Codebook page's side panels beside the variable form: the prompt preview (with a test call), the
prompt history with its diffs, and the co-pilot. A panel follows the project and the selected variable
only while its tab is shown, so switching projects does not preview prompts nobody looks at."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import QMessageBox, QWidget

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ui.copilot.panel import CopilotPanel
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.variables.codebook_page import CodebookPage
from coderai_desktop.ui.variables.prompt_history import PromptHistoryPanel
from coderai_desktop.ui.variables.prompt_preview import PromptPreviewPanel
from coderai_desktop.ui.widgets.scrolling import scrolling


class Panel(Protocol):
    def set_project(self, project: Any) -> None: ...

    def set_variable(self, name: str | None) -> None: ...


class CodebookPanels:
    def __init__(self, page: CodebookPage, panels: dict[str, QWidget]):
        self._page = page
        self._panels = panels
        self._project: ProjectSummary | None = None
        self._variable: str | None = None
        self._shown: dict[int, tuple[int | None, str | None]] = {}  # panel -> what it last showed
        self._holders: dict[int, QWidget] = {}  # the tab's scroll area -> its panel
        for title, widget in panels.items():
            holder = scrolling(widget)
            self._holders[id(holder)] = widget
            page.add_panel(title, holder)
        page.panels.currentChanged.connect(lambda _index: self._refresh())
        page.sig_variable_selected.connect(self._variable_selected)

    def set_project(self, project: ProjectSummary) -> None:
        if self._project is None or self._project.id != project.id:
            self._variable = None
        self._project = project
        self._refresh()

    def _variable_selected(self, name: str | None) -> None:
        self._variable = name
        self._refresh()

    def _refresh(self) -> None:
        widget = self._holders.get(id(self._page.panels.currentWidget()))
        if self._project is None or widget is None:
            return
        panel: Panel = widget  # type: ignore[assignment]
        shown = self._shown.get(id(widget))
        if shown is None or shown[0] != self._project.id:
            panel.set_project(self._project)
        if shown is None or shown != (self._project.id, self._variable):
            panel.set_variable(self._variable)
        self._shown[id(widget)] = (self._project.id, self._variable)


def accept_proposal(page: CodebookPage, proposal: Any) -> None:
    """A co-pilot proposal into the draft (one undo step); one that no longer fits is explained."""
    try:
        page.apply_proposal(proposal)
    except ValueError as error:
        QMessageBox.information(page, "The proposal cannot be applied", str(error))


def codebook_panels(
    page: CodebookPage, context: AppContext, user: UserSession, runner: TaskRunner
) -> CodebookPanels:
    """The preview, history and co-pilot panels, made from the app's services and added to the page."""
    lab = context.prompt_lab(user)
    copilot = CopilotPanel(context.copilot(user), runner)
    copilot.sig_accept.connect(lambda proposal: accept_proposal(page, proposal))
    page.sig_project_changed.connect(lambda _project: copilot.reload())
    return CodebookPanels(
        page,
        {
            "Prompt": PromptPreviewPanel(lab, context.documents(user), runner),
            "Prompt history": PromptHistoryPanel(lab, runner),
            "Co-pilot": copilot,
        },
    )
