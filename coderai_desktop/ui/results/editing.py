"""The results grid's edits: typed values, Space and Delete on a selection, copy and paste, each batch
written through the service in the background (one write after the other) and pushed as one undoable
command per project."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QWidget

from coderai_desktop.domain.coercion import CoercionError
from coderai_desktop.domain.dataset import Cell, CellState, UnitKey
from coderai_desktop.formatting import count
from coderai_desktop.review.grid_edits import BlindEntry, CellEdit, Edit, EditReport
from coderai_desktop.review.results import ResultsService
from coderai_desktop.ui.results.clipboard import from_tsv, to_tsv
from coderai_desktop.ui.results.editors import parse_input
from coderai_desktop.ui.results.edits import paste_targets, problems_text, review_edit, selected_cells
from coderai_desktop.ui.results.grid_model import COL_DOCUMENT, ResultsModel
from coderai_desktop.ui.results.grid_view import ResultsGrid
from coderai_desktop.ui.results.row_cells import RowLoader, Rows
from coderai_desktop.ui.results.undo_commands import BlindCommand, ReviewCommand, Work
from coderai_desktop.ui.tasks import TaskRunner


class ResultsEditing(QObject):
    sig_message = Signal(str)
    """What an edit did (or why it did not), for the status bar."""

    sig_values_changed = Signal()
    """Reviews or codings were written (or undone): agreement and the Quality page change."""

    def __init__(
        self,
        service: ResultsService,
        runner: TaskRunner,
        model: ResultsModel,
        grid: ResultsGrid,
        parent: QWidget,
    ):
        super().__init__(parent)
        self._service, self._runner, self._parent = service, runner, parent
        self._model, self._grid = model, grid
        self._lock = asyncio.Lock()  # writes, undos and redos run one after the other, in order
        self.group = QUndoGroup(self)
        self._stacks: dict[int, QUndoStack] = {}
        self._reviewed: dict[int, set[int]] = {}  # project id -> extraction ids reviewed in this session
        self.project_id: int | None = None
        self._rows = RowLoader(service, runner, model, parent)
        self._rows.sig_message.connect(self.sig_message)
        model.sig_edit_requested.connect(self._edits_typed)
        model.sig_code_requested.connect(self._entries_typed)

    # -- the page's side ----------------------------------------------------------------------------------

    def set_project(self, project_id: int | None) -> None:
        self.project_id = project_id
        self._rows.project_id = project_id
        self.group.setActiveStack(None if project_id is None else self.stack(project_id))  # type: ignore[arg-type]

    def stack(self, project_id: int) -> QUndoStack:
        if project_id not in self._stacks:
            self._stacks[project_id] = QUndoStack(self.group)
        return self._stacks[project_id]

    def reviewed(self, project_id: int) -> set[int]:
        return self._reviewed.setdefault(project_id, set())

    def add_undo_actions(self, widget: QWidget) -> tuple[QAction, QAction]:
        """Undo and redo (Ctrl+Z, Ctrl+Y or Ctrl+Shift+Z) on `widget` and its children, following the
        current project's stack."""
        undo = self.group.createUndoAction(widget, "Undo")
        redo = self.group.createRedoAction(widget, "Redo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo.setShortcuts(QKeySequence.StandardKey.Redo)
        for action in (undo, redo):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            widget.addAction(action)
        return undo, redo

    def confirm_selected(self) -> None:
        if self._blind_refusal("mark values correct"):
            return
        targets = [cell for cell in selected_cells(self._grid.selected_ranges()) if cell[1] != COL_DOCUMENT]

        def confirm(rows: Rows) -> None:
            found = [(r, c, cell) for r, c in targets if (cell := rows.cell(r, c)) is not None]
            todo = [(r, c, cell) for r, c, cell in found if cell.state is not CellState.CONFIRMED]
            if not todo:
                self.sig_message.emit(
                    "Nothing to mark correct: " + ("already confirmed." if found else "no value selected.")
                )
                return
            edits = [
                CellEdit(cell.extraction_id, Edit.CONFIRM, seen_review=cell.review_id) for _, _, cell in todo
            ]
            labels = [self._label(r, c) for r, c, _ in todo]
            title = f"Mark {count(len(edits), 'value')} correct"
            self.apply(edits, labels, title, "marked correct", keys=_keys(rows, todo))

        self._rows.with_rows([r for r, _ in targets], confirm)

    def clear_selected(self) -> None:
        if self._blind_refusal("clear reviews"):
            return
        targets = [cell for cell in selected_cells(self._grid.selected_ranges()) if cell[1] != COL_DOCUMENT]

        def clear(rows: Rows) -> None:
            todo = [
                (r, c, cell) for r, c in targets if (cell := rows.cell(r, c)) is not None and cell.reviewed
            ]
            if not todo:
                self.sig_message.emit("Nothing to clear: the selected values are not reviewed.")
                return
            edits = [
                CellEdit(cell.extraction_id, Edit.CLEAR, seen_review=cell.review_id) for _, _, cell in todo
            ]
            labels = [self._label(r, c) for r, c, _ in todo]
            self.apply(
                edits, labels, f"Clear {count(len(edits), 'review')}", "cleared", keys=_keys(rows, todo)
            )

        self._rows.with_rows([r for r, _ in targets], clear)

    def copy_selected(self) -> None:
        ranges = self._grid.selected_ranges()
        if not ranges:
            return
        top, bottom = min(r[0] for r in ranges), max(r[1] for r in ranges)
        left, right = min(r[2] for r in ranges), max(r[3] for r in ranges)
        chosen = set(selected_cells(ranges))

        def copy(rows: Rows) -> None:
            block = [
                [rows.text(r, c) if (r, c) in chosen else "" for c in range(left, right + 1)]
                for r in range(top, bottom + 1)
            ]
            QGuiApplication.clipboard().setText(to_tsv(block))
            self.sig_message.emit(f"Copied {count(len(chosen), 'cell')}.")

        self._rows.with_rows(list(range(top, bottom + 1)), copy)

    def paste(self, text: str) -> None:
        current = self._grid.currentIndex()
        targets = paste_targets(
            from_tsv(text), self._grid.selected_ranges(), (max(current.row(), 0), max(current.column(), 0))
        )
        rows_count, columns = self._model.rowCount(), self._model.columnCount()
        inside = [t for t in targets if t[0] < rows_count and t[1] < columns]
        outside = len(targets) - len(inside)
        blind = self._model.blind

        def paste_rows(rows: Rows) -> None:
            edits: list[Any] = []
            labels, problems = [], []
            for row, column, cell_text in inside:
                spec, cell = self._model.spec(column), rows.cell(row, column)
                label = self._label(row, column)
                if spec is None:
                    problems.append(f"{label}: the document column cannot be changed")
                    continue
                if cell is None and not blind:
                    problems.append(f"{label}: there is no value to correct")
                    continue
                try:
                    value = parse_input(spec, cell_text)
                except CoercionError as error:
                    problems.append(f"{label}: {error}")
                    continue
                if blind:
                    edits.append(BlindEntry(rows.keys[row], spec.name, value))
                else:
                    assert cell is not None
                    edits.append(review_edit(cell, value))
                labels.append(label)
            problem = problems_text(problems, "pasted")
            if outside:
                problem += (" " if problem else "") + f"{count(outside, 'cell')} fell outside the grid."
            if not edits:
                self.sig_message.emit(problem or "Nothing to paste.")
                return
            title = f"Paste {count(len(edits), 'value')}"
            if blind:
                self.code(edits, labels, title, "pasted", problem)
            else:
                self.apply(
                    edits, labels, title, "pasted", problem, keys=list({rows.keys[t[0]]: 0 for t in inside})
                )

        self._rows.with_rows(sorted({t[0] for t in inside}), paste_rows)

    # -- writes ---------------------------------------------------------------------------------------------

    def apply(
        self,
        edits: list[CellEdit],
        labels: list[str],
        title: str,
        verb: str,
        problem: str = "",
        keys: list[UnitKey] | None = None,
    ) -> None:
        """Write reviews; once written, push them as one command and show the units again."""
        project_id = self.project_id

        def written(report: EditReport) -> None:
            good = _kept(report, edits)
            if report.written and project_id is not None:
                units = keys if keys is not None else list(report.cells)  # the service read them back
                command = ReviewCommand(
                    self, good, report.written, keys=units, text=title, labels=_kept(report, labels)
                )
                self.stack(project_id).push(command)
                self.reviewed(project_id).update(report.written)
            self._tell(report, labels, len(good), verb, problem)
            self.show_cells(project_id, report.cells)

        self.submit(lambda: self._service.apply(edits), written, "The values cannot be saved")

    def code(
        self, entries: list[BlindEntry], labels: list[str], title: str, verb: str, problem: str = ""
    ) -> None:
        """Record blind codings; once written, push them as one command."""
        project_id = self.project_id
        if project_id is None:
            return

        def written(report: EditReport) -> None:
            good = _kept(report, entries)
            if report.written:
                command = BlindCommand(
                    self, project_id, good, report.written, text=title, labels=_kept(report, labels)
                )
                self.stack(project_id).push(command)
            self._tell(report, labels, len(good), verb, problem)
            self.units_changed([entry.unit for entry in entries])

        self.submit(lambda: self._service.code(project_id, entries), written, "The codings cannot be saved")

    # -- CommandHost -----------------------------------------------------------------------------------------

    @property
    def service(self) -> ResultsService:
        return self._service

    def submit(self, work: Work, on_success: Callable[[Any], None], title: str) -> None:
        async def in_turn() -> Any:
            async with self._lock:
                return await work()

        def failed(error: BaseException) -> None:
            self.sig_message.emit(f"{title}.")
            self._runner.report_failure(self._parent, title, error)

        self._runner.run(in_turn(), on_success=on_success, on_failure=failed, parent=self._parent)

    def show_cells(self, project_id: int | None, cells: dict[UnitKey, dict[str, Cell]]) -> None:
        """Show the cells a write read back (still the project shown)."""
        if cells:
            self.sig_values_changed.emit()
        if cells and project_id == self.project_id:
            self._model.update_units(cells)

    def units_changed(self, keys: Sequence[UnitKey]) -> None:
        """Read again only the edited units' cells (not their pages): an edit shows as soon as it is saved."""
        project_id, wanted, blind = self.project_id, list(keys), self._model.blind
        if project_id is None or not wanted:
            return

        async def read() -> tuple[dict[UnitKey, dict[str, Cell]], dict[UnitKey, dict[str, Any]] | None]:
            cells = await self._service.cells(project_id, wanted)
            return cells, (await self._service.codings(project_id, wanted) if blind else None)

        def show(found: tuple[dict[UnitKey, dict[str, Cell]], dict[UnitKey, dict[str, Any]] | None]) -> None:
            if self.project_id == project_id:
                self._model.update_units(*found)

        self._runner.run(
            read(), on_success=show, error_title="The values cannot be shown", parent=self._parent
        )

    def report(self, report: EditReport, labels: Sequence[str], verb: str) -> None:
        if report.problems:
            self.sig_message.emit(problems_text([_problem(labels, p) for p in report.problems], verb))

    # -- helpers --------------------------------------------------------------------------------------------

    def _edits_typed(self, edits: list[CellEdit]) -> None:
        current = self._grid.currentIndex()
        label = self._label(current.row(), current.column()) if current.isValid() else "the value"
        spec = self._model.spec(current.column())
        what = spec.label if spec is not None else "a value"
        title = f"Mark {what} correct" if edits[0].edit is Edit.CONFIRM else f"Correct {what}"
        self.apply(edits, [label] * len(edits), title, "saved")

    def _entries_typed(self, entries: list[BlindEntry]) -> None:
        current = self._grid.currentIndex()
        labels = [self._label(current.row(), current.column()) if current.isValid() else "the value"] * len(
            entries
        )
        self.code(
            entries, labels, f"Code {entries[0].variable}" if len(entries) == 1 else "Code values", "saved"
        )

    def _tell(self, report: EditReport, labels: list[str], good: int, verb: str, problem: str) -> None:
        refused = problems_text([_problem(labels, p) for p in report.problems], verb)
        parts = [f"{count(good, 'value')} {verb}." if good else "", problem, refused]
        self.sig_message.emit(" ".join(part for part in parts if part))

    def _label(self, row: int, column: int) -> str:
        spec = self._model.spec(column)
        return f"row {row + 1}, {spec.label if spec is not None else 'document'}"

    def _blind_refusal(self, what: str) -> bool:
        if self._model.blind:
            self.sig_message.emit(
                f"In blind coding the AI's values are hidden: type your own instead of trying to {what}."
            )
        return self._model.blind


def _keys(rows: Rows, found: list[tuple[int, int, Cell]]) -> list[UnitKey]:
    return list({rows.keys[row]: None for row, _, _ in found})


def _kept(report: EditReport, items: Sequence[Any]) -> list[Any]:
    refused = {position for position, _ in report.problems}
    return [item for position, item in enumerate(items) if position not in refused]


def _problem(labels: Sequence[str], problem: tuple[int, str]) -> str:
    position, reason = problem
    return f"{labels[position]}: {reason}" if 0 <= position < len(labels) else reason
