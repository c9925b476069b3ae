"""Sharing a project between accounts (SharingService), opening it, and what the database a viewer's or an
editor's services get refuses, on a SQLite file and on PostgreSQL (connected as the app connects; the
lab's row-level security is tested with the lab policies)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import Settings
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.enums import ShareAccess
from coderai_desktop.domain.errors import InvalidInputError, NotFoundError, ReadOnlyProjectError
from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.persistence.tables import LabMember, Project, ProjectShare, Variable, Workspace
from coderai_desktop.projects.sharing import SharedProject
from tests.conftest import PASSWORD
from tests.integration.conftest import BACKENDS
from tests.integration.rows import snapshot

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

VIEWER_REFUSAL = (
    "ana shared this project with you as a viewer: you can read it and export it, not change it. "
    "Ask ana to make you an editor."
)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", db_url=database_url, login_failure_delay=0.01)


@dataclass(frozen=True)
class Lab:
    ana: UserSession
    ben: UserSession
    cleo: UserSession
    project: int  # ana's "Clean air"
    private: int  # ana's "Private notes", shared with nobody


@pytest.fixture
async def lab(context: AppContext) -> Lab:
    ana = await context.accounts.create_account("ana", PASSWORD)
    ben = await context.accounts.create_account("ben", PASSWORD)
    cleo = await context.accounts.create_account("cleo", PASSWORD)
    projects = context.projects(ana)
    clean_air = await projects.create_project(ProjectContext(name="Clean air"))
    private = await projects.create_project(ProjectContext(name="Private notes"))
    return Lab(ana, ben, cleo, clean_air.id, private.id)


async def opened(context: AppContext, user: UserSession, owner: str, project: str) -> UserSession:
    sharing = context.sharing(user)
    return sharing.session_for(await sharing.find(owner, project))


def exactly(message: str) -> str:
    """A pytest.raises pattern that matches `message` and nothing more."""
    return f"^{re.escape(message)}$"


def everything(context: AppContext) -> dict[str, list[tuple[object, ...]]]:
    with context.database.engine.connect() as connection:
        return snapshot(connection)


async def test_sharing_resharing_and_unsharing(context: AppContext, lab: Lab) -> None:
    sharing = context.sharing(lab.ana)
    assert await sharing.members() == ["ben", "cleo"]
    assert await sharing.shares("Clean air") == []
    before = datetime.now().astimezone()

    shared = await sharing.share("Clean air", " Ben ", ShareAccess.VIEWER)
    assert (shared.login, shared.access, shared.granted_by) == ("ben", ShareAccess.VIEWER, "ana")
    assert shared.granted_at >= before
    await sharing.share(lab.project, "cleo", ShareAccess.EDITOR)
    assert [(s.login, s.access) for s in await sharing.shares(f"#{lab.project}")] == [
        ("ben", ShareAccess.VIEWER),
        ("cleo", ShareAccess.EDITOR),
    ]
    assert await context.sharing(lab.ben).accessible() == [
        SharedProject(lab.project, "Clean air", lab.ana.workspace_id, "ana", ShareAccess.VIEWER)
    ]

    again = await sharing.share(
        "Clean air", "ben", ShareAccess.EDITOR
    )  # a change of access, not a second share
    assert again.access is ShareAccess.EDITOR and again.granted_at >= shared.granted_at
    assert [(s.login, s.access) for s in await sharing.shares("Clean air")] == [
        ("ben", ShareAccess.EDITOR),
        ("cleo", ShareAccess.EDITOR),
    ]
    assert [p.access for p in await context.sharing(lab.ben).accessible()] == [ShareAccess.EDITOR]

    await sharing.unshare("Clean air", "BEN")
    assert [s.login for s in await sharing.shares("Clean air")] == ["cleo"]
    assert await context.sharing(lab.ben).accessible() == []
    with pytest.raises(NotFoundError, match=exactly("ana has shared no project named 'Clean air' with you.")):
        await context.sharing(lab.ben).find("ana", "Clean air")
    with pytest.raises(NotFoundError, match=exactly("Clean air is not shared with ben.")):
        await sharing.unshare("Clean air", "ben")


async def test_sharing_with_oneself_or_an_unknown_login_is_refused(context: AppContext, lab: Lab) -> None:
    sharing = context.sharing(lab.ana)
    with pytest.raises(InvalidInputError, match=exactly("Clean air is yours: share it with another member.")):
        await sharing.share("Clean air", "ana", ShareAccess.EDITOR)
    with pytest.raises(NotFoundError) as unknown:
        await sharing.share("Clean air", "bem", ShareAccess.VIEWER)
    assert str(unknown.value) == "There is no member named 'bem'. You can share with ben, cleo."
    with pytest.raises(NotFoundError, match="no project named 'Nowhere'"):
        await sharing.share("Nowhere", "ben", ShareAccess.VIEWER)
    # Another account's project is not found, as anywhere else: ben cannot share ana's.
    with pytest.raises(NotFoundError):
        await context.sharing(lab.ben).share(lab.project, "cleo", ShareAccess.EDITOR)
    assert await sharing.shares("Clean air") == []


async def test_a_shared_project_opens_in_its_owners_workspace_with_the_shares_access(
    context: AppContext, lab: Lab
) -> None:
    await context.sharing(lab.ana).share("Clean air", "ben", ShareAccess.VIEWER)
    ben_in_clean_air = await opened(context, lab.ben, "ANA", "clean AIR")
    assert ben_in_clean_air == UserSession(
        lab.ben.account_id,
        "ben",
        lab.ana.workspace_id,
        ShareAccess.VIEWER,
        "ana",
        home_workspace_id=lab.ben.workspace_id,
    )
    assert (await opened(context, lab.ben, "ana", f"#{lab.project}")).workspace_id == lab.ana.workspace_id
    assert (await context.projects(ben_in_clean_air).get_project(lab.project)).name == "Clean air"
    # Only what was shared opens: ana's other project, or a project of cleo's, is not found.
    for owner, name in (("ana", "Private notes"), ("ana", f"#{lab.private}"), ("cleo", "Clean air")):
        with pytest.raises(NotFoundError, match="has shared no project named"):
            await opened(context, lab.ben, owner, name)
    assert await context.projects(lab.ben).list_projects() == []  # ben's own workspace is still empty


async def test_a_run_in_a_shared_project_uses_the_members_own_api_key(context: AppContext, lab: Lab) -> None:
    """Keys stay per person: ben's key, saved in his own workspace, pays for his run in ana's project;
    ana's key (under her workspace, in her keyring) is never looked for."""
    await context.sharing(lab.ana).share("Clean air", "ben", ShareAccess.EDITOR)
    await context.secrets.set_api_key(lab.ana.workspace_id, "openai", "sk-ana")
    await context.secrets.set_api_key(lab.ben.workspace_id, "openai", "sk-ben")
    ben_in_clean_air = await opened(context, lab.ben, "ana", "Clean air")
    providers = context.providers(ben_in_clean_air)
    assert await providers.api_key(await providers.settings(lab.project)) == "sk-ben"


