"""What the Codebook page does with saved codebooks: save the draft as a new version, import a file
(saved at once, after asking), export the saved codebook. Every call goes through the task runner."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.errors import CoderAIError, ConcurrentEditError, ConflictError
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count
from coderai_desktop.projects.codebook_file import (
    FILE_FILTER,
    FORMATS,
    read_codebook_file,
    write_codebook_file,
)
from coderai_desktop.projects.service import ProjectService
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.widgets.messages import ask, show_error

if TYPE_CHECKING:
    from coderai_desktop.ui.variables.codebook_page import CodebookPage

EDITED = "edited in the Codebook page"
Callback = Callable[[], object] | None


@dataclass(frozen=True)
class Saved:
    """A codebook as saved, read back, with what the page shows about it."""

    project: ProjectSummary
    codebook: Codebook
    versions: Mapping[str, int]  # of its variables: the base of the next save
    version: int | None
    changed_since_last_run: list[str]


class CodebookFiles:
    def __init__(self, page: CodebookPage, service: ProjectService, runner: TaskRunner):
        self._page = page
        self._service = service
        self._runner = runner
        self.last_dir = Path.home()

    # -- save ---------------------------------------------------------------------------------------------

    def save(self, codebook: Codebook, index: int, on_saved: Callback, on_abandoned: Callback) -> None:
        """Save the draft; when it leaves out variables with values, ask before deleting them."""
        page = self._page

        def saved(result: Saved) -> None:
            page.saved_as(result, index)
            page.sig_message.emit(f"Saved as codebook version {result.version}.")
            if on_saved is not None:
                on_saved()

        def abandoned() -> None:
            page.save_ended()
            if on_abandoned is not None:
                on_abandoned()

        self._save(codebook, EDITED, saved, abandoned, "The codebook cannot be saved")

    def _save(
        self,
        codebook: Codebook,
        reason: str,
        on_saved: Callable[[Saved], None],
        on_abandoned: Callable[[], None],
        error_title: str,
        remove_results: bool = False,
    ) -> None:
        project = self._page.project
        assert project is not None

        def failed(error: BaseException) -> None:
            if isinstance(error, ConcurrentEditError):  # never written over: reload, or keep the draft

                def reload() -> None:
                    on_abandoned()
                    self._page.reload_saved()

                box = ask(
                    self._page,
                    "Changed on another computer",
                    f"{error}\n\nReload the codebook as it is saved now? Your unsaved changes here are "
                    "discarded; Cancel keeps them on screen (to copy what you need) without saving.",
                    "Reload",
                    reload,
                )
                _on_cancel(box, on_abandoned)
                return
            if isinstance(error, ConflictError) and not remove_results:
                box = ask(
                    self._page,
                    "Delete values?",
                    f"{error}\n\nSave anyway and delete the values of the variables left out?",
                    "Delete their values",
                    lambda: self._save(
                        codebook, reason, on_saved, on_abandoned, error_title, remove_results=True
                    ),
                )
                _on_cancel(box, on_abandoned)
                return
            on_abandoned()
            self._runner.report_failure(self._page, error_title, error)

        self._runner.run(
            self._save_work(project.id, codebook, reason, remove_results),
            on_success=on_saved,
            on_failure=failed,
        )

    async def _save_work(self, project_id: int, codebook: Codebook, reason: str, remove: bool) -> Saved:
        service = self._service
        # An edit is checked against the versions it was made from; an imported file replaces the codebook.
        loaded = self._page.loaded_versions if reason == EDITED else None
        project = await service.save_codebook(
            project_id, codebook, reason=reason, remove_variables_with_results=remove, loaded_versions=loaded
        )
        versions = await service.codebook_versions(project_id)
        saved = await service.get_editable_codebook(project_id)
        return Saved(
            project,
            saved.codebook,
            saved.versions,
            versions[0].version if versions else None,
            await service.changed_since_last_run(project_id),
        )

    # -- import -------------------------------------------------------------------------------------------

    def choose_import(self) -> None:
        page, saved = self._page, self._page.saved_codebook()
        if page.project is None or saved is None:
            return
        name, _ = QFileDialog.getOpenFileName(page, "Import codebook", str(self.last_dir), FILE_FILTER)
        if not name:
            return
        path = Path(name)
        self.last_dir = path.parent
        try:
            codebook = read_codebook_file(path)
        except CoderAIError as error:
            show_error(page, "The codebook cannot be imported", str(error))
            return
        if not saved.variables:
            self._import(codebook, path)
            return
        replaced = f"Replace the {count(len(saved.variables), 'variable')} of '{page.project.name}'"
        context = (
            " The file's project description, domain, language and unit of observation will also replace "
            "the project's."
            if codebook.project
            else ""
        )
        ask(
            page,
            "Replace the codebook?",
            f"{replaced} with the {count(len(codebook.variables), 'variable')} in {path.name}? "
            f"Variables with the same name keep their results.{context}",
            "Replace",
            lambda: self._import(codebook, path),
        )

    def _import(self, codebook: Codebook, path: Path) -> None:
        page = self._page

        def saved(result: Saved) -> None:
            page.saved_as(result, None)
            variables = count(result.project.variable_count, "variable")
            version = f" (codebook version {result.version})" if result.version else ""
            page.sig_message.emit(f"Imported {variables} from {path.name}{version}.")

        page.save_started()
        self._save(
            codebook, f"imported from {path.name}", saved, page.save_ended, "The codebook cannot be imported"
        )

    # -- export -------------------------------------------------------------------------------------------

    def choose_export(self, unsaved: bool) -> None:
        page = self._page
        if page.project is None:
            return
        suggested = self.last_dir / f"{page.project.name} codebook.yaml"
        name, _ = QFileDialog.getSaveFileName(
            page, "Export codebook", str(suggested), "YAML (*.yaml *.yml);;JSON (*.json)"
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in FORMATS:
            path = path.with_name(path.name + ".yaml")
        self.last_dir = path.parent
        note = " Your unsaved changes are not in it: save them, then export again." if unsaved else ""
        self._runner.run(
            self._export(page.project.id, path),
            on_success=lambda n: page.sig_message.emit(f"Saved {count(n, 'variable')} to {path}.{note}"),
            error_title="The codebook cannot be saved",
            parent=page,
        )

    async def _export(self, project_id: int, path: Path) -> int:
        codebook = await self._service.get_codebook(project_id)
        await asyncio.to_thread(write_codebook_file, path, codebook)
        return len(codebook.variables)


def _on_cancel(box: QMessageBox, callback: Callable[[], None]) -> None:
    """Call `callback` when `box` closes any way but its confirm button (the AcceptRole one)."""
    confirmed = []
    box.buttonClicked.connect(
        lambda button: (
            confirmed.append(True) if box.buttonRole(button) == QMessageBox.ButtonRole.AcceptRole else None
        )
    )
    box.finished.connect(lambda _result: None if confirmed else callback())
