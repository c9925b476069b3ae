"""Which LLM to call and within which limits: per workspace, with per-project overrides.

No API key is a setting: keys live in the OS keyring (auth/secrets.py), or come from OPENAI_API_KEY.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class ProviderKind(StrEnum):
    OPENAI = "openai"
    AZURE = "azure"
    COMPATIBLE = "compatible"  # any OpenAI-compatible server: Ollama, LM Studio, llama.cpp, vLLM...


class ExtractionMode(StrEnum):
    """One call per document (or chunk) for a group of variables, or one call per variable (the baseline)."""

    GROUPED = "grouped"
    PER_VARIABLE = "per-variable"


class StructuredOutput(StrEnum):
    """How a call asks for a JSON answer, strongest first (`coderai provider test` finds the strongest a
    compatible server accepts). All but JSON_SCHEMA also put the schema in the instructions."""

    JSON_SCHEMA = "json_schema"  # response_format json_schema, strict: OpenAI, Azure, vLLM, Ollama...
    JSON_OBJECT_SCHEMA = "json_object_schema"  # json_object with a schema, enforced by grammar: llama.cpp
    JSON_OBJECT = "json_object"  # JSON mode: any JSON object
    INSTRUCTIONS = "instructions"  # no response_format: the instructions alone


FORM_WORDS = {
    StructuredOutput.JSON_SCHEMA: "a strict JSON schema",
    StructuredOutput.JSON_OBJECT_SCHEMA: "a JSON object constrained by a schema (llama.cpp style)",
    StructuredOutput.JSON_OBJECT: "a JSON object (JSON mode)",
    StructuredOutput.INSTRUCTIONS: "instructions alone (the schema in the prompt, no response format)",
}
# How system messages reach the model, in the words of `--system-messages` and the provider dialog: as
# `provider test` found (or, not tested, kept), kept as system messages, or sent in the first user message.
SYSTEM_MESSAGES = {"auto": None, "kept": True, "in-user-message": False}
# user:password@ before the host, or a query parameter that carries a key or token.
_SECRET_IN_ADDRESS = re.compile(
    r"^[a-z][a-z0-9+.-]*://[^/@?#]*:[^/@?#]*@|[?&](?:api[-_]?key|key|token|access[-_]?token|secret)=",
    re.IGNORECASE,
)
# Settings saved before the forms existed said only strict or not: on, off (JSON mode) or automatic.
_LEGACY_STRICT = {True: StructuredOutput.JSON_SCHEMA, False: StructuredOutput.JSON_OBJECT, None: None}


def migrated(data: dict[str, Any]) -> dict[str, Any]:
    """Settings or overrides with the legacy `strict_schema` key in today's words (a `structured_output`
    given beside it wins)."""
    if "strict_schema" not in data:
        return data
    data = dict(data)
    legacy = _LEGACY_STRICT[data.pop("strict_schema")]
    data.setdefault("structured_output", legacy)
    return data


DEFAULT_PACK_TOKENS = 4_000


class ModelPrice(BaseModel):
    """Dollars per million tokens: prompt, answer, and prompt read from the provider's cache (None: as prompt)."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(default=0.0, ge=0)
    output: float = Field(default=0.0, ge=0)
    cached_input: float | None = Field(default=None, ge=0)


