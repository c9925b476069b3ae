"""'Test connection': what works and what does not, in plain words, before a run spends anything."""

from __future__ import annotations

from dataclasses import dataclass

from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.llm.client import LLMClient
from coderai_desktop.llm.errors import (
    InvalidAnswerError,
    ModelNotFoundError,
    ProviderError,
    StructuredOutputUnsupportedError,
)
from coderai_desktop.llm.factory import chat_model
from coderai_desktop.llm.prompts import schema_in_prompt
from coderai_desktop.llm.resilience import CircuitBreaker

PROBE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ok"],
    "properties": {"ok": {"type": "boolean"}},
}
PROBE = 'Answer with the JSON object {"ok": true}.'

# Failures that prove the server is reachable and the key valid.
ANSWERED = (ModelNotFoundError, StructuredOutputUnsupportedError, InvalidAnswerError)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str


async def test_connection(settings: ProviderSettings, api_key: str | None) -> list[Check]:
    """One small structured call: it proves the server, the key, the model and structured output."""
    try:
        client = LLMClient(
            chat_model(settings, api_key), settings, retry_delay=0.0, breaker=CircuitBreaker(threshold=1000)
        )
        probe = PROBE if settings.uses_strict_schema else PROBE + schema_in_prompt(PROBE_SCHEMA)
        result = await client.structured(
            [{"role": "user", "content": probe}], PROBE_SCHEMA, temperature=0.0, max_tokens=20
        )
    except ProviderError as error:
        failed = Check(type(error).__name__, False, str(error))
        if isinstance(error, ANSWERED):
            return [Check("server", True, "The server answered and accepted the key."), failed]
        return [failed]
    mode = "strict JSON schema" if settings.uses_strict_schema else "JSON mode"
    checks = [
        Check("server", True, f"The server answered as model '{settings.model}', with the key given."),
        Check("structured output", bool(result.data), f"Structured answers work ({mode})."),
    ]
    if result.repaired:
        checks.append(
            Check("answers", False, "The first answer was not valid JSON: expect slower, costlier runs.")
        )
    return checks
