"""Variable names, categories, multiple values and the choices (enums) a variable is made of."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from coderai_desktop.domain.codebook import Codebook, DependsOn, ProjectContext, VariableSpec
from coderai_desktop.domain.enums import (
    DependencyOperator,
    IfMultipleValues,
    IfUncertain,
    UnitOfObservation,
    VariableType,
)
from tests.unit.codebook_data import category_variable, problems_of, variable


@pytest.mark.parametrize("name", ["plan_title", "A1", "x" * 64, "CamelCase_2"])
def test_identifier_safe_names_are_accepted(name: str) -> None:
    assert problems_of(variable(name)) == {}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("1st_party", "must start with a letter"),
        ("_hidden", "must start with a letter"),
        ("plan title", "only letters, digits and underscores"),
        ("plan-title", "only letters, digits and underscores"),
        ("titre_é", "only letters, digits and underscores"),
        ("x" * 65, "longer than 64 characters"),
    ],
)
def test_names_that_cannot_be_column_names_are_refused(name: str, reason: str) -> None:
    problems = problems_of(variable(name))
    assert list(problems) == ["variables[0].name"]
    assert reason in problems["variables[0].name"]


@pytest.mark.parametrize("name", ["document", "Document_ID", "entity_index", "ENTITY_TEXT"])
def test_reserved_export_columns_are_refused_whatever_the_case(name: str) -> None:
    assert "reserved" in problems_of(variable(name))["variables[0].name"]


def test_names_differing_only_in_case_are_duplicates() -> None:
    problems = problems_of(variable("title"), variable("year", "number"), variable("Title"))
    assert problems == {"variables[2].name": "'Title' is already the name of variables[0] (case is ignored)"}


def test_a_category_variable_needs_categories() -> None:
    problems = problems_of(variable("sector", "category"))
    assert problems == {"variables[0].categories": "a category variable needs at least one category"}


def test_categories_only_apply_to_category_variables() -> None:
    problems = problems_of(variable("title", "text", categories=[{"value": "a"}]))
    assert problems == {"variables[0].categories": "categories only apply to category variables"}


def test_only_categories_can_be_ordered() -> None:
    levels = [{"value": "low"}, {"value": "high"}]
    assert problems_of(variable("risk", "category", categories=levels, ordered=True)) == {}
    problems = problems_of(variable("score", "number", ordered=True))
    assert problems == {"variables[0].ordered": "only the categories of a category variable can be ordered"}


def test_a_category_value_may_appear_only_once() -> None:
    problems = problems_of(category_variable(values=("energy", "transport", "energy")))
    assert problems == {"variables[0].categories[2].value": "'energy' appears twice"}


@pytest.mark.parametrize(("policy", "has_problem"), [("first", True), ("summarize", True), ("all", False)])
def test_max_values_only_applies_when_all_values_are_kept(policy: str, has_problem: bool) -> None:
    problems = problems_of(category_variable(if_multiple_values=policy, max_values=2))
    assert ("variables[0].max_values" in problems) is has_problem


def test_max_values_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        VariableSpec.model_validate(variable(if_multiple_values="all", max_values=0))


def test_if_uncertain_null_means_the_null_policy_and_absent_means_flag() -> None:
    assert VariableSpec.model_validate(variable(if_uncertain=None)).if_uncertain is IfUncertain.NULL
    assert VariableSpec.model_validate(variable()).if_uncertain is IfUncertain.FLAG
    assert VariableSpec.model_validate(variable(if_uncertain="Skip")).if_uncertain is IfUncertain.SKIP


@pytest.mark.parametrize("spelling", ["text", "TEXT", "Text", " text "])
def test_variable_types_ignore_case_and_surrounding_spaces(spelling: str) -> None:
    assert VariableSpec.model_validate(variable(type=spelling)).type is VariableType.TEXT


def test_every_choice_ignores_case() -> None:
    spec = VariableSpec.model_validate(variable(if_multiple_values="All", if_uncertain="flag"))
    assert spec.if_multiple_values is IfMultipleValues.ALL
    assert DependsOn.model_validate({"variable": "x", "operator": "Is_Set"}).operator is (
        DependencyOperator.IS_SET
    )
    context = ProjectContext.model_validate({"name": "P", "unit_of_observation": "Entity"})
    assert context.unit_of_observation is UnitOfObservation.ENTITY


@pytest.mark.parametrize(
    "fields",
    [
        {"instructions": "   "},
        {"name": ""},
        {"confidence_threshold": 1.5},
        {"confidence_threshold": -0.1},
        {"colour": "red"},
    ],
)
def test_variable_fields_are_checked_for_shape(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        VariableSpec.model_validate(variable(**fields))


def test_the_unit_entity_requires_an_identification_pattern() -> None:
    project = {"name": "Treaties", "unit_of_observation": "entity"}
    problems = problems_of(variable(), project=project)
    assert list(problems) == ["project.entity_identification_pattern"]
    with_pattern = {**project, "entity_identification_pattern": "Each country that signed the treaty."}
    assert problems_of(variable(), project=with_pattern) == {}


def test_an_empty_codebook_has_no_problems() -> None:
    assert Codebook().variables == []
    assert problems_of() == {}
