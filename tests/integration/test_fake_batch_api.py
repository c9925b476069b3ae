"""The fake server's Batch API, driven by the app's BatchAPI (the openai SDK) over real HTTP: lines answered
as the chat route answers them, injected failures in the error file, expiry, cancel, and input files
refused line by line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.provider import ProviderKind, ProviderSettings
from coderai_desktop.llm.batch_api import BatchAPI, call_result, custom_id, request_body
from tests.fakes.openai_server import FakeOpenAI

SCHEMA = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "object", "properties": {"value": {}, "confidence": {}, "evidence": {}}}
    },
}


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def settings(server: FakeOpenAI) -> ProviderSettings:
    return ProviderSettings(kind=ProviderKind.OPENAI, base_url=server.base_url, model="fake-model")


def lines(api: BatchAPI, server: FakeOpenAI, titles: list[str]) -> tuple[bytes, list[str]]:
    keys, content = [], b""
    for title in titles:
        messages = [{"role": "user", "content": f"<document>\ntitle: {title}\n</document>"}]
        body = request_body(settings(server), messages, SCHEMA, temperature=0.1, max_tokens=200)
        keys.append(custom_id(body))
        content += api.line(keys[-1], body)
    return content, keys


async def test_a_batch_answers_each_line_as_the_chat_route_does(server: FakeOpenAI) -> None:
    api = BatchAPI(settings(server), "sk-test")
    content, keys = lines(api, server, ["Green plan", "Blue plan"])
    server.batches.hold = True
    started = await api.submit(content, "m")
    assert (started.status, started.finished) == ("in_progress", False)
    assert (await api.retrieve(started.id)).status == "in_progress"

    server.batches.finish(started.id)
    done = await api.retrieve(started.id)

    assert (done.status, done.completed, done.failed, done.error_file_id) == ("completed", 2, 0, None)
    assert done.output_file_id is not None
    answers = {line["custom_id"]: line["response"]["body"] for line in await api.results(done.output_file_id)}
    assert set(answers) == set(keys)
    results = [call_result(answers[key], SCHEMA) for key in keys]
    assert [result.data["title"]["value"] for result in results if result] == ["Green plan", "Blue plan"]
    assert all(result and result.usage.input_tokens > 0 for result in results)
    assert server.requests == [], "batch lines are not chat requests"
    await api.close()


async def test_failed_lines_go_to_the_error_file_and_an_expired_batch_answers_half(
    server: FakeOpenAI,
) -> None:
    api = BatchAPI(settings(server), "sk-test")
    content, keys = lines(api, server, ["A", "B", "C", "D"])
    server.batches.fail_lines(1)
    failing = await api.retrieve((await api.submit(content, "m")).id)
    server.batches.expire_next()
    expired = await api.retrieve((await api.submit(content, "m")).id)

    assert (failing.status, failing.completed, failing.failed) == ("completed", 3, 1)
    assert failing.error_file_id is not None
    [error] = await api.results(failing.error_file_id)
    assert (error["custom_id"], error["response"]["status_code"]) == (keys[0], 500)
    assert (expired.status, expired.completed) == ("expired", 2)
    assert expired.error_file_id is not None
    codes = [line["error"]["code"] for line in await api.results(expired.error_file_id)]
    assert codes == ["batch_expired", "batch_expired"]
    await api.close()


async def test_a_batch_is_found_again_by_its_marker_through_the_pages_of_the_list(server: FakeOpenAI) -> None:
    """What a restarted app does for a part it recorded but whose batch id it had no time to store."""
    api = BatchAPI(settings(server), "sk-test")
    content = lines(api, server, ["A"])[0]
    since = datetime.now(UTC)
    wanted = await api.submit(content, "job 1 part 1")
    for number in range(2, 104):  # more than a page of newer batches
        await api.submit(content, f"job 1 part {number}")

    found = await api.find("job 1 part 1", since)

    assert found is not None and found.id == wanted.id
    assert await api.find("job 1 part 999", since) is None
    assert await api.find("job 1 part 1", since + timedelta(hours=2)) is None, (
        "older batches are not searched"
    )
    await api.close()


async def test_cancel_stops_a_batch_still_in_progress(server: FakeOpenAI) -> None:
    api = BatchAPI(settings(server), "sk-test")
    server.batches.hold = True
    started = await api.submit(lines(api, server, ["A"])[0], "m")

    assert (await api.cancel(started.id)).status == "cancelling"
    assert (await api.retrieve(started.id)).status == "cancelled"
    assert server.batches.cancelled == [started.id]
    await api.close()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda line: {**line, "url": "/v1/embeddings"}, "Each line posts to /v1/chat/completions"),
        (lambda line: {**line, "custom_id": ""}, "custom_id must be a non-empty string"),
        (lambda line: {**line, "body": {"messages": []}}, "body must be a chat completions request"),
    ],
)
async def test_an_input_file_with_a_bad_line_fails_the_batch_and_says_which(
    server: FakeOpenAI, change, said: str
) -> None:
    api = BatchAPI(settings(server), "sk-test")
    content, _keys = lines(api, server, ["A", "B"])
    first, second = content.decode().splitlines()
    bad = json.dumps(change(json.loads(second)))

    failed = await api.submit(f"{first}\n{bad}\n".encode(), "m")

    assert failed.status == "failed"
    assert failed.errors.startswith(f"line 2: {said}")
    await api.close()


async def test_duplicate_custom_ids_are_refused(server: FakeOpenAI) -> None:
    api = BatchAPI(settings(server), "sk-test")
    content, [key] = lines(api, server, ["A"])
    failed = await api.submit(content + content, "m")
    assert (failed.status, failed.errors) == ("failed", f"line 2: Duplicate custom_id {key}.")
    await api.close()


def test_a_compatible_server_has_no_batch_api(server: FakeOpenAI) -> None:
    local = ProviderSettings(kind=ProviderKind.COMPATIBLE, base_url=server.base_url, model="fake-model")
    with pytest.raises(InvalidInputError, match="no Batch API"):
        BatchAPI(local, None)
