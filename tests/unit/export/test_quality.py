"""The quality of an export: coverage over the exported values, agreement and calibration from the review
service's report (the Quality rows, the run information, the JSON file), and each value's review in the
long table: the review in force, who made it, when, and its whole history."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from coderai_desktop.domain.dataset import Cell, UnitValues
from coderai_desktop.domain.enums import FeedbackType
from coderai_desktop.export.model import ExportOptions
from coderai_desktop.export.summary import QUALITY_COLUMNS, about_rows, quality_rows
from coderai_desktop.export.tables import LONG_COLUMNS, long_table, wide_table
from coderai_desktop.export.writers.json_file import write_json
from coderai_desktop.formatting import local_time
from coderai_desktop.persistence.repositories.dataset import apply_history
from tests.unit.export.sample import AT, HISTORY, LONG_NAME, agreement, coded, dataset, unit_of

CORRECT, INCORRECT, PARTIAL = FeedbackType.CORRECT, FeedbackType.INCORRECT, FeedbackType.PARTIALLY_CORRECT


def by_variable(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["variable"]: row for row in rows}


# Quality rows and the run information


def test_quality_rows_carry_the_basis_of_each_verdict() -> None:
    rows = by_variable(quality_rows(dataset(agreement=agreement())))

    assert all(list(row) == QUALITY_COLUMNS for row in rows.values())
    assert "agreement with review" not in QUALITY_COLUMNS
    title = rows["title"]
    assert (title["units coded"], title["reviewed"]) == (3, 1)  # over the exported values
    assert {column: title[column] for column in QUALITY_COLUMNS[7:]} == {
        "comparison": "AI vs review",
        "compared": 12,
        "agreement": 11 / 12,
        "measure": "alpha (nominal)",
        "reliability": 0.8312,
        "95% interval": "[0.64, 0.96]",
        "kappa": None,
        "verdict": "ready",
        "calibration error": 0.0417,
        "suggested threshold": 0.873,
    }
    # The blind coding, not the smaller review, is what adopted's verdict rests on.
    adopted = rows["adopted"]
    assert (adopted["comparison"], adopted["compared"], adopted["kappa"]) == ("AI vs bea", 15, 0.7101)
    assert (adopted["reliability"], adopted["95% interval"], adopted["verdict"]) == (
        0.7243,
        "[0.50, 0.90]",
        "tentative",
    )
    assert adopted["calibration error"] is None and adopted["suggested threshold"] is None
    assert (rows["level"]["measure"], rows["level"]["reliability"]) == ("F1 (set)", 0.9231)
    assert rows["level"]["95% interval"] == "[0.80, 0.97]"
    assert (rows["target_year"]["compared"], rows["target_year"]["verdict"]) == (3, "too few units")
    unmeasured = rows[LONG_NAME]
    assert unmeasured["verdict"] == "not measured"
    assert [unmeasured[c] for c in QUALITY_COLUMNS[7:] if c != "verdict"] == [None] * 9


def test_without_a_report_there_are_no_agreement_figures_nor_about_rows() -> None:
    data = dataset()
    rows = quality_rows(data)
    assert all(row[column] is None for row in rows for column in QUALITY_COLUMNS[7:])
    keys = [key for key, _value in about_rows(data)]
    assert "Reliability level" not in keys and "Agreement" not in keys


def test_about_rows_give_the_reliability_level_and_the_summary_sentence() -> None:
    about = dict(about_rows(dataset(agreement=agreement())))

    assert about["Reliability level"] == "0.8"
    assert about["Target accuracy"] == "0.95"
    assert about["Agreement"] == (
        "2 of 5 variables meet reliability >= 0.8; refine adopted; target_year and "
        f"{LONG_NAME} need more reviewed units."
    )


# JSON


def test_the_json_file_holds_the_whole_agreement_report(tmp_path: Path) -> None:
    data = dataset(agreement=agreement())
    path = tmp_path / "export.json"
    write_json(data, wide_table(data), path)
    document = json.loads(path.read_text(encoding="utf-8"))

    report = document["agreement"]
    assert report["reliability_level"] == 0.8 and report["target_accuracy"] == 0.95
    assert report["summary"] == document["about"]["Agreement"]
    variables = {item["variable"]: item for item in report["variables"]}
    assert list(variables) == ["title", "adopted", "level", "target_year", LONG_NAME]
    adopted = variables["adopted"]
    assert adopted["verdict"] == "tentative" and adopted["basis"] == "AI vs bea"
    assert adopted["sentence"] == (
        "adopted: alpha 0.72 [0.50, 0.90] on 15 units (AI vs bea), below 0.8 but above 0.667: tentative only."
    )
    assert [c["comparison"] for c in adopted["comparisons"]] == ["AI vs review", "AI vs bea", "ana vs bea"]
    blind = adopted["comparisons"][1]
    assert (blind["kind"], blind["units"], blind["missing"]) == ("blind", 15, 1)
    assert (blind["kappa"], blind["kappa_ci"], blind["alpha_ci"]) == (0.7101, [0.48, 0.9], [0.5, 0.9])
    assert (blind["reliability"], blind["reliability_measure"]) == (0.7243, "alpha")
    assert adopted["comparisons"][2]["not_applicable"] == 2
    level = variables["level"]["comparisons"][0]
    assert (level["measure"], level["f1"], level["f1_ci"], level["alpha"]) == (
        "set",
        0.9231,
        [0.8, 0.97],
        None,
    )
    calibration = variables["title"]["calibration"]
    assert (calibration["calibration_error"], calibration["suggested_threshold"]) == (0.0417, 0.873)
    assert calibration["bands"] == [
        {"low": 0.8, "high": 1.0, "units": 12, "accuracy": 11 / 12, "mean_confidence": 0.9}
    ]
    assert calibration["summary"].startswith("At a threshold of 0.873, 25% of values would go to review")
    assert variables[LONG_NAME] == {
        "variable": LONG_NAME,
        "verdict": "not measured",
        "sentence": f"{LONG_NAME}: not measured yet (review or blind-code a sample).",
        "basis": None,
        "comparisons": [],
        "calibration": None,
    }
    assert by_variable(document["quality"])["title"]["reliability"] == 0.8312


def test_the_json_file_without_a_report_says_null(tmp_path: Path) -> None:
    data = dataset()
    path = tmp_path / "export.json"
    write_json(data, wide_table(data), path)
    assert json.loads(path.read_text(encoding="utf-8"))["agreement"] is None


# The long table


def test_the_long_table_has_the_review_in_force_and_its_history() -> None:
    table = long_table(dataset())
    assert table.columns[-4:] == ["review", "reviewed_by", "reviewed_at", "review_history"]
    assert all(table.labels[column] for column in LONG_COLUMNS)
    records = table.records()
    corrected = next(r for r in records if r["document"] == "plan_b.docx" and r["variable"] == LONG_NAME)

    assert (corrected["value"], corrected["ai_value"], corrected["review"]) == (-3.0, 3.0, "incorrect")
    assert corrected["reviewed_by"] == "ana"
    assert corrected["reviewed_at"] == HISTORY[0].at.astimezone().isoformat(timespec="seconds")
    assert corrected["review_history"] == (
        f"{local_time(HISTORY[0].at)} ana: incorrect -> -3.0 (the sign; see p. 2); "
        f"{local_time(HISTORY[1].at)} ben: correct; "
        f"{local_time(HISTORY[2].at)} ben: undo -> incorrect -> -3.0"
    )
    confirmed = next(r for r in records if r["document"] == "@plan_c.txt" and r["variable"] == "adopted")
    assert (confirmed["review"], confirmed["reviewed_by"]) == ("correct", "ana")
    assert confirmed["review_history"] == f"{local_time(AT)} ana: correct"
    unreviewed = next(r for r in records if r["document"] == "plan_a.pdf" and r["variable"] == "title")
    assert [unreviewed[c] for c in ("review", "reviewed_by", "reviewed_at", "review_history")] == [None] * 4


def test_the_wide_table_has_no_review_columns() -> None:
    for options in ({}, {"value_details": True}):
        columns = wide_table(dataset(ExportOptions(**options))).columns
        assert not {"review", "reviewed_by", "reviewed_at", "review_history"} & set(columns)
        assert not any(column.endswith(("_review_history", "_reviewed_by")) for column in columns)


# Reading a value's history


def unit_with(value: Cell) -> UnitValues:
    return unit_of(1, "plan_a.pdf", None, None, {"title": value})


def row(number: int, feedback: FeedbackType | None, login: str | None, **fields: Any) -> Any:
    """A row as ReviewRepository.project_history gives it."""
    values = {
        "id": number,
        "extraction_id": 7,
        "feedback_type": feedback,
        "corrected_value": None,
        "user_note": None,
        "undoes_id": None,
        "created_at": AT + timedelta(minutes=number),
        "login": login,
    }
    return SimpleNamespace(**{**values, **fields})


def test_an_undo_brings_back_the_review_and_its_reviewer() -> None:
    value = coded(5000)
    rows = [
        row(1, INCORRECT, "ana", corrected_value=4000, user_note="page 2"),
        row(2, PARTIAL, "ben", corrected_value=4500),
        row(3, INCORRECT, "ben", corrected_value=4000, undoes_id=2),
    ]
    apply_history(value, rows)

    assert (value.feedback, value.value, value.ai_value) == (INCORRECT, 4000, 5000)
    assert (value.reviewed_by, value.reviewed_at) == ("ana", AT + timedelta(minutes=1))  # not ben's undo
    assert [(step.reviewer, step.feedback, step.undo) for step in value.history] == [
        ("ana", INCORRECT, False),
        ("ben", PARTIAL, False),
        ("ben", INCORRECT, True),
    ]
    assert value.history[0].note == "page 2"


def test_a_review_undone_back_to_nothing_keeps_its_history_but_is_not_in_force() -> None:
    value = coded(5000)
    apply_history(value, [row(1, CORRECT, "ana"), row(2, None, "ana", undoes_id=1)])

    assert (value.feedback, value.value, value.reviewed_by, value.reviewed_at) == (None, 5000, None, None)
    assert len(value.history) == 2 and not value.reviewed


def test_a_cleared_review_and_a_deleted_account_read_as_such() -> None:
    value = coded(5000)
    apply_history(value, [row(1, INCORRECT, None, corrected_value=None), row(2, None, "ana")])
    text = long_table(dataset(sample_units=[unit_with(value)])).records()[0]["review_history"]
    assert text == (
        f"{local_time(AT + timedelta(minutes=1))} a deleted account: incorrect -> no value; "
        f"{local_time(AT + timedelta(minutes=2))} ana: cleared"
    )
