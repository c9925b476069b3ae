"""Create, list, show and delete projects, and read or replace their codebook, in one workspace."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coderai_desktop.auth.session import UserSession
from coderai_desktop.config import project_folder
from coderai_desktop.domain.codebook import Codebook, ProjectContext, VariableSpec
from coderai_desktop.domain.codebook_rules import check_codebook
from coderai_desktop.domain.enums import DATASET_JOB_TYPES, ProjectStatus
from coderai_desktop.domain.errors import ConcurrentEditError, ConflictError
from coderai_desktop.domain.project import CodebookVersionInfo, ProjectRef, ProjectSummary
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.codebooks import CodebookVersionRepository
from coderai_desktop.persistence.repositories.jobs import JobRepository
from coderai_desktop.persistence.repositories.projects import ProjectRepository, apply_context, context_of
from coderai_desktop.persistence.repositories.variables import StaleVariable, VariableRepository, spec_of
from coderai_desktop.persistence.tables import Project
from coderai_desktop.persistence.worker_liveness import WorkerLiveness

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EditableCodebook:
    """A codebook as an editor opens it: with the version of each variable (name -> version), which its
    save hands back so that a change someone else made in the meantime is not written over."""

    codebook: Codebook
    versions: dict[str, int]


class ProjectService:
    def __init__(self, database: Database, user: UserSession, store_dir: Path, liveness: WorkerLiveness):
        self._database = database
        self._user = user
        self._store_dir = store_dir
        self._liveness = liveness  # to refuse deleting a project that a run is coding

    async def list_projects(self) -> list[ProjectSummary]:
        return await self._database.run(lambda session: self._projects(session).summaries())

    async def get_project(self, ref: ProjectRef) -> ProjectSummary:
        return await self._database.run(lambda session: self._summary(session, self._resolve(session, ref)))

    async def create_project(
        self, context: ProjectContext, variables: list[VariableSpec] | None = None
    ) -> ProjectSummary:
        """Create the project and its codebook (version 1) together, or nothing at all."""
        check_codebook(Codebook(project=context, variables=variables or []))

        def create(session: Session) -> ProjectSummary:
            projects = self._projects(session)
            self._refuse_duplicate_name(projects, context.name)
            project = Project()
            apply_context(project, context)
            projects.add(project)
            self._write_variables(session, project, variables or [])
            self._record_version(session, project, "created with the project")
            return self._summary(session, project)

        try:
            summary = await self._database.run(create)
        except IntegrityError as error:  # created by another process since the check
            raise ConflictError(self._duplicate_message(context.name)) from error
        logger.info("Created project %s (%s)", summary.id, summary.name)
        return summary

    async def delete_project(self, ref: ProjectRef) -> ProjectSummary:
        """Delete the project with everything in it: documents, codebook, results and stored files."""

        def delete(session: Session) -> ProjectSummary:
            project = self._resolve(session, ref)
            if (
                running := JobRepository(session, self._user.workspace_id).active(project.id, self._liveness)
            ) is not None:
                raise ConflictError(
                    f"{project.name} has a run in progress (job {running.id}). Pause or cancel it first "
                    f"(on the Run page, or `coderai job cancel {running.id}`), then delete the project."
                )
            summary = self._summary(session, project)
            self._projects(session).delete(project.id)
            return summary

        summary = await self._database.run(delete)
        shutil.rmtree(self.project_store(summary.id), ignore_errors=True)
        logger.info("Deleted project %s (%s)", summary.id, summary.name)
        return summary

    async def get_codebook(self, ref: ProjectRef) -> Codebook:
        def read(session: Session) -> Codebook:
            project = self._resolve(session, ref)
            rows = VariableRepository(session, self._user.workspace_id).of_project(project.id)
            return Codebook(project=context_of(project), variables=[spec_of(row) for row in rows])

        return await self._database.run(read)

    async def get_editable_codebook(self, ref: ProjectRef) -> EditableCodebook:
        """The codebook and its variables' versions, read together (for `save_codebook(loaded_versions=)`)."""

        def read(session: Session) -> EditableCodebook:
            project = self._resolve(session, ref)
            variables = VariableRepository(session, self._user.workspace_id)
            codebook = Codebook(
                project=context_of(project),
                variables=[spec_of(row) for row in variables.of_project(project.id)],
            )
            return EditableCodebook(codebook, variables.versions(project.id))

        return await self._database.run(read)

    async def save_codebook(
        self,
        ref: ProjectRef,
        codebook: Codebook,
        *,
        remove_variables_with_results: bool = False,
        reason: str = "saved",
        loaded_versions: Mapping[str, int] | None = None,
    ) -> ProjectSummary:
        """Make the project's codebook exactly `codebook`, all or nothing, as a new codebook version when it
        changed (`reason` says why: "edited in the Codebook page", "imported from plans.yaml"...).

        The file's project section updates the context but never renames the project. A variable that
        is left out and already has results is only removed when `remove_variables_with_results` is set.
        Prompt versions follow at the next run or preview, for the variables whose prompt changed.

        `loaded_versions` (EditableCodebook.versions of the codebook the edit started from): a variable
        someone else changed, added or removed since is not written over, and nothing is saved
        (ConcurrentEditError says who and when). None: no check (a codebook file replaces what is there).
        """

        def save(session: Session) -> ProjectSummary:
            project = self._resolve(session, ref)
            # A stored context was checked when saved; an older name may predate today's naming rules.
            check_codebook(codebook)
            context = codebook.project or context_of(project)
            self._refuse_losing_results(session, project, codebook.variables, remove_variables_with_results)
            apply_context(project, context, keep_name=True)
            try:
                self._write_variables(session, project, codebook.variables, loaded_versions)
            except StaleVariable as stale:
                raise self._concurrent_edit(session, project, str(stale)) from None
            self._record_version(session, project, reason)
            return self._summary(session, project)

        try:
            summary = await self._database.run(save)
        except IntegrityError as error:  # another save got the same new variable or version number in first
            raise ConcurrentEditError(
                "Someone else saved this codebook at the same moment. Reload it to see their change, then "
                "make yours again."
            ) from error
        logger.info("Saved a codebook of %s variables in project %s", summary.variable_count, summary.id)
        return summary

    async def codebook_versions(self, ref: ProjectRef) -> list[CodebookVersionInfo]:
        """Every saved codebook of the project, newest first."""

        def read(session: Session) -> list[CodebookVersionInfo]:
            project = self._resolve(session, ref)
            versions = CodebookVersionRepository(session, self._user.workspace_id).with_authors(project.id)
            return [
                CodebookVersionInfo(
                    row.version, row.reason, author, row.created_at, len(row.codebook.get("variables", []))
                )
                for row, author in versions
            ]

        return await self._database.run(read)

    async def changed_since_last_run(self, ref: ProjectRef) -> list[str]:
        """The variables (in codebook order) that are new or defined differently since the codebook the
        project's latest run used: their values were coded with an older definition."""

        def read(session: Session) -> list[str]:
            project = self._resolve(session, ref)
            workspace = self._user.workspace_id
            runs = [job for job in JobRepository(session, workspace).of_project(project.id) if job.started_at]
            latest_run = max(
                (job for job in runs if job.job_type in DATASET_JOB_TYPES), key=lambda j: j.id, default=None
            )
            if latest_run is None:
                return []
            versions = CodebookVersionRepository(session, workspace)
            used = versions.get(int(latest_run.settings.get("codebook_version") or 0)) or versions.latest(
                project.id, before=latest_run.started_at
            )
            if used is None:
                return []
            before = {spec["name"]: spec for spec in used.codebook.get("variables", [])}
            context_changed = used.codebook.get("project") != context_of(project).model_dump(mode="json")
            rows = VariableRepository(session, workspace).of_project(project.id)
            return [
                row.name
                for row in rows
                if context_changed or before.get(row.name) != spec_of(row).model_dump(mode="json")
            ]

        return await self._database.run(read)

    async def result_counts(self, ref: ProjectRef) -> dict[str, int]:
        """How many coded values each variable has (variables without any are left out)."""

        def read(session: Session) -> dict[str, int]:
            project = self._resolve(session, ref)
            repository = VariableRepository(session, self._user.workspace_id)
            names = {row.id: row.name for row in repository.of_project(project.id)}
            return {names[key]: n for key, n in repository.result_counts(list(names)).items()}

        return await self._database.run(read)

    def project_store(self, project_id: int) -> Path:
        return project_folder(self._store_dir, project_id)

    def _projects(self, session: Session) -> ProjectRepository:
        return ProjectRepository(session, self._user.workspace_id)

    def _resolve(self, session: Session, ref: ProjectRef) -> Project:
        return self._projects(session).resolve(ref)

    def _summary(self, session: Session, project: Project) -> ProjectSummary:
        session.flush()
        return self._projects(session).summaries(project.id)[0]

    def _write_variables(
        self,
        session: Session,
        project: Project,
        variables: list[VariableSpec],
        loaded: Mapping[str, int] | None = None,
    ) -> None:
        VariableRepository(session, self._user.workspace_id).replace_all(project.id, variables, loaded)
        # The schema is defined once there is at least one variable; later statuses are the runs' business.
        if variables and project.status is ProjectStatus.CREATED:
            project.status = ProjectStatus.SCHEMA_DEFINED
        elif not variables and project.status is ProjectStatus.SCHEMA_DEFINED:
            project.status = ProjectStatus.CREATED

    def _record_version(self, session: Session, project: Project, reason: str) -> None:
        rows = VariableRepository(session, self._user.workspace_id).of_project(project.id)
        codebook = Codebook(project=context_of(project), variables=[spec_of(row) for row in rows])
        CodebookVersionRepository(session, self._user.workspace_id).record(
            project.id, codebook, reason, self._user.account_id
        )

    def _concurrent_edit(self, session: Session, project: Project, change: str) -> ConcurrentEditError:
        by, at = VariableRepository(session, self._user.workspace_id).last_change(project.id)
        return ConcurrentEditError.since_opened(change, by, at, me=self._user.login)

    def _refuse_losing_results(
        self, session: Session, project: Project, variables: list[VariableSpec], allowed: bool
    ) -> None:
        if allowed:
            return
        repository = VariableRepository(session, self._user.workspace_id)
        kept = {spec.name for spec in variables}
        dropped = {row.id: row.name for row in repository.of_project(project.id) if row.name not in kept}
        counts = repository.result_counts(list(dropped))
        if counts:
            listed = ", ".join(
                f"{dropped[variable_id]} ({count} values)" for variable_id, count in counts.items()
            )
            raise ConflictError(
                f"The codebook leaves out variables that already have results: {listed}. Keep them in the "
                "codebook, or confirm that their results should be deleted."
            )

    def _refuse_duplicate_name(self, projects: ProjectRepository, name: str) -> None:
        if projects.by_name(name) is not None:
            raise ConflictError(self._duplicate_message(name))

    @staticmethod
    def _duplicate_message(name: str) -> str:
        return f"A project named {name!r} already exists in your workspace. Choose another name."
