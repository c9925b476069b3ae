"""Tokens and dollars per model: each plan's calls at its model's price (a variable's own model, or the
project's), escalation calls at the escalation model's, for a coded document and for the estimate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coderai_desktop.domain.provider import ProviderSettings
from coderai_desktop.llm.client import Usage
from coderai_desktop.persistence.tables import Extraction, Variable
from coderai_desktop.pipeline.escalation import ESCALATION_PREFIX, UNSURE
from coderai_desktop.pipeline.extractor import DocumentResult
from coderai_desktop.pipeline.packing import Expected
from coderai_desktop.pipeline.planning import RunSetup

# The share of values expected below threshold or flagged when the project has no coded values yet.
DEFAULT_ESCALATED_SHARE = 0.2


def usage_by_model(result: DocumentResult, setup: RunSetup) -> dict[str, Usage]:
    """A coded document's tokens per model; usage no call scope accounts for is the project model's."""
    settings = setup.settings
    model_of = {plan.scope_key: plan.model or settings.model for plan in setup.all_plans}
    by_model: dict[str, Usage] = {}
    for scope, usage in result.usage_by_scope.items():
        escalation = settings.escalation_model if scope.startswith(ESCALATION_PREFIX) else None
        model = escalation or model_of.get(scope, settings.model)
        by_model[model] = by_model.get(model, Usage()) + usage
    counted = sum(by_model.values(), Usage())
    rest = Usage(
        result.usage.input_tokens - counted.input_tokens,
        result.usage.output_tokens - counted.output_tokens,
        result.usage.cached_tokens - counted.cached_tokens,
    )
    if rest != Usage():
        by_model[settings.model] = by_model.get(settings.model, Usage()) + rest
    return by_model


def cost_by_model(
    settings: ProviderSettings,
    by_model: dict[str, Usage],
    *,
    batch: bool = False,
    asked_live: dict[str, Usage] | None = None,
) -> float:
    """Dollars for each model's usage at its price; in a batch job, the part of it `asked_live` (the
    lines the batch failed, asked live) at the live price, the rest at the batch's."""
    live = (asked_live or {}) if batch else {}
    total = 0.0
    for model, usage in by_model.items():
        for part, in_batch in ((usage - live.get(model, Usage()), batch), (live.get(model, Usage()), False)):
            total += settings.cost(
                part.input_tokens, part.output_tokens, part.cached_tokens, model=model, batch=in_batch
            )
    return total


def with_model_usage(
    job_settings: dict[str, Any],
    settings: ProviderSettings,
    by_model: dict[str, Usage],
    *,
    batch: bool = False,
    asked_live: dict[str, Usage] | None = None,
) -> dict[str, Any]:
    """A job's settings with a document's tokens and cost added to its per-model totals ("models")."""
    models = {name: dict(totals) for name, totals in (job_settings.get("models") or {}).items()}
    for model, usage in by_model.items():
        totals = models.setdefault(model, {"tokens_in": 0, "tokens_out": 0, "tokens_cached": 0, "cost": 0.0})
        totals["tokens_in"] += usage.input_tokens
        totals["tokens_out"] += usage.output_tokens
        totals["tokens_cached"] += usage.cached_tokens
        totals["cost"] += cost_by_model(settings, {model: usage}, batch=batch, asked_live=asked_live)
    return {**job_settings, "models": models}


@dataclass(frozen=True)
class PricedRun:
    """An estimate's calls, tokens and dollars at each model's price, escalation included."""

    calls: int
    tokens_in: int
    tokens_out: int
    cost: float
    escalated_share: float | None  # the share of values expected to be escalated (None: no escalation)


def priced_run(setup: RunSetup, expected: Expected, unsure_share: float | None) -> PricedRun:
    """The expected calls and tokens priced at each model's price, cached prompt tokens at the cached
    price; with an escalation model, `unsure_share` (or DEFAULT_ESCALATED_SHARE) of the extraction calls
    again at the escalation model's price."""
    settings = setup.settings
    usage = expected.usage
    cost = cost_by_model(settings, dict(expected.by_model))
    if settings.escalation_model is None or setup.entity_plan is not None:
        return PricedRun(expected.calls, usage.input_tokens, usage.output_tokens, cost, None)
    share = DEFAULT_ESCALATED_SHARE if unsure_share is None else unsure_share
    again = Usage(round(usage.input_tokens * share), round(usage.output_tokens * share))
    cost += settings.cost(again.input_tokens, again.output_tokens, model=settings.escalation_model)
    return PricedRun(
        expected.calls + round(expected.calls * share),
        usage.input_tokens + again.input_tokens,
        usage.output_tokens + again.output_tokens,
        cost,
        share,
    )


def past_unsure_share(session: Session, workspace_id: int, project_id: int) -> float | None:
    """The share of the project's coded values that were escalated, flagged, unanswered or below their
    variable's threshold (None: nothing coded yet)."""
    unsure = sa.or_(
        # SQL NULL, or JSON null where the backend stored None as JSON.
        sa.func.coalesce(sa.cast(Extraction.escalated_from, sa.String), "null") != "null",
        Extraction.status.in_(UNSURE),
        Extraction.confidence < Variable.confidence_threshold,
    )
    query = (
        sa.select(sa.func.count(), sa.func.count().filter(unsure))
        .select_from(Extraction)
        .join(Variable, Variable.id == Extraction.variable_id)
        .where(Extraction.workspace_id == workspace_id, Extraction.project_id == project_id)
    )
    total, unsure_count = session.execute(query).one()
    return unsure_count / total if total else None
