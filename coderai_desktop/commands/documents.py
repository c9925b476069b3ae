"""`coderai import PROJECT PATH...`, `coderai documents PROJECT` and `coderai documents duplicates PROJECT`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coderai_desktop.commands.common import SubParsers, log_in, print_table
from coderai_desktop.commands.projects import PROJECT_HELP
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.formatting import count, shorten
from coderai_desktop.ingest.report import ImportProgress, Outcome

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext
    from coderai_desktop.domain.document import DocumentSummary

EXIT_NOTHING_READ = 1
DOCUMENTS_USAGE = "coderai documents PROJECT\n       coderai documents duplicates PROJECT"


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
        help="list a project's documents, or its near-duplicates",
        description="List a project's documents; `duplicates` lists the documents that repeat another's "
        "text (a run codes each group once and shares the values, unless a copy is to be coded separately "
        f"on the Documents page). PROJECT: {PROJECT_HELP}.",
        usage=DOCUMENTS_USAGE,
        parents=[common],
    )
    listing.add_argument("words", nargs="+", metavar="[duplicates] PROJECT", help=argparse.SUPPRESS)
    listing.set_defaults(handler=documents)


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


async def documents(context: AppContext, args: argparse.Namespace) -> None:
    args.project = args.words[-1]  # for log_in, which opens a project shared with the person
    match args.words:
        case [_]:
            await list_documents(context, args)
        case ["duplicates", _]:
            await list_duplicates(context, args)
        case _:
            raise InvalidInputError(f"Unexpected {' '.join(args.words[1:])!r}.\nUsage: {DOCUMENTS_USAGE}")


async def list_duplicates(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    groups = await context.documents(user).find_duplicates(args.project)
    if not groups:
        print("No near-duplicates: every document's text is its own.")
        return
    rows = [
        (
            copy.id,
            shorten(copy.file_name, 48),
            group.original.id,
            shorten(group.original.file_name, 48),
            "separately" if copy.code_separately else "once, values shared",
        )
        for group in groups
        for copy in group.duplicates
    ]
    print_table(("ID", "NAME", "SAME TEXT AS", "ORIGINAL", "CODED"), rows)
    copies = sum(len(group.duplicates) for group in groups)
    shared = sum(copy.shares_values for group in groups for copy in group.duplicates)
    print(
        f"\nNear-duplicates: {count(copies, 'document')} repeating {count(len(groups), 'other')}; "
        f"{shared} coded once with the document they repeat."
    )


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
            shorten(_note(document), 90),
        )
        for document in documents
    ]
    print_table(("ID", "NAME", "FORMAT", "STATUS", "PAGES", "WORDS", "NOTE"), rows)


def _note(document: DocumentSummary) -> str:
    same = [f"same text as #{document.duplicate_of}"] if document.duplicate_of is not None else []
    return "; ".join(part for part in [*same, document.error_message, *document.warnings] if part)


def _show_progress(progress: ImportProgress) -> None:
    failed = f", {progress.failed} failed" if progress.failed else ""
    line = f"\r[{progress.done}/{progress.total}{failed}] {shorten(progress.current, 60)}"
    print(line.ljust(90), end="", file=sys.stderr, flush=True)
