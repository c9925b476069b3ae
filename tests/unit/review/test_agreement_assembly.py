"""Agreement per variable from a project's records: the right measure for each type, units a side did not
code left out (never agreement), units where the variable applies to neither side left out, the verdict at
the level, blind coding preferred over review, and calibration on the verdict's units."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.agreement import ComparisonKind, Verdict
from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import ExtractionStatus, FeedbackType, MatchStatus
from coderai_desktop.review.agreement import _days, measure_agreement, same_value
from coderai_desktop.review.records import AIValue, ProjectRecords, Reviewed

LEVELS = [{"value": v} for v in ("low", "medium", "high")]


def spec(name: str, kind: str, **fields: Any) -> VariableSpec:
    return VariableSpec.model_validate({"name": name, "type": kind, "instructions": "Code it.", **fields})


def records(
    specs: list[VariableSpec],
    ai: dict[str, list[Any]],
    reviews: dict[str, list[Any]] | None = None,
    codings: dict[str, dict[str, list[Any]]] | None = None,
    *,
    failed: set[tuple[str, int]] = frozenset(),  # type: ignore[assignment]
    confidence: float = 0.9,
) -> ProjectRecords:
    """Document i's AI value of each variable is ai[name][i]; reviews[name][i] is the researcher's value
    (None: not reviewed); codings[coder][name][i] a blind coder's (MISSING-like None: not coded)."""
    values: dict[str, dict[Any, AIValue]] = {}
    reviewed: dict[int, Reviewed] = {}
    ids = 0
    for variable in specs:
        values[variable.name] = {}
        for document, value in enumerate(ai[variable.name]):
            ids += 1
            status = (
                ExtractionStatus.FAILED if (variable.name, document) in failed else ExtractionStatus.EXTRACTED
            )
            values[variable.name][(document, None)] = AIValue(
                ids, document, f"d{document}", None, None, variable.name, value, confidence, status,
                MatchStatus.EXACT, "quote", 1, None, "model",
            )  # fmt: skip
            human = (reviews or {}).get(variable.name, [None] * 1000)[document]
            if human is not None:
                verdict = FeedbackType.CORRECT if human == value else FeedbackType.INCORRECT
                reviewed[ids] = Reviewed(verdict, None if verdict is FeedbackType.CORRECT else human)
    blind = {
        coder: {
            name: {(d, None): v for d, v in enumerate(column) if v is not None} for name, column in of.items()
        }
        for coder, of in (codings or {}).items()
    }
    return ProjectRecords(1, 0.8, 0.95, specs, values, reviewed, blind)


def test_each_type_is_measured_at_its_level() -> None:
    specs = [
        spec("sector", "category", categories=LEVELS),
        spec("risk", "category", categories=LEVELS, ordered=True),
        spec("budget", "number"),
        spec("signed", "date"),
        spec("binding", "boolean"),
        spec("topics", "text", if_multiple_values="all"),
        spec("title", "text"),
    ]
    ai = {
        "sector": ["low", "medium", "high"] * 4,
        "risk": ["low", "medium", "high"] * 4,
        "budget": [1.0, 2.0, 3.0] * 4,
        "signed": ["2020-01-01", "2021", "2022-05"] * 4,
        "binding": [True, False, False] * 4,
        "topics": [["air", "water"], ["soil"], []] * 4,
        "title": ["Clean Air", "Water Plan", "Noise"] * 4,
    }
    human = {**ai, "title": ["clean air!", "Water Plan", "noise"] * 4}
    report = measure_agreement(records(specs, ai, reviews=human), bootstrap=0)
    measures = {item.variable: item.basis.measure for item in report.variables if item.basis}
    assert measures == {
        "sector": "nominal",
        "risk": "ordinal",
        "budget": "interval",
        "signed": "interval",
        "binding": "nominal",
        "topics": "set",
        "title": "nominal",
    }
    title = report.get("title")
    assert title is not None and title.basis is not None
    assert (title.basis.percent, title.basis.normalised, title.basis.alpha) == (
        pytest.approx(1 / 3),
        1.0,
        1.0,
    )
    topics = report.get("topics")
    assert topics is not None and topics.basis is not None and topics.basis.f1 == 1.0
    assert all(item.verdict is Verdict.READY for item in report.variables)
    assert report.summary() == "7 of 7 variables meet reliability >= 0.8."


