"""Results grid benchmark: 10,000 documents x 50 variables (the default) coded in a real SQLite file, shown by
the Results page (the lazy model paging through the dataset read model, the frozen column, the delegate).

Prints, each against the bare limit measured in the same run:

  first paint  set_project -> units listed, the first window of cells read and painted
               bare: a QTableView over an in-memory model of the same data painted, plus one page read
               from SQLite with a plain query
  sort         a click on a variable's header -> units re-ordered by the database, the window painted
               bare: the in-memory model sorted in Python by that column and painted
  scroll       a full scroll, one screen at a time: each frame's paint (median, 99th percentile, worst),
               the pages' arrival included; bare: the same scroll over the in-memory model
  edit         setData on a cell -> the review written and the cell shown corrected
               bare: one review row inserted and committed with sqlite3, one page read, one paint
  memory       peak Python allocations (tracemalloc) of the page over opening and the full scroll
               bare: the in-memory model's data

Targets: at most twice the bare figures, and no frame over 50 ms.
Run: python tests/benchmarks/bench_grid.py [--documents 10000] [--variables 50]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from bench_export import PASSWORD, populate
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QTableView

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.ui.results.grid_model import PAGE_SIZE
from coderai_desktop.ui.results.page import ResultsPage
from coderai_desktop.ui.tasks import TaskRunner

FRAME_LIMIT_MS = 50.0
IDLE = 0.0005  # seconds between event loop turns while waiting
PAGE_QUERY = """
    SELECT e.id, e.document_id, e.variable_id, e.value, e.confidence, e.status
    FROM extractions e WHERE e.document_id IN ({}) ORDER BY e.document_id
