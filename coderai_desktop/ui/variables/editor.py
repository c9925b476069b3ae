"""The codebook editor: the variable list beside the panels (Variable, Project, and tabs others add).

It holds the codebook being edited as plain data (`draft`) with an undo stack; every change is an undo
step (undo_commands), after which the draft is checked again and its problems shown in the list and the
forms. It knows nothing of projects or services: the Codebook page loads it and saves what it holds.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coderai_desktop.domain.codebook import Codebook, ProjectContext, VariableSpec
from coderai_desktop.domain.codebook_rules import Problem
from coderai_desktop.ui.variables.context_form import ContextForm
from coderai_desktop.ui.variables.draft import (
    Check,
    CodebookDraft,
    Fields,
    blank_variable,
    copy_name,
    unique_name,
)
from coderai_desktop.ui.variables.undo_commands import (
    DeleteVariable,
    EditContext,
    EditVariable,
    InsertVariable,
    MoveVariable,
    proposal_command,
)
from coderai_desktop.ui.variables.variable_form import VariableForm
from coderai_desktop.ui.variables.variable_list import VariableList
from coderai_desktop.ui.widgets.empty_state import EmptyState

VARIABLE_TAB, PROJECT_TAB = 0, 1
# The project context's fields as the Project tab names them.
CONTEXT_LABELS = {"entity_identification_pattern": "entity pattern", "language": "document language"}
FieldPath = tuple[str | int, ...]


class CodebookEditor(QWidget):
    sig_variable_selected = Signal(object)
    """The selected variable's name, or None."""

    sig_draft_changed = Signal()
    """The codebook being edited changed (an edit, an undo or redo, a load)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._source: str | None = None  # the form the change being pushed comes from
        self._session = 0  # edits merge within one session; selecting another variable starts a new one
        self._emitted: str | None = None
        self.draft = CodebookDraft()
        self.check: Check = self.draft.check()
        self.undo_stack = QUndoStack(self)

        self.list = VariableList()
        self.model = self.list.model
        self.model.move_handler = lambda row, to: self.push(MoveVariable(self, row, to))
        self.list.sig_row_selected.connect(self._row_selected)
        self.list.add_button.clicked.connect(self.add_variable)
        self.list.duplicate_button.clicked.connect(self.duplicate_variable)
        self.list.up_button.clicked.connect(lambda: self.move_variable(-1))
        self.list.down_button.clicked.connect(lambda: self.move_variable(1))
        self.form = VariableForm()
        self.form.sig_edited.connect(self._form_edited)
        self.empty = EmptyState(
            "No variables yet",
            "The codebook lists the variables to extract from every document: their type, instructions "
            "and categories. Add one, or import a codebook file (YAML or JSON) from the toolbar.",
            ("Add a variable", self.add_variable),
        )
        empty_area = QScrollArea()  # the empty state's text column is wide: never let it widen the page
        empty_area.setWidgetResizable(True)
        empty_area.setFrameShape(QFrame.Shape.NoFrame)
        empty_area.setWidget(self.empty)
        self.variable_stack = QStackedWidget()
        self.variable_stack.addWidget(empty_area)
        self.variable_stack.addWidget(self.form)
        self.context_form = ContextForm()
        self.context_form.sig_edited.connect(self._context_edited)
        self.panels = QTabWidget()
        self.panels.setDocumentMode(True)
        self.panels.addTab(self.variable_stack, "Variable")
        self.panels.addTab(self.context_form, "Project")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.panels)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([300, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    # -- reading ------------------------------------------------------------------------------------------

    def selected_row(self) -> int | None:
        return self.list.row()

    def selected_variable(self) -> str | None:
        row = self.list.row()
        return self.draft.names()[row] if row is not None else None

    def add_panel(self, title: str, widget: QWidget) -> int:
        return self.panels.addTab(widget, title)

    def describe(self, problem: Problem) -> str:
        """A problem as the status text says it: "sectors — a category variable needs a category"."""
        path = problem.path
        row = path[1] if path[:1] == ("variables",) and len(path) > 1 else None
        if isinstance(row, int) and row < len(self.draft.variables):
            return f"{self.draft.name_at(row)} — {problem.message}"
        field = " ".join(CONTEXT_LABELS.get(str(part), str(part).replace("_", " ")) for part in path[1:])
        return f"Project {field} — {problem.message}" if field else f"Project — {problem.message}"

    # -- changing -----------------------------------------------------------------------------------------

    def load(self, codebook: Codebook, keep_selection: bool = False) -> None:
        """Edit `codebook` from scratch: a new draft, an empty undo history."""
        selected = self.selected_variable() if keep_selection else None
        self.draft = CodebookDraft(codebook)
        self.undo_stack.clear()
        self.check = self.draft.check()
        self.model.set_variables(self.draft.variables)
        self.model.set_problems(self._row_problems())
        self.context_form.set_context(self.draft.context)
        self.context_form.show_problems(self._context_problems())
        row = self.draft.row_of(selected) if selected else None
        row = row if row is not None else (0 if self.draft.variables else None)
        if row is None:
            self._row_selected(None)
        else:
            self.list.select(row)
        self.sig_draft_changed.emit()

    def end_merging(self) -> None:
        """The next edit is an undo step of its own (after a save: never fold an edit into a saved one)."""
        self._session += 1

    def push(self, command: QUndoCommand, source: str | None = None) -> None:
        self._source = source
        try:
            self.undo_stack.push(command)
        finally:
            self._source = None

    def changed(self, row: int | None) -> None:
        """What every undo step calls after changing the draft: check it, show it, select `row`."""
        self.check = self.draft.check()
        self.model.set_problems(self._row_problems())
        if row is None:
            if self._source != "context":
                self.context_form.set_context(self.draft.context)
                self._reveal(PROJECT_TAB)
        elif self.list.row() != row:
            self.list.select(row)  # which shows the variable
        elif self._source != "form":
            self._show_variable(row)
        if row is not None and self._source is None:
            self._reveal(VARIABLE_TAB)
        self.context_form.show_problems(self._context_problems())
        self._show_variable_problems()
        self._emit_selected()
        self.sig_draft_changed.emit()

    def add_variable(self) -> None:
        row = self.list.row()
        at = row + 1 if row is not None else self.model.rowCount()
        name = unique_name("new_variable", self.draft.names())
        self.push(InsertVariable(self, at, blank_variable(name), f"add {name}"))
        self.panels.setCurrentIndex(VARIABLE_TAB)
        self.form.name.setFocus()
        self.form.name.selectAll()

    def duplicate_variable(self) -> None:
        if (row := self.list.row()) is None:
            return
        fields = copy.deepcopy(self.draft.variables[row])
        fields["name"] = copy_name(str(fields.get("name") or "variable"), self.draft.names())
        self.push(InsertVariable(self, row + 1, fields, f"duplicate {self.draft.name_at(row)}"))

    def delete(self, fields: Fields) -> None:
        """Delete the variable with these fields (the dict itself: a row may have moved meanwhile)."""
        row = next((row for row, other in enumerate(self.draft.variables) if other is fields), None)
        if row is not None:
            self.push(DeleteVariable(self, row))

    def move_variable(self, step: int) -> None:
        row = self.list.row()
        if row is not None and 0 <= row + step < self.model.rowCount():
            self.push(MoveVariable(self, row, row + step))

    def apply_proposal(self, proposal: Sequence[Any]) -> None:
        self.push(proposal_command(self, proposal))

    def flush_forms(self) -> None:
        """Take in what the forms show but have not reported yet (Ctrl+S before typing paused)."""
        row = self.list.row()
        if row is not None and self.variable_stack.currentWidget() is self.form:
            fields = self.form.fields()
            if fields != self.draft.variables[row] and not _same(fields, self.check.specs[row]):
                self._form_edited(fields)
        context = self.context_form.fields()
        if self.draft.context and context != self.draft.context and not _same(context, self.check.context):
            self._context_edited(context)

    def _form_edited(self, fields: Fields) -> None:
        row = self.list.row()
        if row is not None and fields != self.draft.variables[row]:
            self.push(EditVariable(self, row, copy.deepcopy(fields), session=self._session), "form")

    def _context_edited(self, fields: Fields) -> None:
        if fields != self.draft.context:
            self.push(EditContext(self, copy.deepcopy(fields), session=self._session), "context")

    # -- showing ------------------------------------------------------------------------------------------

    def _row_selected(self, row: int | None) -> None:
        self._session += 1
        if row is None:
            self.variable_stack.setCurrentIndex(0)
            has_variables = bool(self.draft.variables)
            self.empty.title_label.setText("No variable selected" if has_variables else "No variables yet")
        else:
            self._show_variable(row)
        self._show_variable_problems()
        self.list.update_buttons()
        self._emit_selected()

    def _show_variable(self, row: int) -> None:
        names = self.draft.names()
        others = {
            name: self.draft.variables[index] for index, name in enumerate(names) if index != row and name
        }
        self.form.set_variable(self.draft.variables[row], list(others), others)
        self.variable_stack.setCurrentWidget(self.form)

    def _emit_selected(self) -> None:
        name = self.selected_variable()
        if name != self._emitted:
            self._emitted = name
            self.sig_variable_selected.emit(name)

    def _show_variable_problems(self) -> None:
        row = self.list.row()
        if row is None:
            return
        problems: dict[FieldPath, str] = {}
        for problem in self.check.by_variable.get(row, []):
            path = problem.path[2:]
            problems[path] = f"{problems[path]}\n{problem.message}" if path in problems else problem.message
        self.form.show_problems(problems)

    def _row_problems(self) -> dict[int, str]:
        return {row: problems[0].message for row, problems in self.check.by_variable.items()}

    def _context_problems(self) -> dict[FieldPath, str]:
        return {problem.path[1:]: problem.message for problem in self.check.context_problems}

    def _reveal(self, tab: int) -> None:
        """Show the tab a change happened in, unless the person works in another panel (the co-pilot's)."""
        if self.panels.currentIndex() in (VARIABLE_TAB, PROJECT_TAB):
            self.panels.setCurrentIndex(tab)


def _same(fields: Fields, model: VariableSpec | ProjectContext | None) -> bool:
    """Whether `fields` say what `model` says (a form words the same thing its own way)."""
    if model is None:
        return False
    try:
        return type(model).model_validate(fields) == model
    except ValueError:
        return False
