"""To a server whose chat template drops system messages, the system prompt opens the first user message:
the model still reads the rules and the codebook, and what the calls of a document share still comes first."""

from __future__ import annotations

from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.llm.prompts import as_sent, extraction_plans, messages
from tests.fakes.openai_server import FakeOpenAI
from tests.unit.llm.http_client import DOCUMENT, EXPECTED, PLAN, ask, call_messages, client_for
from tests.unit.llm.specs import context, many


def test_the_system_prompt_opens_the_document_message() -> None:
    call = call_messages()

    sent = as_sent(call, keep_system=False)

    assert [message["role"] for message in sent] == ["user", "user"]
    assert sent[0]["content"] == f"{PLAN.system_prompt}\n\n<document>\n{DOCUMENT}\n</document>"
    assert sent[1] == call[2], "the instruction is unchanged"
    assert as_sent(call, keep_system=True) == call


def test_the_calls_of_a_document_still_share_their_start() -> None:
    plans = extraction_plans(context(), many(45), ExtractionMode.GROUPED)

    sent = [as_sent(messages(plan, DOCUMENT), keep_system=False) for plan in plans]

    assert all(call[0] == sent[0][0] for call in sent)
    assert len({call[1]["content"] for call in sent}) == len(plans)


def test_a_repair_conversation_keeps_its_order() -> None:
    call = [
        *call_messages(),
        {"role": "assistant", "content": "{"},
        {"role": "user", "content": "Answer again with JSON only."},
    ]

    sent = as_sent(call, keep_system=False)

    assert [message["role"] for message in sent] == ["user", "user", "assistant", "user"]
    assert sent[0]["content"].startswith(PLAN.system_prompt) and sent[1:] == call[2:]


async def test_the_client_sends_it_so_when_the_server_drops_system_messages(server: FakeOpenAI) -> None:
    result = await ask(client_for(server, system_messages=False))

    assert result.data == EXPECTED
    [request] = server.requests
    assert [message["role"] for message in request["messages"]] == ["user", "user"]
    assert request["messages"][0]["content"].startswith(f"{PLAN.system_prompt}\n\n<document>")


async def test_otherwise_the_system_prompt_is_a_system_message(server: FakeOpenAI) -> None:
    await ask(client_for(server, system_messages=None))
    await ask(client_for(server, system_messages=True))

    for request in server.requests:
        assert request["messages"][0] == {"role": "system", "content": PLAN.system_prompt}
