"""Validation rules and default values must fit the variable's type."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.codebook_rules import codebook_problems, is_partial_iso_date
from tests.unit.codebook_data import category_variable, problems_of, variable

RULES = "variables[0].validation_rules"
DEFAULT = "variables[0].default_value"


@pytest.mark.parametrize(
    ("kind", "rules"),
    [
        ("number", {"min": 0, "max": 100}),
        ("number", {"min": -1.5, "max": -1.5}),
        ("date", {"min": "1990", "max": "2035-06"}),
        ("date", {"min": "2020-02-29"}),
        ("text", {"pattern": r"^[A-Z]{2}-\d+$"}),
        ("text", {"allowed_values": ["yes", "no"]}),
        ("number", {"allowed_values": [1, 2.5]}),
    ],
)
def test_rules_that_fit_the_type_are_accepted(kind: str, rules: dict[str, Any]) -> None:
    assert problems_of(variable("v", kind, validation_rules=rules)) == {}


@pytest.mark.parametrize(
    ("kind", "rules", "field", "message"),
    [
        ("number", {"min": "10"}, "min", "'10' is not a number"),
        ("date", {"max": 2020}, "max", "2020 is a number; write a date as text in quotes"),
        ("date", {"min": "2020-13"}, "min", "'2020-13' is not a date"),
        ("date", {"min": "20-01-01"}, "min", "'20-01-01' is not a date"),
        ("text", {"min": 1}, "min", "min and max apply to number and date variables"),
        ("boolean", {"max": 1}, "max", "min and max apply to number and date variables"),
        ("number", {"min": 10, "max": 2}, "min", "min (10) is greater than max (2)"),
        ("date", {"min": "2021", "max": "2020-12-31"}, "min", "is greater than max"),
        ("text", {"pattern": "([a-z"}, "pattern", "not a valid regular expression"),
        ("number", {"pattern": r"\d+"}, "pattern", "a pattern applies to text variables"),
        ("number", {"allowed_values": [1, "two"]}, "allowed_values[1]", "'two' is not a number"),
        ("text", {"allowed_values": ["a", 3]}, "allowed_values[1]", "3 is not text"),
        ("date", {"allowed_values": ["2020", "2020-02-30"]}, "allowed_values[1]", "is not a date"),
    ],
)
def test_rules_that_do_not_fit_the_type_are_refused(
    kind: str, rules: dict[str, Any], field: str, message: str
) -> None:
    problems = problems_of(variable("v", kind, validation_rules=rules))
    assert list(problems) == [f"{RULES}.{field}"]
    assert message in problems[f"{RULES}.{field}"]


def test_category_variables_are_limited_by_categories_not_allowed_values() -> None:
    problems = problems_of(category_variable(validation_rules={"allowed_values": ["energy"]}))
    assert list(problems) == [f"{RULES}.allowed_values"]


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("text", "unknown"),
        ("number", 0),
        ("number", 2.5),
        ("boolean", False),
        ("date", "2020"),
        ("date", "2020-02"),
        ("date", "2020-02-29"),
    ],
)
def test_defaults_of_the_right_type_are_accepted(kind: str, value: Any) -> None:
    assert problems_of(variable("v", kind, default_value=value)) == {}


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("text", 5),
        ("number", "3"),
        ("number", True),
        ("boolean", "yes"),
        ("boolean", 0),
        ("date", "2020-13"),
        ("date", "2021-02-29"),
        ("date", "2020-2"),
        ("date", "20200"),
        ("date", "2020/05/01"),
    ],
)
def test_defaults_of_the_wrong_type_are_refused(kind: str, value: Any) -> None:
    problems = problems_of(variable("v", kind, default_value=value))
    assert list(problems) == [DEFAULT]
    assert problems[DEFAULT].startswith(f"default: {value!r} is not")


def test_a_category_default_must_be_one_of_the_categories() -> None:
    assert problems_of(category_variable(default_value="energy")) == {}
    problems = problems_of(category_variable(default_value="nuclear"))
    assert problems == {DEFAULT: "default: 'nuclear' is not one of the categories (energy, transport)"}


def test_a_multi_valued_default_is_checked_item_by_item() -> None:
    assert problems_of(category_variable(if_multiple_values="all", default_value=["energy"])) == {}
    spec = category_variable(if_multiple_values="all", default_value=["energy", "nuclear", "coal"])
    problems = codebook_problems(Codebook.model_validate({"variables": [spec]}))
    assert [(problem.field, problem.message) for problem in problems] == [
        (DEFAULT, "default: 'nuclear' is not one of the categories (energy, transport)"),
        (DEFAULT, "default: 'coal' is not one of the categories (energy, transport)"),
    ]


# With int before bool in the union, pydantic would turn `true` into 1 and refuse it for a boolean.
def test_boolean_allowed_values_stay_booleans() -> None:
    assert problems_of(variable("v", "boolean", validation_rules={"allowed_values": [True]})) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020", True),
        ("2020-12", True),
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("2020-00", False),
        ("2020-12-32", False),
        ("2020-1-01", False),
        (" 2020", False),
        (2020, False),
        (None, False),
    ],
)
def test_partial_iso_dates(value: Any, expected: bool) -> None:
    assert is_partial_iso_date(value) is expected