async def test_a_viewers_database_refuses_every_write_and_reads_everything(
    context: AppContext, lab: Lab
) -> None:
    await context.sharing(lab.ana).share("Clean air", "ben", ShareAccess.VIEWER)
    viewer = context.database_for(await opened(context, lab.ben, "ana", "Clean air"))
    assert viewer.read_only and not context.database.read_only
    before = everything(context)

    def orm_insert(session: Session) -> None:
        session.add(
            Variable(workspace_id=lab.ana.workspace_id, project_id=lab.project, name="x", type="TEXT")
        )

    def orm_change(session: Session) -> None:
        session.scalars(sa.select(Project).where(Project.id == lab.project)).one().description = "changed"

    def orm_delete(session: Session) -> None:
        session.delete(session.scalars(sa.select(Project).where(Project.id == lab.project)).one())

    statements = [
        sa.insert(ProjectShare).values(
            workspace_id=lab.ana.workspace_id,
            project_id=lab.project,
            account_id=lab.ben.account_id,
            access="EDITOR",
        ),
        sa.update(Project).where(Project.id == lab.project).values(description="changed"),
        sa.delete(Project).where(Project.id == lab.project),
    ]
    writes = [orm_insert, orm_change, orm_delete] + [
        lambda session, statement=statement: session.execute(statement) for statement in statements
    ]
    for write in writes:
        with pytest.raises(ReadOnlyProjectError) as refusal:
            await viewer.run(write)
        assert str(refusal.value) == VIEWER_REFUSAL
    assert everything(context) == before

    # Reading, and an ORM object set to what it already holds, are not writes.
    def read_and_touch(session: Session) -> str:
        project = session.scalars(sa.select(Project).where(Project.id == lab.project)).one()
        project.description = project.description
        return project.name

    assert await viewer.run(read_and_touch) == "Clean air"
    # The view shares the app's database thread and engine: closing it closes neither.
    viewer.close()
    assert (
        await context.database.run(lambda session: session.scalar(sa.select(sa.func.count(Project.id)))) == 2
    )


