"""Small builders for codebook data as a file would hold it, and the problems found in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.codebook_rules import codebook_problems

DEMO_CODEBOOK = Path(__file__).resolve().parents[2] / "resources" / "demo" / "codebook.yaml"


def variable(name: str = "title", type: str = "text", **fields: Any) -> dict[str, Any]:
    """One variable as a codebook file writes it."""
    return {"name": name, "type": type, "instructions": f"Code the {name}.", **fields}


def category_variable(
    name: str = "sector", values: tuple[str, ...] = ("energy", "transport"), **fields: Any
) -> dict[str, Any]:
    return variable(name, "category", categories=[{"value": value} for value in values], **fields)


def problems_of(*variables: dict[str, Any], project: dict[str, Any] | None = None) -> dict[str, str]:
    """Field path -> message for every cross-field problem of a codebook made of `variables`."""
    data: dict[str, Any] = {"variables": list(variables)}
    if project is not None:
        data["project"] = project
    return {problem.field: problem.message for problem in codebook_problems(Codebook.model_validate(data))}


def edge_case_codebook() -> Codebook:
    """What the demo does not exercise: the NULL policy, shorthand dependencies, rules, odd text."""
    return Codebook.model_validate(
        {
            "variables": [
                variable("note", if_uncertain=None, instructions="Line one.\n  Indented: yes\nÜnïcödé — ok"),
                variable("has_goal", "boolean", default_value=False, if_uncertain="skip"),
                variable("goal_year", "date", depends_on="has_goal", default_value="2050"),
                category_variable(if_multiple_values="all", max_values=2, default_value=["energy"]),
                variable(
                    "share",
                    "number",
                    depends_on={"variable": "sector", "operator": "in", "value": ["energy"]},
                    validation_rules={"min": 0, "max": 100.5},
                ),
                variable("code", validation_rules={"pattern": r"^[A-Z]{2}\d+$", "allowed_values": ["NO1"]}),
            ]
        }
    )
