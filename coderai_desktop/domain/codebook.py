"""The codebook: the project context and its typed variables.

Pydantic checks each field's shape; `codebook_problems` checks what spans fields and variables
(categories for category variables, rules that fit the type, dependencies that exist, no cycles), so
that every problem carries the path of the field it is about and a file loader can name the line.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from coderai_desktop.domain.enums import (
    DependencyOperator,
    IfMultipleValues,
    IfUncertain,
    UnitOfObservation,
    VariableType,
)


def _upper_case(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _uncertain_policy(value: Any) -> Any:
    # `if_uncertain: null` in a file means the NULL policy, not "use the default".
    return IfUncertain.NULL if value is None else _upper_case(value)


NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OptionalText = Annotated[str | None, StringConstraints(strip_whitespace=True)]


class _Strict(BaseModel):
    # defer_build: a model is built on first use, so a command pays only for the models it touches.
    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)


class Category(_Strict):
    value: NonEmptyText
    label: OptionalText = None
    definition: OptionalText = None
    examples: list[str] = Field(default_factory=list)


def _blank_is_none(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def _no_examples(value: Any) -> Any:
    return [] if value is None else value


class WorkedExample(_Strict):
    """A passage of a coded document and the value it gives, shown to the model with the instructions (prompt
    refinement draws them from documents the researcher corrected)."""

    quote: NonEmptyText
    value: Any = None
    explanation: OptionalText = None
    source: OptionalText = None  # the document it comes from, for the researcher (never sent to the model)
    # The document's id in its project: a refinement never holds it out (the prompt has seen it).
    document_id: int | None = None


class ValidationRules(_Strict):
    """Checks applied to extracted values: min/max for numbers and dates, pattern and allowed values."""

    # bool first: otherwise pydantic turns `true` into 1.
    min: bool | int | float | str | None = None
    max: bool | int | float | str | None = None
    pattern: str | None = None
    allowed_values: list[bool | int | float | str] | None = None


class DependsOn(_Strict):
    """Extract this variable only when another variable's value meets a condition."""

    variable: NonEmptyText
    operator: Annotated[DependencyOperator, BeforeValidator(_upper_case)] = DependencyOperator.EQUALS
    value: Any = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # `depends_on: has_treaty` means "only when has_treaty has a value".
        if isinstance(data, str):
            return {"variable": data, "operator": DependencyOperator.IS_SET}
        return data


class VariableSpec(_Strict):
    name: NonEmptyText
    display_name: OptionalText = None
    type: Annotated[VariableType, BeforeValidator(_upper_case)]
    instructions: NonEmptyText
    categories: list[Category] = Field(default_factory=list)
    classification_rules: OptionalText = None
    # The categories are listed in order (low < medium < high): agreement is measured at the ordinal level.
    ordered: bool = False
    confidence_threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    if_uncertain: Annotated[IfUncertain, BeforeValidator(_uncertain_policy)] = IfUncertain.FLAG
    if_multiple_values: Annotated[IfMultipleValues, BeforeValidator(_upper_case)] = IfMultipleValues.FIRST
    max_values: int | None = Field(default=None, ge=1)
    default_value: Any = None
    validation_rules: ValidationRules | None = None
    depends_on: DependsOn | None = None
    examples: Annotated[list[WorkedExample], BeforeValidator(_no_examples)] = Field(default_factory=list)
    # The model that codes this variable, on the project's provider (None: the project's model).
    model: Annotated[str | None, BeforeValidator(_blank_is_none)] = None

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def is_multi_valued(self) -> bool:
        return self.if_multiple_values is IfMultipleValues.ALL


class ProjectContext(_Strict):
    """What every prompt is told about the project."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: str = ""
    domain: str = ""
    language: str = "English"
    unit_of_observation: Annotated[UnitOfObservation, BeforeValidator(_upper_case)] = (
        UnitOfObservation.DOCUMENT
    )
    entity_identification_pattern: OptionalText = None


class Codebook(_Strict):
    """The contract shared by the GUI, the CLI and codebook files."""

    project: ProjectContext | None = None
    variables: list[VariableSpec] = Field(default_factory=list)
