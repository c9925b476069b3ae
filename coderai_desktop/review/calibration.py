"""Does the model's confidence mean something, for one variable? Measured on the values a researcher reviewed.

From the reviewed values (the model's confidence, and whether the researcher judged the value correct):
accuracy by confidence band, the expected calibration error, and the lowest confidence threshold that keeps
the values accepted without review at a target accuracy, with the share of all the variable's values it
would send to review.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from coderai_desktop.domain.agreement import Band, Calibration, number_text, percent_text


def calibrate(
    confidences: Sequence[float],
    correct: Sequence[bool],
    *,
    target: float = 0.95,
    population: Sequence[float] | None = None,
    current_threshold: float | None = None,
    bands: int = 10,
    min_accepted: int = 10,
) -> Calibration:
    """Calibration of one variable from its reviewed values (`confidences[i]`, `correct[i]`).

    `population`: the confidences of all the variable's coded values, reviewed or not (default: the reviewed
    ones); the flagged shares are shares of it. The suggested threshold is the lowest candidate (0.0 and each
    distinct reviewed confidence) whose accepted reviewed values (confidence >= t) number at least
    `min_accepted` and are at least `target` correct: the fewest values sent to review that keep the target.
    """
    if len(confidences) != len(correct):
        raise ValueError(f"{len(confidences)} confidences but {len(correct)} judgements")
    if not 0.0 < target <= 1.0:
        raise ValueError(f"the target accuracy must be in (0, 1], not {target}")
    if bands < 1 or min_accepted < 1:
        raise ValueError("bands and min_accepted must be at least 1")
    if current_threshold is not None:
        _check_unit_interval([current_threshold], "the current threshold")
    reviewed = _check_unit_interval(confidences, "a confidence")
    judged = np.asarray(correct, dtype=bool)
    everyone = reviewed if population is None else _check_unit_interval(population, "a confidence")
    n = len(reviewed)

    band_list = _bands(reviewed, judged, bands)
    threshold, accepted_accuracy, reason = _suggest(reviewed, judged, target, min_accepted)
    return Calibration(
        n=n,
        accuracy=float(judged.mean()) if n else None,
        bands=band_list,
        ece=_ece(band_list, n),
        target=target,
        threshold=threshold,
        accepted_accuracy=accepted_accuracy,
        flagged_share=_share_below(everyone, threshold),
        current_threshold=current_threshold,
        current_flagged_share=_share_below(everyone, current_threshold),
        reason=reason,
    )


def _bands(reviewed: npt.NDArray[np.float64], judged: npt.NDArray[np.bool_], count: int) -> tuple[Band, ...]:
    # i / count rather than linspace: linspace gives 0.30000000000000004 for 3/10, which would put a value of
    # exactly 0.3 in the band below the one whose `low` says 0.3.
    edges = np.arange(count + 1) / count
    index = np.clip(np.searchsorted(edges, reviewed, side="right") - 1, 0, count - 1)
    result = []
    for i in range(count):
        members = index == i
        size = int(members.sum())
        result.append(
            Band(
                low=float(edges[i]),
                high=float(edges[i + 1]),
                n=size,
                accuracy=float(judged[members].mean()) if size else None,
                mean_confidence=float(reviewed[members].mean()) if size else None,
            )
        )
    return tuple(result)


def _ece(bands: tuple[Band, ...], n: int) -> float | None:
    if n == 0:
        return None
    gaps = (
        band.n / n * abs(band.accuracy - band.mean_confidence)
        for band in bands
        if band.accuracy is not None and band.mean_confidence is not None
    )
    return float(sum(gaps))


def _suggest(
    reviewed: npt.NDArray[np.float64], judged: npt.NDArray[np.bool_], target: float, min_accepted: int
) -> tuple[float | None, float | None, str | None]:
    """(threshold, accuracy of the accepted reviewed values, reason when there is no threshold)."""
    n = len(reviewed)
    if n == 0:
        return None, None, "no reviewed value with a confidence yet"
    if n < min_accepted:
        return None, None, f"too few reviewed values ({n} < {min_accepted}) to suggest a threshold"
    order = np.argsort(reviewed, kind="stable")
    ascending = reviewed[order]
    # Correct values strictly before position i in ascending order: those below a threshold starting there.
    correct_before = np.concatenate(([0], np.cumsum(judged[order])))
    candidates = np.unique(np.concatenate(([0.0], ascending)))
    start = np.searchsorted(ascending, candidates, side="left")  # first accepted value per candidate
    accepted = n - start
    right = correct_before[-1] - correct_before[start]
    accuracy = right / accepted  # every candidate accepts at least the values at the highest confidence
    # Accuracy is not monotone in the threshold: scan them all and take the lowest that qualifies.
    qualifies = (accepted >= min_accepted) & (accuracy >= target)
    if qualifies.any():
        best = int(np.argmax(qualifies))
        return float(candidates[best]), float(accuracy[best]), None
    # The highest candidate that still accepts enough values: the best case there is.
    top = int(np.flatnonzero(accepted >= min_accepted)[-1])
    return (
        None,
        None,
        f"even the {int(accepted[top])} most confident reviewed values (confidence {number_text(candidates[top])} "
        f"or more) are only {percent_text(float(accuracy[top]))} correct, below the target of {percent_text(target)}",
    )


def _share_below(population: npt.NDArray[np.float64], threshold: float | None) -> float | None:
    if threshold is None or len(population) == 0:
        return None
    return float((population < threshold).mean())


def _check_unit_interval(values: Sequence[float], what: str) -> npt.NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    bad = ~((array >= 0.0) & (array <= 1.0))  # NaN fails both comparisons
    if bad.any():
        raise ValueError(f"{what} must be between 0 and 1, not {array[bad][0]}")
    return array
