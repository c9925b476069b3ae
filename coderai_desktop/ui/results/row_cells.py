"""The cells of the rows an action works on (a selection to confirm, a block to copy or paste): from the
model's loaded pages, or fetched from the service for rows not loaded (or loaded, then dropped)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from coderai_desktop.domain.dataset import Cell, UnitKey
from coderai_desktop.review.results import ResultsService
from coderai_desktop.ui.results.grid_model import ResultsModel
from coderai_desktop.ui.tasks import TaskRunner

Cells = dict[UnitKey, dict[str, Cell]]
Codings = dict[UnitKey, dict[str, Any]]


class Rows:
    """The cells (and codings) of some rows, taken from the loaded pages or fetched for the occasion."""

    def __init__(self, model: ResultsModel, keys: dict[int, UnitKey], cells: Cells, codings: Codings):
        self.model, self.keys, self._cells, self._codings = model, keys, cells, codings

    def cell(self, row: int, column: int) -> Cell | None:
        spec = self.model.spec(column)
        return None if spec is None else self._cells.get(self.keys[row], {}).get(spec.name)

    def text(self, row: int, column: int) -> str:
        spec = self.model.spec(column)
        if spec is None:
            return self.model.document_text(row)
        key = self.keys[row]
        return self.model.cell_text(spec, self._cells.get(key, {}).get(spec.name), self._codings.get(key))


class RowLoader(QObject):
    sig_message = Signal(str)
    """Why an action did not happen (the rows changed while their cells were loading)."""

    def __init__(self, service: ResultsService, runner: TaskRunner, model: ResultsModel, parent: QWidget):
        super().__init__(parent)
        self._service, self._runner, self._model, self._parent = service, runner, model, parent
        self.project_id: int | None = None

    def with_rows(self, rows: list[int], then: Callable[[Rows], None]) -> None:
        """Call `then` with these rows' cells: at once when their pages are loaded, else once fetched."""
        model, project_id, generation = self._model, self.project_id, self._model.generation
        keys = {row: model.unit(row).key for row in rows}
        cells: Cells = {}
        codings: Codings = {}
        missing: list[UnitKey] = []
        for row, key in keys.items():
            page = model.page_of(row)
            if page is None:
                missing.append(key)
                continue
            cells[key] = page.cells.get(key, {})
            if page.codings is not None and key in page.codings:
                codings[key] = page.codings[key]
        if not missing or project_id is None:
            then(Rows(model, keys, cells, codings))
            return
        blind = model.blind

        async def fetch() -> tuple[Cells, Codings]:
            got = await self._service.cells(project_id, missing)
            return got, (await self._service.codings(project_id, missing) if blind else {})

        def fetched(result: tuple[Cells, Codings]) -> None:
            if model.generation != generation:
                self.sig_message.emit(
                    "The grid changed while its values were loading: select again and retry."
                )
                return
            cells.update(result[0])
            codings.update(result[1])
            then(Rows(model, keys, cells, codings))

        self._runner.run(
            fetch(), on_success=fetched, error_title="The values cannot be loaded", parent=self._parent
        )
