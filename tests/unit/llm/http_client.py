"""An LLMClient wired over real HTTP to the fake OpenAI-compatible server, with a FakeClock so nothing waits."""

from __future__ import annotations

from typing import Any

from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.provider import ExtractionMode, ProviderKind, ProviderSettings
from coderai_desktop.llm.client import LLMClient
from coderai_desktop.llm.factory import chat_model
from coderai_desktop.llm.prompts import CallPlan, extraction_plans, messages
from coderai_desktop.llm.resilience import CircuitBreaker
from tests.fakes.openai_server import FakeOpenAI
from tests.unit.llm.clock import FakeClock

VARIABLES = [
    VariableSpec(name="age", type="number", instructions="The age of the person."),
    VariableSpec(name="country", type="text", instructions="The country of residence."),
]
PLAN: CallPlan = extraction_plans(ProjectContext(name="Survey"), VARIABLES, ExtractionMode.GROUPED)[0]
DOCUMENT = "Interview 12\nAge: 42\nCountry: France"


def settings_for(server: FakeOpenAI, **fields: Any) -> ProviderSettings:
    values: dict[str, Any] = {
        "kind": ProviderKind.COMPATIBLE,
        "base_url": server.base_url,
        "model": "fake-model",
        "strict_schema": True,
        "request_timeout": 5.0,
        **fields,
    }
    return ProviderSettings(**values)


def client_for(
    server: FakeOpenAI,
    clock: FakeClock | None = None,
    *,
    key: str = "sk-test",
    threshold: int = 5,
    retry_delay: float = 1.0,
    **fields: Any,
) -> LLMClient:
    """A client of `server`; give it the `clock` whose sleeps a test checks."""
    clock = clock or FakeClock()
    settings = settings_for(server, **fields)
    breaker = CircuitBreaker(threshold=threshold, clock=clock)
    return LLMClient(
        chat_model(settings, key), settings, retry_delay=retry_delay, breaker=breaker, sleep=clock.sleep
    )


def call_messages(document: str = DOCUMENT, *, strict: bool = True) -> list[dict[str, str]]:
    return messages(PLAN, document, strict=strict)


async def ask(client: LLMClient, document: str = DOCUMENT, *, max_tokens: int = 300):
    strict = client.settings.uses_strict_schema
    return await client.structured(
        call_messages(document, strict=strict), PLAN.schema, temperature=0.1, max_tokens=max_tokens
    )


EXPECTED = {
    "age": {"value": 42, "confidence": 0.9, "evidence": "Age: 42"},
    "country": {"value": "France", "confidence": 0.9, "evidence": "Country: France"},
}
