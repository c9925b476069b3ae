"""The services work the same on a lab's PostgreSQL server as on the laptop's SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import Codebook, ProjectContext
from coderai_desktop.domain.enums import ProjectStatus
from coderai_desktop.domain.errors import AuthenticationError, ConflictError, NotFoundError
from coderai_desktop.persistence.repositories.variables import VariableRepository
from coderai_desktop.projects.codebook_file import read_codebook_file
from tests.conftest import PASSWORD
from tests.integration.conftest import BACKENDS
from tests.integration.rows import fill_project
from tests.unit.codebook_data import DEMO_CODEBOOK


@pytest.fixture
def server_context(database_url: str, tmp_path: Path) -> Iterator[AppContext]:
    settings = Settings(data_dir=tmp_path / "data", db_url=database_url, login_failure_delay=0.01)
    context = AppContext.open(settings)
    yield context
    context.close()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_a_session_from_login_to_deleting_a_project(server_context: AppContext) -> None:
    context = server_context
    ana = await context.accounts.create_account("Ana", PASSWORD)
    ben = await context.accounts.create_account("ben", PASSWORD)
    with pytest.raises(ConflictError):
        await context.accounts.create_account("ANA", PASSWORD)
    with pytest.raises(AuthenticationError):
        await context.accounts.login("ana", "wrong password")
    assert await context.accounts.login("ana", PASSWORD) == ana

    demo = read_codebook_file(DEMO_CODEBOOK)
    service = context.projects(ana)
    project = await service.create_project(ProjectContext(name="Plans"), demo.variables)
    assert (project.status, project.variable_count) == (ProjectStatus.SCHEMA_DEFINED, 7)
    with pytest.raises(ConflictError):
        await service.create_project(ProjectContext(name="PLANS"))
    assert (await service.get_codebook("plans")).variables == demo.variables

    with context.database.transaction() as session:
        title = VariableRepository(session, ana.workspace_id).of_project(project.id)[0]
        fill_project(session, ana.workspace_id, project.id, title.id)
    without_title = Codebook(variables=demo.variables[1:])
    with pytest.raises(ConflictError, match="already have results"):
        await service.save_codebook(project.id, without_title)
    saved = await service.save_codebook(project.id, without_title, remove_variables_with_results=True)
    assert saved.variable_count == 6 and saved.document_count == 1

    with pytest.raises(NotFoundError):
        await context.projects(ben).get_project(project.id)
    await service.delete_project(project.id)
    assert await service.list_projects() == []
