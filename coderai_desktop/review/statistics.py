"""Agreement between two coders on one variable (an LLM and a human, say), with bootstrap intervals.

Percent agreement, Cohen's kappa, Gwet's AC1 and Krippendorff's alpha for single values; precision, recall,
F1 and Jaccard for sets of values; exact and normalised matches for free text. Pure numpy, in closed form
(see bootstrap.py): the `krippendorff` package builds a value x value matrix per unit, which does not fit in
memory for interval data with thousands of distinct values.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Sequence, Set
from dataclasses import dataclass
from enum import StrEnum
from numbers import Real
from typing import Any, TypeVar

import numpy as np

from coderai_desktop.review.bootstrap import (
    Categorical,
    FloatArray,
    IntArray,
    Interval,
    categorical,
    interval_alpha,
    micro_f1,
    percentile_interval,
    resample_counts,
)

_T = TypeVar("_T")


class Missing:
    """The type of MISSING: this coder did not code this unit (unlike None, which is a code)."""

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"  # unpickles as the module's one instance


MISSING = Missing()


class Level(StrEnum):
    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    INTERVAL = "interval"


@dataclass(frozen=True)
class PairAgreement:
    level: Level
    n: int  # units that both coders coded (pairable)
    missing: int  # units left out because one or both coders did not code them
    percent: float | None  # share of the n units where the two values are equal
    kappa: float | None  # Cohen's kappa; None when not asked, n == 0, or undefined (expected agreement 1)
    kappa_ci: Interval | None
    alpha: float | None  # Krippendorff's alpha at `level`; None when n == 0 or no variation at all
    alpha_ci: Interval | None
    ac1: float | None  # Gwet's AC1; None when not asked, n == 0, or at interval level


@dataclass(frozen=True)
class SetAgreement:
    """Multi-valued variables; `second` is the reference: precision = |A∩B| / |A|, recall = |A∩B| / |B|."""

    n: int
    missing: int
    exact: float | None  # share of units with identical sets
    precision: float | None  # micro: pooled over units; None when its denominator is 0
    recall: float | None
    f1: float | None  # 2 |A∩B| / (|A| + |B|), pooled; None when both coders gave only empty sets
    jaccard: float | None  # mean per unit of |A∩B| / |A∪B|, two empty sets counting 1.0
    f1_ci: Interval | None


@dataclass(frozen=True)
class TextAgreement:
    n: int
    missing: int
    exact: float | None  # share of identical strings (None and None agree: both say "no value")
    normalised: float | None  # the same after normalise_text


def pair_agreement(
    first: Sequence[Any],
    second: Sequence[Any],
    level: Level,
    *,
    order: Sequence[Any] | None = None,
    kappa: bool = True,
    bootstrap: int = 1000,
    seed: int = 0,
) -> PairAgreement:
    """Agreement of two coders, `first[i]` and `second[i]` being their codes of unit i (MISSING: not coded).

    `order`: the categories of the scheme, in order. Required at ORDINAL level; optional at NOMINAL level,
    where it also sets AC1's number of categories K (otherwise K is the number of distinct codes seen; it
    stays fixed across resamples); not allowed at INTERVAL level. Kappa and AC1 are unweighted. Intervals
    are 95% percentile intervals over `bootstrap` resamples of the pairable units, from the resamples where
    the statistic is defined; None when bootstrap == 0 or n < 2. The resamples depend on `seed` and on the
    multiset of pairs, not on the order of the units (except, for nominal codes without `order`, through the
    order in which codes first appear).
    """
    level = Level(level)
    _check_bootstrap(bootstrap)
    pairs, missing = _pairable(first, second)
    if level is Level.INTERVAL:
        if order is not None:
            raise ValueError("order is for categories, not interval data")
        return _interval_agreement(_numbers(pairs), missing, bootstrap, seed)
    codes, size = _category_indices(pairs, level, order)
    if not pairs:
        return PairAgreement(level, 0, missing, None, None, None, None, None, None)
    # Unit types (distinct pairs), sorted; one integer per pair is several times faster than unique rows.
    types, counts = np.unique(codes[:, 0] * size + codes[:, 1], return_counts=True)
    table = np.stack([types // size, types % size], axis=1)

    def statistics(weights: IntArray) -> Categorical:
        return categorical(weights, table[:, 0], table[:, 1], size, level is Level.ORDINAL)

    point = statistics(counts[None, :])
    draws = statistics(resample_counts(counts, bootstrap, seed)) if bootstrap and len(pairs) >= 2 else None
    return PairAgreement(
        level=level,
        n=len(pairs),
        missing=missing,
        percent=_value(point.percent),
        kappa=_value(point.kappa) if kappa else None,
        kappa_ci=percentile_interval(draws.kappa) if kappa and draws is not None else None,
        alpha=_value(point.alpha),
        alpha_ci=percentile_interval(draws.alpha) if draws is not None else None,
        ac1=_value(point.ac1) if kappa else None,
    )


def _interval_agreement(values: FloatArray, missing: int, bootstrap: int, seed: int) -> PairAgreement:
    n = len(values)
    if n == 0:
        return PairAgreement(Level.INTERVAL, 0, missing, None, None, None, None, None, None)
    table, counts = np.unique(values, axis=0, return_counts=True)
    alpha = interval_alpha(counts[None, :], table)
    alpha_ci = None
    if bootstrap and n >= 2:
        alpha_ci = percentile_interval(interval_alpha(resample_counts(counts, bootstrap, seed), table))
    equal = np.abs(values[:, 0] - values[:, 1]) <= 1e-9 * np.abs(values).max(axis=1)
    return PairAgreement(
        Level.INTERVAL, n, missing, float(equal.mean()), None, None, _value(alpha), alpha_ci, None
    )


def set_agreement(
    first: Sequence[Set[Any] | Missing],
    second: Sequence[Set[Any] | Missing],
    *,
    bootstrap: int = 1000,
    seed: int = 0,
) -> SetAgreement:
    """Agreement on multi-valued variables, each unit's code a set (MISSING: not coded)."""
    _check_bootstrap(bootstrap)
    pairs, missing = _pairable(first, second)
    for pair in pairs:
        for code in pair:
            if not isinstance(code, Set):
                raise ValueError(f"set codes must be sets, not {code!r}")
    if not pairs:
        return SetAgreement(0, missing, None, None, None, None, None, None)
    sizes = np.array([[len(a & b), len(a), len(b), len(a | b)] for a, b in pairs], dtype=np.int64)
    both, firsts, seconds = sizes[:, :3].sum(axis=0)
    union = sizes[:, 3]
    jaccard = np.divide(sizes[:, 0], union, out=np.ones(len(pairs)), where=union > 0)
    table, counts = np.unique(sizes[:, :3], axis=0, return_counts=True)
    f1_ci = None
    if bootstrap and len(pairs) >= 2:
        f1_ci = percentile_interval(micro_f1(resample_counts(counts, bootstrap, seed), table))
    return SetAgreement(
        n=len(pairs),
        missing=missing,
        exact=float(np.mean([a == b for a, b in pairs])),
        precision=_share(both, firsts),
        recall=_share(both, seconds),
        f1=_share(2 * both, firsts + seconds),
        jaccard=float(jaccard.mean()),
        f1_ci=f1_ci,
    )


