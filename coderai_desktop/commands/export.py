"""`coderai results` (the dataset in the terminal) and `coderai export` (the dataset and its codebook as files)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from coderai_desktop.commands.common import SubParsers, log_in, print_table
from coderai_desktop.commands.projects import PROJECT_HELP
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.export.model import ExportFormat, ExportOptions, RunFilter
from coderai_desktop.formatting import shorten
from coderai_desktop.spreadsheet_cells import cell_text

if TYPE_CHECKING:
    from coderai_desktop.app_context import AppContext

CELL_WIDTH = 40


def register(commands: SubParsers, common: argparse.ArgumentParser) -> None:
    results = commands.add_parser(
        "results", help="the dataset: one row per document or entity", parents=[common]
    )
    results.add_argument("project", help=PROJECT_HELP)
    results.set_defaults(handler=show_results)

    export = commands.add_parser(
        "export",
        help="write the dataset (and its codebook) for Excel, R, Stata, SPSS or pandas",
        description="Write the dataset: the researcher's correction where there is one, else the value of "
        "the latest run that coded the document. Cells that a spreadsheet would run as formulas are "
        "neutralised.",
        parents=[common],
    )
    export.add_argument("project", help=PROJECT_HELP)
    export.add_argument(
        "--format",
        required=True,
        choices=[kind.value for kind in ExportFormat],
        help="; ".join(f"{kind.value}: {kind.description}" for kind in ExportFormat),
    )
    export.add_argument("--out", type=Path, required=True, metavar="PATH", help="the file to write")
    export.add_argument(
        "--metadata",
        action="store_true",
        help="per variable, columns for confidence, evidence quote, page, status, prompt version and review",
    )
    export.add_argument(
        "--document-metadata",
        action="store_true",
        help="pages, words and the metadata each document came with",
    )
    export.add_argument("--expand", action="store_true", help="a multi-value variable as NAME_1 ... NAME_k")
    export.add_argument(
        "--codebook", type=Path, metavar="PATH", help="also write the codebook (.docx or .md)"
    )
    export.add_argument(
        "--runs", choices=[r.lower() for r in RunFilter], default="latest", help="whose values"
    )
    export.add_argument("--reviewed-only", action="store_true", help="only values a researcher has checked")
    export.add_argument("--min-confidence", type=float, metavar="X", help="leave out values below X (0-1)")
    export.add_argument("--exclude-flagged", action="store_true", help="leave out values flagged for review")
    export.add_argument("--bom", action="store_true", help="CSV with a byte order mark (for Excel)")
    export.set_defaults(handler=export_dataset)


async def show_results(context: AppContext, args: argparse.Namespace) -> None:
    user = await log_in(context, args)
    table = await context.exports(user).table(args.project)
    if not table.rows:
        print("No results yet. Code documents with: coderai run PROJECT --sample 10")
        return
    rows = [[shorten(cell_text(cell), CELL_WIDTH) for cell in row] for row in table.rows]
    print_table([column.upper() for column in table.columns], rows)


async def export_dataset(context: AppContext, args: argparse.Namespace) -> None:
    if args.min_confidence is not None and not 0 <= args.min_confidence <= 1:
        raise InvalidInputError("--min-confidence is a share between 0 and 1, e.g. 0.8.")
    options = ExportOptions(
        runs=RunFilter(args.runs.upper()),
        reviewed_only=args.reviewed_only,
        min_confidence=args.min_confidence,
        exclude_flagged=args.exclude_flagged,
        value_details=args.metadata,
        document_details=args.document_metadata,
        expand_multi=args.expand,
    )
    user = await log_in(context, args)
    result = await context.exports(user).export(
        args.project, ExportFormat(args.format), args.out, options, codebook=args.codebook, excel_bom=args.bom
    )
    print(f"Wrote {result.rows} rows and {result.columns} columns to {result.path}.")
    if result.codebook is not None:
        print(f"Wrote the codebook to {result.codebook}.")
