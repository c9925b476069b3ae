"""Builders for variables and project contexts, shared by the LLM-layer and the pipeline tests."""

from __future__ import annotations

from typing import Any

from coderai_desktop.domain.codebook import ProjectContext, VariableSpec


def spec(name: str = "title", type: str = "text", **fields: Any) -> VariableSpec:
    """One variable, as a codebook file would describe it."""
    return VariableSpec.model_validate(
        {"name": name, "type": type, "instructions": f"Code the {name} of the document.", **fields}
    )


def category(
    name: str = "sector", values: tuple[str | tuple[str, str], ...] = ("energy", "transport"), **fields: Any
) -> VariableSpec:
    """A category variable; a (value, label) pair gives a category a label."""
    categories = [
        {"value": item[0], "label": item[1]} if isinstance(item, tuple) else {"value": item}
        for item in values
    ]
    return spec(name, "category", categories=categories, **fields)


def one_of_each_type() -> list[VariableSpec]:
    return [
        spec("title", "text"),
        spec("budget", "number"),
        spec("signed_on", "date"),
        spec("binding", "boolean"),
        category("sector"),
    ]


def many(count: int) -> list[VariableSpec]:
    """`count` text variables named v01, v02, ..."""
    return [spec(f"v{number:02d}") for number in range(1, count + 1)]


def context(**fields: Any) -> ProjectContext:
    defaults: dict[str, Any] = {
        "name": "Climate treaties",
        "description": "Commitments made in bilateral climate agreements.",
        "domain": "International relations",
        "language": "French",
    }
    return ProjectContext.model_validate({**defaults, **fields})


def entity_context(pattern: str = "each country that signs the agreement") -> ProjectContext:
    return context(unit_of_observation="entity", entity_identification_pattern=pattern)