class ProviderSettings(BaseModel):
    # An error never repeats what was typed: it may be an address with a key in it.
    model_config = ConfigDict(
        defer_build=True, extra="forbid", validate_assignment=True, hide_input_in_errors=True
    )

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
    # Prompt tokens the provider read from its cache (OpenAI and Azure bill them lower); None: the input price.
    price_cached_input_per_million: float | None = Field(default=None, ge=0)
    # Other models of the same provider (a variable's own model, the escalation model): their prices.
    model_prices: dict[str, ModelPrice] = Field(default_factory=dict)
    # The share of the live price a provider batch job costs (OpenAI and Azure: half).
    batch_price_factor: float = Field(default=0.5, gt=0, le=1)
    # Short documents travel several to a call while their text stays under pack_token_budget tokens; a
    # document of pack_document_tokens or more goes alone. 0 turns packing off; None: by provider (packing).
    pack_token_budget: int | None = Field(default=None, ge=0)
    pack_document_tokens: int = Field(default=1_000, ge=0)
    # Values below their variable's confidence threshold (or flagged) are coded again by this model.
    escalation_model: str | None = None
    # The model's context window: a document is cut into chunks only when it does not fit beside the prompt.
    context_tokens: int = Field(default=128_000, ge=2_000)
    # Stop a run before it spends more than this many tokens (input + output); None: no limit.
    token_budget: int | None = Field(default=None, ge=1)
    mode: ExtractionMode = ExtractionMode.GROUPED
    # None: not probed yet, so strict JSON schema for OpenAI and Azure, JSON mode for compatible servers.
    structured_output: StructuredOutput | None = None
    # False: the server's chat template drops system messages (llama-cpp-python's gemma format does), so the
    # system prompt travels in the first user message. None: not probed yet, so they are trusted to arrive.
    system_messages: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_keys(cls, data: Any) -> Any:
        return migrated(data) if isinstance(data, dict) else data

    @field_validator("base_url", "azure_endpoint", "azure_deployment")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("base_url", "azure_endpoint")
    @classmethod
    def _no_secret_in_address(cls, value: str | None) -> str | None:
        """Addresses are saved with the settings, in the database: a key written into one would be too."""
        if value is not None and _SECRET_IN_ADDRESS.search(value):
            raise ValueError(
                "the address contains a password or key; enter the address without it, and the key under "
                "API Keys (it is kept in the system keyring)"
            )
        return value

    @property
    def output_form(self) -> StructuredOutput:
        if self.structured_output is not None:
            return self.structured_output
        if self.kind is ProviderKind.COMPATIBLE:
            return StructuredOutput.JSON_OBJECT
        return StructuredOutput.JSON_SCHEMA

    @property
    def packing(self) -> int:
        """The pack budget in force: as set, else on for OpenAI and Azure (it saves most of the prompt) and off
        for compatible servers, whose prompt cache already spares the repeated prompt and whose small models
        mix up documents told apart only by their blocks (Gemma 3 270M answered a pack of three with 2,000
        tokens of garbled JSON)."""
        if self.pack_token_budget is not None:
            return self.pack_token_budget
        return 0 if self.kind is ProviderKind.COMPATIBLE else DEFAULT_PACK_TOKENS

    @property
    def keeps_system_messages(self) -> bool:
        return self.system_messages is not False

    @property
    def uses_strict_schema(self) -> bool:
        """The schema travels in response_format alone; with every other form it is in the instructions."""
        return self.output_form is StructuredOutput.JSON_SCHEMA

    def price(self, model: str | None = None) -> ModelPrice:
        """What `model` (None: the project's model) costs per million tokens."""
        if model is not None and model != self.model and model in self.model_prices:
            return self.model_prices[model]
        return ModelPrice(
            input=self.price_input_per_million,
            output=self.price_output_per_million,
            cached_input=self.price_cached_input_per_million,
        )

    def cost(
        self,
        tokens_in: int,
        tokens_out: int,
        cached: int = 0,
        *,
        model: str | None = None,
        batch: bool = False,
    ) -> float:
        """Dollars for a call's usage: `cached` of `tokens_in` at the cached price, a batch job at its share."""
        price = self.price(model)
        cached = min(cached, tokens_in)
        cached_price = price.input if price.cached_input is None else price.cached_input
        dollars = (
            (tokens_in - cached) * price.input + cached * cached_price + tokens_out * price.output
        ) / 1e6
        return dollars * (self.batch_price_factor if batch else 1.0)

    def overridden(self, overrides: dict[str, Any] | None) -> ProviderSettings:
        """These settings with a project's overrides applied (only the fields the project sets)."""
        return self.model_validate({**self.model_dump(), **migrated(overrides)}) if overrides else self


def settings_from_json(data: dict[str, Any] | None) -> ProviderSettings:
    return ProviderSettings.model_validate(data or {})
