"""Reviews made through the review service, read back from the exported files: the Quality sheet and the
codebook carry the agreement, reliability and verdict the review service measures, and the long CSV carries
each value's review in force, who made it and when, and its whole history (undos included)."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from coderai_desktop.domain.agreement import Verdict
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.export.model import ExportFormat
from coderai_desktop.export.service import ExportService
from coderai_desktop.export.summary import QUALITY_COLUMNS
from coderai_desktop.review.service import ReviewService
from tests.integration.review.conftest import Sampled, reviews, sampled
from tests.integration.runs.conftest import NAMES, SECTORS, Corpus, on_each_backend

CORRECT, INCORRECT, PARTIAL = FeedbackType.CORRECT, FeedbackType.INCORRECT, FeedbackType.PARTIALLY_CORRECT
REVIEW_COLUMNS = ["review", "reviewed_by", "reviewed_at", "review_history"]
__all__ = ["reviews", "sampled"]  # the review tests' fixtures, used here too


async def review_sectors(reviews: ReviewService, corpus: Corpus) -> None:
    """Every plan's sector reviewed: right in ten plans, wrong in two (the researcher says another)."""
    for number, name in enumerate(sorted(corpus.ids), 1):
        value = await reviews.find_value(corpus.project_id, name, "sector")
        if number in (3, 8):
            other = next(s for s in SECTORS if s != corpus.plans[name].sector)
            await reviews.review(value, INCORRECT, other)
        else:
            await reviews.review(value, CORRECT)


def quality_sheet(path: Path) -> dict[str, dict[str, Any]]:
    rows = list(openpyxl.load_workbook(path)["Quality"].iter_rows(values_only=True))
    assert list(rows[0]) == QUALITY_COLUMNS
    return {row[0]: dict(zip(QUALITY_COLUMNS, row, strict=True)) for row in rows[1:]}


@on_each_backend
async def test_the_quality_sheet_and_the_codebook_carry_the_review_services_agreement(
    exports: ExportService, reviews: ReviewService, sampled: Sampled, tmp_path: Path
) -> None:
    await review_sectors(reviews, sampled.corpus)
    measured = await reviews.agreement(sampled.corpus.project_id)
    sector = measured.get("sector")
    assert sector is not None and sector.basis is not None and sector.basis.alpha is not None
    assert sector.basis.n == 12 and sector.verdict in (Verdict.TENTATIVE, Verdict.NEEDS_WORK)

    await exports.export(
        sampled.corpus.project_id,
        ExportFormat.XLSX,
        tmp_path / "plans.xlsx",
        codebook=tmp_path / "codebook.md",
    )
    quality = quality_sheet(tmp_path / "plans.xlsx")
    row = quality["sector"]
    assert (row["comparison"], row["compared"], row["reviewed"]) == ("AI vs review", 12, 12)
    assert row["agreement"] == pytest.approx(10 / 12)
    assert row["measure"] == "alpha (nominal)"
    assert row["reliability"] == pytest.approx(sector.basis.alpha) and row["reliability"] < 0.8
    assert row["kappa"] == pytest.approx(sector.basis.kappa)
    assert row["95% interval"] == str(sector.basis.alpha_ci)
    assert row["verdict"] == sector.verdict.value
    assert row["calibration error"] is not None  # every value has a confidence from the fake model
    # Variables nobody reviewed are measured as such, not as "agreement with review".
    assert {quality[name]["verdict"] for name in NAMES if name != "sector"} == {"not measured"}
    assert quality["budget"]["compared"] is None and quality["budget"]["reviewed"] == 0

    codebook = (tmp_path / "codebook.md").read_text(encoding="utf-8")
    sentence = sector.sentence(measured.level).replace("[", r"\[").replace("]", r"\]")
    assert sentence.startswith(f"sector: alpha {sector.basis.alpha:.2f}") and sentence in codebook
    assert f"| AI vs review | 12 | 83% | {sector.basis.kappa:.2f} " in codebook
    assert f"| sector | AI vs review | 12 | 83% | alpha (nominal) | {sector.basis.alpha:.2f} |" in codebook
    assert f"| {sector.verdict.value} |" in codebook
    assert measured.summary().replace(">", r"\>") in codebook
    assert "At the project's reliability level of 0.8" in codebook and "agreement with review" not in codebook


