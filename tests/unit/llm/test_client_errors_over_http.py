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
from tests.fakes.openai_server import FakeOpenAI
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


async def test_a_server_without_json_schema_support_says_to_turn_strict_schema_off(
    server: FakeOpenAI,
) -> None:
    server.structured_outputs = False

    with pytest.raises(StructuredOutputUnsupportedError) as raised:
        await ask(client_for(server, strict_schema=True))

    assert "does not support JSON-schema structured output" in str(raised.value)
    assert "Turn strict schema off in the provider settings" in str(raised.value)
    # ...and with strict schema off, the same server answers in JSON mode.
    assert (await ask(client_for(server, strict_schema=False))).data == EXPECTED


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
