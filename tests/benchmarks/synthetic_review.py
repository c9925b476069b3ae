"""A synthetic coded corpus with known errors, to measure how well the review queue finds them.

Used by tests/unit/review/test_routing.py and tests/benchmarks/bench_agreement.py. The model is
over-confident, as LLMs tend to be: a value at confidence c is wrong with probability 0.03 + 0.7 * (1 - c),
more than the 1 - c it claims near the top. The warnings correlate with the errors without matching them:
flags, unlocated quotes and a second model's disagreement are much more common on wrong values, yet each
misses many of them and also fires on some right ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from the benchmarks

from coderai_desktop.review.routing import Signals

THRESHOLD = 0.7
NO_CONFIDENCE = 0.02  # share of values whose confidence the pipeline could not read
QUOTED = 0.5  # share of stated values, whose quote is looked for
SECOND_OPINION = 0.6  # share coded a second time
# P(warning | wrong), P(warning | right)
FLAG = (0.35, 0.05)
QUOTE_NOT_FOUND = (0.3, 0.03)
DIFFERS = (0.7, 0.08)


def synthetic_corpus(n: int, seed: int) -> tuple[list[Signals], list[bool]]:
    """`n` values' signals, and whether each value is actually wrong; the same for the same seed."""
    rng = np.random.default_rng(seed)
    # Skewed high and given with two decimals, like LLM confidences (so there are many ties).
    confidence = np.round(rng.beta(5.0, 1.5, n), 2)
    wrong = rng.random(n) < 0.03 + 0.7 * (1.0 - confidence)
    unknown = rng.random(n) < NO_CONFIDENCE
    quoted = rng.random(n) < QUOTED
    second = rng.random(n) < SECOND_OPINION

    def warning(rates: tuple[float, float]) -> np.ndarray:
        return rng.random(n) < np.where(wrong, rates[0], rates[1])

    flagged, not_found, differs = warning(FLAG), warning(QUOTE_NOT_FOUND), warning(DIFFERS)
    signals = [
        Signals(
            confidence=None if unknown[i] else float(confidence[i]),
            threshold=THRESHOLD,
            flagged=bool(flagged[i]),
            quote_found=bool(not not_found[i]) if quoted[i] else None,
            second_opinion_differs=bool(differs[i]) if second[i] else None,
        )
        for i in range(n)
    ]
    return signals, [bool(w) for w in wrong]


def caught_share(order: list[int], wrong: list[bool], budget: float) -> float:
    """The share of the wrong values found by reviewing the first `budget` share of `order`.

    The number reviewed is budget * len(order), rounded to the nearest value.
    """
    if len(order) != len(wrong):
        raise ValueError(f"{len(order)} positions but {len(wrong)} values")
    if not 0.0 <= budget <= 1.0:
        raise ValueError(f"the budget must be between 0 and 1, not {budget}")
    errors = sum(wrong)
    if errors == 0:
        raise ValueError("no wrong value to catch")
    reviewed = round(budget * len(order))
    return sum(wrong[i] for i in order[:reviewed]) / errors
