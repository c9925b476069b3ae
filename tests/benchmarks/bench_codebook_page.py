"""Codebook page benchmark: a 200-variable codebook with one 50-category variable, on a real SQLite file.

Prints, against the 100 ms target of the codebook editor issue:

  open      show_project -> codebook read, draft loaded, list filled, first variable shown and painted
  load      the part of `open` on the GUI thread (the editor loading a codebook already read)
  switch    selecting another variable until the form shows it and is painted (the 50-category one apart)
  edit      one edit from the form: an undo step, the whole codebook checked again, problems shown
  checks    codebook_problems alone, and the draft's check (pydantic per variable, then codebook_problems)

Each figure is the median (and the worst) of several runs. Run: python tests/benchmarks/bench_codebook_page.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_API", "pyside6")  # qasync binds to PySide6 whatever is imported first

import qasync
from PySide6.QtWidgets import QApplication

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import Codebook, ProjectContext, VariableSpec
from coderai_desktop.domain.codebook_rules import codebook_problems
from coderai_desktop.projects.codebook_file import read_codebook_file
from coderai_desktop.resources_path import resource
from coderai_desktop.ui.tasks import TaskRunner
from coderai_desktop.ui.variables.codebook_page import CodebookPage
from coderai_desktop.ui.variables.draft import CodebookDraft
from coderai_desktop.ui.widgets.branding import stylesheet

TARGET_MS = 100.0
PASSWORD = "benchmark password"
BIG = 5  # the row of the 50-category variable


def codebook(variables: int, categories: int) -> Codebook:
    demo = read_codebook_file(resource("demo", "codebook.yaml"))
    specs = []
    for number in range(variables):
        fields = demo.variables[number % len(demo.variables)].model_dump(mode="json")
        fields["name"] = f"{fields['name']}_{number}"
        if fields.get("depends_on"):
            fields["depends_on"]["variable"] = f"has_net_zero_goal_{number - 1}"
        specs.append(fields)
    specs[BIG]["categories"] = [
        {"value": f"sector_{n}", "label": f"Sector {n}", "definition": f"What sector {n} covers. " * 3}
        for n in range(categories)
    ]
    specs[BIG]["max_values"] = None
    return Codebook(project=demo.project, variables=[VariableSpec.model_validate(s) for s in specs])


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def line(name: str, samples: list[float]) -> str:
    median, worst = statistics.median(samples), max(samples)
    verdict = "ok" if median < TARGET_MS else "OVER"
    return (
        f"{name:<34} median {median:7.1f} ms   worst {worst:7.1f} ms   ({verdict}, target {TARGET_MS:.0f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variables", type=int, default=200)
    parser.add_argument("--categories", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    app = QApplication(["bench", "-platform", "offscreen"])
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    loop = qasync.QEventLoop(app, already_running=True)
    asyncio.set_event_loop(loop)

    def run(coroutine):  # type: ignore[no-untyped-def]
        task = loop.create_task(coroutine)
        while not task.done():
            app.processEvents()
        return task.result()

    book = codebook(args.variables, args.categories)
    with tempfile.TemporaryDirectory() as folder:
        context = AppContext.open(Settings(data_dir=Path(folder), login_failure_delay=0.01))
        try:
            user = run(context.accounts.create_account("bench", PASSWORD))
            service = context.projects(user)
            project = run(service.create_project(ProjectContext(name="Bench"), book.variables))
            runner = TaskRunner()

            checks = [timed(lambda: codebook_problems(book)) for _ in range(args.runs)]
            draft = CodebookDraft(book)
            first_check = [timed(lambda: CodebookDraft(book).check()) for _ in range(args.runs)]
            draft.check()
            cached_check = [timed(draft.check) for _ in range(args.runs)]

            opens, loads, switches, big, edits = [], [], [], [], []
            for _ in range(args.runs):
                page = CodebookPage(service, runner)
                page.resize(900, 700)
                page.show()
                app.processEvents()
                start = time.perf_counter()
                page.show_project(project)
                while runner.busy or page.model.rowCount() != args.variables:
                    app.processEvents()
                page.repaint()
                opens.append((time.perf_counter() - start) * 1000)
                loads.append(timed(lambda p=page: (p.editor.load(book), p.repaint())))
                for row in (10, 11, 150, 3, 199):
                    switches.append(timed(lambda p=page, r=row: (p.list.select(r), p.repaint())))
                page.list.select(0)
                big.append(timed(lambda p=page: (p.list.select(BIG), p.repaint())))
                page.list.select(1)
                for text in ("A date", "A date of", "A date of adoption"):
                    fields = {**page.form.fields(), "instructions": text}
                    edits.append(timed(lambda p=page, f=fields: (p.form.sig_edited.emit(f), p.repaint())))
                page.close()
                page.deleteLater()
                app.processEvents()

            print(f"Codebook page: {args.variables} variables, one with {args.categories} categories")
            print(line("open (read + load + first shown)", opens))
            print(line("load (GUI thread part of open)", loads))
            print(line("switch variable", switches))
            print(line(f"switch to the {args.categories}-category one", big))
            print(line("edit (undo step + checks + show)", edits))
            print(line("codebook_problems", checks))
            print(line("draft check, nothing cached", first_check))
            print(line("draft check, unchanged ones cached", cached_check))
        finally:
            for task in asyncio.all_tasks(loop):
                task.cancel()
            context.close()


if __name__ == "__main__":
    main()
