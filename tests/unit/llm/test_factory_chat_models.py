"""The chat model for each provider kind: SDK retries off, the right endpoint, and clear setup errors."""

from __future__ import annotations

import pytest
from langchain_openai import AzureChatOpenAI, ChatOpenAI

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.llm.factory import KEYLESS, chat_model


def test_openai_uses_chat_completions_without_sdk_retries() -> None:
    model = chat_model(ProviderSettings(model="gpt-4o-mini", request_timeout=45), "sk-abc")

    assert type(model) is ChatOpenAI
    assert model.model_name == "gpt-4o-mini"
    assert model.max_retries == 0  # tenacity owns retries
    assert model.use_responses_api is False
    assert model.request_timeout == 45
    assert model.openai_api_key.get_secret_value() == "sk-abc"


def test_a_compatible_server_is_called_at_its_base_url_and_needs_no_key() -> None:
    settings = ProviderSettings(kind="compatible", base_url=" http://localhost:11434/v1 ", model="llama3")

    model = chat_model(settings, None)

    assert type(model) is ChatOpenAI
    assert model.openai_api_base == "http://localhost:11434/v1"
    assert model.openai_api_key.get_secret_value() == KEYLESS
    assert model.max_retries == 0


def test_a_compatible_server_without_base_url_says_what_to_enter() -> None:
    with pytest.raises(InvalidInputError) as raised:
        chat_model(ProviderSettings(kind="compatible", base_url="  "), None)

    assert "needs its base URL" in str(raised.value)
    assert "http://localhost:11434/v1" in str(raised.value)


def test_azure_uses_its_endpoint_deployment_and_api_version() -> None:
    settings = ProviderSettings(
        kind="azure", azure_endpoint="https://lab.openai.azure.com", azure_deployment="coding", model="gpt-4o"
    )

    model = chat_model(settings, "azure-key")

    assert type(model) is AzureChatOpenAI
    assert model.azure_endpoint == "https://lab.openai.azure.com"
    assert model.deployment_name == "coding"
    assert model.openai_api_version == "2024-10-21"
    assert model.max_retries == 0


@pytest.mark.parametrize(
    "fields", [{"azure_endpoint": "https://lab.openai.azure.com"}, {"azure_deployment": "coding"}]
)
def test_azure_without_endpoint_or_deployment_says_both_are_needed(fields: dict[str, str]) -> None:
    with pytest.raises(InvalidInputError) as raised:
        chat_model(ProviderSettings(kind="azure", **fields), "azure-key")

    assert (
        str(raised.value) == "Azure OpenAI needs an endpoint and a deployment name in the provider settings."
    )


@pytest.mark.parametrize(("kind", "strict"), [("openai", True), ("azure", True), ("compatible", False)])
def test_strict_schema_defaults_by_provider_kind_and_can_be_overridden(kind: str, strict: bool) -> None:
    assert ProviderSettings(kind=kind).uses_strict_schema is strict
    assert ProviderSettings(kind=kind, strict_schema=not strict).uses_strict_schema is (not strict)
