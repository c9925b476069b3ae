"""A stand-in LLMClient answering like the fake OpenAI server ("NAME: VALUE" lines), without HTTP; records calls."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.llm.client import CallResult, Usage
from tests.fakes.openai_server import default_responder

USAGE = Usage(input_tokens=100, output_tokens=20, cached_tokens=40)


@dataclass(frozen=True)
class Call:
    messages: list[dict[str, str]]
    schema: dict[str, Any]
    temperature: float
    max_tokens: int
    model: str = ""

    @property
    def document(self) -> str:
        return self.messages[-1]["content"]

    @property
    def instruction(self) -> str:
        return self.messages[1]["content"]


class ScriptedClient:
    def __init__(
        self,
        *,
        strict: bool = True,
        drop: frozenset[str] = frozenset(),
        responder: Callable[[dict], dict] = default_responder,
    ):
        self.settings = ProviderSettings(strict_schema=strict)
        self.calls: list[Call] = []
        self._drop = drop  # variables the "model" leaves out of its answer
        self._responder = responder  # sees the request with its "model"

    def for_model(self, model: str | None) -> ScriptedClient:
        """This client for another model: its calls are recorded in the same list, with that model."""
        if model is None or model == self.settings.model:
            return self
        twin = copy.copy(self)
        twin.settings = self.settings.model_copy(update={"model": model})
        return twin

    async def structured(
        self, messages: list[dict[str, str]], schema: dict[str, Any], *, temperature: float, max_tokens: int
    ) -> CallResult:
        self.calls.append(Call(messages, schema, temperature, max_tokens, self.settings.model))
        request = {
            "model": self.settings.model,
            "messages": messages,
            "response_format": {"type": "json_schema", "json_schema": {"schema": schema}},
        }
        data = {key: value for key, value in self._responder(request).items() if key not in self._drop}
        return CallResult(data, json.dumps(data), USAGE)
