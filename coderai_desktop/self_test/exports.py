"""Every export format written through the export service, then read back by another library: the coded
row of plan.txt must be in it with its values."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pandas
import pyreadstat

from coderai_desktop.export.service import ExportFormat
from coderai_desktop.self_test.samples import ANSWER, CODED_FILE
from coderai_desktop.self_test.verdicts import CheckFailed, Verdict, ok
from coderai_desktop.self_test.workspace import Workspace

Records = list[dict[str, Any]]


def _xlsx_records(path: Path) -> Records:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = workbook["Data"].iter_rows(values_only=True)
        header = next(rows)
        return [dict(zip(header, row, strict=True)) for row in rows]
    finally:
        workbook.close()


READERS: dict[ExportFormat, Callable[[Path], Records]] = {
    ExportFormat.CSV: lambda path: pandas.read_csv(path).to_dict("records"),
    ExportFormat.CSV_LONG: lambda path: pandas.read_csv(path).to_dict("records"),
    ExportFormat.XLSX: _xlsx_records,
    ExportFormat.JSON: lambda path: json.loads(path.read_text(encoding="utf-8"))["records"],
    ExportFormat.DTA: lambda path: pandas.read_stata(path).to_dict("records"),
    ExportFormat.SAV: lambda path: pyreadstat.read_sav(path, apply_value_formats=True)[0].to_dict("records"),
}
LONG_FORMATS = {ExportFormat.CSV_LONG}  # one row per value: variable, value, evidence...


async def export_and_read(workspace: Workspace, export_format: ExportFormat) -> Verdict:
    context, user, project_id = workspace.opened()
    workspace.documents_of(CODED_FILE)  # the row every format must hold
    if export_format not in READERS:
        raise CheckFailed("the self-test has no reader for this format yet")
    path = workspace.folder / f"export-{export_format}{export_format.suffix}"
    await context.exports(user).export(project_id, export_format, path)
    records = [row for row in READERS[export_format](path) if row.get("document") == CODED_FILE]
    if export_format in LONG_FORMATS:
        _check_long(records)
    else:
        _check_wide(records)
    return ok(f"{path.stat().st_size:,} bytes, read back")


async def export_codebook(workspace: Workspace) -> Verdict:
    context, user, project_id = workspace.opened()
    word, markdown = workspace.folder / "codebook.docx", workspace.folder / "codebook.md"
    exports = context.exports(user)
    for codebook in (word, markdown):
        await exports.export(
            project_id, ExportFormat.CSV, workspace.folder / "with-codebook.csv", codebook=codebook
        )
    texts = {
        word.name: "\n".join(paragraph.text for paragraph in docx.Document(str(word)).paragraphs),
        markdown.name: markdown.read_text(encoding="utf-8"),
    }
    for name, text in texts.items():
        if missing := [variable for variable in ANSWER if variable not in text]:
            raise CheckFailed(f"{name} leaves out {', '.join(missing)}")
    return ok(".docx and .md, read back")


def _check_wide(records: Records) -> None:
    if len(records) != 1:
        raise CheckFailed(f"{len(records)} rows for {CODED_FILE} instead of 1")
    wrong = [name for name, answer in ANSWER.items() if not _same(records[0].get(name), answer["value"])]
    if wrong:
        raise CheckFailed(
            f"wrong values read back: {', '.join(f'{name}={records[0].get(name)!r}' for name in wrong)}"
        )


def _check_long(records: Records) -> None:
    found = {row["variable"]: row for row in records}
    for name, answer in ANSWER.items():
        row = found.get(name, {})
        if not _same(row.get("value"), answer["value"]) or row.get("evidence") != answer["evidence"]:
            raise CheckFailed(f"{name} read back as {row.get('value')!r} with quote {row.get('evidence')!r}")


def _same(cell: Any, expected: Any) -> bool:
    """Equal as the format keeps it: numbers may come back as floats or text, categories as their labels."""
    if isinstance(expected, int | float):
        try:
            return float(cell) == expected
        except (TypeError, ValueError):
            return False
    return str(cell) == str(expected)
