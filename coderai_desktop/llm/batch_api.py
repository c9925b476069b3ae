"""The provider side of batch runs: OpenAI's and Azure OpenAI's Batch API (half price, answers within 24 hours).

A batch is one uploaded JSONL file of chat requests, each line {"custom_id", "method", "url", "body"}; the
provider answers each in an output file (or an error file) of lines keyed by the same custom_id. Requests
are built here exactly as the live client would send them, and their answers parsed with the live
client's code, so a batch run codes as a live run does. Compatible local servers have no Batch API.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import openai

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.provider import ProviderKind, ProviderSettings
from coderai_desktop.llm.client import (
    CallResult,
    Messages,
    Usage,
    answer_data,
    provider_error,
    response_format_for,
)
from coderai_desktop.llm.factory import KEYLESS
from coderai_desktop.llm.prompts import as_sent
from coderai_desktop.logging_setup import register_secret

# Provider limits of one batch's input file (OpenAI and Azure alike).
MAX_REQUESTS = 50_000
MAX_BYTES = 200 * 1024 * 1024
COMPLETION_WINDOW: Literal["24h"] = "24h"
# The provider's words for a batch that will change no more.
FINISHED = frozenset({"completed", "failed", "expired", "cancelled"})
# What marks a stored answer that a live call gave (completion_of).
ASKED_LIVE = "coderai_asked_live"
# The metadata key a batch carries its part's marker under: a batch the app created but had no time to
# record (it died in between) is found again by it, not submitted (and paid for) twice.
MARKER_KEY = "coderai_part"
# How far back (seconds before its part was recorded) the provider's list is searched for a batch.
FIND_SLACK = 3600
FIND_PAGES = 10
NO_BATCH_API = (
    "OpenAI-compatible servers (Ollama, LM Studio, llama.cpp, vLLM) have no Batch API: batch runs need "
    "OpenAI or Azure OpenAI."
)


def supports_batches(settings: ProviderSettings) -> bool:
    return settings.kind is not ProviderKind.COMPATIBLE


@dataclass(frozen=True)
class RemoteBatch:
    """What the provider says of one batch."""

    id: str
    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    total: int = 0
    completed: int = 0
    failed: int = 0
    errors: str = ""  # why a batch failed as a whole (its input refused), in the provider's words

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def request_body(
    settings: ProviderSettings,
    messages: Messages,
    schema: dict[str, Any],
    *,
    temperature: float,
    max_tokens: int,
) -> dict[str, Any]:
    """The /v1/chat/completions body the live client sends for this call."""
    azure = settings.kind is ProviderKind.AZURE
    body: dict[str, Any] = {
        "model": settings.azure_deployment if azure else settings.model,  # Azure: the batch deployment
        "messages": as_sent(messages, keep_system=settings.keeps_system_messages),
        "temperature": temperature,
        "max_completion_tokens": max_tokens,
    }
    if (response_format := response_format_for(settings.output_form, schema)) is not None:
        body["response_format"] = response_format
    return body


def custom_id(body: dict[str, Any]) -> str:
    """The request's key: the same request is asked, and answered, once."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def call_result(completion: dict[str, Any], schema: dict[str, Any]) -> CallResult | None:
    """A batch's chat completion as the live client's result; None when it holds no usable answer (cut
    short, or not JSON), to ask again live, where the client repairs it."""
    choices = completion.get("choices") or [{}]
    if choices[0].get("finish_reason") == "length":
        return None
    text = (choices[0].get("message") or {}).get("content") or ""
    data = answer_data(text, schema)
    if data is None:
        return None
    usage = completion.get("usage") or {}
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
    return CallResult(
        data,
        text,
        Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0), cached),
    )


