"""A project's variables, read and written as VariableSpecs (the codebook's vocabulary)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.persistence.repositories.scoped import ProjectPartRepository
from coderai_desktop.persistence.tables import Account, CodebookVersion, Extraction, Variable

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


class StaleVariable(Exception):
    """A variable was changed, added or removed by someone else after the editor loaded the codebook:
    writing the editor's copy would undo their change. Nothing of the save may be kept."""

    def __init__(self, name: str, change: str):
        super().__init__(f"{change} the variable {name!r}")
        self.name = name
        self.change = change  # "changed", "added" or "removed"


class VariableRepository(ProjectPartRepository[Variable]):
    model = Variable
    noun = "variable"
    order_by = "position"

    def replace_all(
        self, project_id: int, specs: list[VariableSpec], loaded: Mapping[str, int] | None = None
    ) -> None:
        """Make the project's variables exactly `specs`, in order. A variable keeps its id (and so its
        results and prompt history) while its name stays the same; one left out is deleted.

        `loaded`: each variable's version when the editor loaded the codebook (name -> version). A variable
        someone else changed, added or removed since is not written over: StaleVariable. None: no check (a
        codebook file, a refinement). Moving a variable is not an edit of it: its version stays."""
        existing = {row.name: row for row in self.of_project(project_id)}
        kept = {spec.name for spec in specs}
        for name, left_out in existing.items():
            if name not in kept:
                self._delete(left_out, self._loaded_version(loaded, name))
        self.session.flush()
        for position, spec in enumerate(specs):
            row = existing.get(spec.name)
            if row is None:
                if loaded is not None and spec.name in loaded:
                    raise StaleVariable(spec.name, "removed")
                self.add(Variable(project_id=project_id, **_row_values(spec), position=position))
                continue
            if spec_of(row) != spec:
                self.edit(row, _row_values(spec), self._loaded_version(loaded, spec.name))
            row.position = position
        self.session.flush()

    def edit(self, row: Variable, values: dict[str, Any], loaded: int | None = None) -> None:
        """Set `values` and raise the version in one UPDATE, only while the row is at the `loaded` version
        (None: whatever it is); StaleVariable when someone else's edit got there first."""
        statement = sa.update(Variable).where(
            Variable.id == row.id, Variable.workspace_id == self.workspace_id
        )
        if loaded is not None:
            statement = statement.where(Variable.version == loaded)
        done = self.session.execute(
            statement.values(**values, version=Variable.version + 1),
            execution_options={"synchronize_session": "fetch"},
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleVariable(row.name, "changed")

    def _delete(self, row: Variable, loaded: int | None) -> None:
        statement = sa.delete(Variable).where(
            Variable.id == row.id, Variable.workspace_id == self.workspace_id
        )
        if loaded is not None:
            statement = statement.where(Variable.version == loaded)
        done = self.session.execute(statement, execution_options={"synchronize_session": "fetch"})
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleVariable(row.name, "changed")

    @staticmethod
    def _loaded_version(loaded: Mapping[str, int] | None, name: str) -> int | None:
        if loaded is None:
            return None
        if name not in loaded:  # in the database, not in the codebook the editor loaded
            raise StaleVariable(name, "added")
        return loaded[name]

    def versions(self, project_id: int) -> dict[str, int]:
        """Each variable's version (name -> version): what an editor keeps to save with."""
        query = sa.select(Variable.name, Variable.version).where(
            Variable.workspace_id == self.workspace_id, Variable.project_id == project_id
        )
        return {name: version for name, version in self.session.execute(query)}

    def last_change(self, project_id: int) -> tuple[str | None, datetime | None]:
        """Who saved the project's latest codebook version (a login; None once the account is deleted) and
        when: the author of a change an editor's save collides with."""
        query = (
            sa.select(Account.login, CodebookVersion.created_at)
            .select_from(CodebookVersion)
            .outerjoin(Account, Account.id == CodebookVersion.account_id)
            .where(
                CodebookVersion.workspace_id == self.workspace_id, CodebookVersion.project_id == project_id
            )
            .order_by(CodebookVersion.version.desc())
            .limit(1)
        )
        found = self.session.execute(query).first()
        return (found.login, found.created_at) if found is not None else (None, None)

    def result_counts(self, variable_ids: list[int]) -> dict[int, int]:
        """How many extracted values each variable has (variables without any are left out)."""
        query = (
            sa.select(Extraction.variable_id, sa.func.count())
            .where(Extraction.workspace_id == self.workspace_id, Extraction.variable_id.in_(variable_ids))
            .group_by(Extraction.variable_id)
        )
        return {variable_id: count for variable_id, count in self.session.execute(query)}
