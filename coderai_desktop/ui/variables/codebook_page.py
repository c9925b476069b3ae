"""The Codebook page: the codebook editor with its toolbar (Save, Undo, Redo, Import, Export, status).

The editor (editor.py) holds the draft and its undo history; the page reads the project's codebook into it,
saves what it holds as a new codebook version, asks before unsaved changes are lost, and imports or
exports saved codebooks (codebook_files.py). Unsaved changes stay while other pages are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QVBoxLayout, QWidget

from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.codebook_rules import Problem
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.formatting import count
from coderai_desktop.projects.service import EditableCodebook, ProjectService
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.variables.codebook_files import CodebookFiles, Saved
from coderai_desktop.ui.variables.editor import CodebookEditor
from coderai_desktop.ui.variables.page_widgets import EditorToolbar, ask_unsaved_changes
from coderai_desktop.ui.widgets.messages import ask

Callback = Callable[[], object] | None


class CodebookPage(QWidget):
    sig_project_changed = Signal(object)
    """The project's new ProjectSummary after its codebook was saved or replaced."""

    sig_message = Signal(str)
    """A short confirmation for the status bar."""

    sig_variable_selected = Signal(object)
    """The selected variable's name, or None."""

    sig_draft_changed = Signal()
    """The codebook being edited changed (an edit, an undo or redo, a load)."""

    def __init__(self, service: ProjectService, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._project: ProjectSummary | None = None
        self._saved: Codebook | None = None  # the codebook as saved; None until one is read
        # The versions of the saved variables the draft was made from: a save is refused if another computer
        # (or window) has changed one of them since, rather than overwriting that change.
        self._versions: Mapping[str, int] = {}
        self._saving = False
        self._saved_note = ""
        self.files = CodebookFiles(self, service, runner)
        self.editor = CodebookEditor()
        self.editor.sig_variable_selected.connect(self.sig_variable_selected)
        self.editor.sig_draft_changed.connect(self._refresh_state)
        self.editor.sig_draft_changed.connect(self.sig_draft_changed)
        self.editor.list.delete_button.clicked.connect(self.delete_variable)
        # The parts tests and other panels reach for.
        self.undo_stack = self.editor.undo_stack
        self.list, self.model, self.panels = self.editor.list, self.editor.model, self.editor.panels
        self.form, self.context_form = self.editor.form, self.editor.context_form

        self.toolbar = EditorToolbar()
        self.save_button, self.undo_button = self.toolbar.save_button, self.toolbar.undo_button
        self.redo_button, self.status_label = self.toolbar.redo_button, self.toolbar.status_label
        self.import_button, self.export_button = self.toolbar.import_button, self.toolbar.export_button
        self.save_button.clicked.connect(lambda: self.save())
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.import_button.clicked.connect(self.import_codebook)
        self.export_button.clicked.connect(self.export_codebook)
        self.save_action = self._shortcut("Save", lambda: self.save(), QKeySequence.StandardKey.Save)
        self.undo_action = self._shortcut("Undo", self.undo_stack.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._shortcut(
            "Redo", self.undo_stack.redo, QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo
        )
        for changed in (self.undo_stack.indexChanged, self.undo_stack.cleanChanged):
            changed.connect(self._refresh_state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.editor, stretch=1)
        self._refresh_state()

    def _shortcut(self, text: str, slot: Callable[[], object], *keys: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(key) for key in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # -- what the main window and other panels use ------------------------------------------------------

    @property
    def project(self) -> ProjectSummary | None:
        return self._project

    def show_project(self, project: ProjectSummary) -> None:
        """Show `project`'s codebook. The same project again keeps the draft and its undo history."""
        same = self._project is not None and self._project.id == project.id and self._saved is not None
        self._project = project
        if not same:
            self._saved = None
            self.editor.setEnabled(False)  # until its codebook is read
            self._refresh_state()
        self._runner.run(
            self._read(project.id),
            on_success=lambda read: self._read_done(project.id, read, same),
            error_title="The codebook cannot be read",
            parent=self,
            name="codebook-page",
        )

    def has_unsaved_changes(self) -> bool:
        """Whether the draft differs from the saved codebook (undoing past a save makes it differ again)."""
        if self._saved is None or self.undo_stack.isClean():
            return False
        built = self.editor.check.codebook
        return built is None or (built.project, built.variables) != (
            self._saved.project,
            self._saved.variables,
        )

    def maybe_leave(
        self, on_done: Callable[[], object], doing: str = "leave", on_cancel: Callback = None
    ) -> None:
        """Run `on_done` at once when nothing is unsaved; otherwise ask Save / Discard / Cancel first
        (`doing` ends the question: "Save them before you {doing}?")."""
        self.flush_edits()
        if self._project is None or not self.has_unsaved_changes():
            on_done()
            return
        problems, name = len(self.editor.check.problems), self._project.name
        if problems:
            text = (
                f"The codebook of '{name}' has unsaved changes with {count(problems, 'problem')}, so it "
                f"cannot be saved as it is. Discard the changes and {doing}, or cancel and fix the problems."
            )
        else:
            text = f"The codebook of '{name}' has unsaved changes. Save them before you {doing}?"

        def chosen(choice: str) -> None:
            if choice == "save":
                self.save(on_saved=on_done, on_abandoned=on_cancel)
            elif choice == "discard":
                self.discard_changes()
                on_done()
            elif on_cancel is not None:
                on_cancel()

        ask_unsaved_changes(self, text, not problems, chosen)

    def flush_edits(self) -> None:
        """Take in what the forms show but have not reported yet (typing that has not paused)."""
        self.editor.flush_forms()

    def discard_changes(self) -> None:
        """Go back to the saved codebook (its undo history goes too)."""
        if self._saved is not None:
            self._saved_note = ""
            self.editor.load(self._saved, keep_selection=True)

    def selected_variable(self) -> str | None:
        return self.editor.selected_variable()

    def draft_codebook(self) -> Codebook | None:
        """The codebook being edited; None while part of it cannot be read at all (see `problems`)."""
        return self.editor.check.codebook

    def saved_codebook(self) -> Codebook | None:
        return self._saved

    def problems(self) -> list[Problem]:
        return list(self.editor.check.problems)

    def add_panel(self, title: str, widget: QWidget) -> int:
        """Another tab beside Variable and Project; it can follow sig_variable_selected."""
        return self.editor.add_panel(title, widget)

    def apply_proposal(self, proposal: Sequence[Any]) -> None:
        """A co-pilot proposal as one undo step: ('variable', fields) adds it or replaces the one of that
        name, ('categories', name, categories) adds those it lacks, ('instructions', name, text),
        ('unit', unit, pattern). ValueError when it names no variable."""
        self.editor.apply_proposal(proposal)

    def delete_variable(self) -> None:
        """Delete the selected variable; ask first when it already has values."""
        if (row := self.editor.selected_row()) is None:
            return
        fields = self.editor.draft.variables[row]
        if self._project is None:
            self.editor.delete(fields)
            return

        def counted(counts: dict[str, int]) -> None:
            name = str(fields.get("name"))
            if not (values := counts.get(name, 0)):
                self.editor.delete(fields)
                return
            ask(
                self,
                "Delete the variable?",
                f"{name} already has {count(values, 'value')} coded in this project. Delete it? Its values "
                "are deleted when you save the codebook; until then, Undo brings it back.",
                "Delete variable",
                lambda: self.editor.delete(fields),
            )

        self._runner.run(
            self._service.result_counts(self._project.id),
            on_success=counted,
            error_title="The variable's values cannot be counted",
            parent=self,
        )

    # -- saving, importing, exporting -------------------------------------------------------------------

    def save(self, on_saved: Callback = None, on_abandoned: Callback = None) -> None:
        """Save the draft as a new codebook version (when it has no problems)."""
        self.editor.flush_forms()
        codebook = self.editor.check.codebook
        if self._project is None or self._saving or codebook is None or self.editor.check.problems:
            return
        self.editor.end_merging()
        self.save_started()
        self.files.save(codebook, self.undo_stack.index(), on_saved, on_abandoned)

    def save_started(self) -> None:
        self._saving = True
        self._refresh_state()

    def save_ended(self) -> None:
        self._saving = False
        self._refresh_state()

    def saved_as(self, saved: Saved, index: int | None) -> None:
        """A save (`index`: the undo stack's index when it started) or an import (None) succeeded."""
        self._saving = False
        self._project = saved.project
        self.list.set_changed_since_last_run(saved.changed_since_last_run)
        self._saved, self._versions = saved.codebook, saved.versions
        if index is None:
            self._saved_note = ""
            self.editor.load(saved.codebook)
        else:
            if self.undo_stack.index() == index:  # nothing changed while it saved
                self.undo_stack.setClean()
            self._saved_note = f"Saved as codebook version {saved.version}"
        self._refresh_state()
        self.sig_project_changed.emit(saved.project)

    def import_codebook(self) -> None:
        """Replace the codebook with a file's (saved at once, after asking); unsaved edits are settled first."""
        if self._project is not None and self._saved is not None and not self._saving:
            self.maybe_leave(self.files.choose_import, "import a codebook")

    def export_codebook(self) -> None:
        """Write the saved codebook to a file (the message says when the draft differs from it)."""
        if self._project is not None and self._saved is not None:
            self.files.choose_export(unsaved=self.has_unsaved_changes())

    # -- showing ------------------------------------------------------------------------------------------

    async def _read(self, project_id: int) -> tuple[EditableCodebook, list[str]]:
        editable = await self._service.get_editable_codebook(project_id)
        return editable, await self._service.changed_since_last_run(project_id)

    def _read_done(self, project_id: int, read: tuple[EditableCodebook, list[str]], same: bool) -> None:
        if self._project is None or self._project.id != project_id:
            return
        editable, changed = read
        codebook = editable.codebook
        self.list.set_changed_since_last_run(changed)
        self.editor.setEnabled(True)
        if same and self._saved is not None:
            if codebook == self._saved:
                return  # our own save read back, or nothing changed: keep the draft and its history
            if self.has_unsaved_changes():
                # Saved elsewhere meanwhile: the draft stays, made from the older versions, so saving it is
                # refused with who changed what (and offers to reload) instead of overwriting their change.
                self._saved = codebook
                self._refresh_state()
                return
        self._saved, self._versions, self._saved_note = codebook, editable.versions, ""
        self.editor.load(codebook, keep_selection=same)
        self._refresh_state()

    def reload_saved(self) -> None:
        """Read the codebook as saved now and show it; the draft and its undo history are dropped."""
        if self._project is not None:
            self._saved = None
            self.show_project(self._project)

    @property
    def loaded_versions(self) -> Mapping[str, int]:
        return self._versions

    def _refresh_state(self, *_args: object) -> None:
        loaded = self._project is not None and self._saved is not None
        problems = self.editor.check.problems
        unsaved = self.has_unsaved_changes()
        can_save = loaded and unsaved and not problems and not self._saving
        stack = self.undo_stack
        self.save_button.setEnabled(can_save)
        self.save_action.setEnabled(can_save)
        for widget in (self.undo_button, self.undo_action):
            widget.setEnabled(stack.canUndo())
            widget.setToolTip(f"Undo {stack.undoText()} (Ctrl+Z)" if stack.canUndo() else "Nothing to undo")
        for widget in (self.redo_button, self.redo_action):
            widget.setEnabled(stack.canRedo())
            widget.setToolTip(
                f"Redo {stack.redoText()} (Ctrl+Shift+Z)" if stack.canRedo() else "Nothing to redo"
            )
        self.import_button.setEnabled(loaded and not self._saving)
        self.export_button.setEnabled(loaded and bool(self._saved and self._saved.variables))
        self.list.add_button.setEnabled(loaded)
        if self._saving:
            self.status_label.show_text("Saving…")
        elif problems:
            describe = self.editor.describe
            summary = f"{count(len(problems), 'problem')}: {describe(problems[0])}"
            details = "\n".join(describe(problem) for problem in problems[:20])
            self.status_label.show_text(summary, details, problem=True)
            self.save_button.setToolTip(f"Fix the problems first:\n{details}")
        elif unsaved:
            self.status_label.show_text("Unsaved changes")
        elif loaded:
            variables = count(len(self.editor.draft.variables), "variable")
            self.status_label.show_text(
                f"{self._saved_note} · {variables}" if self._saved_note else f"{variables}, all saved"
            )
        else:
            self.status_label.show_text("")
        if not problems:
            self.save_button.setToolTip("Save the codebook as a new version (Ctrl+S)")
