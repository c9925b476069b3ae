"""What the co-pilot proposes, checked before anyone sees it.

A model's answer is data too: each proposal is validated (a variable as a VariableSpec and against the
current codebook, a category against the variable's categories), and one that fails is dropped with the
reason, never raised, so the others still reach the researcher. The same checks read a proposal the
researcher edited (as YAML, or plain text for instructions) before it is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml
from pydantic import ValidationError

from coderai_desktop.domain.codebook import Category, Codebook, VariableSpec
from coderai_desktop.domain.codebook_rules import codebook_problems
from coderai_desktop.domain.enums import UnitOfObservation, VariableType
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.llm.client import Usage
from coderai_desktop.pipeline.copilot_prompts import CATEGORIES, INSTRUCTIONS, UNIT, VARIABLES
from coderai_desktop.projects.codebook_file import codebook_to_data

PROPOSED, ACCEPTED, EDITED, REJECTED = "proposed", "accepted", "edited", "rejected"
DECISIONS = (ACCEPTED, EDITED, REJECTED)


@dataclass(frozen=True)
class Proposal:
    """One proposal: a variable (its codebook-file fields), a category, instructions or a unit."""

    index: int
    fields: dict[str, Any]
    rationale: str
    status: str = PROPOSED
    improves: str | None = None  # variables: the existing variable this one redefines
    accepted_fields: dict[str, Any] | None = None  # what was accepted after an edit

    @property
    def decided(self) -> bool:
        return self.status != PROPOSED

    @property
    def title(self) -> str:
        """A line that names the proposal."""
        fields = self.fields
        if "name" in fields:
            label = fields.get("display_name")
            return f"{fields['name']} ({fields.get('type', '')})" + (f": {label}" if label else "")
        if "value" in fields:
            return str(fields["value"])
        if UNIT in fields:
            return f"One row per {fields[UNIT]}"
        return "New instructions"

    def variable(self) -> VariableSpec:
        return VariableSpec.model_validate(self.fields)

    def category(self) -> Category:
        return Category.model_validate(self.fields)

    def as_content(self) -> dict[str, Any]:
        content: dict[str, Any] = {"fields": self.fields, "rationale": self.rationale, "status": self.status}
        if self.improves is not None:
            content["improves"] = self.improves
        if self.accepted_fields is not None:
            content["accepted_fields"] = self.accepted_fields
        return content

    @classmethod
    def from_content(cls, index: int, content: dict[str, Any]) -> Proposal:
        return cls(
            index,
            dict(content.get("fields") or {}),
            str(content.get("rationale") or ""),
            str(content.get("status") or PROPOSED),
            content.get("improves"),
            content.get("accepted_fields"),
        )


@dataclass(frozen=True)
class Dropped:
    """A proposal left out, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class Suggestions:
    """The co-pilot's answer to one request (message_id: its stored message; None when nothing is stored)."""

    kind: str
    message_id: int | None
    proposals: list[Proposal]
    dropped: list[Dropped] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    documents: list[str] = field(default_factory=list)  # the names of the documents it read
    variable: str | None = None  # categories and instructions: the variable they are for


class Rewrite(Suggestions):
    """New instructions for a variable, and why."""

    @property
    def instructions(self) -> str | None:
        return self.proposals[0].fields[INSTRUCTIONS] if self.proposals else None

    @property
    def why(self) -> str:
        return self.proposals[0].rationale if self.proposals else ""


class UnitSuggestion(Suggestions):
    """What one row of the dataset should be (DOCUMENT or ENTITY, with its pattern), and why."""

    @property
    def unit(self) -> UnitOfObservation | None:
        return UnitOfObservation(self.proposals[0].fields[UNIT].upper()) if self.proposals else None

    @property
    def entity_pattern(self) -> str | None:
        return self.proposals[0].fields.get("entity_pattern") if self.proposals else None

    @property
    def why(self) -> str:
        return self.proposals[0].rationale if self.proposals else ""


@dataclass(frozen=True)
class CopilotEntry:
    """One stored turn of the conversation: a request (role researcher) or the proposals (role copilot)."""

    id: int
    role: str
    kind: str
    content: dict[str, Any]
    created_at: datetime
    account_id: int | None

    @property
    def proposals(self) -> list[Proposal]:
        return [Proposal.from_content(i, item) for i, item in enumerate(self.content.get("proposals", []))]

    @property
    def dropped(self) -> list[Dropped]:
        return [Dropped(str(item["name"]), str(item["reason"])) for item in self.content.get("dropped", [])]

    @property
    def documents(self) -> list[str]:
        return [str(item["name"]) for item in self.content.get("documents", [])]

    @property
    def variable(self) -> str | None:
        return self.content.get("variable")


