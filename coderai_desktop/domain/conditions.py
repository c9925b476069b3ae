"""depends_on: whether a variable applies to a unit, given the value of the variable it depends on.

One rule for the pipeline (which leaves a variable that does not apply empty) and for agreement (which
leaves such a unit out of the variable's statistics)."""

from __future__ import annotations

from typing import Any

from coderai_desktop.domain.codebook import DependsOn
from coderai_desktop.domain.enums import DependencyOperator


def condition_met(dependency: DependsOn, value: Any) -> bool:
    operator, expected = dependency.operator, dependency.value
    present = value is not None and value is not False and value != []  # 0 is a value (0 == False)
    values = value if isinstance(value, list) else [value]
    if operator is DependencyOperator.IS_SET:
        return present
    if operator is DependencyOperator.IS_NOT_SET:
        return not present
    if operator is DependencyOperator.EQUALS:
        return expected in values
    if operator is DependencyOperator.NOT_EQUALS:
        return expected not in values
    if operator is DependencyOperator.IN:
        return any(item in expected for item in values)
    return not any(item in expected for item in values)
