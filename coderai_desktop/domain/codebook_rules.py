"""Checks that span fields and variables, each reported with the path of the field it is about."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from coderai_desktop.domain.codebook import Codebook, DependsOn, ValidationRules, VariableSpec
from coderai_desktop.domain.enums import (
    DependencyOperator,
    IfMultipleValues,
    UnitOfObservation,
    VariableType,
)
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.project import project_name_problem

IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_NAME_LENGTH = 64
# Columns every export has; a variable with one of these names would collide with them.
RESERVED_NAMES = frozenset({"document", "document_id", "entity_index", "entity_text"})
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str

    @property
    def field(self) -> str:
        """The path as a reader writes it: variables[2].categories[0].value."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


class CodebookError(InvalidInputError):
    """A codebook that cannot be used; nothing of it has been saved."""

    def __init__(
        self, problems: list[Problem], source: str = "codebook", lines: list[int | None] | None = None
    ):
        self.problems = problems
        self.source = source
        self.lines = lines or [None] * len(problems)
        shown = [self._describe(problem, line) for problem, line in zip(problems, self.lines, strict=True)]
        more = f"\n  ... and {len(shown) - 10} more" if len(shown) > 10 else ""
        super().__init__(
            f"{source} has {self._count()} (nothing was saved):\n  " + "\n  ".join(shown[:10]) + more
        )

    def _count(self) -> str:
        return "1 problem" if len(self.problems) == 1 else f"{len(self.problems)} problems"

    @staticmethod
    def _describe(problem: Problem, line: int | None) -> str:
        where = f"line {line}, " if line else ""
        field = problem.field or "top level"
        return f"{where}{field}: {problem.message}"


