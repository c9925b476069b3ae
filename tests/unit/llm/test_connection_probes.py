"""The connection test over real HTTP: a compatible server is probed form by form, strongest first, and
the first form whose answer is valid for the probe schema wins; OpenAI and Azure get one probe."""

from __future__ import annotations

import json

from coderai_desktop.domain.provider import StructuredOutput
from coderai_desktop.llm.connection import FoundSettings
from coderai_desktop.llm.connection import test_connection as probe  # not a test itself
from tests.fakes.openai_server import LLAMA_CPP, FakeOpenAI, schema_of
from tests.unit.llm.http_client import settings_for

DROPPED = (
    "This server's chat template drops system messages: the instructions will be sent in the user message."
)


def forms_sent(server: FakeOpenAI) -> list[str | None]:
    return [(request.get("response_format") or {}).get("type") for request in server.requests]


async def test_a_llama_cpp_server_is_found_to_take_a_json_object_with_a_schema(server: FakeOpenAI) -> None:
    server.dialect = LLAMA_CPP

    report = await probe(settings_for(server, structured_output=None), "sk-test")

    assert report.ok and report.found == FoundSettings(StructuredOutput.JSON_OBJECT_SCHEMA, False)
    assert report.checks[1].message == (
        "This server accepts a JSON object constrained by a schema (llama.cpp style); runs will use it. "
        "(Not usable: a strict JSON schema was refused.)"
    )
    assert report.checks[2].message == DROPPED
    assert forms_sent(server) == ["json_schema", "json_object", "json_object"], (
        "one call per form, none retried"
    )


async def test_a_server_with_strict_json_schema_needs_one_probe(server: FakeOpenAI) -> None:
    report = await probe(settings_for(server, structured_output="json_object"), "sk-test")

    assert report.found == FoundSettings(StructuredOutput.JSON_SCHEMA, True), "whatever was set before"
    assert report.checks[1].message == "This server accepts a strict JSON schema; runs will use it."
    assert report.checks[2].message == "System messages reach the model."
    assert forms_sent(server) == ["json_schema", "json_schema"]


async def test_an_echo_of_the_schema_is_not_a_pass(server: FakeOpenAI) -> None:
    """Unconstrained, a small model wrote the probe's schema back (or its property's): no form passes."""
    server.structured_outputs = False
    server.responder = lambda request: {"colour": (schema_of(request) or {})["properties"]["colour"]}

    report = await probe(settings_for(server, structured_output=None), "sk-test")

    assert not report.ok and report.found is None
    assert [check.ok for check in report.checks] == [True, False]
    assert report.checks[1].message.startswith(
        "No structured-output form worked (a strict JSON schema was refused; "
    )
    assert "a JSON object (JSON mode) gave an answer that did not match" in (report.checks[1].message)
    assert forms_sent(server) == ["json_schema", "json_object", "json_object", None]


async def test_a_whole_schema_echoed_is_not_usable_json_either(server: FakeOpenAI) -> None:
    server.responder = lambda request: json.dumps(schema_of(request))
    server.structured_outputs = False

    report = await probe(settings_for(server, structured_output=None), "sk-test")

    assert report.found is None
    assert "gave no usable JSON answer" in report.checks[1].message
    assert len(server.requests) == 1 + 3 * 2, "a refusal, then each weaker form and its one repair request"


async def test_openai_gets_one_probe_in_the_form_in_force(server: FakeOpenAI) -> None:
    report = await probe(settings_for(server, kind="openai", structured_output=None), "sk-test")

    assert report.ok and report.found is None, "nothing to find: OpenAI takes strict JSON schema"
    assert report.checks[1].message == "Structured answers work, as a strict JSON schema."
    assert forms_sent(server) == ["json_schema"]


async def test_a_refusal_from_openai_is_reported_not_worked_around(server: FakeOpenAI) -> None:
    server.structured_outputs = False

    report = await probe(settings_for(server, kind="openai", structured_output=None), "sk-test")

    assert [check.ok for check in report.checks] == [True, False]
    assert "refused structured output as a strict JSON schema" in report.checks[1].message
    assert len(server.requests) == 1


async def test_a_failure_no_form_can_fix_stops_the_probing(server: FakeOpenAI) -> None:
    report = await probe(settings_for(server, model="no-such-model", structured_output=None), "sk-test")

    assert [check.ok for check in report.checks] == [True, False]
    assert "no model named 'no-such-model'" in report.checks[1].message
    assert len(server.requests) == 1
