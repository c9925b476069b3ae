"""Which LLM to call and within which limits: per workspace, with per-project overrides.

No API key is a setting: keys live in the OS keyring (auth/secrets.py), or come from OPENAI_API_KEY.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ProviderKind(StrEnum):
    OPENAI = "openai"
    AZURE = "azure"
    COMPATIBLE = "compatible"  # any OpenAI-compatible server: Ollama, LM Studio, llama.cpp, vLLM...


class ExtractionMode(StrEnum):
    """One call per document (or chunk) for a group of variables, or one call per variable (the baseline)."""

    GROUPED = "grouped"
    PER_VARIABLE = "per-variable"


class ProviderSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    kind: ProviderKind = ProviderKind.OPENAI
    model: str = "gpt-4o-mini"
    base_url: str | None = None  # compatible servers (e.g. http://localhost:11434/v1), or an OpenAI proxy
    azure_endpoint: str | None = None
    azure_deployment: str | None = None
    azure_api_version: str = "2024-10-21"
    request_timeout: float = Field(default=120.0, gt=0)
    concurrency: int = Field(default=4, ge=1, le=64)
    requests_per_minute: int | None = Field(default=None, ge=1)
    tokens_per_minute: int | None = Field(default=None, ge=1)
    price_input_per_million: float = Field(default=0.0, ge=0)
    price_output_per_million: float = Field(default=0.0, ge=0)
    # The model's context window: a document is cut into chunks only when it does not fit beside the prompt.
    context_tokens: int = Field(default=128_000, ge=2_000)
    # Stop a run before it spends more than this many tokens (input + output); None: no limit.
    token_budget: int | None = Field(default=None, ge=1)
    mode: ExtractionMode = ExtractionMode.GROUPED
    # Strict JSON-schema structured output; compatible servers usually lack it (then: JSON mode + repair).
    strict_schema: bool | None = None

    @field_validator("base_url", "azure_endpoint", "azure_deployment")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @property
    def uses_strict_schema(self) -> bool:
        if self.strict_schema is not None:
            return self.strict_schema
        return self.kind is not ProviderKind.COMPATIBLE

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        return (tokens_in * self.price_input_per_million + tokens_out * self.price_output_per_million) / 1e6

    def overridden(self, overrides: dict[str, Any] | None) -> ProviderSettings:
        """These settings with a project's overrides applied (only the fields the project sets)."""
        return self.model_validate({**self.model_dump(), **(overrides or {})}) if overrides else self


def settings_from_json(data: dict[str, Any] | None) -> ProviderSettings:
    return ProviderSettings.model_validate(data or {})