def text_agreement(
    first: Sequence[str | Missing | None], second: Sequence[str | Missing | None]
) -> TextAgreement:
    """Agreement on free text: identical strings, and identical after normalise_text."""
    pairs, missing = _pairable(first, second)
    if not pairs:
        return TextAgreement(0, missing, None, None)

    def normal(text: str | None) -> str | None:
        return None if text is None else normalise_text(text)

    return TextAgreement(
        n=len(pairs),
        missing=missing,
        exact=sum(a == b for a, b in pairs) / len(pairs),
        normalised=sum(normal(a) == normal(b) for a, b in pairs) / len(pairs),
    )


def normalise_text(text: str) -> str:
    """NFKC, case folded, punctuation (Unicode P*) removed, whitespace collapsed: 'U.S.  Army' -> 'us army'."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    kept = "".join(char for char in folded if not unicodedata.category(char).startswith("P"))
    return " ".join(kept.split())


def _pairable(
    first: Sequence[_T | Missing], second: Sequence[_T | Missing]
) -> tuple[list[tuple[_T, _T]], int]:
    """The units both coders coded, and how many others there were."""
    if len(first) != len(second):
        raise ValueError(
            f"the coders coded {len(first)} and {len(second)} units: they must be the same units"
        )
    pairs = [
        (a, b)
        for a, b in zip(first, second, strict=True)
        if not isinstance(a, Missing) and not isinstance(b, Missing)
    ]
    return pairs, len(first) - len(pairs)


def _check_bootstrap(bootstrap: int) -> None:
    if bootstrap < 0:
        raise ValueError("bootstrap must be 0 or more")


def _numbers(pairs: list[tuple[Any, Any]]) -> FloatArray:
    # Checked per type, not per value: a few types, thousands of values.
    for kind in {type(value) for pair in pairs for value in pair}:
        if issubclass(kind, bool) or not issubclass(kind, Real):
            example = next(value for pair in pairs for value in pair if type(value) is kind)
            raise ValueError(f"interval codes must be numbers, not {example!r}")
    values = np.array(pairs, dtype=np.float64).reshape(-1, 2)
    if not np.isfinite(values).all():
        raise ValueError("interval codes must be finite numbers")
    return values


def _category_indices(
    pairs: list[tuple[Any, Any]], level: Level, order: Sequence[Any] | None
) -> tuple[IntArray, int]:
    """Each code's position in `order` (or in order of first appearance) as an n x 2 array; how many."""
    if order is None:
        if level is Level.ORDINAL:
            raise ValueError("ordinal data needs the order of its categories")
        index: dict[Hashable, int] = {}
        for pair in pairs:
            for code in pair:
                index.setdefault(code, len(index))
    else:
        index = {code: position for position, code in enumerate(order)}
        if len(index) != len(order):
            raise ValueError("order lists a category twice")
        unknown = {repr(code) for pair in pairs for code in pair if code not in index}
        if unknown:
            raise ValueError(f"codes not in the order of categories: {', '.join(sorted(unknown))}")
    indices = np.array([[index[a], index[b]] for a, b in pairs], dtype=np.int64).reshape(-1, 2)
    return indices, len(index)


def _value(sample: FloatArray) -> float | None:
    """The observed sample's statistic; None where undefined."""
    value = float(sample[0])
    return None if np.isnan(value) else value


def _share(part: float, whole: float) -> float | None:
    return float(part / whole) if whole else None
