"""What the model answered for a variable, and the coded value that is stored from it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from coderai_desktop.domain.enums import ExtractionStatus, MatchStatus
from coderai_desktop.pipeline.grounding import Evidence

NO_EVIDENCE = Evidence(None, None, None, None, MatchStatus.NO_QUOTE)


@dataclass(frozen=True)
class Item:
    """One value with its quote (variables that keep every value have several)."""

    value: Any
    quote: str | None


@dataclass(frozen=True)
class Answer:
    """The model's answer for one variable in one call (one chunk, one entity)."""

    items: tuple[Item, ...]
    confidence: float | None
    scope_key: str
    chunk_index: int = 0
    # The answer as the model wrote it, kept for the audit trail.
    raw: Any = None

    @classmethod
    def from_json(cls, data: Any, *, multi: bool, scope_key: str, chunk_index: int = 0) -> Answer:
        """Tolerant of JSON-mode answers that skip the {value, confidence, evidence} wrapper."""
        if not isinstance(data, dict) or "value" not in data:
            data = {"value": data, "confidence": None, "evidence": None}
        value, quote = data.get("value"), data.get("evidence")
        if multi and isinstance(value, list):
            items = tuple(
                Item(entry.get("value"), entry.get("evidence"))
                if isinstance(entry, dict)
                else Item(entry, None)
                for entry in value
            )
        elif isinstance(value, list):  # several values for a single-valued variable
            items = tuple(Item(entry, quote) for entry in value if entry is not None)
        else:
            items = () if value is None else (Item(value, quote),)
        return cls(items, _confidence(data.get("confidence")), scope_key, chunk_index, data)


@dataclass
class ExtractedValue:
    """A value ready to be stored as an Extraction row."""

    variable: str
    value: Any
    confidence: float | None
    evidence: Evidence
    status: ExtractionStatus
    scope_key: str | None
    raw: Any = None
    notes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str | None:
        return "; ".join(self.notes) or None

    def flag(self, reason: str) -> None:
        self.status = ExtractionStatus.FLAGGED
        self.notes.append(reason)


def _confidence(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return None
    if 1 < number <= 100:  # on a scale of 0 to 1 it makes no sense: some models answer in percent
        number /= 100
    return min(1.0, max(0.0, number))
