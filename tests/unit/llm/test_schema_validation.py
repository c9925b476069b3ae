"""The generated schemas accept the answers the app expects and reject wrong ones (checked with jsonschema)."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from coderai_desktop.llm.schema import entities_schema, group_schema
from tests.unit.llm.specs import category, one_of_each_type, spec

VARIABLES = [*one_of_each_type(), spec("places", if_multiple_values="all")]


def good_answer() -> dict[str, Any]:
    return {
        "title": {"value": "Paris Agreement", "confidence": 0.9, "evidence": "the Paris Agreement"},
        "budget": {"value": 4500000, "confidence": 0.8, "evidence": "EUR 4.5 million"},
        "signed_on": {"value": "2021-05", "confidence": 0.7, "evidence": "in May 2021"},
        "binding": {"value": True, "confidence": 0.6, "evidence": "shall be binding"},
        "sector": {"value": "energy", "confidence": 0.95, "evidence": "energy sector"},
        "places": {
            "value": [{"value": "Paris", "evidence": "in Paris"}, {"value": "Oslo", "evidence": "and Oslo"}],
            "confidence": 0.9,
            "evidence": None,
        },
    }


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    return [error.message for error in Draft202012Validator(schema).iter_errors(instance)]


def test_the_schemas_are_valid_json_schemas() -> None:
    Draft202012Validator.check_schema(group_schema(VARIABLES))
    Draft202012Validator.check_schema(entities_schema())


def test_a_complete_answer_is_accepted() -> None:
    assert errors(group_schema(VARIABLES), good_answer()) == []


def test_an_answer_that_finds_nothing_is_accepted() -> None:
    empty = {v.name: {"value": None, "confidence": 0.1, "evidence": None} for v in VARIABLES}
    empty["places"]["value"] = []
    assert errors(group_schema(VARIABLES), empty) == []


@pytest.mark.parametrize(
    ("variable", "field", "wrong"),
    [
        ("budget", "value", "4.5 million"),
        ("binding", "value", "yes"),
        ("title", "value", 42),
        ("sector", "value", "agriculture"),
        ("places", "value", "Paris"),
        ("places", "value", [{"value": "Paris"}]),
        ("places", "value", [{"value": None, "evidence": "x"}]),
        ("title", "confidence", "high"),
        ("title", "evidence", ["a", "b"]),
    ],
)
def test_a_wrong_value_is_rejected(variable: str, field: str, wrong: Any) -> None:
    answer = good_answer()
    answer[variable][field] = wrong
    assert errors(group_schema(VARIABLES), answer) != []


def test_a_missing_or_an_extra_property_is_rejected() -> None:
    missing = good_answer()
    del missing["budget"]
    extra = good_answer()
    extra["title"]["reasoning"] = "because"
    assert errors(group_schema(VARIABLES), missing) != []
    assert errors(group_schema(VARIABLES), extra) != []


def test_null_is_accepted_for_a_single_category_but_not_inside_a_list() -> None:
    single = group_schema([category("sector")])
    listed = group_schema([category("sector", if_multiple_values="all")])
    assert errors(single, {"sector": {"value": None, "confidence": 0.2, "evidence": None}}) == []
    bad_item = {"sector": {"value": [{"value": None, "evidence": "x"}], "confidence": 0.2, "evidence": None}}
    assert errors(listed, bad_item) != []


def test_the_entities_schema_accepts_a_list_and_rejects_a_nameless_entity() -> None:
    schema = entities_schema()
    assert errors(schema, {"entities": []}) == []
    assert errors(schema, {"entities": [{"name": "France", "evidence": "France signs"}]}) == []
    assert errors(schema, {"entities": [{"evidence": "France signs"}]}) != []
    assert errors(schema, {"entities": "France"}) != []
