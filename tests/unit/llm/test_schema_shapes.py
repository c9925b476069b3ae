"""The JSON schema of each variable: typed, nullable values; every object strict at every level."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.llm.prompts import variable_definition
from coderai_desktop.llm.schema import ENTITIES, entities_schema, group_schema, variable_schema
from tests.unit.llm.specs import category, many, one_of_each_type, spec


def objects_in(schema: Any) -> Iterator[dict[str, Any]]:
    """Every object schema, however deeply nested (properties, array items)."""
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            yield schema
        for child in schema.values():
            yield from objects_in(child)
    elif isinstance(schema, list):
        for child in schema:
            yield from objects_in(child)


@pytest.mark.parametrize(
    ("variable", "expected"),
    [
        (spec("title", "text"), {"type": ["string", "null"]}),
        (spec("budget", "number"), {"type": ["number", "null"]}),
        (spec("binding", "boolean"), {"type": ["boolean", "null"]}),
    ],
    ids=["text", "number", "boolean"],
)
def test_single_values_are_typed_and_nullable(variable: VariableSpec, expected: dict[str, Any]) -> None:
    assert variable_schema(variable)["properties"]["value"] == expected


def test_a_date_is_a_nullable_string_whose_format_the_prompt_states_once() -> None:
    variable = spec("signed_on", "date")
    value = variable_schema(variable)["properties"]["value"]
    assert value == {"type": ["string", "null"]}
    assert "YYYY-MM-DD" in variable_definition(variable)


def test_the_schema_repeats_nothing_the_prompt_says() -> None:
    """Descriptions of evidence, confidence and date forms would travel once per variable in every call."""
    variables = [spec("title", "text"), spec("signed_on", "date"), category("sector", ("a", "b"))]
    assert "description" not in json.dumps(group_schema(variables))


def test_a_category_is_an_enum_of_its_values_plus_null() -> None:
    value = variable_schema(category("sector", ("energy", "transport", "other")))["properties"]["value"]
    assert value["type"] == ["string", "null"]
    assert value["enum"] == ["energy", "transport", "other", None]


@pytest.mark.parametrize(
    ("variable", "item_value"),
    [
        (spec("places", "text", if_multiple_values="all"), {"type": "string"}),
        (spec("amounts", "number", if_multiple_values="all", max_values=3), {"type": "number"}),
        (category("sectors", if_multiple_values="all"), {"type": "string", "enum": ["energy", "transport"]}),
    ],
    ids=["text", "number", "category"],
)
def test_variables_that_keep_all_values_answer_a_list_of_value_and_evidence(
    variable: VariableSpec, item_value: dict[str, Any]
) -> None:
    value = variable_schema(variable)["properties"]["value"]
    assert value["type"] == "array"
    item = value["items"]
    assert item["type"] == "object"
    assert item["required"] == ["value", "evidence"]
    assert item["properties"]["value"] == item_value  # each item is a value, never null
    assert item["properties"]["evidence"] == {"type": "string"}


@pytest.mark.parametrize("variable", one_of_each_type(), ids=lambda v: v.name)
def test_every_variable_answers_value_confidence_and_evidence(variable: VariableSpec) -> None:
    schema = variable_schema(variable)
    assert schema["required"] == ["value", "confidence", "evidence"]
    assert schema["properties"]["confidence"]["type"] == "number"
    assert schema["properties"]["evidence"]["type"] == ["string", "null"]


def strict_problems(schema: dict[str, Any]) -> list[str]:
    problems = []
    for node in objects_in(schema):
        properties = node.get("properties", {})
        if node.get("additionalProperties") is not False:
            problems.append(f"additionalProperties is not false on {sorted(properties)}")
        if sorted(node.get("required", [])) != sorted(properties):
            problems.append(f"not every property is required on {sorted(properties)}")
    return problems


@pytest.mark.parametrize(
    "schema",
    [
        group_schema(one_of_each_type()),
        group_schema(
            [spec("places", if_multiple_values="all"), category("sectors", if_multiple_values="all")]
        ),
        entities_schema(),
    ],
    ids=["single-valued group", "multi-valued group", "entities"],
)
def test_every_object_at_every_level_is_strict(schema: dict[str, Any]) -> None:
    assert len(list(objects_in(schema))) >= 2  # the walk does reach nested objects
    assert strict_problems(schema) == []


def test_the_walk_catches_a_loose_nested_object() -> None:
    schema = group_schema([spec("places", if_multiple_values="all")])
    schema["properties"]["places"]["properties"]["value"]["items"]["additionalProperties"] = True
    assert strict_problems(schema) != []


def test_a_group_has_one_required_property_per_variable_in_codebook_order() -> None:
    variables = many(7)
    schema = group_schema(variables)
    names = [variable.name for variable in variables]
    assert list(schema["properties"]) == names
    assert schema["required"] == names
    assert schema["properties"]["v03"] == variable_schema(variables[2])


def test_the_entities_schema_lists_entities_with_name_and_quote() -> None:
    schema = entities_schema()
    assert schema["required"] == [ENTITIES]
    entities = schema["properties"][ENTITIES]
    assert entities["type"] == "array"
    assert entities["items"]["required"] == ["name", "evidence"]
    assert {key: value["type"] for key, value in entities["items"]["properties"].items()} == {
        "name": "string",
        "evidence": "string",
    }
