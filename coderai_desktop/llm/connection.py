"""'Test connection': what works and what does not, in plain words, before a run spends anything.

For a compatible server it also finds the strongest structured-output form the server follows: strict JSON
schema, a JSON object constrained by a schema (llama.cpp), JSON mode, or instructions alone. Each probe is
one tiny call; the first form whose answer is valid for the probe schema wins. One more tiny call, with a
system message of known size, finds whether the server's chat template keeps system messages: from the
prompt tokens the server reports reading, not from anything the model answers.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, fields
from typing import Any

import jsonschema

from coderai_desktop.domain.provider import FORM_WORDS, ProviderKind, ProviderSettings, StructuredOutput
from coderai_desktop.llm.client import CallResult, LLMClient
from coderai_desktop.llm.errors import (
    InvalidAnswerError,
    ModelNotFoundError,
    ProviderError,
    ProviderRequestError,
    StructuredOutputUnsupportedError,
)
from coderai_desktop.llm.factory import chat_model
from coderai_desktop.llm.prompts import schema_in_prompt
from coderai_desktop.llm.resilience import CircuitBreaker
from coderai_desktop.text_tokens import estimate_tokens

logger = logging.getLogger(__name__)

# The right answer is a value the question asks for: an echo of the schema (as small models write when
# nothing constrains them) is not valid for it.
PROBE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["colour"],
    "properties": {"colour": {"type": "string", "enum": ["green"]}},
}
PROBE = 'What colour is grass? Answer with the JSON object {"colour": "green"}.'
PROBE_TOKENS = 40
# A system message of known size (about 280 tokens), inert whatever the model makes of it.
SYSTEM_PROBE = "\n".join(f"Rule {number}: answer only with JSON." for number in range(1, 37))
# A server that reports reading fewer tokens than this share of the system message's has dropped it.
SYSTEM_READ_RATIO = 0.5
UNCHECKED = "Whether system messages reach the model could not be checked: they are sent as system messages."

# Failures that prove the server is reachable and the key valid.
ANSWERED = (ModelNotFoundError, StructuredOutputUnsupportedError, InvalidAnswerError)
# Failures of one form: the next, weaker form may work.
FORM_FAILED = (StructuredOutputUnsupportedError, ProviderRequestError, InvalidAnswerError)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str


@dataclass(frozen=True)
class FoundSettings:
    """What the test found a compatible server takes, as the provider settings of the same names."""

    structured_output: StructuredOutput  # the strongest form it answered in
    system_messages: bool | None  # whether its chat template keeps them; None: it could not be checked

    def as_settings(self) -> dict[str, Any]:
        return asdict(self)


# The settings a test finds: what was found for one server or model does not hold for another.
FOUND_FIELDS = frozenset(field.name for field in fields(FoundSettings))


@dataclass(frozen=True)
class ConnectionReport:
    checks: list[Check]
    # None when nothing was probed (OpenAI, Azure) or no form worked.
    found: FoundSettings | None = None

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


class _WrongAnswer(Exception):
    """The server answered in this form, but not with a value valid for the probe schema."""


async def test_connection(settings: ProviderSettings, api_key: str | None) -> ConnectionReport:
    """OpenAI and Azure: one small call in the form in force. Compatible servers: the forms strongest first,
    stopping at the first that works, then whether system messages reach the model."""
    probing = settings.kind is ProviderKind.COMPATIBLE
    forms = list(StructuredOutput) if probing else [settings.output_form]
    missed: list[str] = []
    error: ProviderError | None = None
    for form in forms:
        trial = settings.model_copy(update={"structured_output": form})
        try:
            result = await _probe(trial, api_key)
        except _WrongAnswer as wrong:
            logger.info("Probe of %s: %s", form.value, wrong)
            missed.append(f"{FORM_WORDS[form]} gave an answer that did not match the schema")
            continue
        except FORM_FAILED as failed:
            logger.info("Probe of %s failed: %s", form.value, failed)
            missed.append(f"{FORM_WORDS[form]} {_why(failed)}")
            error = failed
            continue
        except ProviderError as failed:
            return ConnectionReport(_failure(failed))
        checks = _success(trial, result, missed, probing)
        if not probing:
            return ConnectionReport(checks)
        system_messages, said = await _system_messages(trial, api_key)
        return ConnectionReport(
            [*checks, Check("system messages", True, said)], FoundSettings(form, system_messages)
        )
    if error is not None and not probing:
        return ConnectionReport(_failure(error))
    return ConnectionReport(
        [
            Check("server", True, "The server answered and accepted the key."),
            Check(
                "structured output",
                False,
                f"No structured-output form worked ({'; '.join(missed)}). Try another model or server.",
            ),
        ]
    )


def _client(settings: ProviderSettings, api_key: str | None) -> LLMClient:
    return LLMClient(
        chat_model(settings, api_key), settings, retry_delay=0.0, breaker=CircuitBreaker(threshold=1000)
    )


async def _probe(settings: ProviderSettings, api_key: str | None) -> CallResult:
    probe = PROBE if settings.uses_strict_schema else PROBE + schema_in_prompt(PROBE_SCHEMA)
    result = await _client(settings, api_key).structured(
        [{"role": "user", "content": probe}], PROBE_SCHEMA, temperature=0.0, max_tokens=PROBE_TOKENS
    )
    try:
        jsonschema.validate(result.data, PROBE_SCHEMA)
    except jsonschema.ValidationError as invalid:
        raise _WrongAnswer(f"{result.raw[:200]!r}: {invalid.message}") from None
    return result


async def _system_messages(settings: ProviderSettings, api_key: str | None) -> tuple[bool | None, str]:
    """Whether the server keeps system messages (None: it cannot be told), and that in words."""
    call = [{"role": "system", "content": SYSTEM_PROBE}, {"role": "user", "content": PROBE}]
    as_system = settings.model_copy(update={"system_messages": True})  # whatever an earlier test found
    try:
        read = await _client(as_system, api_key).prompt_tokens(call, PROBE_SCHEMA, max_tokens=PROBE_TOKENS)
    except ProviderError as error:
        logger.info("Probe of system messages failed: %s", error)
        return None, f"{UNCHECKED} {error}"
    if not read:
        return None, f"{UNCHECKED} The server reports no token counts."
    logger.info("Probe of system messages: %s prompt tokens read", read)
    if read < SYSTEM_READ_RATIO * estimate_tokens(SYSTEM_PROBE):
        return False, (
            "This server's chat template drops system messages: the instructions will be sent in the user "
            "message."
        )
    return True, "System messages reach the model."


def _why(error: ProviderError) -> str:
    if isinstance(error, StructuredOutputUnsupportedError):
        return "was refused"
    if isinstance(error, InvalidAnswerError):
        return "gave no usable JSON answer"
    return f"failed ({error})"


def _failure(error: ProviderError) -> list[Check]:
    failed = Check(type(error).__name__, False, str(error))
    if isinstance(error, ANSWERED):
        return [Check("server", True, "The server answered and accepted the key."), failed]
    return [failed]


def _success(settings: ProviderSettings, result: CallResult, missed: list[str], probing: bool) -> list[Check]:
    form = settings.output_form
    if probing:
        said = f"This server accepts {FORM_WORDS[form]}; runs will use it."
        if missed:
            said += f" (Not usable: {'; '.join(missed)}.)"
    else:
        said = f"Structured answers work, as {FORM_WORDS[form]}."
    checks = [
        Check("server", True, f"The server answered as model '{settings.model}', with the key given."),
        Check("structured output", True, said),
    ]
    if result.repaired:
        checks.append(
            Check("answers", False, "The first answer was not valid JSON: expect slower, costlier runs.")
        )
    return checks
