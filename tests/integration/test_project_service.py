"""Creating, finding and deleting projects."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import Codebook, ProjectContext
from coderai_desktop.domain.codebook_rules import CodebookError
from coderai_desktop.domain.enums import ProjectStatus
from coderai_desktop.domain.errors import ConflictError, InvalidInputError, NotFoundError
from coderai_desktop.persistence.base import Base
from coderai_desktop.projects.service import ProjectService
from tests.integration.rows import fill_project, snapshot


def named(name: str) -> ProjectContext:
    return ProjectContext(name=name)


async def test_a_project_with_a_codebook_has_its_schema_defined(
    service: ProjectService, demo: Codebook
) -> None:
    assert demo.project is not None
    summary = await service.create_project(demo.project, demo.variables)
    assert (summary.name, summary.status, summary.variable_count, summary.document_count) == (
        "Municipal climate action plans",
        ProjectStatus.SCHEMA_DEFINED,
        7,
        0,
    )
    assert summary.context == demo.project
    assert await service.get_codebook(summary.id) == demo


async def test_a_project_without_variables_is_just_created(service: ProjectService) -> None:
    summary = await service.create_project(named("Treaties"))
    assert (summary.status, summary.variable_count) == (ProjectStatus.CREATED, 0)
    assert summary.created_at.tzinfo is not None


@pytest.mark.parametrize("again", ["Treaties", "TREATIES", "  treaties  "])
async def test_project_names_are_unique_whatever_the_case(service: ProjectService, again: str) -> None:
    await service.create_project(named("Treaties"))
    with pytest.raises(ConflictError, match="already exists"):
        await service.create_project(named(again))
    assert len(await service.list_projects()) == 1


async def test_an_invalid_codebook_creates_nothing(service: ProjectService, demo: Codebook) -> None:
    broken = [spec.model_copy(update={"name": "document"}) for spec in demo.variables[:1]]
    with pytest.raises(CodebookError, match="reserved"):
        await service.create_project(named("Plans"), broken)
    assert await service.list_projects() == []


async def test_projects_are_listed_by_name_ignoring_case(service: ProjectService) -> None:
    for name in ("beta", "Alpha", "gamma"):
        await service.create_project(named(name))
    assert [p.name for p in await service.list_projects()] == ["Alpha", "beta", "gamma"]


async def test_a_project_is_found_by_id_name_or_number_given_as_text(service: ProjectService) -> None:
    plans = await service.create_project(named("Plans"))
    assert (await service.get_project(plans.id)).name == "Plans"
    assert (await service.get_project("plans")).id == plans.id
    assert (await service.get_project(" PLANS ")).id == plans.id
    assert (await service.get_project(f"#{plans.id}")).id == plans.id
    assert (await service.get_project(str(plans.id))).id == plans.id  # a number that is no name: the id


async def test_a_number_that_is_a_name_and_another_projects_id_is_refused_as_ambiguous(
    service: ProjectService,
) -> None:
    plans = await service.create_project(named("Plans"))
    numbered = await service.create_project(named(str(plans.id)))
    with pytest.raises(InvalidInputError) as caught:
        await service.get_project(str(plans.id))
    assert str(caught.value) == (
        f"'{plans.id}' is both the name of project #{numbered.id} and the id of project #{plans.id} "
        f"('Plans'). Write '#{numbered.id}' or '#{plans.id}' to say which."
    )
    assert (await service.get_project(f"#{plans.id}")).id == plans.id
    assert (await service.get_project(f"#{numbered.id}")).id == numbered.id
    # A project whose name is its own id is not ambiguous.
    assert (await service.get_project(str(numbered.id))).id == numbered.id


# SQLite's lower() folds ASCII only; the last name is written in full-width letters.
@pytest.mark.parametrize("name", ["Études urbaines", "études urbaines", "éｔｕｄｅｓ urbaines"])
async def test_names_are_found_and_kept_unique_ignoring_case_beyond_ascii(
    service: ProjectService, name: str
) -> None:
    études = await service.create_project(named("ÉTUDES URBAINES"))
    assert (await service.get_project(name)).id == études.id
    with pytest.raises(ConflictError, match="already exists"):
        await service.create_project(named(name))


@pytest.mark.parametrize(
    "ref", [999, "999", "#999", "#" + "9" * 30, "9" * 5000, "Unknown project", "²", "\udcff"]
)
async def test_an_unknown_project_is_not_found(service: ProjectService, ref: int | str) -> None:
    await service.create_project(named("Plans"))
    with pytest.raises(NotFoundError, match="in your workspace"):
        await service.get_project(ref)


def rows_per_table(context: AppContext) -> dict[str, int]:
    with context.database.engine.connect() as connection:
        return {name: len(rows) for name, rows in snapshot(connection).items()}


async def test_deleting_a_project_removes_its_rows_and_files_and_nothing_else(
    context: AppContext, user: UserSession, service: ProjectService, demo: Codebook
) -> None:
    kept = await service.create_project(named("Kept"), demo.variables)
    doomed = await service.create_project(named("Doomed"), demo.variables)
    with context.database.transaction() as session:
        for project in (kept, doomed):
            variable_id = session.scalar(
                sa.text("SELECT min(id) FROM variables WHERE project_id = :p"), {"p": project.id}
            )
            fill_project(session, user.workspace_id, project.id, variable_id)
    store = service.project_store(doomed.id)
    store.mkdir(parents=True)
    (store / "oslo-climate-plan.pdf").write_bytes(b"%PDF-1.7")
    kept_store = service.project_store(kept.id)
    kept_store.mkdir(parents=True)
    with_both = rows_per_table(context)

    deleted = await service.delete_project("doomed")

    assert deleted.id == doomed.id
    assert not store.exists() and kept_store.exists()
    with context.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if "project_id" in table.c:
                left = connection.scalar(sa.select(sa.func.count()).where(table.c.project_id == doomed.id))
                assert left == 0, table.name
    with_one = rows_per_table(context)
    for table in (
        "projects",
        "variables",
        "documents",
        "document_chunks",
        "processing_jobs",
        "job_items",
        "prompts",
        "extractions",
        "extraction_feedback",
        "processing_logs",
    ):
        assert with_one[table] == with_both[table] // 2, table
    assert [p.name for p in await service.list_projects()] == ["Kept"]
    with pytest.raises(NotFoundError):
        await service.delete_project(doomed.id)


# Without AUTOINCREMENT, SQLite gives a new row the largest deleted id again: a new project would inherit
# a deleted one's store folder (workspaces/<ws>/projects/<id>) and any reference to it.
async def test_a_new_project_never_takes_the_id_of_a_deleted_one(service: ProjectService) -> None:
    deleted = await service.create_project(named("Old"))
    await service.delete_project(deleted.id)
    created = await service.create_project(named("New"))
    assert created.id != deleted.id
