"""Code one document: (for entity projects, first find its entities, then) every call of the plan on every
chunk, answers merged per variable and post-processed into coded values with evidence."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.domain.enums import UnitOfObservation
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.formatting import count
from coderai_desktop.ingest.chunking import ChunkSpan
from coderai_desktop.llm.client import LLMClient, Usage
from coderai_desktop.llm.prompts import CallPlan, messages
from coderai_desktop.llm.schema import ENTITIES
from coderai_desktop.log_context import elapsed_ms, log_context
from coderai_desktop.pipeline.grounding import Evidence, Grounder
from coderai_desktop.pipeline.postprocess import code_unit
from coderai_desktop.pipeline.values import Answer, ExtractedValue

logger = logging.getLogger(__name__)


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
        entities: list[Entity | None] = [None]
        if self._context.unit_of_observation is UnitOfObservation.ENTITY and self._entity_plan is not None:
            entities = list(await self._entities(chunks, grounder, result))
        units = await asyncio.gather(*(self._unit(entity, chunks, grounder, result) for entity in entities))
        result.units = list(units)
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
                    found.setdefault(" ".join(name.split()).casefold(), (name, entity.get("evidence")))
        located = [(name, grounder.locate(quote)) for name, quote in found.values()]
        located.sort(key=lambda pair: pair[1].start if pair[1].start is not None else len(grounder.text))
        return [Entity(index, name, evidence) for index, (name, evidence) in enumerate(located)]

    async def _unit(
        self, entity: Entity | None, chunks: list[str], grounder: Grounder, result: DocumentResult
    ) -> UnitResult:
        calls = [(plan, index, chunk) for plan in self._plans for index, chunk in enumerate(chunks)]
        replies = await asyncio.gather(
            *(
                self._call(plan, chunk, entity.name if entity else None, result)
                for plan, _index, chunk in calls
            )
        )
        answers: dict[str, list[Answer]] = {}
        for (plan, index, _chunk), reply in zip(calls, replies, strict=True):
            for variable in plan.variables:
                if variable.name in reply:
                    answer = Answer.from_json(
                        reply[variable.name],
                        multi=variable.is_multi_valued,
                        scope_key=plan.scope_key,
                        chunk_index=index,
                    )
                    answers.setdefault(variable.name, []).append(answer)
        values = await asyncio.to_thread(code_unit, self._variables, answers, grounder)
        return UnitResult(entity, values)

    async def _call(self, plan: CallPlan, chunk: str, entity: str | None, result: DocumentResult) -> dict:
        strict = self._client.settings.uses_strict_schema
        # A grouped call codes several variables: the line names them all (none: entity identification).
        with log_context(variable=", ".join(plan.variable_names) or None):
            started = time.perf_counter()
            try:
                reply = await self._client.structured(
                    messages(plan, chunk, entity=entity, strict=strict),
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
