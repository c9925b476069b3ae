"""Provider settings: the workspace's, with each project's overrides; the API key from the keyring, or
OPENAI_API_KEY / OPENAI_BASE_URL for headless runs when nothing else is configured."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from coderai_desktop.auth.secrets import SecretStore
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.project import ProjectRef
from coderai_desktop.domain.provider import (
    ProviderKind,
    ProviderSettings,
    migrated,
    settings_from_json,
)
from coderai_desktop.llm.client import LLMClient
from coderai_desktop.llm.connection import FOUND_FIELDS, ConnectionReport, FoundSettings, test_connection
from coderai_desktop.llm.factory import chat_model, settings_for_model
from coderai_desktop.persistence.engine import Database
from coderai_desktop.persistence.repositories.projects import ProjectRepository
from coderai_desktop.persistence.tables import Workspace

# Overrides that make a project talk to another server (or model) than the workspace's.
SERVER_FIELDS = frozenset(
    {
        "kind",
        "model",
        "base_url",
        "azure_endpoint",
        "azure_deployment",
        "azure_api_version",
        *FOUND_FIELDS,
    }
)


class ProviderService:
    def __init__(
        self,
        database: Database,
        user: UserSession,
        secrets: SecretStore,
        environ: Mapping[str, str] = os.environ,
        retry_delay: float = 1.0,
    ):
        self._database = database
        self._user = user
        self._secrets = secrets
        self._environ = environ
        self._retry_delay = retry_delay

    async def settings(self, project: ProjectRef | None = None) -> ProviderSettings:
        """The settings a run of `project` uses (the workspace's when no project is named)."""

        def read(session: Session) -> tuple[dict[str, Any] | None, dict[str, Any] | None, int | None]:
            workspace = self._workspace(session)
            if project is None:
                return workspace.provider_settings, None, None
            row = ProjectRepository(session, self._user.workspace_id).resolve(project)
            return workspace.provider_settings, row.provider_settings, row.token_budget

        stored, overrides, budget = await self._database.run(read)
        settings = settings_from_json(stored) if stored else self._from_environment()
        settings = settings.overridden(overrides)
        return settings.overridden({"token_budget": budget}) if budget is not None else settings

    async def save_workspace_settings(self, settings: ProviderSettings) -> None:
        def save(session: Session) -> None:
            self._workspace(session).provider_settings = settings.model_dump(mode="json")

        await self._database.run(save)

    async def project_overrides(self, project: ProjectRef) -> dict[str, Any]:
        """What the project sets itself (the rest comes from the workspace)."""

        def read(session: Session) -> dict[str, Any]:
            return dict(
                ProjectRepository(session, self._user.workspace_id).resolve(project).provider_settings or {}
            )

        return await self._database.run(read)

    async def save_project_overrides(
        self, project: ProjectRef, overrides: dict[str, Any] | None
    ) -> ProviderSettings:
        """Set (or, with None, clear) a project's overrides; they are checked against the workspace's."""
        merged = checked(await self.settings(), overrides)

        def save(session: Session) -> None:
            row = ProjectRepository(session, self._user.workspace_id).resolve(project)
            row.provider_settings = migrated(overrides) if overrides else None

        await self._database.run(save)
        return merged

    async def api_key(self, settings: ProviderSettings) -> str | None:
        key = await self._secrets.get_api_key(self._user.keys_workspace_id, settings.kind.value)
        if key is None and settings.kind is not ProviderKind.AZURE:
            key = self._environ.get("OPENAI_API_KEY")
        return key

    async def client(self, settings: ProviderSettings) -> LLMClient:
        key = await self.api_key(settings)
        if key is None and settings.kind is ProviderKind.OPENAI and not settings.base_url:
            raise InvalidInputError(
                "No API key for OpenAI: enter one in Settings > API Keys (or set OPENAI_API_KEY for headless runs)."
            )
        return LLMClient(
            chat_model(settings, key),
            settings,
            retry_delay=self._retry_delay,
            chat_for_model=lambda model: chat_model(settings_for_model(settings, model), key),
        )

    async def test(
        self, project: ProjectRef | None = None, settings: ProviderSettings | None = None
    ) -> ConnectionReport:
        """Test the settings in force (for a project), and save what the test found about the server where
        they come from; or test the given ones before they are saved (saving what was found is then the
        caller's)."""
        tested = settings or await self.settings(project)
        report = await test_connection(tested, await self.api_key(tested))
        if (
            settings is None
            and report.found is not None
            and tested.overridden(report.found.as_settings()) != tested
        ):
            await self._save_found(report.found, project)
        return report

    async def _save_found(self, found: FoundSettings, project: ProjectRef | None) -> None:
        """With the project's overrides when the project names its own server, or is shared with this
        member (the workspace is its owner's), else the workspace's."""
        if project is not None:
            overrides = await self.project_overrides(project)
            if self._user.access is not None or SERVER_FIELDS & migrated(overrides).keys():
                await self.save_project_overrides(project, {**overrides, **found.as_settings()})
                return
        workspace = await self.settings()
        await self.save_workspace_settings(workspace.overridden(found.as_settings()))

    def _workspace(self, session: Session) -> Workspace:
        workspace = session.get(Workspace, self._user.workspace_id)  # the session's own workspace only
        assert workspace is not None, "a logged-in user has a workspace"
        return workspace

    def _from_environment(self) -> ProviderSettings:
        """Headless defaults when the workspace has saved nothing: OPENAI_BASE_URL, if set."""
        base_url = self._environ.get("OPENAI_BASE_URL")
        return ProviderSettings(base_url=base_url) if base_url else ProviderSettings()


def checked(base: ProviderSettings, changes: dict[str, Any] | None) -> ProviderSettings:
    """`base` with `changes`, or an error that names the field and the problem in plain words."""
    try:
        return base.overridden(changes)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise InvalidInputError(f"The provider settings are not valid: {field}: {message}.") from None
