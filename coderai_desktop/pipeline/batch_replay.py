"""The client a batch round codes with: the live client's interface, answering each call from the batch.

DocumentExtractor runs unchanged over it: a call whose request the batch has answered gets that answer,
parsed as the live client parses; a call not answered yet is recorded and stops its document for this
round (NeedsAnswer); the next round, once the answer is in, goes one step further (an entity project
lists the entities, then codes them). A request the batch failed, or answered with something unusable,
is asked live, where the client's retries and repair apply."""

from __future__ import annotations

import asyncio
from typing import Any

from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.llm.batch_api import asked_live, call_result, completion_of, custom_id, request_body
from coderai_desktop.llm.client import CallResult, LLMClient, Messages, Usage
from coderai_desktop.persistence.repositories.batches import SUBMITTED, WAITING, Known


class NeedsAnswer(Exception):
    """The call waits for an answer of the batch."""


class ReplayClient:
    def __init__(self, live: LLMClient, known: dict[str, Known]):
        self._live = live
        self._known = known
        self.asked: dict[str, dict[str, Any]] = {}  # custom id -> body: requests new to the batch
        self.live_answers: dict[str, dict[str, Any]] = {}  # custom id -> completion, asked live
        # Model -> the usage of the live answers the document's coding took (at the live price), since
        # `start_document`.
        self.asked_live: dict[str, Usage] = {}
        self._in_flight: set[asyncio.Task[CallResult]] = set()
        self._twins: dict[str, ReplayClient] = {}

    @property
    def settings(self) -> ProviderSettings:
        return self._live.settings

    def for_model(self, model: str | None) -> ReplayClient:
        """The replay of another model's calls (a variable's own model), recording into this client."""
        live = self._live.for_model(model)
        if live is self._live or model is None:
            return self
        if model not in self._twins:
            twin = ReplayClient(live, self._known)
            twin.asked, twin.live_answers, twin._in_flight = self.asked, self.live_answers, self._in_flight
            twin.asked_live = self.asked_live
            self._twins[model] = twin
        return self._twins[model]

    def start_document(self) -> None:
        """A new try at coding the document: the live usage counted is that of this try's answers."""
        self.asked_live.clear()

    def forget(self, known: dict[str, Known]) -> None:
        """Requests this client thought new that the job had asked already (`known` has them now)."""
        for key in known:
            self.asked.pop(key, None)

    async def structured(
        self, messages: Messages, schema: dict[str, Any], *, temperature: float, max_tokens: int
    ) -> CallResult:
        body = request_body(self.settings, messages, schema, temperature=temperature, max_tokens=max_tokens)
        key = custom_id(body)
        if (answer := self.live_answers.get(key)) is not None:
            return self._counted_live(_parsed(answer, schema))
        known = self._known.get(key)
        if known is not None and known.answer is not None and (result := call_result(known.answer, schema)):
            return self._counted_live(result) if asked_live(known.answer) else result
        if known is None or known.status in (WAITING, SUBMITTED):
            if known is None:
                self.asked[key] = body
            raise NeedsAnswer
        # A task of its own: if another call of the document stops it first, this answer is still kept
        # (settle() waits for it).
        task = asyncio.ensure_future(self._ask_live(key, messages, schema, temperature, max_tokens))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        return self._counted_live(await task)

    def _counted_live(self, result: CallResult) -> CallResult:
        model = self.settings.model
        self.asked_live[model] = self.asked_live.get(model, Usage()) + result.usage
        return result

    async def settle(self) -> None:
        """Wait for the live calls still running (their answers are kept for the next round)."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _ask_live(
        self, key: str, messages: Messages, schema: dict[str, Any], temperature: float, max_tokens: int
    ) -> CallResult:
        result = await self._live.structured(messages, schema, temperature=temperature, max_tokens=max_tokens)
        self.live_answers[key] = completion_of(result)
        return result


def _parsed(answer: dict[str, Any], schema: dict[str, Any]) -> CallResult:
    result = call_result(answer, schema)
    assert result is not None, "a live answer is stored as it parsed"
    return result
