"""The LangChain chat model for a provider: OpenAI, Azure OpenAI, or any OpenAI-compatible server."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_openai import AzureChatOpenAI, ChatOpenAI
from pydantic import SecretStr

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.provider import ProviderKind, ProviderSettings
from coderai_desktop.logging_setup import register_secret

# Local servers (Ollama, LM Studio, llama.cpp) accept any key; the SDK insists on one.
KEYLESS = "not-needed"


def chat_model(settings: ProviderSettings, api_key: str | None) -> BaseChatModel:
    """Chat completions with the SDK's retries off: tenacity owns retries (llm/resilience.py)."""
    if api_key:  # every key in use is masked wherever it shows up, OPENAI_API_KEY's too
        register_secret(api_key)
    key = SecretStr(api_key or KEYLESS)
    if settings.kind is ProviderKind.AZURE:
        if not settings.azure_endpoint or not settings.azure_deployment:
            raise InvalidInputError(
                "Azure OpenAI needs an endpoint and a deployment name in the provider settings."
            )
        return AzureChatOpenAI(
            azure_endpoint=settings.azure_endpoint,
            azure_deployment=settings.azure_deployment,
            api_version=settings.azure_api_version,
            api_key=key,
            model=settings.model,
            timeout=settings.request_timeout,
            max_retries=0,
        )
    if settings.kind is ProviderKind.COMPATIBLE and not settings.base_url:
        raise InvalidInputError(
            "An OpenAI-compatible server needs its base URL in the provider settings, e.g. "
            "http://localhost:11434/v1 for Ollama."
        )
    return ChatOpenAI(
        model=settings.model,
        api_key=key,
        base_url=settings.base_url,
        timeout=settings.request_timeout,
        max_retries=0,
        use_responses_api=False,
    )


def settings_for_model(settings: ProviderSettings, model: str) -> ProviderSettings:
    """`settings` for another model of the same provider; on Azure OpenAI the deployment decides the model,
    so a model named there is a deployment of that name."""
    if settings.kind is ProviderKind.AZURE:
        return settings.overridden({"model": model, "azure_deployment": model})
    return settings.overridden({"model": model})