def test_a_unit_the_ai_could_not_code_is_missing_not_agreement() -> None:
    variable = spec("binding", "boolean")
    ai = {"binding": [True, False] * 6}
    report = measure_agreement(
        records(
            [variable], ai, reviews={"binding": [True, False] * 6}, failed={("binding", 0), ("binding", 1)}
        ),
        bootstrap=0,
    )
    basis = report.variables[0].basis
    assert basis is not None and (basis.n, basis.missing) == (10, 2)


def test_units_where_the_variable_applies_to_neither_side_are_left_out() -> None:
    binding = spec("binding", "boolean")
    target = spec(
        "target_year", "number", depends_on={"variable": "binding", "operator": "equals", "value": True}
    )
    ai = {"binding": [True, False, False] * 4, "target_year": [2030.0, None, None] * 4}
    human_binding = [True, False, True] * 4  # the coder finds the third kind binding, with a year
    codings = {"bea": {"binding": human_binding, "target_year": [2030.0, 2045.0, 2040.0] * 4}}
    report = measure_agreement(records([binding, target], ai, codings=codings), bootstrap=0)
    basis = report.get("target_year").basis  # type: ignore[union-attr]
    assert basis is not None and basis.kind is ComparisonKind.BLIND
    # Where neither finds the plan binding, the year does not apply: 4 units left out, whatever bea wrote.
    assert (basis.not_applicable, basis.n) == (4, 8)
    assert basis.percent == 0.5  # the AI has no year where bea found the plan binding


def test_blind_coding_is_the_basis_when_enough_units_are_coded_and_the_verdict_follows_the_level() -> None:
    variable = spec("sector", "category", categories=LEVELS)
    ai = {"sector": ["low", "medium", "high", "low"] * 5}
    reviews = {"sector": ai["sector"]}  # anchored reviews agree fully
    coded = ["low", "medium", "high", "high"] * 5  # the blind coder disagrees on a quarter
    report = measure_agreement(records([variable], ai, reviews, {"bea": {"sector": coded}}), bootstrap=0)
    item = report.variables[0]
    assert {c.label for c in item.comparisons} == {"AI vs review", "AI vs bea"}
    assert item.basis is not None and item.basis.label == "AI vs bea"
    assert item.verdict is Verdict.TENTATIVE or item.verdict is Verdict.NEEDS_WORK
    lenient = measure_agreement(
        records([variable], ai, reviews, {"bea": {"sector": coded}}), level=0.3, bootstrap=0
    )
    assert lenient.variables[0].verdict is Verdict.READY
    few = measure_agreement(
        records([variable], {"sector": ai["sector"][:5]}, {"sector": ai["sector"][:5]}), bootstrap=0
    )
    assert few.variables[0].verdict is Verdict.TOO_FEW


def test_calibration_is_measured_on_the_verdicts_units() -> None:
    variable = spec("sector", "category", categories=LEVELS)
    ai = {"sector": ["low"] * 20}
    human = {"sector": ["low"] * 19 + ["high"]}
    calibration = (
        measure_agreement(records([variable], ai, reviews=human), bootstrap=0).variables[0].calibration
    )
    assert calibration is not None and (calibration.n, calibration.accuracy) == (20, 0.95)


@pytest.mark.parametrize(
    ("value", "day"),
    [("2021-03-04", "2021-03-04"), ("2021-02", "2021-02-14T12"), ("2020", "2020-07-01T12")],
)
def test_a_partial_date_stands_at_the_middle_of_its_period(value: str, day: str) -> None:
    from datetime import date

    whole, _, noon = day.partition("T")
    assert _days(value) == date.fromisoformat(whole).toordinal() + (0.5 if noon else 0)


def test_same_value_compares_as_agreement_does() -> None:
    assert same_value(spec("title", "text"), "Clean  Air!", "clean air")
    assert same_value(spec("topics", "text", if_multiple_values="all"), ["b", "a"], ["A", "b"])
    assert not same_value(spec("budget", "number"), 3, None)
