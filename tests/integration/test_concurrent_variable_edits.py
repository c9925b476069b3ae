"""Two machines edit one project's codebook: each save carries the versions of the variables its editor
loaded, so the later of two edits from the same copy is refused with who changed what and when, and the
earlier stays intact; nothing is lost, also when both saves race. On a SQLite file and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import Codebook, ProjectContext, VariableSpec
from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.domain.errors import ConcurrentEditError
from coderai_desktop.persistence.repositories.variables import StaleVariable, VariableRepository
from coderai_desktop.persistence.tables import ProjectShare
from coderai_desktop.projects.codebook_file import read_codebook_file
from coderai_desktop.projects.service import EditableCodebook, ProjectService
from tests.conftest import PASSWORD
from tests.integration.conftest import BACKENDS
from tests.unit.codebook_data import DEMO_CODEBOOK

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
TITLE = "plan_title"


@pytest.fixture
def machines(database_url: str, tmp_path: Path) -> Iterator[tuple[AppContext, AppContext]]:
    """Two instances of the app (two computers: their own data folders) on one database."""
    opened = [
        AppContext.open(Settings(data_dir=tmp_path / name, db_url=database_url, login_failure_delay=0.01))
        for name in ("laptop", "workstation")
    ]
    yield opened[0], opened[1]
    for context in opened:
        context.close()


@dataclass(frozen=True)
class Editors:
    ana: ProjectService  # the owner, on her laptop
    ben: ProjectService  # an editor of her project, on the lab's workstation
    project: int
    workspace: int  # the project's (ana's)


@pytest.fixture
async def editors(machines: tuple[AppContext, AppContext]) -> Editors:
    laptop, workstation = machines
    ana = await laptop.accounts.create_account("ana", PASSWORD)
    ben = await laptop.accounts.create_account("ben", PASSWORD)
    demo = read_codebook_file(DEMO_CODEBOOK)
    project = await laptop.projects(ana).create_project(ProjectContext(name="Plans"), demo.variables)
    with laptop.database.transaction() as session:
        session.add(
            ProjectShare(
                workspace_id=ana.workspace_id,
                project_id=project.id,
                account_id=ben.account_id,
                access=ShareAccess.EDITOR,
            )
        )
    in_project = UserSession(ben.account_id, ben.login, ana.workspace_id)
    return Editors(laptop.projects(ana), workstation.projects(in_project), project.id, ana.workspace_id)


def edited(loaded: EditableCodebook, name: str, instructions: str) -> Codebook:
    return Codebook(
        project=loaded.codebook.project,
        variables=[
            v.model_copy(update={"instructions": instructions}) if v.name == name else v
            for v in loaded.codebook.variables
        ],
    )


async def instructions(service: ProjectService, project: int, name: str) -> str:
    codebook = await service.get_codebook(project)
    return next(v.instructions for v in codebook.variables if v.name == name)


async def test_the_second_edit_from_a_stale_copy_is_refused_and_the_first_kept(editors: Editors) -> None:
    project = editors.project
    ana_copy = await editors.ana.get_editable_codebook(project)
    ben_copy = await editors.ben.get_editable_codebook(project)
    assert ana_copy.versions == ben_copy.versions and set(ana_copy.versions.values()) == {1}

    await editors.ana.save_codebook(
        project, edited(ana_copy, TITLE, "Ana's title."), loaded_versions=ana_copy.versions
    )
    with pytest.raises(ConcurrentEditError) as refused:
        await editors.ben.save_codebook(
            project, edited(ben_copy, TITLE, "Ben's title."), loaded_versions=ben_copy.versions
        )
    assert str(refused.value).startswith(f"ana changed the variable '{TITLE}' at ")
    assert str(refused.value).endswith(
        " after you opened it. Reload it to see the change, then make yours again."
    )
    # Ben changed another variable only: his copy of the title is still ana's old one, and is refused too.
    with pytest.raises(ConcurrentEditError, match=f"ana changed the variable '{TITLE}'"):
        await editors.ben.save_codebook(
            project, edited(ben_copy, "sectors", "Ben's sectors."), loaded_versions=ben_copy.versions
        )
    assert await instructions(editors.ben, project, TITLE) == "Ana's title."
    assert [v.version for v in await editors.ana.codebook_versions(project)] == [2, 1]

    reloaded = await editors.ben.get_editable_codebook(project)
    assert reloaded.versions[TITLE] == 2 and reloaded.versions["sectors"] == 1
    await editors.ben.save_codebook(
        project, edited(reloaded, TITLE, "Ben's title."), loaded_versions=reloaded.versions
    )
    assert await instructions(editors.ana, project, TITLE) == "Ben's title."
    # The same person on two computers is told it was them.
    with pytest.raises(ConcurrentEditError, match=r"^You \(in another window or on another computer\)"):
        await editors.ben.save_codebook(
            project, edited(reloaded, TITLE, "Again."), loaded_versions=reloaded.versions
        )


async def test_a_variable_added_or_removed_since_is_not_undone(editors: Editors) -> None:
    project = editors.project
    ben_copy = await editors.ben.get_editable_codebook(project)
    ana_copy = await editors.ana.get_editable_codebook(project)
    extra = VariableSpec(name="budget", type="number", instructions="The budget.")
    added = Codebook(project=ana_copy.codebook.project, variables=[*ana_copy.codebook.variables, extra])
    await editors.ana.save_codebook(project, added, loaded_versions=ana_copy.versions)
    with pytest.raises(ConcurrentEditError, match="ana added the variable 'budget'"):
        await editors.ben.save_codebook(
            project, edited(ben_copy, TITLE, "Ben's."), loaded_versions=ben_copy.versions
        )

    ben_copy = await editors.ben.get_editable_codebook(project)
    ana_copy = await editors.ana.get_editable_codebook(project)
    removed = Codebook(project=ana_copy.codebook.project, variables=ana_copy.codebook.variables[:-1])
    await editors.ana.save_codebook(project, removed, loaded_versions=ana_copy.versions)
    with pytest.raises(ConcurrentEditError, match="ana removed the variable 'budget'"):
        await editors.ben.save_codebook(
            project, edited(ben_copy, TITLE, "Ben's."), loaded_versions=ben_copy.versions
        )
    assert "budget" not in (await editors.ana.get_editable_codebook(project)).versions

    # A codebook file (no versions loaded) replaces what is there, stale or not.
    await editors.ben.save_codebook(project, edited(ben_copy, TITLE, "From a file."))
    current = await editors.ana.get_editable_codebook(project)
    assert "budget" in current.versions and await instructions(editors.ana, project, TITLE) == "From a file."
    turned = Codebook(project=current.codebook.project, variables=current.codebook.variables[::-1])
    await editors.ana.save_codebook(project, turned, loaded_versions=current.versions)
    after = await editors.ben.get_editable_codebook(project)
    assert after.versions == current.versions  # moving variables is not an edit of them
    assert after.codebook.variables == turned.variables


async def test_two_saves_racing_from_the_same_copy_keep_exactly_one(editors: Editors) -> None:
    project = editors.project
    for attempt in range(5):
        copies = [
            await editors.ana.get_editable_codebook(project),
            await editors.ben.get_editable_codebook(project),
        ]
        saves = [
            service.save_codebook(
                project, edited(copy, TITLE, f"{who} {attempt}"), loaded_versions=copy.versions
            )
            for service, copy, who in zip((editors.ana, editors.ben), copies, ("ana", "ben"), strict=True)
        ]
        outcomes = await asyncio.gather(*saves, return_exceptions=True)
        failed = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(failed) == 1 and isinstance(failed[0], ConcurrentEditError), outcomes
        winner = "ana" if not isinstance(outcomes[0], BaseException) else "ben"
        assert await instructions(editors.ana, project, TITLE) == f"{winner} {attempt}"
        assert (await editors.ben.get_editable_codebook(project)).versions[TITLE] == attempt + 2


async def test_an_edit_waiting_on_another_transaction_is_refused_once_it_commits(
    machines: tuple[AppContext, AppContext], editors: Editors
) -> None:
    """The check is in the UPDATE itself: the second edit waits for the first one's row (PostgreSQL) or
    write lock (SQLite), then finds the version moved on."""
    laptop, workstation = machines
    workspace = editors.workspace
    with laptop.database.transaction() as first:
        first_variables = VariableRepository(first, workspace)
        row = next(v for v in first_variables.of_project(editors.project) if v.name == TITLE)
        first_variables.edit(row, {"instructions": "First."}, loaded=1)

        def second() -> None:
            with workstation.database.transaction() as session:
                variables = VariableRepository(session, workspace)
                same = next(v for v in variables.of_project(editors.project) if v.name == TITLE)
                variables.edit(same, {"instructions": "Second."}, loaded=1)

        waiting = asyncio.get_running_loop().run_in_executor(None, second)
        await asyncio.sleep(0.5)
        assert not waiting.done()  # held by the first edit's transaction
    with pytest.raises(StaleVariable):
        await waiting
    assert await instructions(editors.ana, editors.project, TITLE) == "First."
