"""`coderai import PROJECT PATH...` and `coderai documents PROJECT`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coderai_desktop.commands.common import SubParsers, log_in, print_table
from coderai_desktop.commands.projects import PROJECT_HELP
from coderai_desktop.formatting import shorten
from coderai_desktop.ingest.report import ImportProgress, Outcome

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext

EXIT_NOTHING_READ = 1


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "import",
        help="import documents (files and folders) into a project",
        description="Import PDF, Word, HTML and text files, folders of them, or the rows of a CSV/XLSX file.",
        parents=[common],
    )
    parser.add_argument("project", help=PROJECT_HELP)
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files and folders")
    parser.add_argument("--password", help="password of encrypted PDFs (also re-reads those that needed it)")
    parser.add_argument("--text-column", help="CSV/XLSX: the column holding each row's text")
    parser.add_argument("--sheet", help="XLSX: the sheet to read (default: the first)")
    parser.set_defaults(handler=import_documents)
    listing = commands.add_parser(
        "documents",
        help="list a project's documents",
        description="List a project's documents.",
        parents=[common],
    )
    listing.add_argument("project", help=PROJECT_HELP)
    listing.set_defaults(handler=list_documents)


async def import_documents(context: AppContext, args: argparse.Namespace) -> int:
    from coderai_desktop.ingest.service import ImportOptions  # the importer: only when a command needs it

    user = await log_in(context, args)
    options = ImportOptions(password=args.password, text_column=args.text_column, sheet=args.sheet)
    progress = _show_progress if sys.stderr.isatty() else None
    report = await context.documents(user).import_paths(args.project, args.paths, options, progress)
    if progress is not None:
        print(file=sys.stderr)
    # A failure's whole reason is shown: it says what to do (e.g. which --text-column to choose).
    rows = [
        (
            item.name,
            item.outcome.value,
            item.detail if item.outcome is Outcome.FAILED else shorten(item.detail, 100),
        )
        for item in report.outcomes
    ]
    if rows:
        print_table(("FILE", "RESULT", "DETAIL"), rows)
    print(f"\n{report.summary().capitalize()}.")
    if any(item.outcome is Outcome.FAILED and item.document_id for item in report.outcomes):
        print(
            "Failed documents stay in the project with the reason; see them with `coderai documents PROJECT`."
        )
    return EXIT_NOTHING_READ if report.nothing_read else 0


async def list_documents(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    documents = await context.documents(user).list_documents(args.project)
    if not documents:
        print("No documents yet. Import some with: coderai import PROJECT PATH...")
        return
    rows = [
        (
            document.id,
            shorten(document.file_name, 48),
            document.format.lower(),
            document.status,
            document.page_count or "",
            document.word_count or "",
            shorten(document.error_message or "; ".join(document.warnings), 90),
        )
        for document in documents
    ]
    print_table(("ID", "NAME", "FORMAT", "STATUS", "PAGES", "WORDS", "NOTE"), rows)


def _show_progress(progress: ImportProgress) -> None:
    failed = f", {progress.failed} failed" if progress.failed else ""
    line = f"\r[{progress.done}/{progress.total}{failed}] {shorten(progress.current, 60)}"
    print(line.ljust(90), end="", file=sys.stderr, flush=True)
