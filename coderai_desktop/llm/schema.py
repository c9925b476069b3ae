"""JSON schemas for structured output, generated from the variables.

Every variable gets {value, confidence, evidence}: a typed value (an array of {value, evidence} items for
variables that keep all values), a confidence in [0, 1] and the verbatim quote it rests on. The shapes
keep to what strict JSON-schema mode accepts: every property required, no additional properties, null
expressed as a type. They carry no descriptions: what evidence, confidence and a date's form mean is said
once in the prompt (prompts.RULES, TYPE_GUIDANCE), not again in every variable's schema of every call.
"""

from __future__ import annotations

from typing import Any

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import VariableType

ENTITIES = "entities"
ENTITY = "entity"  # in an entity group's answer: which listed entity an object codes


def _base_value(variable: VariableSpec) -> dict[str, Any]:
    """The schema of one value, without null."""
    kind = variable.type
    if kind is VariableType.CATEGORY:
        return {"type": "string", "enum": [category.value for category in variable.categories]}
    if kind is VariableType.NUMBER:
        return {"type": "number"}
    if kind is VariableType.BOOLEAN:
        return {"type": "boolean"}
    return {"type": "string"}  # text, and dates (their form is in the prompt)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    nullable = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        nullable["enum"] = [*schema["enum"], None]
    return nullable


def variable_schema(variable: VariableSpec) -> dict[str, Any]:
    evidence = {"type": ["string", "null"]}
    if variable.is_multi_valued:
        item = {
            "type": "object",
            "additionalProperties": False,
            "required": ["value", "evidence"],
            "properties": {"value": _base_value(variable), "evidence": {"type": "string"}},
        }
        value: dict[str, Any] = {"type": "array", "items": item}
    else:
        value = _nullable(_base_value(variable))
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["value", "confidence", "evidence"],
        "properties": {
            "value": value,
            "confidence": {"type": "number"},
            "evidence": evidence,
        },
    }


def group_schema(variables: list[VariableSpec]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [variable.name for variable in variables],
        "properties": {variable.name: variable_schema(variable) for variable in variables},
    }


def entities_schema() -> dict[str, Any]:
    entity = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "evidence"],
        "properties": {
            "name": {"type": "string", "description": "How the document names the entity."},
            "evidence": {"type": "string", "description": "A verbatim quote where the entity appears."},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [ENTITIES],
        "properties": {ENTITIES: {"type": "array", "items": entity}},
    }


def entity_group_schema(variables: list[VariableSpec]) -> dict[str, Any]:
    """Several entities coded in one call: one object per listed entity, its name and then the variables."""
    variables_object = group_schema(variables)
    entity = {"type": "string", "description": "The entity's name exactly as listed."}
    item = {
        **variables_object,
        "required": [ENTITY, *variables_object["required"]],
        "properties": {ENTITY: entity, **variables_object["properties"]},
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [ENTITIES],
        "properties": {ENTITIES: {"type": "array", "items": item}},
    }
