"""Replacing a project's codebook: all or nothing, keeping what has results unless told otherwise."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import Codebook, ProjectContext, VariableSpec
from coderai_desktop.domain.codebook_rules import CodebookError
from coderai_desktop.domain.enums import ProjectStatus
from coderai_desktop.domain.errors import ConflictError
from coderai_desktop.domain.project import ProjectSummary
from coderai_desktop.persistence.tables import Extraction, Variable
from coderai_desktop.projects.service import ProjectService
from tests.integration.rows import add_document, add_extraction, add_job, snapshot
from tests.unit.codebook_data import edge_case_codebook


@pytest.fixture
async def project(service: ProjectService, demo: Codebook) -> ProjectSummary:
    return await service.create_project(ProjectContext(name="Plans"), demo.variables)


def variable_ids(context: AppContext, project_id: int) -> dict[str, int]:
    with context.database.transaction() as session:
        query = sa.select(Variable.name, Variable.id).where(Variable.project_id == project_id)
        return {name: variable_id for name, variable_id in session.execute(query)}


def spec(demo: Codebook, demo_name: str, **changes: object) -> VariableSpec:
    """A demo variable, validated again with `changes` (which may rename it)."""
    original = next(v for v in demo.variables if v.name == demo_name)
    return VariableSpec.model_validate({**original.model_dump(), **changes})


def add_result(context: AppContext, user: UserSession, project_id: int, variable_id: int) -> None:
    """A value extracted for the variable, as a run would have stored it."""
    with context.database.transaction() as session:
        document = add_document(session, user.workspace_id, project_id)
        job = add_job(session, user.workspace_id, project_id)
        add_extraction(
            session,
            user.workspace_id,
            project_id=project_id,
            job_id=job.id,
            document_id=document.id,
            variable_id=variable_id,
        )


def database_state(context: AppContext) -> dict[str, list[tuple[object, ...]]]:
    with context.database.engine.connect() as connection:
        return snapshot(connection)


async def test_saving_keeps_ids_by_name_reorders_updates_and_deletes(
    context: AppContext, service: ProjectService, project: ProjectSummary, demo: Codebook
) -> None:
    before = variable_ids(context, project.id)
    new = VariableSpec(name="city", type="text", instructions="The city that adopted the plan.")
    codebook = Codebook(
        variables=[
            spec(demo, "sectors", instructions="Sectors with measures."),
            spec(demo, "plan_title"),
            new,
        ]
    )

    summary = await service.save_codebook("plans", codebook)

    assert summary.variable_count == 3
    saved = await service.get_codebook(project.id)
    assert [v.name for v in saved.variables] == ["sectors", "plan_title", "city"]
    assert saved.variables == codebook.variables
    after = variable_ids(context, project.id)
    assert after["sectors"] == before["sectors"] and after["plan_title"] == before["plan_title"]
    assert set(after) == {"sectors", "plan_title", "city"}
    assert saved.project == ProjectContext(name="Plans")  # no project section: the context is kept


@pytest.mark.parametrize("source", ["demo", "edge cases"])
async def test_every_kind_of_variable_reads_back_as_saved(
    service: ProjectService, project: ProjectSummary, demo: Codebook, source: str
) -> None:
    codebook = demo if source == "demo" else edge_case_codebook()
    await service.save_codebook(project.id, codebook)
    assert (await service.get_codebook(project.id)).variables == codebook.variables


async def test_the_files_project_section_updates_the_context_but_never_renames(
    service: ProjectService, project: ProjectSummary, demo: Codebook
) -> None:
    assert demo.project is not None
    summary = await service.save_codebook(project.id, demo)
    assert summary.name == "Plans"
    assert summary.context.description == demo.project.description
    assert summary.context.domain == "Public policy"


async def test_a_variable_with_results_is_only_dropped_when_confirmed(
    context: AppContext, user: UserSession, service: ProjectService, project: ProjectSummary, demo: Codebook
) -> None:
    add_result(context, user, project.id, variable_ids(context, project.id)["plan_title"])
    without_title = Codebook(variables=[v for v in demo.variables if v.name != "plan_title"])
    before = database_state(context)

    with pytest.raises(ConflictError, match=r"already have results: plan_title \(1 values\)"):
        await service.save_codebook(project.id, without_title)
    assert database_state(context) == before

    summary = await service.save_codebook(project.id, without_title, remove_variables_with_results=True)
    assert summary.variable_count == 6
    assert "plan_title" not in variable_ids(context, project.id)
    with context.database.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Extraction)) == 0


@pytest.mark.parametrize(
    "breakage",
    [
        {"depends_on": {"variable": "no_such_variable", "operator": "IS_SET"}},
        {"name": "entity_text"},
        {"default_value": "2020-13"},
    ],
)
async def test_a_bad_codebook_changes_nothing(
    context: AppContext, service: ProjectService, project: ProjectSummary, demo: Codebook, breakage: dict
) -> None:
    before = database_state(context)
    broken = Codebook(variables=[spec(demo, "plan_title"), spec(demo, "net_zero_year", **breakage)])
    with pytest.raises(CodebookError):
        await service.save_codebook(project.id, broken)
    assert database_state(context) == before


async def test_an_entity_project_section_without_pattern_changes_nothing(
    context: AppContext, service: ProjectService, project: ProjectSummary, demo: Codebook
) -> None:
    before = database_state(context)
    entity = ProjectContext(name="Plans", unit_of_observation="ENTITY")
    with pytest.raises(CodebookError, match="entity_identification_pattern"):
        await service.save_codebook(project.id, Codebook(project=entity, variables=demo.variables))
    assert database_state(context) == before


async def test_the_status_follows_whether_there_are_variables(
    service: ProjectService, project: ProjectSummary, demo: Codebook
) -> None:
    assert project.status is ProjectStatus.SCHEMA_DEFINED
    emptied = await service.save_codebook(project.id, Codebook())
    assert (emptied.status, emptied.variable_count) == (ProjectStatus.CREATED, 0)
    refilled = await service.save_codebook(project.id, demo)
    assert (refilled.status, refilled.variable_count) == (ProjectStatus.SCHEMA_DEFINED, 7)
