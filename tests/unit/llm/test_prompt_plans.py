"""How the codebook is cut into calls: groups of 20 or one call per variable, with temperature and room."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.llm.prompts import extraction_plans
from tests.unit.llm.specs import category, context, many, spec

GROUPED, PER_VARIABLE = ExtractionMode.GROUPED, ExtractionMode.PER_VARIABLE


def only_plan(*variables: VariableSpec):
    (plan,) = extraction_plans(context(), list(variables), GROUPED)
    return plan


def test_45_variables_make_three_groups_of_at_most_20() -> None:
    variables = many(45)
    plans = extraction_plans(context(), variables, GROUPED)
    assert [plan.scope_key for plan in plans] == ["grouped:1", "grouped:2", "grouped:3"]
    assert [len(plan.variables) for plan in plans] == [20, 20, 5]
    assert [name for plan in plans for name in plan.variable_names] == [v.name for v in variables]
    for plan in plans:
        assert list(plan.schema["properties"]) == plan.variable_names


@pytest.mark.parametrize(("count", "groups"), [(1, 1), (20, 1), (21, 2), (40, 2), (41, 3)])
def test_group_boundaries(count: int, groups: int) -> None:
    assert len(extraction_plans(context(), many(count), GROUPED)) == groups


def test_no_variables_make_no_calls() -> None:
    assert extraction_plans(context(), [], GROUPED) == []
    assert extraction_plans(context(), [], PER_VARIABLE) == []


def test_per_variable_mode_makes_one_call_per_variable() -> None:
    variables = many(4)
    plans = extraction_plans(context(), variables, PER_VARIABLE)
    assert [plan.scope_key for plan in plans] == [f"per-variable:{v.name}" for v in variables]
    assert [plan.variable_names for plan in plans] == [[v.name] for v in variables]
    assert [list(plan.schema["properties"]) for plan in plans] == [[v.name] for v in variables]


@pytest.mark.parametrize(
    ("variable_type", "temperature"),
    [("boolean", 0.1), ("category", 0.1), ("date", 0.15), ("number", 0.15), ("text", 0.2)],
)
def test_temperature_follows_the_type(variable_type: str, temperature: float) -> None:
    variable = category("c") if variable_type == "category" else spec("v", variable_type)
    assert only_plan(variable).temperature == temperature


@pytest.mark.parametrize(
    ("types", "temperature"),
    [(("text", "number"), 0.15), (("text", "date", "boolean"), 0.1), (("text", "text"), 0.2)],
)
def test_a_group_takes_its_lowest_temperature(types: tuple[str, ...], temperature: float) -> None:
    variables = [spec(f"v{index}", kind) for index, kind in enumerate(types)]
    assert only_plan(*variables).temperature == temperature


def test_max_tokens_grow_with_the_number_of_variables() -> None:
    sizes = [only_plan(*many(count)).max_tokens for count in (1, 2, 10, 20)]
    assert sizes == sorted(sizes)
    assert len(set(sizes)) == 4


def test_max_tokens_grow_with_the_size_of_lists() -> None:
    single = only_plan(spec("places")).max_tokens
    short_list = only_plan(spec("places", if_multiple_values="all", max_values=3)).max_tokens
    default_list = only_plan(spec("places", if_multiple_values="all")).max_tokens
    long_list = only_plan(spec("places", if_multiple_values="all", max_values=40)).max_tokens
    assert single < short_list < long_list
    assert short_list < default_list < long_list  # no max_values still leaves room for a list


def test_max_tokens_are_capped() -> None:
    variables = [spec(f"v{n}", if_multiple_values="all", max_values=100) for n in range(20)]
    plan = only_plan(*variables)
    assert plan.max_tokens == 16_000
    assert only_plan(*variables[:1]).max_tokens < 16_000
