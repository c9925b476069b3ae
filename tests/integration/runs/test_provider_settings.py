"""Provider settings: the workspace's, each project's overrides, OPENAI_* for headless runs, and the
connection test's plain answers against a real (fake) server."""

from __future__ import annotations

import socket

import pytest

from coderai_desktop.app_context import AppContext
from coderai_desktop.auth.session import UserSession
from coderai_desktop.domain.codebook import ProjectContext
from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.provider import ExtractionMode, ProviderKind, ProviderSettings
from coderai_desktop.llm.provider_service import ProviderService
from coderai_desktop.persistence.tables import Workspace
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.runs.conftest import MODEL, VARIABLES, Configure


def free_port() -> int:
    """A port nothing listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_workspace_settings_are_saved_and_read_back(providers: ProviderService) -> None:
    saved = ProviderSettings(
        kind="compatible",
        base_url="http://127.0.0.1:11434/v1",
        model="llama3.1",
        request_timeout=300,
        concurrency=3,
        tokens_per_minute=50_000,
        price_input_per_million=0.5,
        context_tokens=8192,
        token_budget=2_000_000,
        mode=ExtractionMode.PER_VARIABLE,
        structured_output="json_object_schema",
        system_messages=False,
    )

    await providers.save_workspace_settings(saved)

    assert await providers.settings() == saved
    assert (await providers.settings()).uses_strict_schema is False
    assert (await providers.settings()).keeps_system_messages is False


async def test_settings_saved_before_system_messages_were_probed_still_load(
    providers: ProviderService, context: AppContext, user: UserSession
) -> None:
    with context.database.transaction() as session:
        session.get(Workspace, user.workspace_id).provider_settings = {
            "kind": "compatible",
            "model": "llama3.1",
            "structured_output": "json_object",
        }

    loaded = await providers.settings()

    assert (loaded.model, loaded.system_messages, loaded.keeps_system_messages) == ("llama3.1", None, True)


async def test_project_overrides_apply_to_that_project_only(
    providers: ProviderService, configure: Configure, context: AppContext, user: UserSession
) -> None:
    workspace = await configure(concurrency=2)
    projects = context.projects(user)
    one = await projects.create_project(ProjectContext(name="One"), VARIABLES)
    two = await projects.create_project(ProjectContext(name="Two"), VARIABLES)

    merged = await providers.save_project_overrides(one.id, {"model": "fake-large", "concurrency": 8})

    assert (merged.model, merged.concurrency, merged.base_url) == ("fake-large", 8, workspace.base_url)
    assert await providers.settings(one.id) == merged
    assert await providers.settings("One") == merged, "by name too"
    assert await providers.settings(two.id) == workspace
    assert await providers.settings() == workspace
    assert await providers.project_overrides(one.id) == {"model": "fake-large", "concurrency": 8}

    with pytest.raises(InvalidInputError, match="The provider settings are not valid"):
        await providers.save_project_overrides(one.id, {"concurrency": 0})
    assert (await providers.settings(one.id)).concurrency == 8, "a refused override changes nothing"

    await providers.save_project_overrides(one.id, None)
    assert await providers.settings(one.id) == workspace


async def test_with_nothing_saved_the_openai_environment_variables_are_used(
    context: AppContext, user: UserSession
) -> None:
    with FakeOpenAI(api_key="sk-from-environment", models=(ProviderSettings().model,)) as server:
        environ = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-from-environment"}
        providers = ProviderService(
            context.database, user, context.secrets, environ=environ, retry_delay=0.01
        )

        settings = await providers.settings()

        assert (settings.kind, settings.base_url) == (ProviderKind.OPENAI, server.base_url)
        assert await providers.api_key(settings) == "sk-from-environment"
        assert (await providers.test()).ok, "that server and key are the ones used"
        assert len(server.requests) == 1
    bare = ProviderService(context.database, user, context.secrets, environ={})
    assert (await bare.settings()).base_url is None and await bare.api_key(settings) is None

    await context.secrets.set_api_key(user.workspace_id, "openai", "sk-from-keyring")
    assert await providers.api_key(settings) == "sk-from-keyring", "the keyring's key comes first"


async def test_the_connection_test_passes_against_a_working_server(
    providers: ProviderService, configure: Configure, server: FakeOpenAI
) -> None:
    checks = (await providers.test()).checks

    assert [(check.name, check.ok) for check in checks] == [("server", True), ("structured output", True)]
    assert f"model '{MODEL}'" in checks[0].message
    assert "strict JSON schema" in checks[1].message
    assert len(server.requests) == 1


async def test_the_connection_test_names_a_refused_key(
    providers: ProviderService, configure: Configure, context: AppContext, user: UserSession
) -> None:
    await context.secrets.set_api_key(user.workspace_id, "openai", "sk-not-the-right-one")

    [check] = [check for check in (await providers.test()).checks if not check.ok]

    assert "refused the API key" in check.message and "Settings > API Keys" in check.message
    assert "sk-not-the-right-one" not in check.message, "the key itself is never shown"


async def test_the_connection_test_names_an_unknown_model(
    providers: ProviderService, configure: Configure
) -> None:
    await configure(model="gpt-imaginary")

    [check] = [check for check in (await providers.test()).checks if not check.ok]

    assert "has no model named 'gpt-imaginary'" in check.message


async def test_the_connection_test_says_when_the_server_cannot_be_reached(
    providers: ProviderService, configure: Configure
) -> None:
    address = f"http://127.0.0.1:{free_port()}/v1"
    await configure(base_url=address, request_timeout=2)

    [check] = [check for check in (await providers.test()).checks if not check.ok]

    assert check.message.startswith(f"Cannot reach {address}")
    assert "server is running" in check.message
