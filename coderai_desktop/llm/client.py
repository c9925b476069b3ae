"""Structured calls in the strongest form the provider supports (strict JSON schema, a JSON object
constrained by a schema, JSON mode, or instructions alone), with tolerant parsing and one repair request.
Every call keeps the raw answer and its usage for the audit trail. To a server whose chat template drops
system messages, the system prompt goes in the first user message (prompts.as_sent)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.provider import FORM_WORDS, ProviderSettings, StructuredOutput
from coderai_desktop.llm.errors import (
    ContextTooLongError,
    InvalidAnswerError,
    ModelNotFoundError,
    PromptTruncatedError,
    ProviderAuthError,
    ProviderError,
    ProviderRequestError,
    ProviderServerError,
    ProviderTimeoutError,
    ProviderUnreachableError,
    RateLimitedError,
    StructuredOutputUnsupportedError,
)
from coderai_desktop.llm.prompts import as_sent, schema_in_prompt
from coderai_desktop.llm.resilience import CircuitBreaker, RateLimiter, Sleep, with_retries
from coderai_desktop.text_tokens import estimate_tokens

logger = logging.getLogger(__name__)

Messages = list[dict[str, str]]
# A server that reports far fewer prompt tokens than were sent has cut the prompt (a small context).
TRUNCATION_RATIO = 0.5
TRUNCATION_MINIMUM = 1000
# Words of a refusal of the structured-output form (json_schema included); a 5xx counts only with the first.
REFUSAL_WORDS = ("response_format", "schema")
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cached_tokens + other.cached_tokens,
        )

    def __sub__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens - other.input_tokens,
            self.output_tokens - other.output_tokens,
            self.cached_tokens - other.cached_tokens,
        )


@dataclass(frozen=True)
class CallResult:
    data: dict[str, Any]
    raw: str
    usage: Usage
    repaired: bool = False


class LLMClient:
    """Calls one provider; shared by all the calls of a run so its limits and breaker see them all."""

    def __init__(
        self,
        chat: BaseChatModel,
        settings: ProviderSettings,
        *,
        retry_delay: float = 1.0,
        breaker: CircuitBreaker | None = None,
        limiter: RateLimiter | None = None,
        sleep: Sleep | None = None,
        chat_for_model: Callable[[str], BaseChatModel] | None = None,
    ):
        self._chat = chat
        self._chat_for_model = chat_for_model  # another model of the same provider (see for_model)
        self._twins: dict[str, LLMClient] = {}
        self.settings = settings
        self._retry_delay = retry_delay
        self.breaker = breaker or CircuitBreaker()
        self._limiter = limiter or RateLimiter(settings.requests_per_minute, settings.tokens_per_minute)
        self._sleep = sleep
        self._slots = asyncio.Semaphore(settings.concurrency)  # requests in flight, whatever asks for them

    def for_model(self, model: str | None) -> LLMClient:
        """The client that calls `model` (None: this client's) on the same provider, sharing this client's
        rate limits, call slots and breaker: the provider's limits hold whichever model a call is for."""
        if model is None or model == self.settings.model:
            return self
        if model not in self._twins:
            if self._chat_for_model is None:
                raise InvalidInputError(f"This client cannot call another model than {self.settings.model}.")
            twin = LLMClient(
                self._chat_for_model(model),
                self.settings.overridden({"model": model}),
                retry_delay=self._retry_delay,
                breaker=self.breaker,
                limiter=self._limiter,
                sleep=self._sleep,
            )
            twin._slots = self._slots
            self._twins[model] = twin
        return self._twins[model]

    async def structured(
        self, messages: Messages, schema: dict[str, Any], *, temperature: float, max_tokens: int
    ) -> CallResult:
        """A JSON object answering `messages`, valid for `schema` in its top-level shape."""
        estimate = sum(estimate_tokens(message["content"]) for message in messages)
        async with self._slots:
            await self._limiter.acquire(estimate + max_tokens)
            result = await self._resilient(messages, schema, temperature, max_tokens)
        self._check_truncation(estimate, result.usage)
        return result

    async def _resilient(
        self, messages: Messages, schema: dict[str, Any], temperature: float, max_tokens: int
    ) -> CallResult:
        async def attempt() -> CallResult:
            return await self.breaker.call(lambda: self._answer(messages, schema, temperature, max_tokens))

        if self._sleep is None:
            return await with_retries(attempt, self._retry_delay)
        return await with_retries(attempt, self._retry_delay, self._sleep)

    async def prompt_tokens(self, messages: Messages, schema: dict[str, Any], *, max_tokens: int) -> int:
        """The prompt tokens the server reports reading for one call of `messages` (0: it reports none),
        whatever the model answers: the answer is neither parsed nor repaired."""
        return usage_of(await self._invoke(messages, schema, 0.0, max_tokens)).input_tokens

    async def _answer(
        self, messages: Messages, schema: dict[str, Any], temperature: float, max_tokens: int
    ) -> CallResult:
        raw = await self._invoke(messages, schema, temperature, max_tokens)
        usage = usage_of(raw)
        if (data := answer_data(text_of(raw), schema)) is not None:
            return CallResult(data, text_of(raw), usage)
        # One repair request: the answer back, with what was wrong, and room to finish it.
        logger.info("Answer was not JSON (%s characters); asking once for a repair", len(text_of(raw)))
        repair = [
            *messages,
            {"role": "assistant", "content": text_of(raw)},
            {
                "role": "user",
                "content": "That answer was not one complete JSON object. Answer again with JSON only."
                + ("" if self.settings.uses_strict_schema else schema_in_prompt(schema)),
            },
        ]
        raw_again = await self._invoke(repair, schema, temperature, max_tokens * 2)
        usage = usage + usage_of(raw_again)
        if (data := answer_data(text_of(raw_again), schema)) is not None:
            return CallResult(data, text_of(raw_again), usage, repaired=True)
        raise InvalidAnswerError(
            "The model's answer was not valid JSON, even after asking again. Try another model, or a provider "
            "with structured output."
        )

    async def _invoke(
        self, messages: Messages, schema: dict[str, Any], temperature: float, max_tokens: int
    ) -> AIMessage:
        # The chat model itself, not with_structured_output: the same request without a runnable chain
        # per call (a third of the app's CPU time per call), and the answer is parsed here anyway.
        response_format = response_format_for(self.settings.output_form, schema)
        extra: dict[str, Any] = {"response_format": response_format} if response_format is not None else {}
        sent = as_sent(messages, keep_system=self.settings.keeps_system_messages)
        try:
            output = await self._chat.ainvoke(sent, temperature=temperature, max_tokens=max_tokens, **extra)
        except openai.LengthFinishReasonError as error:  # the answer reached max_tokens mid-JSON
            return _cut_short(error)
        except openai.APIError as error:
            raise provider_error(error, self.settings) from error
        except json.JSONDecodeError as error:  # the server's reply was not JSON at all
            raise ProviderServerError(f"The server's reply was not valid JSON ({error}).") from error
        assert isinstance(output, AIMessage), "a chat model answers with an AIMessage"
        return output

    def _check_truncation(self, estimate: int, usage: Usage) -> None:
        reported = usage.input_tokens
        if reported and estimate >= TRUNCATION_MINIMUM and reported < TRUNCATION_RATIO * estimate:
            raise PromptTruncatedError(
                f"The server read {reported} prompt tokens of about {estimate} sent: it cut the document, "
                "probably because its context is too small. Raise the server's context length (e.g. Ollama's "
                "num_ctx) or lower the context setting of the provider so documents are cut into chunks."
            )


def response_format_for(form: StructuredOutput, schema: dict[str, Any]) -> dict[str, Any] | None:
    """What a call sends as response_format in `form` (None: nothing)."""
    if form is StructuredOutput.JSON_SCHEMA:
        return {"type": "json_schema", "json_schema": {"name": "coding", "schema": schema, "strict": True}}
    if form is StructuredOutput.JSON_OBJECT_SCHEMA:
        return {"type": "json_object", "schema": schema}
    if form is StructuredOutput.JSON_OBJECT:
        return {"type": "json_object"}
    return None


def _cut_short(error: openai.LengthFinishReasonError) -> AIMessage:
    """The partial answer and its usage, so the repair request can ask for the whole of it."""
    completion = error.completion
    content = completion.choices[0].message.content or "" if completion.choices else ""
    usage = completion.usage
    metadata = {
        "input_tokens": usage.prompt_tokens if usage else 0,
        "output_tokens": usage.completion_tokens if usage else 0,
        "total_tokens": usage.total_tokens if usage else 0,
    }
    return AIMessage(content=content, usage_metadata=metadata)


def usage_of(raw: AIMessage) -> Usage:
    metadata = getattr(raw, "usage_metadata", None) or {}
    details = metadata.get("input_token_details") or {}
    return Usage(
        int(metadata.get("input_tokens") or 0),
        int(metadata.get("output_tokens") or 0),
        int(details.get("cache_read") or 0),
    )


def text_of(raw: AIMessage) -> str:
    content = raw.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)