# --- checking answers ------------------------------------------------------------------------------------


def variable_fields(spec: VariableSpec) -> dict[str, Any]:
    """A variable as a codebook file writes it (what `VariableSpec.model_validate` reads back)."""
    data: dict[str, Any] = codebook_to_data(Codebook(variables=[spec]))[VARIABLES][0]
    return data


def checked_variables(
    answer: list[Any], codebook: list[VariableSpec]
) -> tuple[list[Proposal], list[Dropped]]:
    """The proposed variables that are valid beside the codebook (and beside each other)."""
    proposals: list[Proposal] = []
    dropped: list[Dropped] = []
    by_name = {variable.name.lower(): variable for variable in codebook}
    current = list(codebook)
    proposed: set[str] = set()
    for item in answer:
        raw = item if isinstance(item, dict) else {}
        name = str(raw.get("name") or "").strip()
        try:
            spec = _variable_from_answer(raw)
        except ValidationError as error:
            dropped.append(Dropped(name or "(no name)", _pydantic_reason(error)))
            continue
        if name.lower() in proposed:
            dropped.append(Dropped(name, "proposed twice; the first proposal is kept"))
            continue
        existing = by_name.get(name.lower())
        improves = raw.get("improves") if isinstance(raw.get("improves"), str) else None
        improves = by_name[improves.lower()].name if improves and improves.lower() in by_name else None
        if existing is not None:
            if _same_definition(spec, existing):
                dropped.append(Dropped(name, "already in the codebook, defined the same way"))
                continue
            candidate = [spec if variable is existing else variable for variable in current]
            improves = existing.name
        else:
            candidate = [*current, spec]
        if reasons := problems_of(spec, candidate):
            dropped.append(Dropped(name, reasons))
            continue
        current = candidate
        proposed.add(name.lower())
        rationale = str(raw.get("rationale") or "").strip()
        proposals.append(Proposal(len(proposals), variable_fields(spec), rationale, improves=improves))
    return proposals, dropped


def checked_categories(answer: list[Any], variable: VariableSpec) -> tuple[list[Proposal], list[Dropped]]:
    proposals: list[Proposal] = []
    dropped: list[Dropped] = []
    taken = {category.value.casefold() for category in variable.categories}
    for item in answer:
        raw = item if isinstance(item, dict) else {}
        value = str(raw.get("value") or "").strip()
        try:
            category = Category.model_validate(
                {"value": value, "definition": str(raw.get("definition") or "").strip() or None}
            )
        except ValidationError as error:
            dropped.append(Dropped(value or "(no value)", _pydantic_reason(error)))
            continue
        if category.value.casefold() in taken:
            dropped.append(Dropped(value, f"already a category of {variable.name}"))
            continue
        taken.add(category.value.casefold())
        fields = category.model_dump(exclude_none=True, exclude_defaults=True)
        proposals.append(Proposal(len(proposals), fields, str(raw.get("rationale") or "").strip()))
    return proposals, dropped


def checked_rewrite(answer: dict[str, Any], variable: VariableSpec) -> tuple[list[Proposal], list[Dropped]]:
    text = str(answer.get(INSTRUCTIONS) or "").strip()
    if not text:
        return [], [Dropped(variable.name, "the answer had no instructions")]
    if " ".join(text.split()) == " ".join(variable.instructions.split()):
        return [], [Dropped(variable.name, "the same as the current instructions")]
    return [Proposal(0, {INSTRUCTIONS: text}, str(answer.get("why") or "").strip())], []


def checked_unit(answer: dict[str, Any]) -> tuple[list[Proposal], list[Dropped]]:
    unit = str(answer.get(UNIT) or "").strip().lower()
    pattern = str(answer.get("entity_pattern") or "").strip() or None
    if unit not in ("document", "entity"):
        return [], [Dropped(unit or "(no unit)", "the unit must be document or entity")]
    if unit == "entity" and pattern is None:
        return [], [Dropped(unit, "an entity unit needs a pattern saying how to recognise one entity")]
    fields = {UNIT: unit, "entity_pattern": pattern if unit == "entity" else None}
    return [Proposal(0, fields, str(answer.get("why") or "").strip())], []