"""


class BareModel(QAbstractTableModel):
    """The limit: every value already in memory as text, no states, no paging."""

    def __init__(self, rows: list[list[str]], headers: list[str]):
        super().__init__()
        self.rows, self.headers = rows, headers

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=lambda row: row[column], reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


def ms(seconds: float) -> float:
    return seconds * 1000


def report(name: str, ours: float, bare: float) -> None:
    verdict = "ok" if ours <= 2 * bare else "OVER 2x"
    print(f"{name:<28} {ours:9.1f} ms   bare {bare:8.1f} ms   ratio {ours / bare:5.2f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--variables", type=int, default=50)
    arguments = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    loop: Any = None

    def until(done: Callable[[], bool], timeout: float = 120) -> None:
        deadline = time.perf_counter() + timeout
        while not done():
            app.processEvents()
            time.sleep(IDLE)  # an idle window waits for events: the database thread gets the GIL
            if time.perf_counter() > deadline:
                raise TimeoutError

    def run(coroutine: Any) -> Any:
        task = loop.create_task(coroutine)
        until(task.done)
        return task.result()

    with tempfile.TemporaryDirectory() as folder:
        context = AppContext.open(Settings(data_dir=Path(folder)))
        started = time.perf_counter()
        populate(context, arguments.documents, arguments.variables)  # with asyncio.run: before the Qt loop
        loop = qasync.QEventLoop(app, already_running=True)
        asyncio.set_event_loop(loop)
        print(
            f"{arguments.documents:,} documents x {arguments.variables} variables stored in "
            f"{time.perf_counter() - started:.0f} s\n"
        )
        user = run(context.accounts.login("bench", PASSWORD))
        project = run(context.projects(user).list_projects())[0]
        database_file = str(context.database.engine.url.database)
        bare = measure_bare(app, database_file)
        # The bare model's 500,000 strings, gone now, would have slowed every garbage collection below.
        gc.collect()

        page = results_page(context, user)
        ours_paint = first_paint(app, page, project, until)
        ours_sort = sort_paint(app, page, until)
        frames = scroll_frames(app, page.grid, page.model.loaded_pages)
        edit = edit_latency(app, page, until)
        page.close()
        # Memory apart: tracemalloc slows every allocation, and would slow the timings above.
        tracemalloc.start()
        page = results_page(context, user)
        first_paint(app, page, project, until)
        scroll_frames(app, page.grid, page.model.loaded_pages)
        ours_memory = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        report("first paint", ms(ours_paint), ms(bare["paint"]))
        report("sort by a column", ms(ours_sort), ms(bare["sort"]))
        print(
            f"{'  (in-memory Python sort)':<28} {'':>9}      bare {ms(bare['memory_sort']):8.1f} ms   ratio "
            f"{ours_sort / bare['memory_sort']:5.2f}"
        )
        for label, pick in (
            ("median", statistics.median),
            ("99th percentile", percentile_99),
            ("worst", max),
        ):
            report(f"scroll frame, {label}", ms(pick(frames)), ms(pick(bare["frames"])))
        report("edit to saved", ms(edit), ms(bare["edit"]))
        print(
            f"{'peak memory':<28} {ours_memory / 2**20:9.1f} MB   bare {bare['memory'] / 2**20:8.1f} MB   "
            f"ratio {ours_memory / bare['memory']:5.2f}"
        )
        worst = ms(max(frames))
        print(
            f"\nframes over {FRAME_LIMIT_MS:.0f} ms: {sum(ms(f) > FRAME_LIMIT_MS for f in frames)} of "
            f"{len(frames)} (worst {worst:.1f} ms)"
        )
        page.close()
        context.close()


def measure_bare(app: QApplication, database_file: str) -> dict[str, Any]:
    """The limits: an in-memory model of the same data in a QTableView, and plain sqlite3 queries."""
    rows, headers, memory = bare_data(database_file)
    page_read = bare_page_read(database_file)
    view, paint = bare_first_paint(app, rows, headers)
    model = view.model()
    figures = {
        "memory": memory,
        "paint": paint + page_read,
        "memory_sort": timed_paint(app, view, lambda: model.sort(2)),
        "sort": bare_sorted_page(database_file) + bare_paint_only(app, view),
        "frames": scroll_frames(app, view, lambda: None),
        "edit": bare_review_write(database_file) + page_read + bare_paint_only(app, view),
    }
    view.close()
    return figures


def results_page(context: AppContext, user: Any) -> ResultsPage:
    page = ResultsPage(context.results(user), TaskRunner())
    page.resize(1180, 760)
    page.show()
    return page


def bare_data(database_file: str) -> tuple[list[list[str]], list[str], int]:
    connection = sqlite3.connect(database_file)
    names = dict(connection.execute("SELECT id, name FROM variables ORDER BY position"))
    columns = {variable_id: index + 1 for index, variable_id in enumerate(names)}
    documents = dict(connection.execute("SELECT id, file_name FROM documents"))
    tracemalloc.start()
    rows: dict[int, list[str]] = {}
    for document_id, variable_id, value in connection.execute(
        "SELECT document_id, variable_id, value FROM extractions"
    ):
        row = rows.get(document_id)
        if row is None:
            row = rows[document_id] = [documents[document_id]] + [""] * len(names)
        row[columns[variable_id]] = value
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    connection.close()
    return sorted(rows.values()), ["document", *names.values()], memory


def bare_sorted_page(database_file: str) -> float:
    """The least a database-sorted grid can do: order the documents by one variable's value, then read the
    values of the first page (plain sqlite3, no review applied, no latest-run rule)."""
    connection = sqlite3.connect(database_file)
    variable = connection.execute("SELECT id FROM variables ORDER BY position LIMIT 1 OFFSET 1").fetchone()[0]
    started = time.perf_counter()
    ordered = connection.execute(
        "SELECT document_id FROM extractions WHERE variable_id = ? ORDER BY json_extract(value, '$')",
        (variable,),
    ).fetchall()
    first = ",".join(str(row[0]) for row in ordered[:PAGE_SIZE])
    connection.execute(PAGE_QUERY.format(first)).fetchall()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def bare_paint_only(app: QApplication, view: QTableView) -> float:
    return timed_paint(app, view, lambda: None)


def bare_page_read(database_file: str) -> float:
    connection = sqlite3.connect(database_file)
    ids = [row[0] for row in connection.execute(f"SELECT id FROM documents ORDER BY id LIMIT {PAGE_SIZE}")]
    started = time.perf_counter()
    connection.execute(PAGE_QUERY.format(",".join(map(str, ids)))).fetchall()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def bare_first_paint(
    app: QApplication, rows: list[list[str]], headers: list[str]
) -> tuple[QTableView, float]:
    started = time.perf_counter()
    view = QTableView()
    view.setModel(BareModel(rows, headers))
    view.verticalHeader().setDefaultSectionSize(26)
    view.setVerticalScrollMode(QTableView.ScrollMode.ScrollPerPixel)  # as the results grid scrolls
    view.resize(1180 - 400, 760)
    view.show()
    app.processEvents()
    view.viewport().repaint()
    return view, time.perf_counter() - started


def timed_paint(app: QApplication, view: QTableView, action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    app.processEvents()
    view.viewport().repaint()
    return time.perf_counter() - started


def first_paint(app: QApplication, page: ResultsPage, project: ProjectSummary, until: Any) -> float:
    started = time.perf_counter()
    page.set_project(project)
    until(lambda: page.model.rowCount() > 0 and page.model.loaded_pages())
    page.grid.viewport().repaint()
    return time.perf_counter() - started


def sort_paint(app: QApplication, page: ResultsPage, until: Any) -> float:
    first = page.model.unit(0).key
    started = time.perf_counter()
    page.grid.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    until(lambda: page.model.rowCount() > 0 and page.model.unit(0).key != first and page.model.loaded_pages())
    page.grid.viewport().repaint()
    return time.perf_counter() - started


def scroll_frames(app: QApplication, view: QTableView, arrived: Callable[[], object]) -> list[float]:
    """Each screen of a full scroll: moving and painting it, and each arrival of its values (the events
    that delivered them, their paint included). `arrived()` changes when values arrive."""
    bar = view.verticalScrollBar()
    frames = []
    bar.setValue(0)
    app.processEvents()
    for value in range(0, bar.maximum() + 1, max(1, bar.pageStep())):
        started = time.perf_counter()
        bar.setValue(value)
        view.viewport().repaint()
        frames.append(time.perf_counter() - started)
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            before = arrived()
            started = time.perf_counter()
            app.processEvents()
            elapsed = time.perf_counter() - started
            time.sleep(IDLE)
            if arrived() != before:
                frames.append(elapsed)
            if view.model().index(view.rowAt(view.viewport().height() - 1), 1).data() != "…":
                break
    return frames


def edit_latency(app: QApplication, page: ResultsPage, until: Any) -> float:
    model = page.model
    row, column = 3, model.column_of("v00_text")
    assert column is not None
    index = model.index(row, column)
    page.grid.verticalScrollBar().setValue(0)
    page.grid.setCurrentIndex(index)
    until(lambda: model.cell(row, column) is not None and not page._runner.busy)  # its value shown
    started = time.perf_counter()
    model.setData(index, "A corrected title.", Qt.ItemDataRole.EditRole)
    until(lambda: (cell := model.cell(row, column)) is not None and cell.corrected)
    page.grid.viewport().repaint()
    return time.perf_counter() - started


def bare_review_write(database_file: str) -> float:
    connection = sqlite3.connect(database_file)
    connection.execute("PRAGMA synchronous=FULL")
    workspace, extraction = connection.execute("SELECT workspace_id, id FROM extractions LIMIT 1").fetchone()
    started = time.perf_counter()
    connection.execute(
        "INSERT INTO extraction_feedback (workspace_id, extraction_id, feedback_type, corrected_value, "
        "created_at) VALUES (?, ?, 'INCORRECT', '\"x\"', CURRENT_TIMESTAMP)",
        (workspace, extraction),
    )
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.execute("DELETE FROM extraction_feedback")
    connection.commit()
    connection.close()
    return elapsed


def percentile_99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * 0.99))]


if __name__ == "__main__":
    main()