def provider_error(error: openai.APIError, settings: ProviderSettings) -> ProviderError:
    """The SDK's exception in words a researcher can act on."""
    where = settings.base_url or settings.azure_endpoint or "the OpenAI API"
    status = getattr(error, "status_code", None)
    message = _error_message(error)
    if isinstance(error, openai.APITimeoutError):
        return ProviderTimeoutError(
            f"{where} did not answer within {settings.request_timeout:g} seconds. It may be overloaded; "
            "raise the request timeout for slow local models."
        )
    if isinstance(error, openai.APIConnectionError):
        return ProviderUnreachableError(
            f"Cannot reach {where}. Check the address, that the server is running, and the network."
        )
    if status in (401, 403):
        return ProviderAuthError(
            f"{where} refused the API key ({message}). Check the key in Settings > API Keys "
            "(or OPENAI_API_KEY for headless runs)."
        )
    if status == 404:
        return ModelNotFoundError(
            f"{where} has no model named '{settings.model}' ({message}). Check the model name in the provider "
            "settings."
        )
    if status == 429:
        return RateLimitedError(
            f"{where} is rate limiting the requests ({message}).", retry_after=_retry_after(error)
        )
    if status == 408:
        return ProviderTimeoutError(f"{where} timed out on the request ({message}).")
    lowered = message.lower()
    # A refused form is refused every time: no retry. Some servers answer it with a 500 (llama-cpp-python
    # turns its request validation error into one), so a 5xx counts when it names response_format.
    words = REFUSAL_WORDS if status is not None and status < 500 else REFUSAL_WORDS[:1]
    if any(word in lowered for word in words):
        return StructuredOutputUnsupportedError(
            f"{where} refused structured output as {FORM_WORDS[settings.output_form]} ({status}: "
            f"{_brief(message)}). "
            "Run `coderai provider test` (or Test connection in the provider settings) so the app finds the "
            "form this server supports; runs then use it."
        )
    if status is None or status == 409 or status >= 500:
        return ProviderServerError(
            f"{where} failed ({status or 'bad answer'}: {message}). It may be overloaded or down; try again later."
        )
    if "context" in lowered and ("length" in lowered or "window" in lowered):
        return ContextTooLongError(
            f"The prompt is longer than the model's context ({message}). Lower the context setting of the provider "
            "so documents are cut into smaller chunks."
        )
    return ProviderRequestError(f"{where} refused the request ({status}: {message}).")