async def test_an_editor_sets_the_projects_provider_but_not_the_owners_workspace(
    context: AppContext, lab: Lab
) -> None:
    """The workspace's provider settings are every one of the owner's projects': an editor changes this
    project's own, and is told so when trying the workspace's (not a database error on PostgreSQL)."""
    owners = ProviderSettings(model="gpt-4o-mini", concurrency=3)
    await context.providers(lab.ana).save_workspace_settings(owners)
    await context.sharing(lab.ana).share("Clean air", "cleo", ShareAccess.EDITOR)
    providers = context.providers(await opened(context, lab.cleo, "ana", "Clean air"))

    with pytest.raises(
        ReadOnlyProjectError,
        match=exactly(
            "Only ana, who owns this project, can change the provider settings all their projects share "
            "(this project's own you can change). Ask ana to do it."
        ),
    ):
        await providers.save_workspace_settings(owners.overridden({"model": "gpt-4o"}))
    core_update = (
        sa.update(Workspace).where(Workspace.id == lab.ana.workspace_id).values(provider_settings={})
    )
    with pytest.raises(ReadOnlyProjectError):
        await context.database_for(await opened(context, lab.cleo, "ana", "Clean air")).run(
            lambda session: session.execute(core_update)
        )
    in_force = await providers.save_project_overrides(lab.project, {"model": "gpt-4o"})
    assert (in_force.model, in_force.concurrency) == ("gpt-4o", 3)
    assert await context.providers(lab.ana).settings() == owners
    assert (await context.providers(lab.ana).settings(lab.project)).model == "gpt-4o"


async def test_an_editor_changes_the_project_but_cannot_delete_rename_or_share_it(
    context: AppContext, lab: Lab
) -> None:
    await context.sharing(lab.ana).share("Clean air", "cleo", ShareAccess.EDITOR)
    cleo = await opened(context, lab.cleo, "ana", "Clean air")
    projects = context.projects(cleo)
    codebook = await projects.get_codebook(lab.project)
    changed = codebook.model_copy(
        update={"project": codebook.project.model_copy(update={"description": "Air."})}
    )
    assert (await projects.save_codebook(lab.project, changed)).context.description == "Air."

    with pytest.raises(ReadOnlyProjectError) as deleting:
        await projects.delete_project("Clean air")
    assert str(deleting.value) == "Only ana, who owns this project, can delete Clean air. Ask ana to do it."
    with pytest.raises(ReadOnlyProjectError) as sharing:
        await context.sharing(cleo).share("Clean air", "ben", ShareAccess.VIEWER)
    assert str(sharing.value) == "Only ana, who owns this project, can share it. Ask ana to do it."
    with pytest.raises(
        ReadOnlyProjectError,
        match=exactly("Only ana, who owns this project, can stop sharing it. Ask ana to do it."),
    ):
        await context.sharing(cleo).unshare("Clean air", "cleo")

    def rename(session: Session) -> None:
        session.scalars(sa.select(Project).where(Project.id == lab.project)).one().name = "Dirty air"

    with pytest.raises(
        ReadOnlyProjectError,
        match=exactly("Only ana, who owns this project, can rename Clean air. Ask ana to do it."),
    ):
        await context.database_for(cleo).run(rename)
    core_rename = sa.update(Project).where(Project.id == lab.project).values(name="Dirty air")
    core_delete = sa.delete(Project).where(Project.id == lab.project)
    for statement, refused in ((core_rename, "rename it"), (core_delete, "delete it")):
        with pytest.raises(
            ReadOnlyProjectError,
            match=exactly(f"Only ana, who owns this project, can {refused}. Ask ana to do it."),
        ):
            await context.database_for(cleo).run(
                lambda session, statement=statement: session.execute(statement)
            )
    # Other changes of the project row are an editor's to make.
    described = sa.update(Project).where(Project.id == lab.project).values(description="Air, again.")
    await context.database_for(cleo).run(lambda session: session.execute(described))
    assert [p.name for p in await context.projects(lab.ana).list_projects()] == ["Clean air", "Private notes"]
    assert [s.login for s in await context.sharing(lab.ana).shares("Clean air")] == ["cleo"]
    # The owner deletes it, and its shares go with it.
    await context.projects(lab.ana).delete_project("Clean air")
    assert await context.sharing(lab.cleo).accessible() == []


