"""Rules the database itself enforces, whatever code writes to it: no duplicate values, no cross-workspace
references. Run on SQLite, and on PostgreSQL when one is configured."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coderai_desktop.domain.enums import VariableType
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.tables import Document, Extraction, Variable
from tests.integration.conftest import BACKENDS
from tests.integration.rows import (
    ProjectRows,
    add_document,
    add_extraction,
    add_project,
    add_variable,
    seed_workspace,
    snapshot,
)

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

Seeded = tuple[ProjectRows, ProjectRows]  # two workspaces, ana's and ben's, each with a full project


@pytest.fixture
def seeded(migrated: Database) -> Seeded:
    with migrated.transaction() as session:
        return seed_workspace(session, "ana"), seed_workspace(session, "ben")


def assert_refused(database: Database, write: Callable[[Session], object]) -> None:
    """The write raises IntegrityError and leaves the database as it was."""
    with database.engine.connect() as connection:
        before = snapshot(connection)
    with pytest.raises(IntegrityError), database.transaction() as session:
        write(session)
    with database.engine.connect() as connection:
        assert snapshot(connection) == before


def another_value(rows: ProjectRows, entity_index: int | None = None) -> Callable[[Session], Extraction]:
    return lambda session: add_extraction(
        session,
        rows.workspace_id,
        entity_index=entity_index,
        project_id=rows.project_id,
        job_id=rows.job_id,
        document_id=rows.document_id,
        variable_id=rows.variable_id,
    )


def test_one_document_level_value_per_job_document_and_variable(migrated: Database, seeded: Seeded) -> None:
    ana, _ben = seeded
    assert_refused(migrated, another_value(ana))


def test_one_value_per_entity(migrated: Database, seeded: Seeded) -> None:
    ana, _ben = seeded
    with migrated.transaction() as session:
        # Entities of a document sit beside its document-level value, one row each.
        another_value(ana, entity_index=0)(session)
        another_value(ana, entity_index=1)(session)
    assert_refused(migrated, another_value(ana, entity_index=1))


def test_a_document_is_imported_once_per_project(migrated: Database, seeded: Seeded) -> None:
    ana, _ben = seeded
    with migrated.transaction() as session:
        other_project = add_project(session, ana.workspace_id, "Treaties")
        add_document(session, ana.workspace_id, other_project.id)  # same content, another project: fine
    assert_refused(migrated, lambda session: add_document(session, ana.workspace_id, ana.project_id))


def test_variable_names_are_unique_in_a_project(migrated: Database, seeded: Seeded) -> None:
    ana, _ben = seeded
    assert_refused(migrated, lambda session: add_variable(session, ana.workspace_id, ana.project_id))


@pytest.mark.parametrize(
    "row",
    [
        lambda ana, ben: Variable(
            workspace_id=ben.workspace_id,
            project_id=ana.project_id,
            name="x",
            type=VariableType.TEXT,
            instructions="x",
        ),
        lambda ana, ben: Document(
            workspace_id=ben.workspace_id,
            project_id=ana.project_id,
            file_name="x",
            original_path="x",
            sha256="c" * 64,
            size_bytes=1,
            format="TXT",
        ),
        lambda ana, ben: Extraction(
            workspace_id=ben.workspace_id,
            project_id=ben.project_id,
            job_id=ben.job_id,
            document_id=ana.document_id,
            variable_id=ben.variable_id,
        ),
    ],
    ids=[
        "variable-into-another-workspace-project",
        "document-into-another-workspace-project",
        "value-of-another-workspace-document",
    ],
)
def test_a_row_cannot_point_into_another_workspace(
    migrated: Database, seeded: Seeded, row: Callable[[ProjectRows, ProjectRows], object]
) -> None:
    ana, ben = seeded

    def write(session: Session) -> None:
        session.add(row(ana, ben))
        session.flush()

    assert_refused(migrated, write)
