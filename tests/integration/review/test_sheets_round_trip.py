"""Corrections and blind coding as spreadsheets (CSV and XLSX): exported, filled in as a researcher would,
imported back row by row; a bad row is reported with its number and reason, the good ones are kept (or
none with all-or-nothing); importing twice records nothing new."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.agreement import ComparisonKind
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.export.service import ExportService
from coderai_desktop.review.service import ReviewService
from tests.integration.review.conftest import Sampled
from tests.integration.runs.conftest import on_each_backend


def read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as file:
            return list(csv.DictReader(file))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """The sheet saved back as a researcher's spreadsheet program would."""
    columns = list(rows[0])
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.DictWriter(file, columns)
            writer.writeheader()
            writer.writerows(rows)
        return
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for index, row in enumerate(rows, start=2):
        for column, name in enumerate(columns, start=1):
            sheet.cell(index, column, row[name])
    book.save(path)


def fill(rows: list[dict[str, Any]], document: str, variable: str, review: str, corrected: Any = None) -> int:
    """Fill one row; returns its spreadsheet row number (the header is row 1)."""
    for number, row in enumerate(rows, start=2):
        if row["document"] == document and row["variable"] == variable:
            row["review"], row["corrected_value"] = review, corrected
            return number
    raise AssertionError(f"no row for {document} {variable}")


@on_each_backend
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_corrections_round_trip_keeps_the_good_rows_and_names_the_bad_ones(
    reviews: ReviewService, sampled: Sampled, exports: ExportService, tmp_path: Path, suffix: str
) -> None:
    project = sampled.corpus.project_id
    path = tmp_path / f"corrections{suffix}"
    written = await reviews.export_corrections(project, path)
    rows = read_rows(path)
    assert written == len(rows) == 12 * 7
    assert {"value_id", "quote", "page", "review", "corrected_value"} <= set(rows[0])
    assert all(not row["review"] for row in rows)  # nothing reviewed yet
    fill(rows, "plan-01.txt", "title", "correct")
    fill(rows, "plan-02.txt", "budget", "incorrect", "4,500")
    fill(rows, "plan-03.txt", "topics", "partial", "air quality; noise")
    bad_category = fill(rows, "plan-04.txt", "sector", "incorrect", "farming")
    bad_word = fill(rows, "plan-05.txt", "title", "wrong")
    bad_partial = fill(rows, "plan-06.txt", "budget", "partial", None)
    write_rows(path, rows)

    report = await reviews.import_corrections(project, path)
    assert (report.applied, report.unchanged, report.kept) == (3, 0, True)
    assert [problem.row for problem in report.problems] == sorted([bad_category, bad_word, bad_partial])
    reasons = {problem.row: problem.reason for problem in report.problems}
    assert "not one of the categories" in reasons[bad_category]
    assert "'wrong' is not one of correct, incorrect, partial or clear" in reasons[bad_word]
    assert "needs the corrected value" in reasons[bad_partial]
    table = {row["document"]: row for row in (await exports.table(project)).records()}
    assert table["plan-02.txt"]["budget"] == 4500
    assert table["plan-03.txt"]["topics"] == ["air quality", "noise"]

    again = await reviews.import_corrections(project, path)
    assert (again.applied, again.unchanged) == (0, 3)  # the same sheet twice records nothing new
    refreshed = read_rows(await _export(reviews, project, tmp_path / f"again{suffix}"))
    assert {(row["document"], row["variable"], row["review"]) for row in refreshed if row["review"]} == {
        ("plan-01.txt", "title", "correct"),
        ("plan-02.txt", "budget", "incorrect"),
        ("plan-03.txt", "topics", "partial"),
    }


async def _export(reviews: ReviewService, project: int, path: Path) -> Path:
    await reviews.export_corrections(project, path)
    return path


@on_each_backend
async def test_all_or_nothing_keeps_nothing_when_a_row_is_bad(
    reviews: ReviewService, sampled: Sampled, tmp_path: Path
) -> None:
    path = tmp_path / "corrections.csv"
    await reviews.export_corrections(sampled.corpus.project_id, path)
    rows = read_rows(path)
    fill(rows, "plan-01.txt", "title", "correct")
    fill(rows, "plan-02.txt", "adopted", "incorrect", "31/02/2020")
    rows[5]["value_id"] = "999999"
    rows[5]["review"] = "correct"
    write_rows(path, rows)
    report = await reviews.import_corrections(sampled.corpus.project_id, path, all_or_nothing=True)
    assert (report.kept, report.applied, len(report.problems)) == (False, 0, 2)
    assert "there is no value '999999' in this project" in str(report.problems)
    value = await reviews.find_value(sampled.corpus.project_id, "plan-01.txt", "title")
    assert await reviews.history(value) == []