async def test_a_handed_over_workspace_is_listed_as_owned(context: AppContext, lab: Lab) -> None:
    """`coderai lab remove-member dan --hand-over-to ana` makes dan's workspace ana's."""
    dan = await context.accounts.create_account("dan", PASSWORD)
    field_notes = await context.projects(dan).create_project(ProjectContext(name="Field notes"))
    await context.sharing(dan).share("Field notes", "ben", ShareAccess.VIEWER)
    await context.sharing(lab.ana).share("Clean air", "dan", ShareAccess.EDITOR)
    with context.database.transaction() as session:
        session.execute(
            sa.update(Workspace)
            .where(Workspace.id == dan.workspace_id)
            .values(owner_account_id=lab.ana.account_id)
        )

    handed_over = SharedProject(field_notes.id, "Field notes", dan.workspace_id, "ana", None)
    assert await context.sharing(lab.ana).accessible() == [handed_over]
    # ana's login still opens ana's own workspace; the handed-over one opens as hers, to change or delete.
    assert await context.accounts.login("ana", PASSWORD) == lab.ana
    ana_there = await opened(context, lab.ana, "ana", "Field notes")
    assert ana_there == UserSession(
        lab.ana.account_id, "ana", dan.workspace_id, home_workspace_id=lab.ana.workspace_id
    )
    assert [(s.login, s.access) for s in await context.sharing(ana_there).shares("Field notes")] == [
        ("ben", ShareAccess.VIEWER)
    ]
    assert [p.owner_login for p in await context.sharing(lab.ben).accessible()] == ["ana"]
    await context.projects(ana_there).delete_project("Field notes")
    assert await context.sharing(lab.ana).accessible() == []


async def test_in_a_lab_database_members_are_the_lab_members_and_own_the_workspace_they_log_in_to(
    context: AppContext, lab: Lab
) -> None:
    """ben's workspace, handed over to cleo, is older than cleo's own: lab_members says which is hers."""
    bens_plans = await context.projects(lab.ben).create_project(ProjectContext(name="Bike lanes"))
    cleos_own = await context.projects(lab.cleo).create_project(ProjectContext(name="Noise"))
    with context.database.transaction() as session:
        session.add_all(
            LabMember(role_name=user.login, account_id=user.account_id, workspace_id=user.workspace_id)
            for user in (lab.ana, lab.cleo)
        )
        session.execute(
            sa.update(Workspace)
            .where(Workspace.id == lab.ben.workspace_id)
            .values(owner_account_id=lab.cleo.account_id)
        )
    assert await context.sharing(lab.ana).members() == ["cleo"]  # ben is no member of the lab
    assert await context.sharing(lab.cleo).accessible() == [
        SharedProject(bens_plans.id, "Bike lanes", lab.ben.workspace_id, "cleo", None)
    ]
    assert cleos_own.id not in [p.project_id for p in await context.sharing(lab.cleo).accessible()]