def completion_of(result: CallResult) -> dict[str, Any]:
    """A live answer stored as a batch answer is: a chat completion `call_result` reads back the same,
    marked as asked live (at the live price, not the batch's)."""
    usage = result.usage
    return {
        "choices": [{"message": {"role": "assistant", "content": result.raw}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": usage.input_tokens,
            "completion_tokens": usage.output_tokens,
            "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
        },
        ASKED_LIVE: True,
    }


def asked_live(completion: dict[str, Any]) -> bool:
    """Whether a stored answer came from a live call (a line the batch failed), not from the batch."""
    return bool(completion.get(ASKED_LIVE))


class BatchAPI:
    """Upload, create, poll, download and cancel batches of one provider."""

    def __init__(self, settings: ProviderSettings, api_key: str | None):
        if not supports_batches(settings):
            raise InvalidInputError(NO_BATCH_API)
        if api_key:
            register_secret(api_key)  # masked wherever it shows up
        self._settings = settings
        self._client: openai.AsyncOpenAI
        if settings.kind is ProviderKind.AZURE:
            if not settings.azure_endpoint or not settings.azure_deployment:
                raise InvalidInputError(
                    "Azure OpenAI needs an endpoint and a deployment name in the provider settings."
                )
            self._client = openai.AsyncAzureOpenAI(
                azure_endpoint=settings.azure_endpoint,
                api_version=settings.azure_api_version,
                api_key=api_key or KEYLESS,
                timeout=settings.request_timeout,
            )
            self.endpoint = "/chat/completions"
        else:
            self._client = openai.AsyncOpenAI(
                api_key=api_key or KEYLESS, base_url=settings.base_url, timeout=settings.request_timeout
            )
            self.endpoint = "/v1/chat/completions"

    def line(self, key: str, body: dict[str, Any]) -> bytes:
        """One line of an input file."""
        entry = {"custom_id": key, "method": "POST", "url": self.endpoint, "body": body}
        return (json.dumps(entry, ensure_ascii=False) + "\n").encode()

    async def submit(self, content: bytes, marker: str) -> RemoteBatch:
        """Upload an input file (lines from `line`) and start its batch, marked with `marker`."""
        try:
            uploaded = await self._client.files.create(file=("requests.jsonl", content), purpose="batch")
            batch = await self._client.batches.create(
                input_file_id=uploaded.id,
                endpoint=self.endpoint,  # type: ignore[arg-type]  # Azure's path is not in the SDK's literal
                completion_window=COMPLETION_WINDOW,
                metadata={MARKER_KEY: marker},
            )
        except openai.APIError as error:
            raise provider_error(error, self._settings) from error
        return _remote(batch)

    async def find(self, marker: str, since: datetime) -> RemoteBatch | None:
        """The batch submitted with `marker` (its part recorded at `since`), if the provider has one. The
        provider lists the newest first: the search ends at batches older than the part."""
        oldest = since.timestamp() - FIND_SLACK
        try:
            page = await self._client.batches.list(limit=100)
            for _ in range(FIND_PAGES):
                for batch in page.data:
                    if (batch.metadata or {}).get(MARKER_KEY) == marker:
                        return _remote(batch)
                if not page.data or page.data[-1].created_at < oldest or not page.has_next_page():
                    return None
                page = await page.get_next_page()
        except openai.APIError as error:
            raise provider_error(error, self._settings) from error
        return None

    async def retrieve(self, batch_id: str) -> RemoteBatch:
        try:
            return _remote(await self._client.batches.retrieve(batch_id))
        except openai.APIError as error:
            raise provider_error(error, self._settings) from error

    async def results(self, file_id: str) -> list[dict[str, Any]]:
        """The lines of an output or error file."""
        try:
            content = await self._client.files.content(file_id)
        except openai.APIError as error:
            raise provider_error(error, self._settings) from error
        return [json.loads(line) for line in content.text.splitlines() if line.strip()]

    async def cancel(self, batch_id: str) -> RemoteBatch:
        try:
            return _remote(await self._client.batches.cancel(batch_id))
        except openai.APIError as error:
            raise provider_error(error, self._settings) from error

    async def close(self) -> None:
        await self._client.close()


def _remote(batch: Any) -> RemoteBatch:
    counts = batch.request_counts
    errors = batch.errors.data if batch.errors and batch.errors.data else []
    return RemoteBatch(
        batch.id,
        batch.status,
        batch.output_file_id,
        batch.error_file_id,
        counts.total if counts else 0,
        counts.completed if counts else 0,
        counts.failed if counts else 0,
        "; ".join(
            f"line {error.line}: {error.message}" if error.line else str(error.message) for error in errors
        ),
    )