async def test_the_json_file_holds_the_services_report(
    exports: ExportService, reviews: ReviewService, sampled: Sampled, tmp_path: Path
) -> None:
    await review_sectors(reviews, sampled.corpus)
    await exports.export(sampled.corpus.project_id, ExportFormat.JSON, tmp_path / "plans.json")
    document = json.loads((tmp_path / "plans.json").read_text(encoding="utf-8"))
    measured = await reviews.agreement(sampled.corpus.project_id)

    assert document["agreement"]["summary"] == measured.summary() == document["about"]["Agreement"]
    sector = next(item for item in document["agreement"]["variables"] if item["variable"] == "sector")
    assert [c["comparison"] for c in sector["comparisons"]] == ["AI vs review"]
    assert sector["comparisons"][0]["units"] == 12 and sector["calibration"]["units"] == 12


def long_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def cell(rows: list[dict[str, str]], document: str, variable: str) -> dict[str, str]:
    return next(row for row in rows if row["document"] == document and row["variable"] == variable)


@on_each_backend
async def test_the_long_csv_carries_each_values_review_and_its_history(
    exports: ExportService, reviews: ReviewService, sampled: Sampled, tmp_path: Path
) -> None:
    project = sampled.corpus.project_id
    budget = await reviews.find_value(project, "plan-03.txt", "budget")
    await reviews.review(budget, INCORRECT, "5,000", note="the table on page 2")
    await reviews.review(budget, PARTIAL, "4500")
    await reviews.undo(budget)  # back to the correction to 5000
    title = await reviews.find_value(project, "plan-04.txt", "title")
    await reviews.review(title, CORRECT)
    await reviews.undo(title)  # back to "not reviewed"
    sector = await reviews.find_value(project, "plan-05.txt", "sector")
    await reviews.review(sector, CORRECT)
    history = {value: await reviews.history(value) for value in (budget, title, sector)}
    when = {value: [event.at.astimezone() for event in events] for value, events in history.items()}

    result = await exports.export(project, ExportFormat.CSV_LONG, tmp_path / "long.csv")
    rows = long_rows(tmp_path / "long.csv")
    assert list(rows[0])[-4:] == REVIEW_COLUMNS and result.columns == len(rows[0])

    corrected = cell(rows, "plan-03.txt", "budget")
    assert (corrected["value"], corrected["ai_value"]) == ("5000", "4000")
    assert (corrected["review"], corrected["reviewed_by"]) == ("incorrect", "ana")
    # The undo brought back the first review: its time, not the undo's.
    assert datetime.fromisoformat(corrected["reviewed_at"]) == when[budget][0].replace(microsecond=0)
    assert corrected["review_history"] == "; ".join(
        [
            f"{minute(when[budget][0])} ana: incorrect -> 5000 (the table on page 2)",
            f"{minute(when[budget][1])} ana: partial -> 4500",
            # The undo brings back the whole review, its note included.
            f"{minute(when[budget][2])} ana: undo -> incorrect -> 5000 (the table on page 2)",
        ]
    )

    undone = cell(rows, "plan-04.txt", "title")
    assert [undone[column] for column in REVIEW_COLUMNS[:3]] == ["", "", ""]
    assert (undone["reviewed"], undone["value"]) == ("False", sampled.corpus.plans["plan-04.txt"].title)
    assert undone["review_history"] == (
        f"{minute(when[title][0])} ana: correct; {minute(when[title][1])} ana: undo -> not reviewed"
    )

    confirmed = cell(rows, "plan-05.txt", "sector")
    assert (confirmed["review"], confirmed["reviewed_by"]) == ("correct", "ana")
    assert confirmed["review_history"] == f"{minute(when[sector][0])} ana: correct"
    untouched = cell(rows, "plan-05.txt", "budget")
    assert [untouched[column] for column in REVIEW_COLUMNS] == ["", "", "", ""]

    # The wide table keeps its columns; only the value itself follows the review in force.
    await exports.export(project, ExportFormat.CSV, tmp_path / "wide.csv")
    wide = long_rows(tmp_path / "wide.csv")
    assert list(wide[0]) == ["document", "document_id", *NAMES]
    assert next(row for row in wide if row["document"] == "plan-03.txt")["budget"] == "5000"


def minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
