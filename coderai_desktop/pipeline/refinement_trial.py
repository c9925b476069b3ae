"""Trying refinement proposals on the held-out documents: what it would cost, and each proposal's agreement
with the researcher there, beside the current prompt's. The documents are coded as a run would code them
(the same calls, with the proposal in the codebook), and nothing is stored."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.dataset import entity_key
from coderai_desktop.domain.enums import ExtractionStatus
from coderai_desktop.domain.refinement import (
    EvaluationEstimate,
    FeedbackItem,
    HeldOutResult,
    Proposal,
    RefinementInfo,
    revised,
)
from coderai_desktop.ingest.service import DocumentService
from coderai_desktop.llm.client import LLMClient, Usage
from coderai_desktop.llm.prompts import CallPlan, entity_plan, extraction_plans
from coderai_desktop.pipeline.documents import load_document
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentResult
from coderai_desktop.pipeline.planning import RunSetup
from coderai_desktop.review.agreement import compare_codes
from coderai_desktop.text_tokens import estimate_tokens

Progress = Callable[[int, int], None]  # (documents re-coded, documents to re-code)
UnitKey = tuple[int, int | None]


async def estimate(
    setup: RunSetup, spec: VariableSpec, info: RefinementInfo, documents: DocumentService
) -> EvaluationEstimate:
    """The calls and tokens of re-coding every held-out document with every proposal (half the output
    budget used, as the run estimate assumes)."""
    calls = tokens_in = tokens_out = 0
    for document_id in info.split.held_out:
        document_tokens = estimate_tokens((await documents.document_text(document_id)).text)
        chunks = max(1, math.ceil(document_tokens / max(1, setup.policy.budget)))
        units = 1 if setup.entity_plan is None else 1 + _entities(info, document_id)
        for proposal in info.proposals:
            for plan in candidate_plans(setup, revised(spec, proposal.changes)):
                prompt = estimate_tokens(plan.system_prompt) + estimate_tokens(plan.instruction)
                calls += chunks * units
                tokens_in += units * (document_tokens + chunks * prompt)
                tokens_out += chunks * units * plan.max_tokens // 2
    return EvaluationEstimate(
        documents=len(info.split.held_out),
        proposals=len(info.proposals),
        calls=calls,
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        cost=setup.settings.cost(tokens_in, tokens_out),
    )


async def try_proposals(
    setup: RunSetup,
    spec: VariableSpec,
    info: RefinementInfo,
    client: LLMClient,
    documents: DocumentService,
    progress: Progress | None = None,
) -> tuple[HeldOutResult, list[Proposal]]:
    """The current prompt's result on the held-out units (the values the researcher reviewed) and each
    proposal with its result and cost."""
    held_out = set(info.split.held_out)
    items = [item for item in info.errors if item.document_id in held_out]
    human = {item.unit: item.human_value for item in items}
    baseline = result_of(spec, {item.unit: item.ai_value for item in items}, human)
    loaded = [await load_document(documents, document, setup.policy) for document in info.split.held_out]
    slots = asyncio.Semaphore(max(1, setup.settings.concurrency))
    total, done = len(loaded) * len(info.proposals), 0
    tested: list[Proposal] = []
    for proposal in info.proposals:
        candidate = revised(spec, proposal.changes)
        variables = [candidate if v.name == spec.name else v for v in setup.variables]
        entities = entity_plan(setup.context, variables) if setup.entity_plan is not None else None
        extractor = DocumentExtractor(
            client, setup.context, variables, candidate_plans(setup, candidate), entities
        )

        async def code(document: Any, extractor: DocumentExtractor = extractor) -> DocumentResult:
            nonlocal done
            async with slots:
                result = await extractor.extract(document)
            done += 1
            if progress is not None:
                progress(done, total)
            return result

        results = await asyncio.gather(*(code(document) for document in loaded))
        usage = sum((result.usage for result in results), Usage())
        coded = _coded_units(results, info.split.held_out, spec.name, items)
        cost = setup.settings.cost(usage.input_tokens, usage.output_tokens, usage.cached_tokens)
        tested.append(replace(proposal, result=result_of(spec, coded, human), cost=cost))
    return baseline, tested


def candidate_plans(setup: RunSetup, candidate: VariableSpec) -> list[CallPlan]:
    """The calls a run would make for the variable, with the candidate in the codebook."""
    variables = [candidate if v.name == candidate.name else v for v in setup.variables]
    plans = extraction_plans(setup.context, variables, setup.settings.mode)
    return [plan for plan in plans if candidate.name in plan.variable_names]


def result_of(spec: VariableSpec, coded: dict[UnitKey, Any], human: dict[UnitKey, Any]) -> HeldOutResult:
    comparison = compare_codes(spec, coded, human)
    return HeldOutResult(
        n=comparison.n,
        measure=comparison.reliability_name,
        reliability=comparison.reliability,
        interval=comparison.reliability_ci,
        percent=comparison.percent,
        failed=len(set(human) - set(coded)),
    )


def _entities(info: RefinementInfo, document_id: int) -> int:
    return len({item.entity_index for item in info.errors if item.document_id == document_id})


def _coded_units(
    results: list[DocumentResult], documents: tuple[int, ...], variable: str, items: list[FeedbackItem]
) -> dict[UnitKey, Any]:
    """The re-coded values of the variable by unit; entities are matched to the reviewed ones by name (a
    new coding may list them in another order). A unit left uncoded counts as missing."""
    names = {
        (item.document_id, entity_key(item.entity)): item.unit
        for item in items
        if item.entity_index is not None
    }
    coded: dict[UnitKey, Any] = {}
    for document_id, result in zip(documents, results, strict=True):
        for unit in result.units:
            key: UnitKey | None = (document_id, None)
            if unit.entity is not None:
                key = names.get((document_id, entity_key(unit.entity.name)))
            value = next((v for v in unit.values if v.variable == variable), None)
            if key is not None and value is not None and value.status is not ExtractionStatus.FAILED:
                coded[key] = value.value
    return coded
