"""The one place where rows are limited to a workspace: repositories build every query from here."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.domain.errors import NotFoundError

Row = TypeVar("Row", bound=Any)


class WorkspaceRepository(Generic[Row]):
    """Rows of one table that belong to one workspace. Never `session.get(Model, id)`: that is unscoped."""

    model: type[Row]
    noun: str = "item"

    def __init__(self, session: Session, workspace_id: int):
        self.session = session
        self.workspace_id = workspace_id

    def select(self) -> sa.Select[Any]:
        return sa.select(self.model).where(self.model.workspace_id == self.workspace_id)

    def get(self, row_id: int) -> Row | None:
        return self.session.scalars(self.select().where(self.model.id == row_id)).first()

    def require(self, row_id: int) -> Row:
        """The row, or a NotFoundError that does not reveal whether it exists in another workspace."""
        row = self.get(row_id)
        if row is None:
            raise NotFoundError(f"There is no {self.noun} {row_id} in your workspace.")
        return row

    def add(self, row: Row) -> Row:
        row.workspace_id = self.workspace_id
        self.session.add(row)
        self.session.flush()
        return row

    def update(self, row_id: int, **values: Any) -> None:
        """Set columns of one row with a single UPDATE (no ORM round trip: imports do this thousands of
        times); NotFoundError when the workspace has no such row."""
        if "workspace_id" in values:
            self.require(row_id)  # another workspace's row is simply not found
            raise ValueError("a row never moves to another workspace")
        statement = sa.update(self.model).where(
            self.model.id == row_id, self.model.workspace_id == self.workspace_id
        )
        if self.session.execute(statement.values(**values)).rowcount != 1:  # type: ignore[attr-defined]
            raise NotFoundError(f"There is no {self.noun} {row_id} in your workspace.")

    def delete(self, row_id: int) -> None:
        self.session.delete(self.require(row_id))
        self.session.flush()


class ProjectPartRepository(WorkspaceRepository[Row]):
    """Rows that belong to a project (documents, variables, results...)."""

    # The column of_project orders by.
    order_by: str = "id"

    def of_project(self, project_id: int) -> list[Row]:
        query = self.select().where(self.model.project_id == project_id)
        return list(self.session.scalars(query.order_by(getattr(self.model, self.order_by))))
