"""Code a pack of short documents: one call per plan for the whole pack, each answer mapped back to its
document by block id, grounded in that document alone and post-processed as a document coded alone.

A quote found not in its own document but in another one of the pack is refused and the value flagged:
a value is never attributed to the wrong document. A document that a call failed to answer (the call
failed, its id is missing, unknown or answered twice) is left to be coded alone, with its share of what
the pack's calls used so far.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import MatchStatus
from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.llm.client import LLMClient, Usage
from coderai_desktop.llm.packing import DOCUMENTS, ID, packed_max_tokens, packed_messages, packed_plan
from coderai_desktop.llm.prompts import CallPlan
from coderai_desktop.log_context import elapsed_ms, log_context
from coderai_desktop.pipeline.extractor import DocumentInput, DocumentResult, UnitResult
from coderai_desktop.pipeline.grounding import Evidence, Grounder
from coderai_desktop.pipeline.packing import usage_shares
from coderai_desktop.pipeline.postprocess import code_unit
from coderai_desktop.pipeline.values import Answer, ExtractedValue

logger = logging.getLogger(__name__)

LOCATED = (MatchStatus.EXACT, MatchStatus.NORMALIZED, MatchStatus.FUZZY)


@dataclass
class PackResult:
    """By document id: the documents the pack's calls answered whole, and the others (to code alone) with
    their share of the calls' usage."""

    coded: dict[int, DocumentResult] = field(default_factory=dict)
    spent: dict[int, DocumentResult] = field(default_factory=dict)
    error: CoderAIError | None = None  # why a packed call failed, if one did


@dataclass
class _Member:
    document: DocumentInput
    grounder: Grounder
    spent: DocumentResult = field(default_factory=lambda: DocumentResult([]))
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    complete: bool = True


class Answered:
    """The documents a pack's calls coded, as an extractor, so that what follows an extraction (escalation)
    follows them too."""

    def __init__(self, coded: dict[int, DocumentResult]):
        self._coded = coded

    async def extract(self, document: DocumentInput) -> DocumentResult:
        return self._coded[document.id]


class PackedExtractor:
    def __init__(self, client: LLMClient, variables: list[VariableSpec], plans: list[CallPlan]):
        self._client = client
        self._variables = variables
        self._plans = plans

    async def extract(self, documents: list[DocumentInput]) -> PackResult:
        members = [
            _Member(document, Grounder(document.text, document.page_offsets)) for document in documents
        ]
        replies = await asyncio.gather(*(self._call(plan, documents) for plan in self._plans))
        error = None
        for plan, reply in zip(self._plans, replies, strict=True):
            if isinstance(reply, CoderAIError):
                error = error or reply
                for member in members:
                    member.complete = False
            else:
                _map_answers(plan, *reply, members)
        # The pack's calls are counted once, with its first document.
        members[0].spent.calls = sum(not isinstance(reply, CoderAIError) for reply in replies)
        complete = [member for member in members if member.complete]
        coded = await asyncio.to_thread(lambda: [self._code(member, members) for member in complete])
        result = PackResult(
            coded={
                member.document.id: dataclasses.replace(member.spent, units=[UnitResult(None, values)])
                for member, values in zip(complete, coded, strict=True)
            },
            spent={member.document.id: member.spent for member in members if not member.complete},
            error=error,
        )
        if result.spent:
            logger.info(
                "The packed calls left %s of %s documents unanswered: they are coded alone",
                len(result.spent),
                len(members),
            )
        return result

    def _code(self, member: _Member, members: list[_Member]) -> list[ExtractedValue]:
        others = [other for other in members if other is not member]
        answers, refused = _without_foreign_quotes(member, others)
        values = code_unit(self._variables, answers, member.grounder)
        for value in values:
            if value.variable in refused:
                kept = any(answer.items for answer in answers.get(value.variable, []))
                _refuse(value, refused[value.variable], keep_value=kept)
        return values

    async def _call(
        self, plan: CallPlan, documents: list[DocumentInput]
    ) -> tuple[dict[str, Any], Usage] | CoderAIError:
        """The packed call's answer and usage, or why it failed."""
        packed = packed_plan(plan)
        client = self._client.for_model(plan.model)  # a variable's own model, or the project's
        strict = client.settings.uses_strict_schema
        texts = [document.text for document in documents]
        with log_context(variable=", ".join(plan.variable_names) or None):
            started = time.perf_counter()
            try:
                reply = await client.structured(
                    packed_messages(packed, texts, strict=strict),
                    packed.schema,
                    temperature=packed.temperature,
                    max_tokens=packed_max_tokens(plan, len(documents)),
                )
            except CoderAIError as error:
                logger.warning(
                    "Packed call %s for %s documents failed: %s: %s",
                    plan.scope_key,
                    len(documents),
                    type(error).__name__,
                    error,
                    extra={"duration_ms": elapsed_ms(started)},
                )
                return error
            logger.debug(
                "Packed call %s answered for %s documents: %s tokens in, %s out",
                plan.scope_key,
                len(documents),
                reply.usage.input_tokens,
                reply.usage.output_tokens,
                extra={"duration_ms": elapsed_ms(started)},
            )
        return reply.data, reply.usage