def is_partial_iso_date(value: Any) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD naming a real (partial) date."""
    if not isinstance(value, str) or not (match := _PARTIAL_DATE.fullmatch(value)):
        return False
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def is_finite_number(value: Any) -> bool:
    """An int or float, but not a boolean, NaN or infinity (YAML's .nan and .inf, JSON's NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float (min and max are compared as floats)
        return False


def _not_a_date(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value} is a number; write a date as text in quotes, e.g. '{value}'"
    return f"{value!r} is not a date written YYYY, YYYY-MM or YYYY-MM-DD"


def value_problem(variable: VariableSpec, value: Any) -> str | None:
    """Why `value` cannot be a value of `variable`, or None when it can."""
    kind = variable.type
    if kind is VariableType.TEXT and not isinstance(value, str):
        return f"{value!r} is not text"
    if kind is VariableType.NUMBER and not is_finite_number(value):
        return f"{value!r} is not a number"
    if kind is VariableType.BOOLEAN and not isinstance(value, bool):
        return f"{value!r} is not true or false"
    if kind is VariableType.DATE and not is_partial_iso_date(value):
        return _not_a_date(value)
    if kind is VariableType.CATEGORY:
        values = [category.value for category in variable.categories]
        if value not in values:
            return f"{value!r} is not one of the categories ({', '.join(map(str, values))})"
    return None


def codebook_problems(codebook: Codebook) -> list[Problem]:
    problems: list[Problem] = []
    project = codebook.project
    if project is not None and (problem := project_name_problem(project.name)) is not None:
        problems.append(Problem(("project", "name"), problem))
    if (
        project is not None
        and project.unit_of_observation is UnitOfObservation.ENTITY
        and not project.entity_identification_pattern
    ):
        problems.append(
            Problem(
                ("project", "entity_identification_pattern"),
                "required when the unit of observation is entity: describe how to recognise one entity",
            )
        )
    by_name: dict[str, int] = {}
    for index, variable in enumerate(codebook.variables):
        path: Path = ("variables", index)
        problems += _name_problems(variable, path, by_name)
        by_name.setdefault(variable.name.lower(), index)
        problems += _variable_problems(variable, path)
    variables = {variable.name: variable for variable in codebook.variables}
    for index, variable in enumerate(codebook.variables):
        if variable.depends_on is not None:
            path = ("variables", index, "depends_on")
            problems += _dependency_problems(variable, variable.depends_on, variables, path)
    problems += _cycle_problems(codebook.variables)
    return problems


def check_codebook(codebook: Codebook, source: str = "codebook") -> Codebook:
    """Return the codebook when it is usable; raise CodebookError naming every problem otherwise."""
    if problems := codebook_problems(codebook):
        raise CodebookError(problems, source)
    return codebook


def _name_problems(variable: VariableSpec, path: Path, seen: dict[str, int]) -> list[Problem]:
    name, where = variable.name, (*path, "name")
    if not IDENTIFIER.fullmatch(name):
        message = (
            f"{name!r} must start with a letter and use only letters, digits and underscores "
            "(it becomes a column name in Stata, SPSS and R)"
        )
        return [Problem(where, message)]
    if len(name) > MAX_NAME_LENGTH:
        return [Problem(where, f"{name!r} is longer than {MAX_NAME_LENGTH} characters")]
    if name.lower() in RESERVED_NAMES:
        return [Problem(where, f"{name!r} is reserved for a column every export has; choose another name")]
    if name.lower() in seen:
        other = seen[name.lower()]
        return [Problem(where, f"{name!r} is already the name of variables[{other}] (case is ignored)")]
    return []


def _variable_problems(variable: VariableSpec, path: Path) -> list[Problem]:
    problems: list[Problem] = []
    is_category = variable.type is VariableType.CATEGORY
    if is_category and not variable.categories:
        problems.append(Problem((*path, "categories"), "a category variable needs at least one category"))
    if not is_category and variable.categories:
        problems.append(Problem((*path, "categories"), "categories only apply to category variables"))
    if not is_category and variable.ordered:
        problems.append(
            Problem((*path, "ordered"), "only the categories of a category variable can be ordered")
        )
    seen: set[str] = set()
    for position, category in enumerate(variable.categories):
        if category.value in seen:
            problems.append(
                Problem((*path, "categories", position, "value"), f"{category.value!r} appears twice")
            )
        seen.add(category.value)
    if variable.max_values is not None and variable.if_multiple_values is not IfMultipleValues.ALL:
        problems.append(Problem((*path, "max_values"), "only applies when if_multiple_values is all"))
    if variable.validation_rules is not None:
        problems += _rule_problems(variable, variable.validation_rules, (*path, "validation_rules"))
    if variable.default_value is not None:
        problems += _default_problems(variable, (*path, "default_value"))
    return problems


def _default_problems(variable: VariableSpec, path: Path) -> list[Problem]:
    value = variable.default_value
    values = value if isinstance(value, list) and variable.is_multi_valued else [value]
    return [
        Problem(path, f"default: {problem}")
        for item in values
        if (problem := value_problem(variable, item)) is not None
    ]


def _rule_problems(variable: VariableSpec, rules: ValidationRules, path: Path) -> list[Problem]:
    problems: list[Problem] = []
    kind = variable.type
    bounds = {"min": rules.min, "max": rules.max}
    for key, bound in bounds.items():
        if bound is None:
            continue
        if kind is VariableType.NUMBER and not is_finite_number(bound):
            problems.append(Problem((*path, key), f"{bound!r} is not a number"))
        elif kind is VariableType.DATE and not is_partial_iso_date(bound):
            problems.append(Problem((*path, key), _not_a_date(bound)))
        elif kind not in (VariableType.NUMBER, VariableType.DATE):
            problems.append(Problem((*path, key), "min and max apply to number and date variables"))
    if not problems and rules.min is not None and rules.max is not None:
        # Partial ISO dates order correctly as text; numbers as numbers.
        if kind is VariableType.DATE:
            reversed_bounds = str(rules.min) > str(rules.max)
        else:
            reversed_bounds = float(rules.min) > float(rules.max)
        if reversed_bounds:
            problems.append(Problem((*path, "min"), f"min ({rules.min}) is greater than max ({rules.max})"))
    if rules.pattern is not None:
        if kind is not VariableType.TEXT:
            problems.append(Problem((*path, "pattern"), "a pattern applies to text variables"))
        else:
            try:
                re.compile(rules.pattern)
            except re.error as error:
                problems.append(Problem((*path, "pattern"), f"not a valid regular expression: {error}"))
    if rules.allowed_values is not None:
        if kind is VariableType.CATEGORY:
            problems.append(
                Problem((*path, "allowed_values"), "a category variable is limited by its categories")
            )
        else:
            for position, item in enumerate(rules.allowed_values):
                if (problem := value_problem(variable, item)) is not None:
                    problems.append(Problem((*path, "allowed_values", position), problem))
    return problems


def _dependency_problems(
    variable: VariableSpec, dependency: DependsOn, variables: dict[str, VariableSpec], path: Path
) -> list[Problem]:
    target = variables.get(dependency.variable)
    if target is None:
        return [Problem((*path, "variable"), f"there is no variable named {dependency.variable!r}")]
    if target is variable:
        return [Problem((*path, "variable"), "a variable cannot depend on itself")]
    operator, value = dependency.operator, dependency.value
    if operator in (DependencyOperator.IS_SET, DependencyOperator.IS_NOT_SET):
        return [] if value is None else [Problem((*path, "value"), f"{operator.lower()} takes no value")]
    if operator in (DependencyOperator.IN, DependencyOperator.NOT_IN):
        if not isinstance(value, list) or not value:
            return [Problem((*path, "value"), f"{operator.lower()} needs a list of values")]
        candidates = value
    elif value is None:
        return [Problem((*path, "value"), f"{operator.lower()} needs a value to compare with")]
    else:
        candidates = [value]
    return [
        Problem((*path, "value"), f"{dependency.variable}: {problem}")
        for item in candidates
        if (problem := value_problem(target, item)) is not None
    ]


def _cycle_problems(variables: list[VariableSpec]) -> list[Problem]:
    # Self-references are reported by the dependency check already.
    depends = {
        v.name: v.depends_on.variable
        for v in variables
        if v.depends_on is not None and v.depends_on.variable != v.name
    }
    index = {variable.name: position for position, variable in enumerate(variables)}
    reported: set[str] = set()
    problems: list[Problem] = []
    for start in depends:
        chain, current = [start], depends.get(start)
        while current is not None and current not in chain and current in depends:
            chain.append(current)
            current = depends[current]
        if current == start and start not in reported:
            reported.update(chain)
            cycle = " -> ".join([*chain, start])
            problems.append(
                Problem(("variables", index[start], "depends_on"), f"circular dependency: {cycle}")
            )
    return problems
