"""Escalation: the values a document's first coding is unsure of (below their variable's confidence
threshold, or flagged: a quote not found, a rule broken, no answer) are coded again by the stronger model
the researcher names (ProviderSettings.escalation_model), with the same prompts narrowed to those
variables. The stronger answer is stored and the first one kept beside it (Extraction.escalated_from).

Entity projects are not escalated (their units are the entities the first pass found, which a second
pass would have to find again)."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.conditions import condition_met
from coderai_desktop.domain.enums import ExtractionStatus, UnitOfObservation
from coderai_desktop.domain.provider import ExtractionMode
from coderai_desktop.llm.client import LLMClient
from coderai_desktop.llm.prompts import CallPlan, extraction_plans
from coderai_desktop.pipeline.extractor import DocumentExtractor, DocumentInput, DocumentResult
from coderai_desktop.pipeline.planning import RunSetup
from coderai_desktop.pipeline.values import ExtractedValue

logger = logging.getLogger(__name__)

UNSURE = (ExtractionStatus.FLAGGED, ExtractionStatus.FAILED)
ESCALATION_PREFIX = "escalation:"


class Extractor(Protocol):
    async def extract(self, document: DocumentInput) -> DocumentResult: ...


@dataclass
class EscalatedValue(ExtractedValue):
    """A value the escalation model coded again: the answer in force, with the first one it replaced."""

    first: ExtractedValue | None = None
    first_model: str = ""
    model: str = ""
    temperature: float | None = None

    @property
    def usage_key(self) -> str:
        return escalation_key(self.scope_key or "")

    def first_answer(self) -> dict[str, Any]:
        """What Extraction.escalated_from keeps of the first answer."""
        assert self.first is not None, "an escalated value replaced a first one"
        first = self.first
        return {
            "value": first.value,
            "confidence": first.confidence,
            "evidence_quote": first.evidence.quote,
            "model": self.first_model,
        }


def escalation_key(scope_key: str) -> str:
    """Where a DocumentResult counts the escalation calls of the plan `scope_key` (apart from its first)."""
    return ESCALATION_PREFIX + scope_key


def run_extractor(client: LLMClient, setup: RunSetup) -> Extractor:
    """What a run codes a document with, live or in a batch: the setup's calls, then escalation."""
    extractor = DocumentExtractor(client, setup.context, setup.variables, setup.plans, setup.entity_plan)
    return with_escalation(extractor, client, setup)


def with_escalation(extractor: Extractor, client: LLMClient, setup: RunSetup) -> Extractor:
    """`extractor`, followed by escalation when the settings name an escalation model."""
    escalator = Escalator.of(client, setup)
    return extractor if escalator is None else EscalatingExtractor(extractor, escalator)


class EscalatingExtractor:
    def __init__(self, first: Extractor, escalator: Escalator):
        self._first = first
        self._escalator = escalator

    async def extract(self, document: DocumentInput) -> DocumentResult:
        return await self._escalator.escalate(document, await self._first.extract(document))


class Escalator:
    """Codes a document's unsure values again with the escalation model (any coding of the document: alone,
    packed or from a batch), through the extractor with the plans narrowed to them."""

    def __init__(self, client: LLMClient, setup: RunSetup, model: str):
        self._client = client
        self._setup = setup
        self._model = model
        self._plan_of = {name: plan for plan in setup.plans for name in plan.variable_names}

    @classmethod
    def of(cls, client: LLMClient, setup: RunSetup) -> Escalator | None:
        """The run's escalator; None without an escalation model, or in an entity project."""
        model = setup.settings.escalation_model
        if model is None:
            return None
        if setup.context.unit_of_observation is not UnitOfObservation.DOCUMENT:
            logger.info("No escalation in an entity project: each entity keeps its first coding")
            return None
        return cls(client, setup, model)

    async def escalate(self, document: DocumentInput, result: DocumentResult) -> DocumentResult:
        """`result` with its unsure values replaced by the escalation model's answers (the first kept)."""
        (unit,) = result.units  # a document-level project: one unit per document
        names = {
            value.variable
            for value in unsure_values(self._setup.variables, unit.values)
            if self._model_of(value.variable) != self._model  # the same model would answer the same
        }
        if not names:
            return result
        variables = [variable for variable in self._setup.variables if variable.name in names]
        plans = narrowed_plans(self._setup, names, self._model)
        logger.info("Escalating %s to %s", ", ".join(sorted(names)), self._model)
        second = await DocumentExtractor(self._client, self._setup.context, variables, plans, None).extract(
            document
        )
        self._merge(result, second, plans)
        return result

    def _model_of(self, variable: str) -> str:
        return self._plan_of[variable].model or self._setup.settings.model

    def _merge(self, result: DocumentResult, second: DocumentResult, plans: list[CallPlan]) -> None:
        temperature = {plan.scope_key: plan.temperature for plan in plans}
        stronger = {value.variable: value for value in second.units[0].values}
        unit = result.units[0]
        for index, first in enumerate(unit.values):
            better = stronger.get(first.variable)
            if better is None or better.status is ExtractionStatus.FAILED:
                continue  # no answer from the stronger model: the first answer stays
            fields = {field.name: getattr(better, field.name) for field in dataclasses.fields(ExtractedValue)}
            unit.values[index] = EscalatedValue(
                **fields,
                first=first,
                first_model=self._model_of(first.variable),
                model=self._model,
                temperature=temperature.get(better.scope_key or ""),
            )
        result.usage = result.usage + second.usage
        result.calls += second.calls
        for scope, usage in second.usage_by_scope.items():
            result.usage_by_scope[escalation_key(scope)] = usage


def unsure_values(variables: list[VariableSpec], values: list[ExtractedValue]) -> list[ExtractedValue]:
    """The values of one unit to code again: flagged or unanswered, or below their variable's threshold
    with a value (a null answer with a low confidence is the model saying the document has none); never
    one whose dependency does not hold (not applicable is not unsure)."""
    by_name = {value.variable: value for value in values}
    specs = {variable.name: variable for variable in variables}
    unsure = []
    for value in values:
        variable = specs[value.variable]
        dependency = variable.depends_on
        target = by_name.get(dependency.variable) if dependency is not None else None
        if dependency is not None and target is not None and not condition_met(dependency, target.value):
            continue
        below = value.confidence is not None and value.confidence < variable.confidence_threshold
        if value.status in UNSURE or (below and _answered(value.raw)):
            unsure.append(value)
    return unsure


def _answered(raw: Any) -> bool:
    """Whether the model's answer (one per chunk) gave a value, before the threshold left it empty."""
    answers = raw if isinstance(raw, list) else [raw]
    return any(isinstance(answer, dict) and answer.get("value") not in (None, [], "") for answer in answers)


def narrowed_plans(setup: RunSetup, names: set[str], model: str) -> list[CallPlan]:
    """The run's plans narrowed to the variables `names`, for `model`: the same system prompt and scope
    keys (so each value keeps the prompt version it answers), the instruction and schema of those variables
    alone."""
    plans = []
    for plan in setup.plans:
        chosen = [variable for variable in plan.variables if variable.name in names]
        if not chosen:
            continue
        if len(chosen) < len(plan.variables):
            (fewer,) = extraction_plans(setup.context, chosen, ExtractionMode.GROUPED)
            plan = dataclasses.replace(fewer, scope_key=plan.scope_key, system_prompt=plan.system_prompt)
        plans.append(dataclasses.replace(plan, model=model))
    return plans
