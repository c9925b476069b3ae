"""The review queue: values nobody has reviewed, riskiest first, so that a researcher's hour goes where the
errors are (flags, disagreement with a second opinion, low confidence, an unlocated quote)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coderai_desktop.domain.coercion import is_absence
from coderai_desktop.domain.enums import ExtractionStatus, MatchStatus
from coderai_desktop.review.agreement import same_value
from coderai_desktop.review.records import AIValue, ProjectRecords
from coderai_desktop.review.routing import FLAGGED_REASON, Signals, reasons, review_order, risk

LOCATED = (MatchStatus.EXACT, MatchStatus.NORMALIZED, MatchStatus.FUZZY)


@dataclass(frozen=True)
class QueueItem:
    extraction_id: int
    document_id: int
    document: str
    entity_index: int | None
    entity_text: str | None
    variable: str
    value: Any
    confidence: float | None
    risk: float
    reasons: tuple[str, ...]


def review_queue(records: ProjectRecords, *, variable: str | None = None) -> list[QueueItem]:
    position = {spec.name: index for index, spec in enumerate(records.variables)}
    waiting = sorted(  # equal risks in the order of the dataset: document, entity, codebook
        (
            value
            for value in records.all_values()
            if value.extraction_id not in records.reviews and (variable is None or value.variable == variable)
        ),
        key=lambda v: (v.document.casefold(), v.document_id, v.entity_index or 0, position[v.variable]),
    )
    signals = [_signals(records, value) for value in waiting]
    return [
        QueueItem(
            value.extraction_id,
            value.document_id,
            value.document,
            value.entity_index,
            value.entity_text,
            value.variable,
            value.value,
            value.confidence,
            risk(signals[index]),
            tuple(_reasons(value, signals[index])),
        )
        for index in review_order(signals)
        for value in (waiting[index],)
    ]


def _signals(records: ProjectRecords, value: AIValue) -> Signals:
    spec = records.spec(value.variable)
    stated = not value.failed and not is_absence(spec, value.value)
    opinions = [
        of_variable[value.unit]
        for second in records.second.values()
        if value.unit in (of_variable := second.get(value.variable, {}))
    ]
    return Signals(
        confidence=value.confidence,
        threshold=spec.confidence_threshold,
        flagged=value.status in (ExtractionStatus.FLAGGED, ExtractionStatus.FAILED),
        quote_found=value.match_status in LOCATED if stated else None,
        second_opinion_differs=(
            any(not same_value(spec, value.value, other) for other in opinions) if opinions else None
        ),
        absent=not value.failed and value.value in (None, []),
    )


def _reasons(value: AIValue, signals: Signals) -> list[str]:
    flagged = (
        "the model gave no usable answer" if value.failed else f"flagged: {value.note or 'no reason given'}"
    )
    return [flagged if word == FLAGGED_REASON else word for word in reasons(signals)]
