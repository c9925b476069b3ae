"""The fake OpenAI-compatible server, driven the way the app drives a real one: the openai SDK and LangChain."""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from langchain_openai import ChatOpenAI

from tests.fakes.openai_server import FakeOpenAI, default_responder, document_of, schema_of

SYSTEM = "You code documents for a research project."
DOCUMENT = "Report of the year\nAge: 42\nCountry: france\nFunded: Oui\nScore: 3.5\nTopic: trade\nTopic: tax"


def variable(value: dict) -> dict:
    """A codebook variable as the app's schema spells it: value, confidence and evidence."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["value", "confidence", "evidence"],
        "properties": {
            "value": value,
            "confidence": {"type": "number"},
            "evidence": {"type": ["string", "null"]},
        },
    }


def schema(**variables: dict) -> dict:
    properties = {name: variable(value) for name, value in variables.items()}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(variables),
        "properties": properties,
    }


def json_schema_format(json_schema: dict) -> dict:
    return {
        "type": "json_schema",
        "json_schema": {"name": "extraction", "strict": True, "schema": json_schema},
    }


def messages(document: str = DOCUMENT, last: str | None = None) -> list[dict[str, str]]:
    conversation = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"<document>\n{document}\n</document>"},
    ]
    if last is not None:
        conversation.append({"role": "user", "content": last})
    return conversation


AGE = schema(age={"type": ["integer", "null"]})


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def client(server: FakeOpenAI, **options: Any) -> openai.OpenAI:
    options = {"api_key": "sk-test", "timeout": 5.0, **options}
    return openai.OpenAI(base_url=server.base_url, max_retries=0, **options)


def ask(server: FakeOpenAI, json_schema: dict = AGE, **options: Any) -> Any:
    """One structured chat request through the SDK, in json_schema mode."""
    options = {
        "model": "fake-model",
        "messages": messages(),
        "response_format": json_schema_format(json_schema),
    } | options
    return client(server).chat.completions.create(**options)


def raw_post(server: FakeOpenAI, data: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    """A request the SDK would never send, through urllib."""
    request = urllib.request.Request(f"{server.base_url}/chat/completions", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


# --- Protocol and errors -------------------------------------------------------------------------------


def test_wrong_api_key_is_a_401_the_sdk_recognises(server: FakeOpenAI) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        client(server, api_key="sk-wrong-key-1234").models.list()
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert caught.value.body["message"].startswith("Incorrect API key provided: sk-****1234.")


def test_missing_api_key_is_a_401_too(server: FakeOpenAI) -> None:
    body = json.dumps({"model": "fake-model", "messages": messages()}).encode()
    status, answer = raw_post(server, body, {"Content-Type": "application/json"})
    assert status == 401
    assert answer["error"]["code"] == "invalid_api_key"


def test_unknown_model_is_a_404_model_not_found(server: FakeOpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        ask(server, model="gpt-nope")
    assert caught.value.code == "model_not_found"
    assert (
        caught.value.body["message"] == "The model `gpt-nope` does not exist or you do not have access to it."
    )


def test_models_are_listed() -> None:
    with FakeOpenAI(models=("small", "large")) as server:
        assert [model.id for model in client(server).models.list()] == ["small", "large"]


def test_a_body_that_is_not_json_is_a_400_and_the_server_carries_on(server: FakeOpenAI) -> None:
    headers = {"Authorization": "Bearer sk-test", "Content-Type": "application/json"}
    status, answer = raw_post(server, b"{not json", headers)
    assert status == 400
    assert answer["error"]["type"] == "invalid_request_error"
    assert server.requests == []
    assert json.loads(ask(server).choices[0].message.content)["age"]["value"] == 42


def test_a_structured_answer_has_the_openai_shape_and_usage(server: FakeOpenAI) -> None:
    completion = ask(server)
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == "fake-model"
    choice = completion.choices[0]
    assert (choice.finish_reason, choice.message.role) == ("stop", "assistant")
    answer = json.loads(choice.message.content)
    assert answer == {"age": {"value": 42, "confidence": 0.9, "evidence": "Age: 42"}}
    characters = len(SYSTEM) + len(f"<document>\n{DOCUMENT}\n</document>")
    usage = completion.usage
    assert usage.prompt_tokens == math.ceil(characters / 4)
    assert usage.completion_tokens == math.ceil(len(choice.message.content) / 4)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details.cached_tokens == 0


def test_langchain_structured_output_gets_the_parsed_answer_and_usage(server: FakeOpenAI) -> None:
    llm = ChatOpenAI(
        model="fake-model",
        base_url=server.base_url,
        api_key="sk-test",
        max_retries=0,
        use_responses_api=False,
    )
    titled = {"title": "Extraction", **schema(age={"type": ["integer", "null"]}, country={"type": "string"})}
    structured = llm.with_structured_output(titled, method="json_schema", strict=True, include_raw=True)
    result = structured.invoke([("system", SYSTEM), ("user", f"<document>\n{DOCUMENT}\n</document>")])
    assert result["parsing_error"] is None
    assert result["parsed"] == {
        "age": {"value": 42, "confidence": 0.9, "evidence": "Age: 42"},
        "country": {"value": "france", "confidence": 0.9, "evidence": "Country: france"},
    }
    usage = result["raw"].usage_metadata
    assert usage["input_tokens"] == math.ceil((len(SYSTEM) + len(f"<document>\n{DOCUMENT}\n</document>")) / 4)
    assert usage["output_tokens"] == math.ceil(len(result["raw"].content) / 4)
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    sent = server.requests[0]["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["name"] == "Extraction"
    assert sent["json_schema"]["strict"] is True


def test_json_schema_is_refused_without_structured_outputs_but_json_mode_works() -> None:
    with FakeOpenAI(structured_outputs=False) as server:
        with pytest.raises(openai.BadRequestError) as caught:
            ask(server)
        assert caught.value.body == {
            "message": "response_format 'json_schema' is not supported by this server",
            "type": "invalid_request_error",
            "param": "response_format",
            "code": None,
        }
        last = f"Answer in JSON.\n<json_schema>{json.dumps(AGE)}</json_schema>"
        completion = ask(server, messages=messages(last=last), response_format={"type": "json_object"})
        assert json.loads(completion.choices[0].message.content)["age"]["value"] == 42
        plain = client(server).chat.completions.create(model="fake-model", messages=messages(last=last))
        assert json.loads(plain.choices[0].message.content)["age"]["value"] == 42


# --- Scripted faults -----------------------------------------------------------------------------------


def test_a_429_carries_retry_after_and_only_the_next_request_fails(server: FakeOpenAI) -> None:
    server.fail_next(429, retry_after=2)
    with pytest.raises(openai.RateLimitError) as caught:
        ask(server)
    assert caught.value.response.headers["retry-after"] == "2"
    assert caught.value.code == "rate_limit_exceeded"
    assert ask(server).choices[0].finish_reason == "stop"


def test_500_as_many_times_as_scripted(server: FakeOpenAI) -> None:
    server.fail_next(500, times=2, message="boom")
    for _ in range(2):
        with pytest.raises(openai.InternalServerError, match="boom"):
            ask(server)
    assert ask(server).choices[0].finish_reason == "stop"
    assert len(server.requests) == 3


def test_a_malformed_body_makes_the_sdk_raise(server: FakeOpenAI) -> None:
    server.malformed_next()
    with pytest.raises((json.JSONDecodeError, openai.APIError)):
        ask(server)
    assert ask(server).choices[0].finish_reason == "stop"


def test_truncated_content_is_half_the_answer_and_invalid_json(server: FakeOpenAI) -> None:
    whole = ask(server).choices[0].message.content
    server.truncated_next()
    choice = ask(server).choices[0]
    assert choice.finish_reason == "length"
    assert choice.message.content == whole[: len(whole) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(choice.message.content)


def test_langchain_turns_a_truncated_answer_into_length_finish_reason_error(server: FakeOpenAI) -> None:
    llm = ChatOpenAI(
        model="fake-model",
        base_url=server.base_url,
        api_key="sk-test",
        max_retries=0,
        use_responses_api=False,
    )
    structured = llm.with_structured_output({"title": "Age", **AGE}, method="json_schema", include_raw=True)
    server.truncated_next()
    with pytest.raises(openai.LengthFinishReasonError) as caught:
        structured.invoke(f"<document>\n{DOCUMENT}\n</document>")
    assert caught.value.completion.usage.completion_tokens > 0


def test_a_hang_times_out_the_client_and_the_server_stays_usable(server: FakeOpenAI) -> None:
    server.hang_next(10)
    started = time.perf_counter()
    with pytest.raises(openai.APITimeoutError):
        client(server, timeout=0.5).chat.completions.create(model="fake-model", messages=messages())
    assert time.perf_counter() - started < 2
    started = time.perf_counter()
    assert ask(server).choices[0].finish_reason == "stop"
    assert time.perf_counter() - started < 1


def test_latency_is_honoured_and_can_change_while_running() -> None:
    with FakeOpenAI(latency=0.3) as server:
        started = time.perf_counter()
        ask(server)
        assert 0.3 <= time.perf_counter() - started < 1.5
        server.latency = 0
        started = time.perf_counter()
        ask(server)
        assert time.perf_counter() - started < 0.25


async def test_concurrent_requests_are_answered_in_parallel() -> None:
    with FakeOpenAI(latency=0.2) as server:
        async_client = openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
        started = time.perf_counter()
        completions = await asyncio.gather(
            *(
                async_client.chat.completions.create(
                    model="fake-model",
                    messages=messages(document=f"Age: {age}"),
                    response_format=json_schema_format(AGE),
                )
                for age in range(10)
            )
        )
        elapsed = time.perf_counter() - started
        await async_client.close()
    assert elapsed < 1.0
    assert [json.loads(c.choices[0].message.content)["age"]["value"] for c in completions] == list(range(10))
    assert len(server.requests) == 10


def test_requests_are_recorded_and_reset_clears_them_and_the_faults(server: FakeOpenAI) -> None:
    ask(server, temperature=0.0)
    assert server.requests[0]["model"] == "fake-model"
    assert server.requests[0]["temperature"] == 0.0
    assert server.requests[0]["messages"] == messages()
    server.fail_next(500, times=3)
    server.hang_next(10)
    server.reset()
    assert server.requests == []
    assert ask(server).choices[0].finish_reason == "stop"


def test_stop_is_quick_even_while_a_request_hangs() -> None:
    server = FakeOpenAI().start()
    server.hang_next(30)
    errors: list[Exception] = []

    def call() -> None:
        try:
            client(server, timeout=30).chat.completions.create(model="fake-model", messages=messages())
        except Exception as error:
            errors.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 5
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.perf_counter()
    server.stop()
    assert time.perf_counter() - started < 1
    caller.join(timeout=2)
    assert not caller.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], openai.APIConnectionError)


def test_a_stopped_server_answers_no_one_not_even_on_a_kept_alive_connection() -> None:
    server = FakeOpenAI().start()
    sdk = client(server)
    assert sdk.models.list().data[0].id == "fake-model"  # leaves a keep-alive connection in the pool
    server.stop()
    with pytest.raises(openai.APIConnectionError):
        sdk.models.list()


# --- The default responder -----------------------------------------------------------------------------


def answer_of(completion: Any) -> dict:
    return json.loads(completion.choices[0].message.content)


def test_values_take_the_schema_type_and_missing_ones_are_null(server: FakeOpenAI) -> None:
    codebook = schema(
        age={"type": "integer"},
        score={"type": "number"},
        funded={"type": "boolean"},
        country={"anyOf": [{"type": "string", "enum": ["France", "Spain"]}, {"type": "null"}]},
        sector={"type": ["string", "null"]},
    )
    answer = answer_of(ask(server, codebook))
    assert answer["age"] == {"value": 42, "confidence": 0.9, "evidence": "Age: 42"}
    assert answer["score"]["value"] == 3.5
    assert answer["funded"] == {"value": True, "confidence": 0.9, "evidence": "Funded: Oui"}
    assert answer["country"]["value"] == "France"
    assert answer["sector"] == {"value": None, "confidence": 0.2, "evidence": None}


def test_array_values_take_every_matching_line(server: FakeOpenAI) -> None:
    item = {"type": "object", "properties": {"value": {"type": "string"}, "evidence": {"type": "string"}}}
    codebook = schema(
        topic={"type": "array", "items": item},
        tags={"type": "array", "items": {"type": "string"}},
        people={"type": "array", "items": {"type": "string"}},
    )
    answer = answer_of(ask(server, codebook, messages=messages(DOCUMENT + "\ntags: a\nTAGS: b")))
    assert answer["topic"]["value"] == [
        {"value": "trade", "evidence": "Topic: trade"},
        {"value": "tax", "evidence": "Topic: tax"},
    ]
    assert answer["topic"]["confidence"] == 0.9
    assert answer["tags"]["value"] == ["a", "b"]
    assert answer["people"] == {"value": [], "confidence": 0.2, "evidence": None}


def test_entity_mode_lists_the_entity_lines(server: FakeOpenAI) -> None:
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "evidence"],
        "properties": {"name": {"type": "string"}, "evidence": {"type": "string"}},
    }
    entities = {"type": "object", "properties": {"entities": {"type": "array", "items": item}}}
    document = "Minutes\nentity: Acme Corp\n[Acme Corp] revenue: 10\nentity: Globex"
    answer = answer_of(ask(server, entities, messages=messages(document)))
    assert answer == {
        "entities": [
            {"name": "Acme Corp", "evidence": "entity: Acme Corp"},
            {"name": "Globex", "evidence": "entity: Globex"},
        ]
    }


def test_per_entity_requests_read_the_entity_lines(server: FakeOpenAI) -> None:
    document = "entity: Acme\nentity: Globex\n[Acme] revenue: 10\n[Globex] revenue: 20\nrevenue: 99"
    codebook = schema(revenue={"type": ["number", "null"]})
    answer = answer_of(ask(server, codebook, messages=messages(document, last="Entity: Globex\nCode it.")))
    assert answer["revenue"] == {"value": 20, "confidence": 0.9, "evidence": "[Globex] revenue: 20"}
    assert answer_of(ask(server, codebook, messages=messages(document)))["revenue"]["value"] == 99


def test_a_custom_responder_replaces_the_default_and_its_failure_is_a_500() -> None:
    seen: list[tuple[dict | None, str | None]] = []

    def responder(request: dict) -> dict | str:
        seen.append((schema_of(request), document_of(request)))
        if document_of(request) == "fail":
            raise RuntimeError("responder bug")
        return "not JSON at all" if document_of(request) == "text" else default_responder(request)

    with FakeOpenAI(responder=responder) as server:
        assert answer_of(ask(server))["age"]["value"] == 42
        assert seen[0] == (AGE, DOCUMENT)
        assert ask(server, messages=messages("text")).choices[0].message.content == "not JSON at all"
        with pytest.raises(openai.InternalServerError, match="responder bug"):
            ask(server, messages=messages("fail"))


# --- Usage ---------------------------------------------------------------------------------------------


def test_prompt_tokens_can_be_overridden(server: FakeOpenAI) -> None:
    server.prompt_tokens = lambda request: 7
    usage = ask(server).usage
    assert usage.prompt_tokens == 7
    assert usage.total_tokens == 7 + usage.completion_tokens


def test_cached_tokens_count_the_prefix_shared_with_an_earlier_request(server: FakeOpenAI) -> None:
    first = ask(server, messages=messages(last="Code age."))
    assert first.usage.prompt_tokens_details.cached_tokens == 0
    second = ask(server, messages=messages(last="Now code age again, please."))
    shared = len(SYSTEM) + len(f"<document>\n{DOCUMENT}\n</document>")
    assert second.usage.prompt_tokens_details.cached_tokens == math.ceil(shared / 4)
    assert second.usage.prompt_tokens_details.cached_tokens < second.usage.prompt_tokens
    server.reset()
    assert ask(server, messages=messages(last="Code age.")).usage.prompt_tokens_details.cached_tokens == 0