@on_each_backend
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_blind_coding_by_two_coders_gives_ai_human_and_human_human_agreement(
    reviews: ReviewService, sampled: Sampled, context: AppContext, tmp_path: Path, suffix: str
) -> None:
    project = sampled.corpus.project_id
    sheet = tmp_path / f"blind{suffix}"
    assert await reviews.export_blind_sheet(project, sheet, sample=10, seed=3) == 10
    blank = read_rows(sheet)
    plans = sampled.corpus.plans
    assert all(row["budget"] in (None, "") for row in blank)  # the AI's values are not in the sheet
    assert "Clean Air Plan" not in sheet.read_bytes().decode("latin-1")

    def coded_by_hand(errors: set[str]) -> list[dict[str, Any]]:
        rows = []
        for row in blank:
            plan = plans[row["document"]]
            filled = dict(row)
            filled.update(
                sector=_other_sector(plan.sector) if row["document"] in errors else plan.sector,
                binding="yes" if plan.binding else "no",
                budget=str(plan.budget),
                topics="; ".join(plan.topics),
                adopted=plan.adopted,
                target_year=plan.target_year if plan.binding else "NA",
            )
            rows.append(filled)
        return rows

    documents = sorted(row["document"] for row in blank)
    write_rows(sheet, coded_by_hand(set(documents[:2])))
    report = await reviews.import_blind_sheet(project, sheet)
    assert (report.applied, report.problems) == (10, ())
    bea_sheet = tmp_path / f"bea{suffix}"
    bea_rows = coded_by_hand(set(documents[-1:]))
    bea_rows[0]["budget"] = "lots"  # a bad cell: the row is refused, the others kept
    write_rows(bea_sheet, bea_rows) if suffix == ".csv" else (
        sheet.rename(bea_sheet),
        write_rows(bea_sheet, bea_rows),
    )
    bea_report = await reviews.import_blind_sheet(project, bea_sheet, coder="bea")
    assert bea_report.applied == 9 and [p.row for p in bea_report.problems] == [2]
    assert "budget: 'lots' is not a number" in bea_report.problems[0].reason

    report = await reviews.agreement(project)
    sector = report.get("sector")
    assert sector is not None and sector.basis is not None
    by_label = {c.label: c for c in sector.comparisons}
    assert set(by_label) == {"AI vs ana", "AI vs bea", "ana vs bea"}
    assert by_label["AI vs ana"].kind is ComparisonKind.BLIND
    assert (by_label["AI vs ana"].n, by_label["AI vs ana"].percent) == (10, 0.8)
    assert (by_label["AI vs bea"].n, by_label["AI vs bea"].missing) == (9, 0)  # over the units bea coded
    humans = by_label["ana vs bea"]
    assert (humans.kind, humans.n, humans.missing) == (ComparisonKind.HUMANS, 9, 1)  # bea's refused row
    assert sector.basis.label == "AI vs ana"  # the blind comparison with the most units
    budget = report.get("budget")
    assert budget is not None and budget.basis is not None and budget.basis.alpha == pytest.approx(1.0)
    target = report.get("target_year")
    assert target is not None and target.basis is not None
    # Where neither the AI nor the coder finds the plan binding, target_year does not apply: left out.
    assert target.basis.not_applicable == sum(1 for d in documents if not plans[d].binding)


def _other_sector(sector: str) -> str:
    return "housing" if sector != "housing" else "energy"


async def test_a_blind_sheet_is_refused_without_variable_columns_and_reports_unknown_documents(
    reviews: ReviewService, sampled: Sampled, tmp_path: Path
) -> None:
    sheet = tmp_path / "blind.csv"
    sheet.write_text("document_id,whatever\n1,2\n", encoding="utf-8")
    with pytest.raises(Exception, match="no column named after a variable"):
        await reviews.import_blind_sheet(sampled.corpus.project_id, sheet)
    sheet.write_text("document_id,sector\n99999,energy\n,\n", encoding="utf-8")
    report = await reviews.import_blind_sheet(sampled.corpus.project_id, sheet)
    assert [str(problem) for problem in report.problems] == ["row 2: the project has no document 99999"]


@on_each_backend
async def test_reviewed_values_give_agreement_and_calibration(
    reviews: ReviewService, sampled: Sampled, user: UserSession
) -> None:
    project = sampled.corpus.project_id
    plans = sampled.corpus.plans
    for name in sorted(plans):
        value = await reviews.find_value(project, name, "sector")
        if name in ("plan-01.txt", "plan-02.txt"):
            await reviews.review(value, FeedbackType.INCORRECT, _other_sector(plans[name].sector))
        else:
            await reviews.review(value, FeedbackType.CORRECT)
    report = await reviews.agreement(project, level=0.8)
    sector = report.get("sector")
    assert sector is not None and sector.basis is not None
    assert sector.basis.kind is ComparisonKind.REVIEW and sector.basis.n == 12
    assert sector.basis.percent == pytest.approx(10 / 12)
    assert sector.basis.kappa is not None and sector.basis.kappa_ci is not None
    assert sector.calibration is not None and sector.calibration.n == 12
    assert report.get("title") is not None and report.get("title").verdict.value == "not measured"  # type: ignore[union-attr]
    assert "of 7 variables meet alpha >= 0.8" in report.summary()
