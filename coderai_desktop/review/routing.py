"""A review queue: the unreviewed values, the most likely wrong first, with the reasons in plain words.

The risk is a noisy-OR: each warning is read as an independent chance that the value is wrong, and the value
is right only if none of them strikes, so risk = 1 - prod(1 - p_i). Each warning can only multiply the
"right" product by a factor <= 1, so adding one never lowers the risk, and the risk stays in [0, 1].
The constants are priors, not fitted; only the order they give matters for the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A second coder disagreeing: at least one of the two is wrong. With coders of similar quality the first is
# wrong in about half the disagreements, and hard items often have both wrong; so a little over half.
SECOND_OPINION_DIFFERS = 0.6
# A quote the aligner could not locate, even fuzzily: the evidence was likely invented, and so, often, the
# value resting on it; but the model may also have merged or reworded passages beyond the fuzzy match.
QUOTE_NOT_FOUND = 0.5
# A pipeline flag covers checks of uneven weight (a broken rule, an out-of-range value, a soft warning).
FLAGGED = 0.4
# An answer that the document gives no value: the prompt asks for a low confidence with it, so its confidence
# says nothing, and "the model found nothing, but the document says X" is the most common correction.
ABSENT = 0.3


@dataclass(frozen=True)
class Signals:
    confidence: float | None  # the model's confidence (None: unknown)
    threshold: float  # the variable's confidence threshold
    flagged: bool  # the pipeline flagged the value (a rule failed, a quote was not found...)
    quote_found: bool | None  # a stated value's quote was located (None: no quote needed / not applicable)
    second_opinion_differs: bool | None  # another model (or pass) coded it differently (None: none asked)
    absent: bool = False  # the model found no value (its confidence is then left out)

    def __post_init__(self) -> None:
        for name in ("confidence", "threshold"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:  # NaN fails too
                raise ValueError(f"{name} must be between 0 and 1, not {value}")


def risk(signals: Signals) -> float:
    """How likely the value is wrong, in [0, 1]; higher first in the queue.

    The confidence counts as the model's own chance of being right: 1 - confidence is its chance of error. An
    unknown confidence counts as one right at the variable's threshold: borderline, neither trusted nor
    doubted. A second opinion that agrees, a quote that was found, and absent signals add nothing.
    """
    if signals.absent:
        right = 1.0 - ABSENT
    else:
        right = signals.threshold if signals.confidence is None else signals.confidence
    if signals.second_opinion_differs:
        right *= 1.0 - SECOND_OPINION_DIFFERS
    if signals.quote_found is False:
        right *= 1.0 - QUOTE_NOT_FOUND
    if signals.flagged:
        right *= 1.0 - FLAGGED
    return 1.0 - right


FLAGGED_REASON = "the pipeline flagged it"
ABSENT_REASON = "the model found no value: check that the document gives none"


def reasons(signals: Signals) -> list[str]:
    """Why the value may be wrong, strongest warning first; empty when nothing speaks against it."""
    found = []
    if signals.second_opinion_differs:
        found.append("a second model coded it differently")
    if signals.quote_found is False:
        found.append("the quote was not found in the document")
    if signals.flagged:
        found.append(FLAGGED_REASON)
    if signals.absent:
        found.append(ABSENT_REASON)
    elif signals.confidence is None:
        found.append("the model gave no confidence")
    elif signals.confidence < signals.threshold:
        confidence, threshold = _distinct(signals.confidence, signals.threshold)
        found.append(f"confidence {confidence} is below {threshold}")
    return found


def review_order(items: Sequence[Signals]) -> list[int]:
    """Indices of `items`, the riskiest first; equal risks keep their input order."""
    risks = [risk(item) for item in items]
    return sorted(range(len(items)), key=lambda i: -risks[i])  # sorted() is stable


def _distinct(low: float, high: float) -> tuple[str, str]:
    """Both numbers with two decimals, or more when two would print 0.70 below 0.70."""
    for decimals in range(2, 7):
        low_text, high_text = f"{low:.{decimals}f}", f"{high:.{decimals}f}"
        if low_text != high_text:
            return low_text, high_text
    return repr(low), repr(high)  # the shortest text that tells two floats apart
