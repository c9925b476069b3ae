"""`depends_on`: the target must exist, the operator decides the value, and no variable waits on itself."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import DependencyOperator
from tests.unit.codebook_data import category_variable, problems_of, variable

DEPENDS = "variables[1].depends_on"


def dependent(depends_on: Any) -> dict[str, Any]:
    return variable("net_zero_year", "date", depends_on=depends_on)


def test_string_shorthand_means_only_when_the_target_is_set() -> None:
    spec = VariableSpec.model_validate(dependent("has_goal"))
    assert spec.depends_on is not None
    assert (spec.depends_on.variable, spec.depends_on.operator, spec.depends_on.value) == (
        "has_goal",
        DependencyOperator.IS_SET,
        None,
    )
    assert problems_of(variable("has_goal", "boolean"), dependent("has_goal")) == {}


def test_the_target_must_exist() -> None:
    problems = problems_of(variable("has_goal", "boolean"), dependent("has_gaol"))
    assert problems == {f"{DEPENDS}.variable": "there is no variable named 'has_gaol'"}


def test_target_names_are_matched_exactly() -> None:
    problems = problems_of(variable("has_goal", "boolean"), dependent("Has_Goal"))
    assert list(problems) == [f"{DEPENDS}.variable"]


def test_a_variable_cannot_depend_on_itself() -> None:
    problems = problems_of(variable("title"), variable("year", "number", depends_on="year"))
    assert problems[f"{DEPENDS}.variable"] == "a variable cannot depend on itself"


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"operator": "is_set", "value": True}, "is_set takes no value"),
        ({"operator": "is_not_set", "value": False}, "is_not_set takes no value"),
        ({"operator": "equals"}, "equals needs a value to compare with"),
        ({"operator": "not_equals"}, "not_equals needs a value to compare with"),
        ({"operator": "in", "value": True}, "in needs a list of values"),
        ({"operator": "not_in", "value": []}, "not_in needs a list of values"),
        ({"operator": "equals", "value": "yes"}, "has_goal: 'yes' is not true or false"),
        ({"operator": "in", "value": [True, 1]}, "has_goal: 1 is not true or false"),
    ],
)
def test_the_operator_decides_whether_a_value_is_needed_and_its_type(
    condition: dict[str, Any], message: str
) -> None:
    problems = problems_of(variable("has_goal", "boolean"), dependent({"variable": "has_goal", **condition}))
    assert problems == {f"{DEPENDS}.value": message}


@pytest.mark.parametrize(
    "condition",
    [
        {"operator": "equals", "value": True},
        {"value": False},  # equals is the default operator
        {"operator": "IS_NOT_SET"},
        {"operator": "in", "value": [True, False]},
    ],
)
def test_well_formed_conditions_are_accepted(condition: dict[str, Any]) -> None:
    assert (
        problems_of(variable("has_goal", "boolean"), dependent({"variable": "has_goal", **condition})) == {}
    )


def test_values_are_typed_against_the_target_variable() -> None:
    target = category_variable("sector", ("energy", "transport"))
    accepted = dependent({"variable": "sector", "operator": "in", "value": ["energy", "transport"]})
    assert problems_of(target, accepted) == {}
    refused = dependent({"variable": "sector", "operator": "not_in", "value": ["energy", "coal"]})
    assert problems_of(target, refused) == {
        f"{DEPENDS}.value": "sector: 'coal' is not one of the categories (energy, transport)"
    }


def test_a_two_variable_cycle_is_reported_once() -> None:
    problems = problems_of(variable("a", depends_on="b"), variable("b", depends_on="a"))
    assert problems == {"variables[0].depends_on": "circular dependency: a -> b -> a"}


def test_a_longer_cycle_is_named_in_order_and_a_chain_into_it_is_not_blamed() -> None:
    problems = problems_of(
        variable("entry", depends_on="a"),
        variable("a", depends_on="b"),
        variable("b", depends_on="c"),
        variable("c", depends_on="a"),
    )
    assert problems == {"variables[1].depends_on": "circular dependency: a -> b -> c -> a"}


def test_a_chain_without_a_cycle_is_fine() -> None:
    assert problems_of(variable("a"), variable("b", depends_on="a"), variable("c", depends_on="b")) == {}
