"""One account never sees, changes or deletes another account's data, even by guessing ids or names."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import NotFoundError
from coderai_desktop.persistence.repositories.documents import DocumentRepository
from coderai_desktop.persistence.repositories.extractions import ExtractionRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.repositories.scoped import WorkspaceRepository
from coderai_desktop.persistence.repositories.variables import VariableRepository
from coderai_desktop.projects.codebook_file import read_codebook_file
from tests.conftest import PASSWORD
from tests.integration.rows import ProjectRows, fill_project, snapshot
from tests.unit.codebook_data import DEMO_CODEBOOK

GUESSED_IDS = range(1, 51)
REPOSITORIES: list[type[WorkspaceRepository]] = [
    ProjectRepository,
    VariableRepository,
    DocumentRepository,
    ExtractionRepository,
]


@dataclass(frozen=True)
class TwoAccounts:
    ana: UserSession
    ben: UserSession
    ana_rows: ProjectRows
    project_name: str


@pytest.fixture
async def accounts(context: AppContext) -> TwoAccounts:
    ana = await context.accounts.create_account("ana", PASSWORD)
    ben = await context.accounts.create_account("ben", PASSWORD)
    codebook = read_codebook_file(DEMO_CODEBOOK)
    assert codebook.project is not None
    project = await context.projects(ana).create_project(codebook.project, codebook.variables)
    with context.database.transaction() as session:
        variable = VariableRepository(session, ana.workspace_id).of_project(project.id)[0]
        rows = fill_project(session, ana.workspace_id, project.id, variable.id)
    return TwoAccounts(ana, ben, rows, project.name)


def everything(context: AppContext) -> dict[str, list[tuple[object, ...]]]:
    with context.database.engine.connect() as connection:
        return snapshot(connection)


async def test_the_other_account_lists_nothing(context: AppContext, accounts: TwoAccounts) -> None:
    assert await context.projects(accounts.ben).list_projects() == []
    assert [p.name for p in await context.projects(accounts.ana).list_projects()] == [accounts.project_name]


@pytest.mark.parametrize("by", ["id", "name", "name in capitals", "id as text"])
@pytest.mark.parametrize("action", ["get_project", "get_codebook", "save_codebook", "delete_project"])
async def test_the_service_says_not_found_for_another_accounts_project(
    context: AppContext, accounts: TwoAccounts, by: str, action: str
) -> None:
    before = everything(context)
    ref = {
        "id": accounts.ana_rows.project_id,
        "name": accounts.project_name,
        "name in capitals": accounts.project_name.upper(),
        "id as text": str(accounts.ana_rows.project_id),
    }[by]
    service = context.projects(accounts.ben)
    args = (ref, read_codebook_file(DEMO_CODEBOOK)) if action == "save_codebook" else (ref,)
    with pytest.raises(NotFoundError, match="in your workspace"):
        await getattr(service, action)(*args)
    assert everything(context) == before


def test_repositories_of_another_workspace_find_nothing(context: AppContext, accounts: TwoAccounts) -> None:
    before = everything(context)
    ben_workspace = accounts.ben.workspace_id
    with context.database.transaction() as session:
        for repository_class in REPOSITORIES:
            repository = repository_class(session, ben_workspace)
            if hasattr(repository, "of_project"):
                assert repository.of_project(accounts.ana_rows.project_id) == []
            for row_id in GUESSED_IDS:
                assert repository.get(row_id) is None
                with pytest.raises(NotFoundError):
                    repository.require(row_id)
                with pytest.raises(NotFoundError):
                    repository.update(row_id, workspace_id=ben_workspace)
                with pytest.raises(NotFoundError):
                    repository.delete(row_id)
        projects = ProjectRepository(session, ben_workspace)
        assert projects.by_name(accounts.project_name) is None
        assert projects.summaries() == []
        assert projects.summaries(accounts.ana_rows.project_id) == []
    assert everything(context) == before


def test_the_guessed_ids_do_exist_in_the_owners_workspace(context: AppContext, accounts: TwoAccounts) -> None:
    """Guard for the test above: the same guesses find the owner's rows."""
    rows = accounts.ana_rows
    with context.database.transaction() as session:
        for repository_class, row_id in zip(
            REPOSITORIES,
            (rows.project_id, rows.variable_id, rows.document_id, rows.extraction_id),
            strict=True,
        ):
            assert row_id in GUESSED_IDS
            assert repository_class(session, rows.workspace_id).get(row_id) is not None