def answered(data: dict[str, Any], count: int) -> dict[int, dict[str, Any]]:
    """Each block's answer by its id (1 to `count`); an unknown id is ignored and an id answered twice
    dropped, so that their documents are coded alone."""
    found: dict[int, dict[str, Any]] = {}
    twice: set[int] = set()
    entries = data.get(DOCUMENTS)
    for entry in entries if isinstance(entries, list) else []:
        number = _block_id(entry.get(ID)) if isinstance(entry, dict) else None
        if number is None or not 1 <= number <= count:
            continue
        if number in found:
            twice.add(number)
        found[number] = entry
    return {number: entry for number, entry in found.items() if number not in twice}


def _block_id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _map_answers(plan: CallPlan, data: dict[str, Any], usage: Usage, members: list[_Member]) -> None:
    """One packed call's answer to each member, by block id, with its share of the call's usage."""
    entries = answered(data, len(members))
    for number, (member, share) in enumerate(zip(members, usage_shares(usage, len(members)), strict=True), 1):
        _spend(member.spent, plan.scope_key, share)
        entry = entries.get(number)
        if entry is None or not any(variable.name in entry for variable in plan.variables):
            member.complete = False
            continue
        for variable in plan.variables:
            if variable.name in entry:
                answer = Answer.from_json(
                    entry[variable.name], multi=variable.is_multi_valued, scope_key=plan.scope_key
                )
                member.answers.setdefault(variable.name, []).append(answer)


def _spend(result: DocumentResult, scope_key: str, usage: Usage) -> None:
    result.usage = result.usage + usage
    result.usage_by_scope[scope_key] = result.usage_by_scope.get(scope_key, Usage()) + usage


def with_spent(alone: DocumentResult, spent: DocumentResult) -> DocumentResult:
    """A document coded alone after its pack failed it: its own result, and what the pack's calls spent."""
    scopes = dict(alone.usage_by_scope)
    for scope, usage in spent.usage_by_scope.items():
        scopes[scope] = scopes.get(scope, Usage()) + usage
    return DocumentResult(alone.units, alone.usage + spent.usage, alone.calls + spent.calls, scopes)


def _without_foreign_quotes(
    member: _Member, others: list[_Member]
) -> tuple[dict[str, list[Answer]], dict[str, list[tuple[str, str]]]]:
    """The answers without the items whose quote is not in the document but in another of the pack; the
    refused (quote, other file name) pairs by variable."""
    answers: dict[str, list[Answer]] = {}
    refused: dict[str, list[tuple[str, str]]] = {}
    for name, variable_answers in member.answers.items():
        for answer in variable_answers:
            kept = []
            for item in answer.items:
                source = _quoted_from(item.quote, member, others)
                if source is None:
                    kept.append(item)
                else:
                    refused.setdefault(name, []).append((item.quote or "", source))
            answers.setdefault(name, []).append(dataclasses.replace(answer, items=tuple(kept)))
    return answers, refused


def _quoted_from(quote: str | None, member: _Member, others: list[_Member]) -> str | None:
    """The file name of the other document a quote comes from, when it is not in the member's own."""
    if not quote or member.grounder.locate(quote).status is not MatchStatus.NOT_FOUND:
        return None
    return next(
        (other.document.file_name for other in others if other.grounder.locate(quote).status in LOCATED),
        None,
    )


def _refuse(value: ExtractedValue, refused: list[tuple[str, str]], *, keep_value: bool) -> None:
    files = ", ".join(dict.fromkeys(source for _quote, source in refused))
    if keep_value:  # other values of a variable that keeps them all, or another quote of the same value
        value.flag(f"{len(refused)} quote(s) came from another document of the same call ({files}): refused")
        return
    quote = refused[0][0]
    value.value = None
    value.evidence = Evidence(quote, None, None, None, MatchStatus.NOT_FOUND)
    value.notes = []  # what post-processing said of an empty answer (a default, say) no longer applies
    value.flag(f"the quote came from another document of the same call ({files}), not this one: refused")
