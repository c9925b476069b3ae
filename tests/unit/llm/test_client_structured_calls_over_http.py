"""LLMClient.structured over real HTTP: strict schema or JSON mode, usage, repairs of unusable answers."""

from __future__ import annotations

import json

import pytest

from coderai_desktop.llm.errors import InvalidAnswerError, PromptTruncatedError
from tests.fakes.openai_server import FakeOpenAI, default_responder
from tests.unit.llm.clock import FakeClock
from tests.unit.llm.http_client import EXPECTED, PLAN, ask, client_for


async def test_strict_mode_sends_the_schema_and_returns_the_answer_with_its_usage(server: FakeOpenAI) -> None:
    result = await ask(client_for(server))

    assert result.data == EXPECTED
    assert json.loads(result.raw) == EXPECTED
    assert result.repaired is False
    assert result.usage.input_tokens > 0 and result.usage.output_tokens > 0
    (request,) = server.requests
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["strict"] is True
    assert request["response_format"]["json_schema"]["schema"] == PLAN.schema
    assert request["temperature"] == 0.1
    assert request["max_completion_tokens"] == 300
    assert [message["role"] for message in request["messages"]] == ["system", "user", "user"]


async def test_json_mode_puts_the_schema_in_the_prompt(server: FakeOpenAI) -> None:
    result = await ask(client_for(server, strict_schema=False))

    assert result.data == EXPECTED
    (request,) = server.requests
    assert request["response_format"] == {"type": "json_object"}
    assert "<json_schema>" in request["messages"][1]["content"]  # in the prefix every call shares


async def test_a_json_answer_wrapped_in_prose_and_fences_is_read(server: FakeOpenAI) -> None:
    server.responder = lambda request: (
        "Sure! Here is the coding:\n```json\n"
        + json.dumps(default_responder(request))
        + "\n```\nHope it helps."
    )

    result = await ask(client_for(server, strict_schema=False))

    assert result.data == EXPECTED
    assert result.repaired is False
    assert len(server.requests) == 1


async def test_the_shared_prefix_of_a_second_call_is_reported_as_cached(server: FakeOpenAI) -> None:
    client = client_for(server)
    await ask(client)

    second = await ask(client)

    assert 0 < second.usage.cached_tokens < second.usage.input_tokens


async def test_an_answer_that_is_not_json_gets_one_repair_request(server: FakeOpenAI) -> None:
    answers = iter(["I think the age is 42.", EXPECTED])
    server.responder = lambda request: next(answers)

    result = await ask(client_for(server, strict_schema=False))

    assert result.data == EXPECTED
    assert result.repaired is True
    first, repair = server.requests
    assert repair["messages"][:-2] == first["messages"]
    assert repair["messages"][-2] == {"role": "assistant", "content": "I think the age is 42."}
    assert "not one complete JSON object" in repair["messages"][-1]["content"]


async def test_an_answer_cut_at_max_tokens_is_asked_again_with_more_room(server: FakeOpenAI) -> None:
    server.truncated_next()

    result = await ask(client_for(server), max_tokens=300)

    assert result.data == EXPECTED
    assert result.repaired is True
    assert [request["max_completion_tokens"] for request in server.requests] == [300, 600]
    cut = server.requests[1]["messages"][-2]
    assert cut["role"] == "assistant" and not cut["content"].endswith("}")


async def test_usage_of_the_repair_is_added_to_the_first_call(server: FakeOpenAI) -> None:
    plain = await ask(client_for(server))
    server.truncated_next()

    repaired = await ask(client_for(server))

    assert repaired.usage.input_tokens > plain.usage.input_tokens
    assert repaired.usage.output_tokens > plain.usage.output_tokens


async def test_an_answer_still_unusable_after_the_repair_is_a_clear_error_and_not_retried(
    server: FakeOpenAI,
) -> None:
    server.truncated_next(times=2)
    clock = FakeClock()

    with pytest.raises(InvalidAnswerError) as raised:
        await ask(client_for(server, clock))

    assert str(raised.value) == (
        "The model's answer was not valid JSON, even after asking again. Try another model, or a provider with "
        "structured output."
    )
    assert len(server.requests) == 2
    assert clock.sleeps == []


async def test_an_answer_with_none_of_the_variables_is_repaired(server: FakeOpenAI) -> None:
    answers = iter([{"result": "nothing"}, EXPECTED])
    server.responder = lambda request: next(answers)

    result = await ask(client_for(server, strict_schema=False))

    assert result.repaired is True
    assert result.data == EXPECTED


async def test_a_server_that_reads_far_fewer_tokens_than_sent_has_cut_the_document(
    server: FakeOpenAI,
) -> None:
    server.prompt_tokens = lambda request: 300
    long_document = "Age: 42\nCountry: France\n" + "Background of the interview. " * 600

    with pytest.raises(PromptTruncatedError) as raised:
        await ask(client_for(server), long_document)

    message = str(raised.value)
    assert message.startswith("The server read 300 prompt tokens of about ")
    assert "num_ctx" in message and "context setting of the provider" in message


async def test_a_short_prompt_is_never_taken_for_a_cut_one(server: FakeOpenAI) -> None:
    server.prompt_tokens = lambda request: 1

    result = await ask(client_for(server))

    assert result.data == EXPECTED
