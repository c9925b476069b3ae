"""Projects of one workspace, and the mapping between a project row and its ProjectContext."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.errors import InvalidInputError, NotFoundError
from coderai_desktop.domain.project import (
    ID_REFERENCE,
    ProjectRef,
    ProjectSummary,
    name_key,
    project_name_problem,
)
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
        """Names are compared as a person reads them: without regard to case or compatibility forms.

        In Python rather than SQL: SQLite's lower() folds ASCII letters only (É stays É).
        """
        key = name_key(name.strip())
        names = self.session.execute(
            sa.select(Project.id, Project.name).where(Project.workspace_id == self.workspace_id)
        )
        found = next((row.id for row in names if name_key(row.name) == key), None)
        return None if found is None else self.get(found)

    def resolve(self, ref: ProjectRef) -> Project:
        """A project by id (an int, or text such as '#7') or by name (as by_name compares them).

        A bare number that names no project is an id, as it was before '#7' existed. One that names a
        project and is another project's id is refused rather than guessed: the commands that take a
        project delete it, replace its codebook or spend money on it.
        """
        if isinstance(ref, int):
            return self.require(ref)
        text = ref.strip()
        if match := ID_REFERENCE.fullmatch(text):
            if (project := self._by_digits(match[1])) is None:
                raise NotFoundError(f"There is no project {text} in your workspace.")
            return project
        named = self.by_name(text) if project_name_problem(text) is None else None
        numbered = self._by_digits(text) if text.isascii() and text.isdigit() else None
        if named is not None and numbered is not None and named.id != numbered.id:
            raise InvalidInputError(
                f"{text!r} is both the name of project #{named.id} and the id of project #{numbered.id} "
                f"({numbered.name!r}). Write '#{named.id}' or '#{numbered.id}' to say which."
            )
        project = named or numbered
        if project is None:
            raise NotFoundError(f"There is no project named {text!r} in your workspace.")
        return project

    def _by_digits(self, digits: str) -> Project | None:
        # Ids are 64-bit integers at most: a longer number names no project (and would overflow SQLite).
        return self.get(int(digits)) if len(digits) <= 18 else None

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
