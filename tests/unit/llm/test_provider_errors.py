"""provider_error: the OpenAI SDK's exceptions, built as the SDK builds them, become actionable errors."""

from __future__ import annotations

from typing import Any

import httpx2
import openai
import pytest

from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.llm.client import provider_error
from coderai_desktop.llm.errors import (
    ContextTooLongError,
    ModelNotFoundError,
    ProviderAuthError,
    ProviderError,
    ProviderRequestError,
    ProviderServerError,
    ProviderTimeoutError,
    ProviderUnreachableError,
    RateLimitedError,
    StructuredOutputUnsupportedError,
)

URL = "https://api.openai.com/v1/chat/completions"
SETTINGS = ProviderSettings(model="gpt-4o-mini", request_timeout=90)


def request() -> httpx2.Request:
    return httpx2.Request("POST", URL)


def status_error(
    status: int, message: str, headers: dict[str, str] | None = None, kind: type = openai.APIStatusError
) -> openai.APIStatusError:
    """What the SDK raises for an HTTP error: 'Error code: N - {body}' with the decoded body."""
    body: dict[str, Any] = {"error": {"message": message, "type": "invalid_request_error", "code": None}}
    response = httpx2.Response(status, headers=headers or {}, json=body, request=request())
    error = kind(f"Error code: {status} - {body}", response=response, body=body)
    assert error.status_code == status
    return error


@pytest.mark.parametrize(
    ("error", "expected", "says"),
    [
        (status_error(401, "Incorrect API key provided", kind=openai.AuthenticationError),
         ProviderAuthError, ["refused the API key (Incorrect API key provided)", "Settings > API Keys"]),
        (status_error(403, "Project does not have access", kind=openai.PermissionDeniedError),
         ProviderAuthError, ["Project does not have access"]),
        (status_error(404, "The model does not exist", kind=openai.NotFoundError),
         ModelNotFoundError, ["no model named 'gpt-4o-mini'", "The model does not exist"]),
        (status_error(429, "Rate limit reached", kind=openai.RateLimitError),
         RateLimitedError, ["rate limiting", "Rate limit reached"]),
        (status_error(500, "The server had an error", kind=openai.InternalServerError),
         ProviderServerError, ["500", "The server had an error", "try again later"]),
        (status_error(503, "Overloaded", kind=openai.InternalServerError), ProviderServerError, ["503"]),
        (status_error(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported",
                      kind=openai.BadRequestError),
         StructuredOutputUnsupportedError, ["refused structured output as a strict JSON schema", "provider test"]),
        (status_error(500, "1 validation error: response_format.type should be 'text' or 'json_object'",
                      kind=openai.InternalServerError),
         StructuredOutputUnsupportedError, ["(500: 1 validation error: response_format.type"]),
        (status_error(422, "Unsupported JSON schema: 'format' is not permitted", kind=openai.UnprocessableEntityError),
         StructuredOutputUnsupportedError, ["(422: Unsupported JSON schema"]),
        (status_error(400, "This model's maximum context length is 8192 tokens. However, you requested 9000.",
                      kind=openai.BadRequestError),
         ContextTooLongError, ["longer than the model's context", "smaller chunks"]),
        (status_error(400, "Invalid value for 'temperature'", kind=openai.BadRequestError),
         ProviderRequestError, ["refused the request (400: Invalid value for 'temperature')"]),
        (openai.APITimeoutError(request=request()), ProviderTimeoutError, ["within 90 seconds"]),
        (openai.APIConnectionError(request=request()), ProviderUnreachableError, ["Cannot reach the OpenAI API"]),
    ],
    ids=["401", "403", "404", "429", "500", "503", "400 response_format", "500 response_format", "422 schema",
         "400 context", "400 other",
         "timeout", "connection"],
)  # fmt: skip
def test_sdk_errors_become_plain_messages(
    error: openai.APIError, expected: type[ProviderError], says: list[str]
) -> None:
    mapped = provider_error(error, SETTINGS)
    assert type(mapped) is expected
    for part in says:
        assert part in str(mapped)
    assert "Error code:" not in str(mapped)  # the provider's own words, not the SDK's dump of the body


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (status_error(401, "bad key"), False),
        (status_error(404, "no model"), False),
        (status_error(400, "bad request"), False),
        (status_error(408, "Request timed out"), True),
        (status_error(429, "slow down"), True),
        (status_error(502, "bad gateway"), True),
        (status_error(500, "response_format: Input should be 'text' or 'json_object'"), False),
        (
            status_error(503, "schema cache warming up"),
            True,
        ),  # a 5xx counts only when it names response_format
        (openai.APITimeoutError(request=request()), True),
        (openai.APIConnectionError(request=request()), True),
    ],
)
def test_only_what_waiting_can_fix_is_retryable(error: openai.APIError, retryable: bool) -> None:
    assert provider_error(error, SETTINGS).retryable is retryable


@pytest.mark.parametrize(("header", "retry_after"), [("7", 7.0), ("0.5", 0.5), (None, None), ("soon", None)])
def test_retry_after_comes_from_the_header(header: str | None, retry_after: float | None) -> None:
    headers = {"Retry-After": header} if header is not None else {}
    mapped = provider_error(status_error(429, "Rate limit reached", headers, openai.RateLimitError), SETTINGS)
    assert mapped.retry_after == retry_after


def test_a_compatible_server_is_named_by_its_address() -> None:
    local = ProviderSettings(kind="compatible", base_url="http://localhost:11434/v1", model="llama3")
    unreachable = provider_error(openai.APIConnectionError(request=request()), local)
    missing = provider_error(status_error(404, "model 'llama3' not found"), local)
    assert "Cannot reach http://localhost:11434/v1" in str(unreachable)
    assert "no model named 'llama3'" in str(missing)


def test_a_body_without_the_error_wrapper_still_gives_its_message() -> None:
    body = {"message": "context window exceeded: length 40000"}
    response = httpx2.Response(400, json=body, request=request())
    mapped = provider_error(openai.BadRequestError("Error code: 400", response=response, body=body), SETTINGS)
    assert isinstance(mapped, ContextTooLongError)
    assert "context window exceeded" in str(mapped)


def test_a_fastapi_validation_error_is_read_as_plain_words() -> None:
    """llama-cpp-python's server refuses a json_schema response_format with FastAPI's 422 body."""
    detail = [{"type": "literal_error", "loc": ["body", "response_format", "type"], "msg": "Input should be "
               "'text' or 'json_object'", "input": "json_schema"}]  # fmt: skip
    response = httpx2.Response(422, json={"detail": detail}, request=request())
    error = openai.UnprocessableEntityError("Error code: 422", response=response, body={"detail": detail})
    local = ProviderSettings(
        kind="compatible", base_url="http://127.0.0.1:8080/v1", structured_output="json_schema"
    )

    mapped = provider_error(error, local)

    assert isinstance(mapped, StructuredOutputUnsupportedError) and not mapped.retryable
    assert "(422: response_format.type: Input should be 'text' or 'json_object')" in str(mapped)
