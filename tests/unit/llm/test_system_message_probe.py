"""The connection test finds whether a compatible server's chat template keeps system messages, from the
prompt tokens the server reports for a system message of known size, never from what the model answers."""

from __future__ import annotations

import math

import pytest

from coderai_desktop.llm.connection import SYSTEM_PROBE, UNCHECKED
from coderai_desktop.llm.connection import test_connection as probe  # not a test itself
from coderai_desktop.text_tokens import estimate_tokens
from tests.fakes.openai_server import LLAMA_CPP, FakeOpenAI, default_responder
from tests.unit.llm.http_client import settings_for

HALF_THE_SYSTEM_PROBE = math.ceil(estimate_tokens(SYSTEM_PROBE) / 2)


def has_system_message(request: dict) -> bool:
    return any(message["role"] == "system" for message in request["messages"])


async def test_the_system_message_goes_in_one_more_call_of_the_form_found(server: FakeOpenAI) -> None:
    server.dialect = LLAMA_CPP

    report = await probe(settings_for(server, structured_output=None), "sk-test")

    assert report.found is not None and report.found.system_messages is False
    assert [check.name for check in report.checks] == ["server", "structured output", "system messages"]
    *probes, last = server.requests
    assert not any(has_system_message(request) for request in probes)
    assert last["messages"][0] == {"role": "system", "content": SYSTEM_PROBE}
    assert last["response_format"]["type"] == "json_object" and last["response_format"]["schema"]


@pytest.mark.parametrize(
    ("reported", "kept"), [(HALF_THE_SYSTEM_PROBE - 1, False), (HALF_THE_SYSTEM_PROBE, True)]
)
async def test_a_server_that_reads_less_than_half_the_system_message_dropped_it(
    server: FakeOpenAI, reported: int, kept: bool
) -> None:
    server.prompt_tokens = lambda request: reported if has_system_message(request) else 30

    report = await probe(settings_for(server, structured_output=None), "sk-test")

    assert report.ok and report.found is not None and report.found.system_messages is kept


async def test_what_the_model_answers_does_not_matter(server: FakeOpenAI) -> None:
    server.responder = lambda request: (
        "I will not." if has_system_message(request) else default_responder(request)
    )

    report = await probe(settings_for(server, structured_output=None), "sk-test")

    assert report.found is not None and report.found.system_messages is True
    assert len(server.requests) == 2, "the answer is neither parsed nor repaired"


async def test_a_server_that_reports_no_usage_leaves_it_unknown(server: FakeOpenAI) -> None:
    server.prompt_tokens = lambda request: 0

    report = await probe(settings_for(server, structured_output=None), "sk-test")

    assert report.ok and report.found is not None and report.found.system_messages is None
    assert report.checks[2].message == f"{UNCHECKED} The server reports no token counts."


async def test_a_failed_check_leaves_it_unknown_and_the_test_passed(server: FakeOpenAI) -> None:
    def responder(request: dict) -> dict:
        if has_system_message(request):
            raise RuntimeError("out of memory")
        return default_responder(request)

    server.responder = responder

    report = await probe(settings_for(server, structured_output=None), "sk-test")

    assert report.ok and report.found is not None and report.found.system_messages is None
    assert report.checks[2].message.startswith(UNCHECKED)
    assert "out of memory" in report.checks[2].message


async def test_what_an_earlier_test_found_does_not_hide_the_system_message(server: FakeOpenAI) -> None:
    report = await probe(settings_for(server, structured_output=None, system_messages=False), "sk-test")

    assert has_system_message(server.requests[-1])
    assert report.found is not None and report.found.system_messages is True
