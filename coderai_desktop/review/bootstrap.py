"""The agreement statistics of many samples at once, and the bootstrap resamples to feed them.

Every statistic here depends only on how many units of each type (a distinct pair of codes) a sample holds.
So a sample is a row of type counts: the observed sample is the row of its own counts, and B bootstrap
resamples are a B x T matrix whose statistics come out of a few matrix operations, not B function calls.

Alpha with two coders, in its coincidence-matrix form, is 1 - (N - 1) * sum_u 2 delta(a_u, b_u) / sum_{i,j}
delta(v_i, v_j) over the N = 2n pairable values. For the interval metric (a - b)^2 the double sum is
2N * sum (v - mean)^2, so alpha = 1 - (N - 1) * sum_u (a_u - b_u)^2 / (N * sum (v - mean)^2): O(n), where
the coincidence matrix is values x values. Krippendorff's ordinal metric (sum_{g=c..k} n_g - (n_c + n_k)/2)^2
equals (m_k - m_c)^2, m_g = sum_{h<=g} n_h - n_g / 2 being the category's mid-rank: ordinal alpha is interval
alpha on mid-ranks (categories nobody used have n_g = 0 and change nothing). The nominal metric [c != k]
gives 1 - (N - 1) * 2 * disagreements / (N^2 - sum_c n_c^2).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from coderai_desktop.domain.agreement import Interval

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Unit draws go in blocks of at most this many cells (32 MiB of int64), so memory stays bounded for large n
# while the usual sizes (n = 2,000, B = 1,000) take one block, which is faster than several.
_BLOCK_CELLS = 1 << 22


def resample_counts(counts: IntArray, bootstrap: int, seed: int) -> IntArray:
    """B x T matrix: how many units of each of the T types each of `bootstrap` resamples holds.

    A resample draws n = counts.sum() units with replacement. The result depends only on the type counts
    (not on the order of the units) and on the seed. Counts stay integers: converting B x T to float costs
    more than the matrix products that use it.
    """
    n, types = int(counts.sum()), len(counts)
    rng = np.random.default_rng(seed)
    if 5 * types < n:
        # Few types: a multinomial over them costs B x T draws instead of B x n.
        drawn: IntArray = rng.multinomial(n, counts / n, size=bootstrap)
        return drawn
    # Many types (interval data): draw units, look up their types and count those per resample.
    unit_types = np.repeat(np.arange(types, dtype=np.int64), counts)
    block = max(1, _BLOCK_CELLS // n)
    parts = []
    for first in range(0, bootstrap, block):
        rows = min(block, bootstrap - first)
        cells = unit_types[rng.integers(0, n, size=(rows, n), dtype=np.int32)]
        cells += types * np.arange(rows, dtype=np.int64)[:, None]  # each resample its own range of bins
        parts.append(np.bincount(cells.ravel(), minlength=rows * types).reshape(rows, types))
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def percentile_interval(values: FloatArray) -> Interval | None:
    """2.5th and 97.5th percentiles of the resamples where the statistic is defined (not NaN)."""
    defined = values[~np.isnan(values)]
    if defined.size == 0:
        return None
    low, high = np.percentile(defined, [2.5, 97.5])
    return Interval(float(low), float(high))


class Categorical(NamedTuple):
    """One value per sample; NaN where the statistic is undefined."""

    percent: FloatArray
    kappa: FloatArray
    alpha: FloatArray
    ac1: FloatArray


def categorical(
    weights: IntArray, first: IntArray, second: IntArray, size: int, ordinal: bool
) -> Categorical:
    """Statistics of samples (rows of `weights`) of unit types coded (first[t], second[t]) among `size`
    categories, which is also AC1's K; `ordinal` picks alpha's metric."""
    n = weights.sum(axis=1)
    total = 2 * n  # N, the pairable values
    agree = weights @ (first == second).astype(np.int64)
    (rows, row_ids), (cols, col_ids) = _margins(weights, first), _margins(weights, second)
    # Sums over categories without B x K temporaries: free text can have thousands of categories.
    _, in_rows, in_cols = np.intersect1d(row_ids, col_ids, assume_unique=True, return_indices=True)
    chance = _row_dot(rows[:, in_rows], cols[:, in_cols])  # n^2 times kappa's expected agreement
    pooled_squares = _row_dot(rows, rows) + 2 * chance + _row_dot(cols, cols)  # sum_c n_c^2
    kappa = _divide(n * agree - chance, n * n - chance)
    if ordinal:
        pooled = np.zeros((len(n), size))
        pooled[:, row_ids] += rows
        pooled[:, col_ids] += cols
        mid = np.cumsum(pooled, axis=1) - pooled / 2  # mid-ranks: the ordinal metric is their squared gap
        observed = ((mid[:, first] - mid[:, second]) ** 2 * weights).sum(axis=1)
        expected = total * (pooled * (mid - total[:, None] / 2) ** 2).sum(axis=1)  # exactly 0 if no variation
    else:
        observed = 2 * (n - agree)
        expected = total * total - pooled_squares
    alpha = 1 - _divide((total - 1) * observed, expected)
    if size == 1:
        ac1 = np.ones(n.shape)  # one category in the scheme: every unit agrees, by construction
    else:
        chance_ac1 = (1 - pooled_squares / (total * total)) / (size - 1)  # sum_k pi_k (1 - pi_k) / (K - 1)
        ac1 = (agree / n - chance_ac1) / (1 - chance_ac1)  # chance_ac1 <= 1/K < 1
    return Categorical(agree / n, kappa, alpha, ac1)


def interval_alpha(weights: IntArray, values: FloatArray) -> FloatArray:
    """Interval alpha of samples of unit types coded (values[t, 0], values[t, 1]), in O(B x T)."""
    n = weights.sum(axis=1)
    total = 2 * n
    centred = values - values.mean()  # the sums of squares below lose nothing to a large mean
    moments = weights @ np.stack(
        [(values[:, 0] - values[:, 1]) ** 2, centred.sum(axis=1), (centred * centred).sum(axis=1)], axis=1
    )
    observed, sums, squares = moments.T
    spread = squares - sums * sums / total  # sum (v - mean)^2 of the sample's values
    # No variation exactly when every unit drawn is of one type coded with the same value twice.
    tie = values[:, 0] == values[:, 1]
    spread[(weights.max(axis=1) == n) & tie[weights.argmax(axis=1)]] = 0.0
    return 1 - _divide((total - 1) * observed, total * spread)


def micro_f1(weights: IntArray, table: IntArray) -> FloatArray:
    """2 |A∩B| / (|A| + |B|) pooled over samples of unit types (|A∩B|, |A|, |B|) = table[t]."""
    both, firsts, seconds = (weights @ table).T
    return _divide(2 * both, firsts + seconds)


def _margins(weights: IntArray, codes: IntArray) -> tuple[IntArray, IntArray]:
    """B x U: the weighted count of each of the U categories in `codes` (sorted), and those categories."""
    if (codes[1:] < codes[:-1]).any():
        order = np.argsort(codes, kind="stable")
        codes, weights = codes[order], weights[:, order]
    starts = np.flatnonzero(np.diff(codes, prepend=-1))
    if len(starts) < len(codes):  # some category coded in several types
        weights = np.add.reduceat(weights, starts, axis=1)
    return weights, codes[starts]


def _row_dot(left: IntArray, right: IntArray) -> IntArray:
    out: IntArray = np.einsum("ij,ij->i", left, right)
    return out


def _divide(numerator: npt.NDArray[Any], denominator: npt.NDArray[Any]) -> FloatArray:
    """numerator / denominator, NaN where the denominator is 0 (or less: rounding of a zero spread)."""
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out
