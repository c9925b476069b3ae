"""A project's variables, read and written as VariableSpecs (the codebook's vocabulary)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import Extraction, Variable

_SPEC_FIELDS = tuple(VariableSpec.model_fields)


def spec_of(row: Variable) -> VariableSpec:
    return VariableSpec.model_validate({name: getattr(row, name) for name in _SPEC_FIELDS})


def _row_values(spec: VariableSpec) -> dict[str, Any]:
    values = {name: getattr(spec, name) for name in _SPEC_FIELDS}
    values["categories"] = [category.model_dump(exclude_none=True) for category in spec.categories]
    values["examples"] = [example.model_dump(mode="json", exclude_none=True) for example in spec.examples]
    for nested in ("validation_rules", "depends_on"):
        model = getattr(spec, nested)
        values[nested] = model.model_dump(mode="json", exclude_none=True) if model is not None else None
    return values


class VariableRepository(ProjectPartRepository[Variable]):
    model = Variable
    noun = "variable"
    order_by = "position"

    def replace_all(self, project_id: int, specs: list[VariableSpec]) -> None:
        """Make the project's variables exactly `specs`, in order. A variable keeps its id (and so its
        results and prompt history) while its name stays the same; one left out is deleted."""
        existing = {row.name: row for row in self.of_project(project_id)}
        kept = {spec.name for spec in specs}
        for stale in [row for name, row in existing.items() if name not in kept]:
            self.session.delete(stale)
        self.session.flush()
        for position, spec in enumerate(specs):
            values = {**_row_values(spec), "position": position}
            row = existing.get(spec.name)
            if row is None:
                self.add(Variable(project_id=project_id, **values))
                continue
            for name, value in values.items():
                setattr(row, name, value)
        self.session.flush()

    def result_counts(self, variable_ids: list[int]) -> dict[int, int]:
        """How many extracted values each variable has (variables without any are left out)."""
        query = (
            sa.select(Extraction.variable_id, sa.func.count())
            .where(Extraction.workspace_id == self.workspace_id, Extraction.variable_id.in_(variable_ids))
            .group_by(Extraction.variable_id)
        )
        return {variable_id: count for variable_id, count in self.session.execute(query)}
