"""LLMClient errors over real HTTP: what a researcher reads when the provider refuses, never the key."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.llm.errors import (
    ContextTooLongError,
    ModelNotFoundError,
    ProviderAuthError,
    ProviderRequestError,
    StructuredOutputUnsupportedError,
)
from tests.fakes.openai_server import LLAMA_CPP, FakeOpenAI
from tests.unit.llm.http_client import EXPECTED, ask, client_for

WRONG_KEY = "sk-wrong-key-0123456789"


async def test_a_refused_key_says_where_to_change_it_and_does_not_show_it(server: FakeOpenAI) -> None:
    with pytest.raises(ProviderAuthError) as raised:
        await ask(client_for(server, key=WRONG_KEY))

    message = str(raised.value)
    assert message.startswith(f"{server.base_url} refused the API key (Incorrect API key provided:")
    assert message.endswith("Check the key in Settings > API Keys (or OPENAI_API_KEY for headless runs).")
    assert WRONG_KEY not in message
    assert isinstance(raised.value, CoderAIError)  # shown as is by the GUI and the CLI


async def test_an_unknown_model_is_named(server: FakeOpenAI) -> None:
    with pytest.raises(ModelNotFoundError) as raised:
        await ask(client_for(server, model="llama-9000"))

    assert str(raised.value) == (
        f"{server.base_url} has no model named 'llama-9000' (The model `llama-9000` does not exist or you do not "
        "have access to it.). Check the model name in the provider settings."
    )


async def test_a_refused_structured_output_form_is_not_retried_and_says_to_run_provider_test(
    server: FakeOpenAI,
) -> None:
    server.dialect = LLAMA_CPP

    with pytest.raises(StructuredOutputUnsupportedError) as raised:
        await ask(client_for(server, structured_output="json_schema"))

    message = str(raised.value)
    assert message.startswith(
        f"{server.base_url} refused structured output as a strict JSON schema (500: 1 validation error: {{'type': "
        "'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or "
        "'json_object'\""
    )
    assert message.endswith(
        "…). Run `coderai provider test` (or Test connection in the provider settings) so the app finds the form "
        "this server supports; runs then use it."
    )
    assert "\n" not in message, "the server's validation dump and traceback on one line, cut short"
    assert len(server.requests) == 1, "refused once is refused every time: no retry"
    # ...and in the form it accepts, the same server answers.
    assert (await ask(client_for(server, structured_output="json_object_schema"))).data == EXPECTED


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "response_format 'json_schema' is not supported by this server"),
        (422, "Invalid schema for response_format 'coding': 'format' is not permitted"),
        (500, "1 validation error for CreateChatCompletionRequest response_format.type"),
    ],
    ids=["400", "422", "500 naming response_format"],
)
async def test_any_refusal_naming_the_response_format_is_not_retried(
    server: FakeOpenAI, status: int, message: str
) -> None:
    server.fail_next(status, message=message, times=6)

    with pytest.raises(StructuredOutputUnsupportedError, match="coderai provider test"):
        await ask(client_for(server))

    assert len(server.requests) == 1


async def test_a_prompt_over_the_context_says_to_lower_the_context_setting(server: FakeOpenAI) -> None:
    server.fail_next(
        400, message="This model's maximum context length is 8192 tokens. Please reduce the length."
    )

    with pytest.raises(ContextTooLongError) as raised:
        await ask(client_for(server))

    assert str(raised.value) == (
        "The prompt is longer than the model's context (This model's maximum context length is 8192 tokens. "
        "Please reduce the length.). Lower the context setting of the provider so documents are cut into "
        "smaller chunks."
    )


async def test_another_refusal_gives_the_status_and_the_servers_words(server: FakeOpenAI) -> None:
    server.fail_next(422, message="temperature must be at most 2")

    with pytest.raises(ProviderRequestError) as raised:
        await ask(client_for(server))

    assert str(raised.value) == f"{server.base_url} refused the request (422: temperature must be at most 2)."
