"""The codebook being edited, as plain data (no Qt), and what is wrong with it.

The draft holds the project context and one dict per variable in `VariableSpec.model_dump(mode="json")`
shape, possibly invalid while a person types. `check` builds the codebook from it: pydantic's errors and
`codebook_problems` become one list of problems, each with the path of its field, so that the list, the
forms and the status text all say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from coderai_desktop.domain.codebook import Codebook, ProjectContext, VariableSpec
from coderai_desktop.domain.codebook_rules import Problem, codebook_problems
from coderai_desktop.domain.enums import VariableType

Fields = dict[str, Any]
FieldPath = tuple[str | int, ...]

# pydantic's wording for the errors a form can produce, in the words the codebook checks use.
_MESSAGES = {
    "missing": "required",
    "string_too_short": "must not be empty",
    "extra_forbidden": "is not a field the codebook knows",
}
_VARIABLE_INDEX = re.compile(r"variables\[(\d+)\]")
_UNION_TAGS = frozenset({"bool", "int", "float", "str", "none"})


def blank_variable(name: str) -> Fields:
    """A new text variable: every field at its default, the instructions still to write."""
    fields = VariableSpec(name="x", type=VariableType.TEXT, instructions="-").model_dump(mode="json")
    fields.update(name=name, instructions="")
    return fields


def unique_name(base: str, taken: list[str]) -> str:
    """`base`, or `base_2`, `base_3`… whichever no variable has yet (case is ignored, as the checks do)."""
    used = {name.lower() for name in taken}
    if base.lower() not in used:
        return base
    number = 2
    while f"{base}_{number}".lower() in used:
        number += 1
    return f"{base}_{number}"


def copy_name(name: str, taken: list[str]) -> str:
    """The name of a duplicate: `name_copy`, then `name_copy_2`, `name_copy_3`…"""
    return unique_name(f"{name}_copy", taken)


@dataclass
class Check:
    """What building the codebook from the draft gave: the problems, and the valid parts."""

    problems: list[Problem]
    context: ProjectContext | None
    specs: list[VariableSpec | None]
    by_variable: dict[int, list[Problem]] = field(default_factory=dict)
    context_problems: list[Problem] = field(default_factory=list)

    @property
    def codebook(self) -> Codebook | None:
        """The draft as a Codebook, when pydantic accepts every part (it may still have other problems)."""
        if self.context is None or any(spec is None for spec in self.specs):
            return None
        return Codebook(project=self.context, variables=[spec for spec in self.specs if spec is not None])

    def first_problem(self, row: int) -> str | None:
        problems = self.by_variable.get(row)
        return problems[0].message if problems else None


class CodebookDraft:
    def __init__(self, codebook: Codebook | None = None) -> None:
        codebook = codebook or Codebook()
        self.context: Fields = codebook.project.model_dump(mode="json") if codebook.project else {}
        self.variables: list[Fields] = [variable.model_dump(mode="json") for variable in codebook.variables]
        # Each variable dict is replaced, never changed in place: its check is kept while it is in the draft.
        self._checked: dict[int, tuple[Fields, VariableSpec | None, list[Problem]]] = {}

    def names(self) -> list[str]:
        return [str(fields.get("name") or "") for fields in self.variables]

    def row_of(self, name: str) -> int | None:
        return next((row for row, other in enumerate(self.names()) if other == name), None)

    def name_at(self, row: int) -> str:
        """How the status text names a variable: its name, or its place while it has none."""
        return str(self.variables[row].get("name") or "").strip() or f"variable {row + 1}"

    def check(self) -> Check:
        problems: list[Problem] = []
        context: ProjectContext | None = None
        if self.context:
            try:
                context = ProjectContext.model_validate(self.context)
            except ValidationError as error:
                problems += pydantic_problems(error, ("project",))
        specs: list[VariableSpec | None] = []
        checked: dict[int, tuple[Fields, VariableSpec | None, list[Problem]]] = {}
        for row, fields in enumerate(self.variables):
            cached = self._checked.get(id(fields))
            if cached is None:
                try:
                    cached = (fields, VariableSpec.model_validate(fields), [])
                except ValidationError as error:
                    cached = (fields, None, pydantic_problems(error, ()))
            checked[id(fields)] = cached
            specs.append(cached[1])
            problems += [Problem(("variables", row, *problem.path), problem.message) for problem in cached[2]]
        self._checked = checked
        problems += self._rule_problems(context, specs)
        result = Check(problems, context, specs)
        for problem in problems:
            if problem.path[:1] == ("variables",) and len(problem.path) > 1:
                result.by_variable.setdefault(int(problem.path[1]), []).append(problem)
            else:
                result.context_problems.append(problem)
        return result

    def _rule_problems(
        self, context: ProjectContext | None, specs: list[VariableSpec | None]
    ) -> list[Problem]:
        """`codebook_problems` over the variables pydantic accepts, with paths and messages pointing at the
        draft's rows."""
        rows = [row for row, spec in enumerate(specs) if spec is not None]
        valid = [spec for spec in specs if spec is not None]
        found = codebook_problems(Codebook(project=context, variables=valid))

        def moved(part: str | int, position: int, path: FieldPath) -> str | int:
            return rows[part] if position == 1 and path[0] == "variables" and isinstance(part, int) else part

        return [
            Problem(
                tuple(moved(part, position, problem.path) for position, part in enumerate(problem.path)),
                _VARIABLE_INDEX.sub(lambda match: f"variable {rows[int(match[1])] + 1}", problem.message),
            )
            for problem in found
        ]


def pydantic_problems(error: ValidationError, prefix: FieldPath) -> list[Problem]:
    """One problem per field pydantic refused, worded like the codebook checks."""
    grouped: dict[FieldPath, list[Any]] = {}
    for item in error.errors(include_url=False):
        # A union's members ("min" tried as "bool", "int"…) are not fields: report the field once.
        location = tuple(part for part in item["loc"] if isinstance(part, int) or part not in _UNION_TAGS)
        grouped.setdefault(location, []).append(item)
    problems = []
    for location, items in grouped.items():
        if len(items) > 1:
            message = "must be one value: a number, a date, true/false or text"
        else:
            text = str(items[0]["msg"])
            message = _MESSAGES.get(items[0]["type"], text[:1].lower() + text[1:])
        where = Problem(location, "").field or "this"
        problems.append(Problem((*prefix, *location), f"{where}: {message}"))
    return problems