def problems_of(spec: VariableSpec, codebook: list[VariableSpec]) -> str:
    """What `codebook_problems` finds wrong in `codebook` because of `spec`, in words ('' when nothing):
    its own problems, and those it causes elsewhere (a variable that depends on one it redefines)."""
    position = next(index for index, variable in enumerate(codebook) if variable is spec)
    others = [variable for variable in codebook if variable is not spec]
    before = {
        (codebook_name(others, p.path), p.message) for p in codebook_problems(Codebook(variables=others))
    }
    reasons = []
    for problem in codebook_problems(Codebook(variables=codebook)):
        name = codebook_name(codebook, problem.path)
        if (name, problem.message) in before:
            continue  # there before the proposal
        where = problem.path[2:] if problem.path[:2] == (VARIABLES, position) else (name, *problem.path[2:])
        reasons.append(_relative(where, problem.message))
    return "; ".join(reasons)


def codebook_name(codebook: list[VariableSpec], path: tuple[str | int, ...]) -> str:
    """The name of the variable a problem's path is about ('' for the codebook itself)."""
    if len(path) >= 2 and path[0] == VARIABLES and isinstance(path[1], int) and path[1] < len(codebook):
        return codebook[path[1]].name
    return ""


# --- editing a proposal ----------------------------------------------------------------------------------


def edit_text(kind: str, fields: dict[str, Any]) -> str:
    """A proposal's fields as the researcher edits them: YAML, or the instructions as plain text."""
    if kind == INSTRUCTIONS:
        return str(fields.get(INSTRUCTIONS, ""))
    return yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=100)


def parse_edit(
    kind: str, text: str, codebook: list[VariableSpec], *, replacing: str | None = None
) -> dict[str, Any]:
    """The fields of an edited proposal, or InvalidInputError saying what is wrong (`replacing`: the
    variable an edited variable takes the place of)."""
    if kind == INSTRUCTIONS:
        if not text.strip():
            raise InvalidInputError("The instructions are empty.")
        return {INSTRUCTIONS: text.strip()}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InvalidInputError(
            f"This is not valid YAML{where}: {getattr(error, 'problem', error)}."
        ) from None
    if not isinstance(data, dict):
        raise InvalidInputError("Write the fields as YAML, one 'field: value' per line.")
    try:
        if kind == VARIABLES:
            spec = VariableSpec.model_validate(data)
            others = [variable for variable in codebook if variable.name != replacing]
            if any(variable.name.lower() == spec.name.lower() for variable in others):
                raise InvalidInputError(f"The codebook already has a variable named {spec.name}.")
            if reasons := problems_of(spec, [*others, spec]):
                raise InvalidInputError(f"{spec.name}: {reasons}.")
            return variable_fields(spec)
        if kind == CATEGORIES:
            return Category.model_validate(data).model_dump(exclude_none=True, exclude_defaults=True)
    except ValidationError as error:
        raise InvalidInputError(_pydantic_reason(error) + ".") from None
    if kind == UNIT:
        proposals, dropped = checked_unit(data)
        if dropped:
            raise InvalidInputError(dropped[0].reason[0].upper() + dropped[0].reason[1:] + ".")
        return proposals[0].fields
    raise InvalidInputError(f"Unknown kind of proposal: {kind}.")


# --- helpers -----------------------------------------------------------------------------------------------


def _variable_from_answer(raw: dict[str, Any]) -> VariableSpec:
    kind = str(raw.get("type") or "").strip().lower()
    given = raw.get("categories")
    categories: list[Any] = given if isinstance(given, list) else []
    fields: dict[str, Any] = {
        "name": str(raw.get("name") or "").strip(),
        "display_name": str(raw.get("label") or "").strip() or None,
        "type": kind,
        "instructions": str(raw.get("instructions") or "").strip(),
        # Strict schemas make every field required: the empty list a text variable must give is no error.
        "categories": [
            {"value": str(item.get("value") or "").strip(), "definition": item.get("definition") or None}
            for item in categories
            if isinstance(item, dict)
        ]
        if kind == VariableType.CATEGORY.lower()
        else [],
    }
    return VariableSpec.model_validate(fields)


def _same_definition(spec: VariableSpec, existing: VariableSpec) -> bool:
    keys = ("type", "instructions", "categories")
    return all(getattr(spec, key) == getattr(existing, key) for key in keys)


def _relative(path: tuple[str | int, ...], message: str) -> str:
    where = ""
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else part)
    return f"{where}: {message}" if where else message


def _pydantic_reason(error: ValidationError) -> str:
    reasons = []
    for problem in error.errors()[:3]:
        where = ".".join(str(part) for part in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        reasons.append(f"{where}: {message}" if where else message)
    return "; ".join(reasons)
