"""Code one document: (for entity projects, first find its entities, then) the plan's calls on its chunks,
answers merged per variable and post-processed into coded values with evidence.

The chunks of a document are asked in order, each only for what the earlier ones left open (see
settled.py); the calls of different plans, and different documents, still run side by side. The entities of
a document are coded together, several per call as the output budget allows, and one by one only where a
group's answer missed one.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass, field, replace

from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.dataset import entity_key
from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.formatting import count
from coderai_desktop.ingest.chunking import ChunkSpan
from coderai_desktop.llm.client import LLMClient, Usage
from coderai_desktop.llm.prompts import (
    CallPlan,
    entity_group_plan,
    group_messages,
    messages,
    narrowed_plan,
    prefix_messages,
)
from coderai_desktop.llm.schema import ENTITIES, ENTITY
from coderai_desktop.log_context import elapsed_ms, log_context
from coderai_desktop.pipeline.grounding import Evidence, Grounder
from coderai_desktop.pipeline.planning import CONTEXT_MARGIN
from coderai_desktop.pipeline.postprocess import code_unit
from coderai_desktop.pipeline.settled import open_variables
from coderai_desktop.pipeline.values import Answer, ExtractedValue
from coderai_desktop.text_tokens import estimate_tokens

logger = logging.getLogger(__name__)

GROUP_OUTPUT_TOKENS = 16_000  # an entity group's answer: what providers allow a completion, at most


@dataclass(frozen=True)
class DocumentInput:
    id: int
    file_name: str
    text: str
    page_offsets: list[int]
    chunks: list[ChunkSpan]


@dataclass(frozen=True)
class Entity:
    index: int
    name: str
    evidence: Evidence


@dataclass
class UnitResult:
    """One row of the dataset: the document, or one entity found in it."""

    entity: Entity | None
    values: list[ExtractedValue]


@dataclass
class DocumentResult:
    units: list[UnitResult]
    usage: Usage = field(default_factory=Usage)
    calls: int = 0
    # Tokens of each call scope, to share a call's usage among the values it produced.
    usage_by_scope: dict[str, Usage] = field(default_factory=dict)


# A unit asked in a call: its position among the document's units, and its entity (None: the document).
Member = tuple[int, Entity | None]


class DocumentExtractor:
    def __init__(
        self,
        client: LLMClient,
        context: ProjectContext,
        variables: list[VariableSpec],
        plans: list[CallPlan],
        entity_plan: CallPlan | None,
    ):
        self._client = client
        self._context = context
        self._variables = variables
        self._plans = plans
        self._entity_plan = entity_plan

    async def extract(self, document: DocumentInput) -> DocumentResult:
        with log_context(document=document.id):
            started = time.perf_counter()
            result = await self._extract(document)
            logger.info(
                "Coded in %s (%s, %s): %s tokens in, %s out",
                count(result.calls, "call"),
                count(len(document.chunks) or 1, "chunk"),
                count(len(result.units), "unit"),
                result.usage.input_tokens,
                result.usage.output_tokens,
                extra={"duration_ms": elapsed_ms(started)},
            )
            return result

    async def _extract(self, document: DocumentInput) -> DocumentResult:
        grounder = await asyncio.to_thread(Grounder, document.text, document.page_offsets)
        chunks = [document.text[span.start : span.end] for span in document.chunks] or [document.text]
        result = DocumentResult([])
        units: list[Entity | None] = [None]
        if self._context.unit_of_observation is UnitOfObservation.ENTITY and self._entity_plan is not None:
            units = list(await self._entities(chunks, grounder, result))
        answers: list[dict[str, list[Answer]]] = [{} for _unit in units]
        await asyncio.gather(
            *(self._code_chunks(plan, units, chunks, grounder, answers, result) for plan in self._plans)
        )
        values = await asyncio.gather(
            *(
                asyncio.to_thread(code_unit, self._variables, unit_answers, grounder)
                for unit_answers in answers
            )
        )
        result.units = [
            UnitResult(unit, unit_values) for unit, unit_values in zip(units, values, strict=True)
        ]
        return result

    async def _entities(self, chunks: list[str], grounder: Grounder, result: DocumentResult) -> list[Entity]:
        """The entities of every chunk, each named once (the first spelling wins), in order of appearance."""
        assert self._entity_plan is not None
        answers = await asyncio.gather(
            *(self._call(self._entity_plan, chunk, None, result) for chunk in chunks)
        )
        found: dict[str, tuple[str, str | None]] = {}
        for answer in answers:
            for entity in answer.get(ENTITIES) or []:
                name = str(entity.get("name") or "").strip() if isinstance(entity, dict) else ""
                if name:
                    found.setdefault(entity_key(name), (name, entity.get("evidence")))
        located = [(name, grounder.locate(quote)) for name, quote in found.values()]
        located.sort(key=lambda pair: pair[1].start if pair[1].start is not None else len(grounder.text))
        return [Entity(index, name, evidence) for index, (name, evidence) in enumerate(located)]

    async def _code_chunks(
        self,
        plan: CallPlan,
        units: list[Entity | None],
        chunks: list[str],
        grounder: Grounder,
        answers: list[dict[str, list[Answer]]],
        result: DocumentResult,
    ) -> None:
        """The plan's calls on the chunks in order, each unit asked only for the variables still open;
        answers are added to `answers` under the plan's scope (a narrowed call is the same prompt version)."""
        for index, chunk in enumerate(chunks):
            still_open = await asyncio.to_thread(
                lambda: [self._open(plan, unit_answers, grounder) for unit_answers in answers]
            )
            asking: dict[tuple[str, ...], list[Member]] = {}  # units asked the same variables share calls
            for at, variables in enumerate(still_open):
                if variables:
                    asking.setdefault(tuple(v.name for v in variables), []).append((at, units[at]))
            if not asking:
                return  # every unit has every variable of the plan: the other chunks are not called
            narrowed = [
                narrowed_plan(plan, self._context, still_open[members[0][0]]) for members in asking.values()
            ]
            replies = await asyncio.gather(
                *(
                    self._ask(asked, chunk, group, result)
                    for asked, members in zip(narrowed, asking.values(), strict=True)
                    for group in self._groups(asked, chunk, members)
                )
            )
            for reply in replies:
                for at, data in reply.items():
                    for variable in still_open[at]:
                        if variable.name in data:
                            answer = Answer.from_json(
                                data[variable.name],
                                multi=variable.is_multi_valued,
                                scope_key=plan.scope_key,
                                chunk_index=index,
                            )
                            answers[at].setdefault(variable.name, []).append(answer)

    def _open(
        self, plan: CallPlan, answers: dict[str, list[Answer]], grounder: Grounder
    ) -> list[VariableSpec]:
        """The variables of `plan` a unit with these `answers` must still be asked for."""
        return open_variables(plan.variables, answers, grounder)

    def _groups(self, plan: CallPlan, chunk: str, members: list[Member]) -> list[list[Member]]:
        """Entities coded together, in groups of even size whose answer fits the output budget."""
        size = self._group_size(plan, chunk, members)
        groups = math.ceil(len(members) / size)
        size = math.ceil(len(members) / groups)
        return [members[start : start + size] for start in range(0, len(members), size)]

    def _group_size(self, plan: CallPlan, chunk: str, members: list[Member]) -> int:
        """How many entities' answers (each up to the plan's max_tokens) fit the output budget and what the
        model's context leaves beside the prompt, the chunk and the names."""
        if len(members) < 2:
            return 1
        group = entity_group_plan(plan)
        prompt = sum(
            estimate_tokens(message["content"])
            for message in prefix_messages(group, strict=self._client.settings.uses_strict_schema)
        )
        names = sum(estimate_tokens(entity.name) + 2 for _at, entity in members if entity is not None)
        context = int(self._client.settings.context_tokens * (1 - CONTEXT_MARGIN))
        room = min(GROUP_OUTPUT_TOKENS, context - prompt - estimate_tokens(chunk) - names)
        return max(1, room // plan.max_tokens)

    async def _ask(
        self, plan: CallPlan, chunk: str, members: list[Member], result: DocumentResult
    ) -> dict[int, dict]:
        """Each member's answer on one chunk: alone, or in an entity group (then one by one for the entities
        the group's answer missed)."""
        if len(members) == 1:
            at, entity = members[0]
            return {at: await self._call(plan, chunk, entity.name if entity else None, result)}
        entities = {entity_key(entity.name): (at, entity) for at, entity in members if entity is not None}
        group = entity_group_plan(plan)
        budget = min(GROUP_OUTPUT_TOKENS, plan.max_tokens * len(members))
        reply = await self._call(
            replace(group, max_tokens=budget),
            chunk,
            None,
            result,
            group=[e.name for _at, e in entities.values()],
        )
        replies: dict[int, dict] = {}
        for coded in reply.get(ENTITIES) or []:
            listed = (
                entities.get(entity_key(str(coded.get(ENTITY) or ""))) if isinstance(coded, dict) else None
            )
            if listed is not None:
                replies.setdefault(listed[0], coded)
        missed = [(at, entity) for at, entity in entities.values() if at not in replies]
        if missed:
            logger.info(
                "The answer for %s missed %s: coded one by one",
                count(len(members), "entity"),
                ", ".join(entity.name for _at, entity in missed),
            )
        again = await asyncio.gather(
            *(self._call(plan, chunk, entity.name, result) for _at, entity in missed)
        )
        replies.update((at, data) for (at, _entity), data in zip(missed, again, strict=True))
        return replies

    async def _call(
        self,
        plan: CallPlan,
        chunk: str,
        entity: str | None,
        result: DocumentResult,
        group: list[str] | None = None,
    ) -> dict:
        """One call; `group`: the names of the entities an entity group's call codes together."""
        client = self._client.for_model(plan.model)  # a variable's own model, or the project's
        strict = client.settings.uses_strict_schema
        call = (
            group_messages(plan, chunk, group, strict=strict)
            if group
            else messages(plan, chunk, entity=entity, strict=strict)
        )
        # A grouped call codes several variables: the line names them all (none: entity identification).
        with log_context(variable=", ".join(plan.variable_names) or None):
            started = time.perf_counter()
            try:
                reply = await client.structured(
                    call,
                    plan.schema,
                    temperature=plan.temperature,
                    max_tokens=plan.max_tokens,
                )
            except CoderAIError as error:
                logger.warning(
                    "Call %s failed: %s: %s",
                    plan.scope_key,
                    type(error).__name__,
                    error,
                    extra={"duration_ms": elapsed_ms(started)},
                )
                raise
            logger.debug(
                "Call %s answered%s: %s tokens in, %s out",
                plan.scope_key,
                " after a repair request" if reply.repaired else "",
                reply.usage.input_tokens,
                reply.usage.output_tokens,
                extra={"duration_ms": elapsed_ms(started)},
            )
        result.usage = result.usage + reply.usage
        result.calls += 1
        result.usage_by_scope[plan.scope_key] = (
            result.usage_by_scope.get(plan.scope_key, Usage()) + reply.usage
        )
        return reply.data
