"""rule_problem: min and max for numbers and partial dates, pattern and allowed values."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.coercion import rule_problem
from tests.unit.pipeline.extraction_builders import spec

SHARE = spec("share", "number", validation_rules={"min": 0, "max": 100})
PERIOD = spec("signed_on", "date", validation_rules={"min": "2000-01", "max": "2020-12-31"})
CODE = spec("code", validation_rules={"pattern": r"[A-Z]{2}\d+"})
PHASE = spec("phase", "number", validation_rules={"allowed_values": [1, 2, 3]})


@pytest.mark.parametrize(
    ("value", "problem"), [(-0.5, "below the minimum 0"), (100.01, "above the maximum 100")]
)
def test_numbers_outside_min_and_max(value: float, problem: str) -> None:
    assert problem in (rule_problem(SHARE, value) or "")


@pytest.mark.parametrize("value", [0, 55.5, 100])
def test_numbers_within_min_and_max_including_the_bounds(value: float) -> None:
    assert rule_problem(SHARE, value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1999-12-31", "below the minimum 2000-01"),
        ("1999", "below"),
        ("2021-01", "above the maximum 2020-12-31"),
    ],
)
def test_partial_dates_outside_min_and_max(value: str, problem: str) -> None:
    assert problem in (rule_problem(PERIOD, value) or "")


@pytest.mark.parametrize("value", ["2000-01", "2000-01-01", "2010", "2020-12-31", "2020-12"])
def test_partial_dates_within_min_and_max(value: str) -> None:
    assert rule_problem(PERIOD, value) is None


@pytest.mark.parametrize("value", ["2020-06", "2020-12-31"])
def test_a_date_inside_a_year_maximum_is_within_it(value: str) -> None:
    up_to_2020 = spec("signed_on", "date", validation_rules={"max": "2020"})
    assert rule_problem(up_to_2020, value) is None


@pytest.mark.parametrize(
    ("value", "broken"), [("AB12", False), ("ab12", True), ("AB12x", True), ("xAB12", True)]
)
def test_the_pattern_must_match_the_whole_value(value: str, broken: bool) -> None:
    problem = rule_problem(CODE, value)
    assert (problem is not None) is broken
    if broken:
        assert "does not match the pattern" in (problem or "")


@pytest.mark.parametrize(("value", "allowed"), [(2, True), (2.0, True), (4, False)])
def test_allowed_values(value: Any, allowed: bool) -> None:
    problem = rule_problem(PHASE, value)
    assert (problem is None) is allowed
    if not allowed:
        assert "not one of the allowed values" in (problem or "")


def test_no_rules_or_no_value_means_no_problem() -> None:
    assert rule_problem(spec("share", "number"), -5) is None
    assert rule_problem(SHARE, None) is None
