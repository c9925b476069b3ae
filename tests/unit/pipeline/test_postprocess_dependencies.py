"""depends_on: a variable applies only when another one's value meets a condition."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.codebook import DependsOn
from coderai_desktop.domain.conditions import condition_met
from coderai_desktop.domain.enums import ExtractionStatus
from tests.unit.pipeline.extraction_builders import answer, category, code_all, items, spec

SECTORS = ("energy", "transport", "water")


@pytest.mark.parametrize(
    ("operator", "expected", "value", "met"),
    [
        ("equals", "energy", "energy", True),
        ("equals", "energy", "water", False),
        ("equals", "energy", ["water", "energy"], True),
        ("equals", False, False, True),
        ("not_equals", "energy", "water", True),
        ("not_equals", "energy", "energy", False),
        ("not_equals", "energy", None, True),
        ("in", ["energy", "water"], "water", True),
        ("in", ["energy", "water"], "transport", False),
        ("in", ["energy", "water"], None, False),
        ("in", ["energy"], ["transport", "energy"], True),
        ("not_in", ["energy", "water"], "transport", True),
        ("not_in", ["energy", "water"], "energy", False),
        ("not_in", ["energy"], ["transport", "energy"], False),
        ("is_set", None, "anything", True),
        ("is_set", None, None, False),
        ("is_set", None, False, False),
        ("is_set", None, [], False),
        ("is_not_set", None, None, True),
        ("is_not_set", None, [], True),
        ("is_not_set", None, "energy", False),
    ],
)
def test_each_operator(operator: str, expected: Any, value: Any, met: bool) -> None:
    dependency = DependsOn(variable="sector", operator=operator, value=expected)
    assert condition_met(dependency, value) is met


@pytest.mark.parametrize("zero", [0, 0.0])
def test_a_zero_is_a_value_that_is_set(zero: float) -> None:
    dependency = DependsOn(variable="casualties", operator="is_set")
    assert condition_met(dependency, zero) is True


def coded_share(sector_answer, operator: str = "equals", expected: Any = "energy"):
    sector = category("sector", SECTORS)
    share = spec(
        "share", "number", depends_on={"variable": "sector", "operator": operator, "value": expected}
    )
    answers = {"sector": [sector_answer], "share": [answer("45%", "EUR 4.5 million", 0.9)]}
    return code_all([share, sector], answers)


def test_a_variable_whose_condition_holds_is_coded() -> None:
    share = coded_share(answer("Energy", "Clean Energy"))["share"]
    assert share.value == 45
    assert share.status is ExtractionStatus.EXTRACTED


def test_a_variable_whose_condition_fails_is_not_applicable() -> None:
    coded = coded_share(answer("water", "solar power"))
    share = coded["share"]
    assert share.value is None
    assert share.status is ExtractionStatus.EXTRACTED
    assert share.notes == ["not applicable: sector equals energy does not hold"]
    assert coded["sector"].value == "water"


def test_not_applicable_clears_flags_and_the_value() -> None:
    sector = category("sector", SECTORS)
    share = spec("share", "number", depends_on={"variable": "sector", "operator": "in", "value": ["energy"]})
    coded = code_all([sector, share], {"sector": [answer("water", "solar")], "share": [answer("lots", None)]})
    assert coded["share"].value is None
    assert coded["share"].status is ExtractionStatus.EXTRACTED
    assert coded["share"].notes == ["not applicable: sector in ['energy'] does not hold"]


def test_the_shorthand_depends_on_a_value_being_set() -> None:
    has_goal = spec("has_goal", "boolean")
    goal_year = spec("goal_year", "date", depends_on="has_goal")
    answers = {"has_goal": [answer("no", "signed")], "goal_year": [answer("2050", "2021")]}
    coded = code_all([has_goal, goal_year], answers)
    assert coded["goal_year"].value is None
    assert coded["goal_year"].notes == ["not applicable: has_goal is set does not hold"]


def test_a_dependency_on_a_variable_that_does_not_apply_does_not_apply_either() -> None:
    sector = category("sector", SECTORS)
    budget = spec(
        "budget", "number", depends_on={"variable": "sector", "operator": "equals", "value": "energy"}
    )
    share = spec("share", "number", depends_on="budget")  # listed before what it depends on
    answers = {
        "share": [answer(45, "EUR 4.5 million")],
        "budget": [answer("4.5 million", "EUR 4.5 million")],
        "sector": [answer("transport", "for transport")],
    }
    coded = code_all([share, budget, sector], answers)
    assert coded["budget"].value is None
    assert coded["share"].value is None
    assert coded["share"].notes == ["not applicable: budget is set does not hold"]


def test_a_multi_valued_target_meets_equals_when_any_value_does() -> None:
    sectors = category("sectors", SECTORS, if_multiple_values="all")
    share = spec(
        "share", "number", depends_on={"variable": "sectors", "operator": "equals", "value": "energy"}
    )
    answers = {
        "sectors": [items(("transport", "for transport"), ("energy", "Clean Energy"))],
        "share": [answer(45, "EUR 4.5 million")],
    }
    assert code_all([sectors, share], answers)["share"].value == 45