def _error_message(error: openai.APIError) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if detail := body.get("detail"):  # a FastAPI server's request validation error (HTTP 422)
            return _validation_detail(detail)
    return str(getattr(error, "message", "") or error)


def _brief(message: str, limit: int = 300) -> str:
    """A server's message on one line, cut short: llama-cpp-python's refusal is a multi-line validation dump
    with a traceback."""
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _validation_detail(detail: Any) -> str:
    """FastAPI's [{"loc": ["body", "response_format", "type"], "msg": "..."}] as "response_format.type: ..."."""
    if not isinstance(detail, list):
        return str(detail)
    parts = []
    for item in detail:
        if isinstance(item, dict):
            where = ".".join(str(part) for part in item.get("loc", []) if part != "body")
            parts.append(f"{where}: {item.get('msg', '')}" if where else str(item.get("msg", "")))
    return "; ".join(parts) or str(detail)


def _retry_after(error: openai.APIError) -> float | None:
    response = getattr(error, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    try:
        return float(header) if header is not None else None
    except ValueError:
        return None


def answer_data(text: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The answer's JSON object, if it answers at least one of the schema's properties (an answer that
    gives some but not all is kept: the missing variables are reported as unanswered). Live and batch
    answers alike."""
    data = _tolerant_json(text)
    required = schema.get("required") or []
    if data is None or (required and not any(key in data for key in required)):
        return None
    return data


def _tolerant_json(text: str) -> dict[str, Any] | None:
    """The JSON object in an answer that wraps it in prose or code fences, if there is a whole one."""
    cleaned = _FENCE.sub("", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start == -1 or end <= start:
        return None
    try:
        value = json.loads(cleaned[start : end + 1])
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
