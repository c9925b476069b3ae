"""To a server whose chat template drops system messages, the system prompt opens the first user message:
the model still reads the rules and the codebook, and what the calls of a plan share still comes first."""

from __future__ import annotations

from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.llm.prompts import as_sent, extraction_plans, messages
from tests.fakes.openai_server import FakeOpenAI
from tests.unit.llm.http_client import DOCUMENT, EXPECTED, PLAN, ask, call_messages, client_for
from tests.unit.llm.specs import context, many


def test_the_system_prompt_opens_the_instruction_message() -> None:
    call = call_messages()

    sent = as_sent(call, keep_system=False)

    assert [message["role"] for message in sent] == ["user", "user"]
    assert sent[0]["content"] == f"{PLAN.system_prompt}\n\n{PLAN.instruction}"
    assert sent[1] == call[2], "the document message is unchanged"
    assert as_sent(call, keep_system=True) == call


def test_the_calls_of_a_plan_still_share_their_start() -> None:
    plans = extraction_plans(context(), many(45), ExtractionMode.GROUPED)

    sent = [
        as_sent(messages(plan, text), keep_system=False) for plan in plans for text in (DOCUMENT, "Other.")
    ]

    assert all(sent[at][0] == sent[at + 1][0] for at in range(0, len(sent), 2))  # the plan's prefix
    assert all(call[0]["content"].startswith(plans[0].system_prompt) for call in sent)
    assert len({call[0]["content"] for call in sent}) == len(plans)


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
    assert request["messages"][0]["content"] == f"{PLAN.system_prompt}\n\n{PLAN.instruction}"


async def test_otherwise_the_system_prompt_is_a_system_message(server: FakeOpenAI) -> None:
    await ask(client_for(server, system_messages=None))
    await ask(client_for(server, system_messages=True))

    for request in server.requests:
        assert request["messages"][0] == {"role": "system", "content": PLAN.system_prompt}
