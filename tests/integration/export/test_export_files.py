"""Every export format, written from a project coded by real runs and read back with the tools researchers
open it with (csv, openpyxl, pandas, pyreadstat): the same values, typed, labelled and safe."""

from __future__ import annotations

import csv
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyreadstat
from docx import Document as DocxDocument

from coderai_desktop.export.model import ExportFormat, ExportOptions
from coderai_desktop.export.service import ExportService
from tests.integration.export.conftest import Coded
from tests.integration.runs.conftest import NAMES, SECTORS, on_each_backend

COLUMNS = ["document", "document_id", *NAMES]


def expected_rows(coded: Coded) -> dict[str, dict[str, Any]]:
    return {name: plan.expected for name, plan in coded.corpus.plans.items()}


@on_each_backend
async def test_every_format_holds_the_coded_values(
    exports: ExportService, coded: Coded, tmp_path: Path
) -> None:
    expected = expected_rows(coded)
    written = {
        kind: await exports.export(coded.corpus.project_id, kind, tmp_path / f"plans{kind.suffix}")
        for kind in ExportFormat
        if kind is not ExportFormat.CSV_LONG
    }
    assert {result.rows for result in written.values()} == {4}
    assert {result.columns for result in written.values()} == {len(COLUMNS)}

    with (tmp_path / "plans.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == COLUMNS
    for row in rows:
        plan = expected[row["document"]]
        assert row["budget"] == str(plan["budget"]) and row["topics"] == "; ".join(plan["topics"])
        assert row["binding"] == str(plan["binding"]) and row["target_year"] == str(plan["target_year"] or "")

    sheet = openpyxl.load_workbook(tmp_path / "plans.xlsx")["Data"]
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == COLUMNS
    for row in cells[1:]:
        record = dict(zip(COLUMNS, row, strict=True))
        plan = expected[record["document"]]
        assert (record["budget"], record["binding"], record["sector"]) == (
            plan["budget"],
            plan["binding"],
            plan["sector"],
        )

    document = json.loads((tmp_path / "plans.json").read_text(encoding="utf-8"))
    assert {
        record["document"]: {name: record[name] for name in NAMES} for record in document["records"]
    } == expected
    assert [variable["name"] for variable in document["codebook"]["variables"]] == NAMES
    assert document["codebook"]["variables"][0]["prompt"]["version"] == 1

    for reader in (pyreadstat.read_dta, pyreadstat.read_sav):
        suffix = ".dta" if reader is pyreadstat.read_dta else ".sav"
        frame, meta = reader(str(tmp_path / f"plans{suffix}"))
        assert list(frame.columns) == COLUMNS
        assert meta.variable_value_labels["sector"] == {code: name for code, name in enumerate(SECTORS, 1)}
        assert set(meta.variable_value_labels["binding"].values()) == {"No", "Yes"}
        for record in frame.to_dict("records"):
            plan = expected[record["document"]]
            assert record["budget"] == plan["budget"]
            assert meta.variable_value_labels["sector"][record["sector"]] == plan["sector"]
            assert bool(record["binding"]) is plan["binding"]
            assert record["adopted"] == date.fromisoformat(plan["adopted"]), "a full date is a date"
            assert (record["target_year"] == plan["target_year"]) or (
                plan["target_year"] is None and math.isnan(record["target_year"])
            )
    stata = pd.read_stata(tmp_path / "plans.dta")
    assert list(stata.columns) == COLUMNS and len(stata) == 4


async def test_the_long_table_has_a_row_per_value(
    exports: ExportService, coded: Coded, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    result = await exports.export(coded.corpus.project_id, ExportFormat.CSV_LONG, path)

    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    topics_per_plan = 2  # a multi-value variable has a row for each of its values
    assert result.rows == len(rows) == 4 * (len(NAMES) - 1 + topics_per_plan)
    plan_01 = [row for row in rows if row["document"] == "plan-01.txt"]
    assert [row["value"] for row in plan_01 if row["variable"] == "topics"] == ["air quality", "topic 1"]
    assert {row["evidence_match"] for row in plan_01 if row["variable"] == "title"} == {"EXACT"}
    assert {row["prompt_version"] for row in rows} == {"1"}


async def test_details_and_the_codebook_document_come_along(
    exports: ExportService, coded: Coded, tmp_path: Path
) -> None:
    options = ExportOptions(value_details=True, document_details=True, expand_multi=True)
    await exports.export(
        coded.corpus.project_id,
        ExportFormat.XLSX,
        tmp_path / "plans.xlsx",
        options,
        codebook=tmp_path / "codebook.docx",
    )
    book = openpyxl.load_workbook(tmp_path / "plans.xlsx")
    assert book.sheetnames == ["Data", "Codebook", "Quality", "Run info"]
    header = [cell.value for cell in book["Data"][1]]
    assert header[:4] == ["document", "document_id", "doc_pages", "doc_words"]
    assert {
        "topics_1",
        "topics_2",
        "topics_3",
        "topics_4",
        "topics_5",
        "title_evidence",
        "budget_confidence",
    } <= set(header)
    assert "topics" not in header
    first = dict(zip(header, [cell.value for cell in book["Data"][2]], strict=True))
    assert first["title_evidence"].startswith("title: Clean Air Plan")
    assert (first["title_page"], first["title_status"], first["title_prompt_version"]) == (1, "EXTRACTED", 1)
    codebook = DocxDocument(str(tmp_path / "codebook.docx"))
    text = "\n".join(paragraph.text for paragraph in codebook.paragraphs)
    assert "Codebook: Clean air plans" in text
    assert all(name in text for name in NAMES)
    assert "The plan's budget in euros." in text
