"""Undo and redo of the grid's edits. A batch is written first (through the service, in the background) and
pushed only once written, with the ids it wrote: the push's own redo writes nothing. Undo and redo then go
through the service in the background too, one after the other in the order they were asked for."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from coderai_desktop.domain.dataset import Cell, UnitKey
from coderai_desktop.review.grid_edits import BlindEntry, CellEdit, EditReport
from coderai_desktop.review.results import ResultsService

Work = Callable[[], Coroutine[Any, Any, Any]]


class CommandHost(Protocol):
    """What a command needs of the page: the service, a queue of background writes, and a refresh."""

    @property
    def service(self) -> ResultsService: ...

    def submit(self, work: Work, on_success: Callable[[Any], None], title: str) -> None:
        """Run `work` after the writes already queued (serially); on failure say so under `title`."""

    @property
    def project_id(self) -> int | None: ...

    def show_cells(self, project_id: int | None, cells: dict[UnitKey, dict[str, Cell]]) -> None:
        """Show cells a write read back."""

    def units_changed(self, keys: Sequence[UnitKey]) -> None:
        """Read these units' values again and show them (they were written)."""

    def report(self, report: EditReport, labels: Sequence[str], verb: str) -> None:
        """Tell the researcher which edits of a batch were refused, `labels` naming them by position."""


class _WrittenCommand(QUndoCommand):
    def __init__(self, host: CommandHost, written: Sequence[int], keys: Sequence[UnitKey], text: str):
        super().__init__(text)
        self._host = host
        self._written = tuple(written)
        self._keys = list(keys)
        self._pushed = False  # the push calls redo(): the batch is written already

    @property
    def written(self) -> tuple[int, ...]:
        return self._written

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._host.submit(self._write_again, self._written_again, f"{self.text()} cannot be redone")

    def undo(self) -> None:
        self._host.submit(self._take_back, self._taken_back, f"{self.text()} cannot be undone")

    async def _write_again(self) -> EditReport:
        raise NotImplementedError

    async def _take_back(self) -> dict[UnitKey, dict[str, Cell]] | None:
        raise NotImplementedError

    def _labels(self) -> list[str]:
        return []

    def _written_again(self, report: EditReport) -> None:
        self._written = report.written
        self._host.report(report, self._labels(), "redone")
        self._show(report.cells)

    def _taken_back(self, cells: dict[UnitKey, dict[str, Cell]] | None) -> None:
        self._show(cells)

    def _show(self, cells: dict[UnitKey, dict[str, Cell]] | None) -> None:
        """The cells the service read back with its write (reviews), or read them again (codings)."""
        if cells:
            self._host.show_cells(self._host.project_id, cells)
        else:
            self._host.units_changed(self._keys)


class ReviewCommand(_WrittenCommand):
    """Reviews written (confirmations, corrections, cleared reviews): undo takes back the values written,
    redo applies the same edits again."""

    def __init__(
        self,
        host: CommandHost,
        edits: Sequence[CellEdit],
        written_ids: Sequence[int],
        *,
        keys: Sequence[UnitKey] = (),
        text: str = "Edit",
        labels: Sequence[str] = (),
    ):
        super().__init__(host, written_ids, keys, text)
        self.edits = list(edits)
        self._edit_labels = list(labels)

    def _labels(self) -> list[str]:
        return self._edit_labels

    async def _write_again(self) -> EditReport:
        return await self._host.service.apply(self.edits)

    def _taken_back(self, cells: dict[UnitKey, dict[str, Cell]] | None) -> None:
        # A redo is checked against the reviews in force after this undo, not those the first edit saw.
        if cells:
            now = {cell.extraction_id: cell.review_id for row in cells.values() for cell in row.values()}
            self.edits = [
                replace(edit, seen_review=now.get(edit.extraction_id, edit.seen_review))
                for edit in self.edits
            ]
        super()._taken_back(cells)

    async def _take_back(self) -> dict[UnitKey, dict[str, Cell]]:
        # Read when it runs (after a redo queued before it has written its ids).
        return await self._host.service.undo(list(self._written))


class BlindCommand(_WrittenCommand):
    """The researcher's own codings recorded in blind mode: undo removes the codings written, redo records
    the same entries again (under new ids)."""

    def __init__(
        self,
        host: CommandHost,
        project_id: int,
        entries: Sequence[BlindEntry],
        coding_ids: Sequence[int],
        *,
        text: str = "Code",
        labels: Sequence[str] = (),
    ):
        super().__init__(host, coding_ids, [entry.unit for entry in entries], text)
        self.project_id = project_id
        self.entries = list(entries)
        self._entry_labels = list(labels)

    def _labels(self) -> list[str]:
        return self._entry_labels

    async def _write_again(self) -> EditReport:
        return await self._host.service.code(self.project_id, self.entries)

    async def _take_back(self) -> None:
        await self._host.service.uncode(list(self._written))
        return None
