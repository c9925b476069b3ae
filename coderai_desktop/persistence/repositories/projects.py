"""Projects of one workspace, and the mapping between a project row and its ProjectContext."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.persistence.repositories.scoped import WorkspaceRepository
from coderai_desktop.persistence.tables import Document, Project, Variable

CONTEXT_FIELDS = tuple(ProjectContext.model_fields)


def context_of(project: Project) -> ProjectContext:
    return ProjectContext.model_validate({name: getattr(project, name) for name in CONTEXT_FIELDS})


def apply_context(project: Project, context: ProjectContext, *, keep_name: bool = False) -> None:
    for name in CONTEXT_FIELDS:
        if not (keep_name and name == "name"):
            setattr(project, name, getattr(context, name))


class ProjectRepository(WorkspaceRepository[Project]):
    model = Project
    noun = "project"

    def by_name(self, name: str) -> Project | None:
        """Names are compared without regard to case, as a person reads them."""
        query = self.select().where(sa.func.lower(Project.name) == name.strip().lower())
        return self.session.scalars(query).first()

    def resolve(self, ref: int | str) -> Project:
        """A project named by id, or by name (ignoring case), then by a number given as text."""
        if isinstance(ref, int):
            return self.require(ref)
        project = self.by_name(ref)
        if project is None and ref.strip().isdigit():
            project = self.get(int(ref))
        if project is None:
            raise NotFoundError(f"There is no project named {ref!r} in your workspace.")
        return project

    def summaries(self, project_id: int | None = None) -> list[ProjectSummary]:
        """Projects with their variable and document counts, by name, in one query."""
        variables = self._counts(Variable)
        documents = self._counts(Document)
        query = (
            sa.select(Project, variables.c.n, documents.c.n)
            .outerjoin(variables, variables.c.project_id == Project.id)
            .outerjoin(documents, documents.c.project_id == Project.id)
            .where(Project.workspace_id == self.workspace_id)
            .order_by(sa.func.lower(Project.name))
        )
        if project_id is not None:
            query = query.where(Project.id == project_id)
        rows = cast("list[tuple[Project, int | None, int | None]]", self.session.execute(query).all())
        return [
            ProjectSummary(
                id=project.id,
                context=context_of(project),
                status=project.status,
                variable_count=n_variables or 0,
                document_count=n_documents or 0,
                created_at=project.created_at,
                updated_at=project.updated_at,
            )
            for project, n_variables, n_documents in rows
        ]

    def _counts(self, table: type[Variable] | type[Document]) -> sa.Subquery:
        return (
            sa.select(table.project_id, sa.func.count().label("n"))
            .where(table.workspace_id == self.workspace_id)
            .group_by(table.project_id)
            .subquery()
        )
