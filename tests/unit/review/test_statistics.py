"""Agreement statistics between two coders: against the krippendorff package and scikit-learn, against
published and hand-worked examples, and their properties (symmetry, ranges, MISSING units left out)."""

from __future__ import annotations

import pickle
import warnings
from collections import Counter
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coderai_desktop.review.bootstrap import percentile_interval, resample_counts
from coderai_desktop.review.statistics import (
    MISSING,
    Interval,
    Level,
    PairAgreement,
    SetAgreement,
    TextAgreement,
    normalise_text,
    pair_agreement,
    set_agreement,
    text_agreement,
)

ORDER = list(range(7))  # ordinal scheme: the random data below use only 0..4, so 5 and 6 go unused


def _random_codes(
    rng: np.random.Generator, n: int, categories: int, missing: bool
) -> tuple[list[Any], list[Any]]:
    """Two coders who agree about 60% of the time, with some units left uncoded by one or both."""
    first = rng.integers(0, categories, n)
    second = np.where(rng.random(n) < 0.6, first, rng.integers(0, categories, n))
    a: list[Any] = first.tolist()
    b: list[Any] = second.tolist()
    if missing:
        for i in np.flatnonzero(rng.random(n) < 0.15):
            a[i] = MISSING
        for i in np.flatnonzero(rng.random(n) < 0.15):
            b[i] = MISSING
    return a, b


class References:
    """The reference implementations: test-only dependencies, so the tests that need them skip without them."""

    def __init__(self) -> None:
        self.krippendorff = pytest.importorskip(
            "krippendorff", reason="krippendorff (a test reference) is absent"
        )
        self.metrics = pytest.importorskip(
            "sklearn.metrics", reason="scikit-learn (a test reference) is absent"
        )

    def alpha(self, a: list[Any], b: list[Any], level: str, domain: list[Any] | None = None) -> float | None:
        """krippendorff.alpha, None where it cannot say (no pairable unit, one value only)."""
        data = np.array([[np.nan if x is MISSING else x for x in coder] for coder in (a, b)], dtype=float)
        try:
            with np.errstate(invalid="ignore", divide="ignore"):
                value = self.krippendorff.alpha(
                    reliability_data=data, level_of_measurement=level, value_domain=domain
                )
        except ValueError:  # "more than one value in the domain" / "at least one unit with two coders"
            return None
        return None if np.isnan(value) else float(value)

    def kappa(self, a: list[Any], b: list[Any]) -> float | None:
        """sklearn's cohen_kappa_score on the pairable units, None where undefined."""
        pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not MISSING and y is not MISSING]
        if not pairs:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one label only: sklearn warns and answers NaN
            value = self.metrics.cohen_kappa_score([x for x, _ in pairs], [y for _, y in pairs])
        return None if np.isnan(value) else float(value)


@pytest.fixture(scope="module")
def references() -> References:
    return References()


def _close(ours: float | None, reference: float | None, tolerance: float = 1e-9) -> bool:
    if ours is None or reference is None:
        return ours is None and reference is None
    return abs(ours - reference) <= tolerance


# --- Against the reference implementations -------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 5, 30, 200, 1000])
@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nominal_and_ordinal_match_krippendorff_and_sklearn(
    n: int, missing: bool, seed: int, references: References
) -> None:
    a, b = _random_codes(np.random.default_rng([n, seed]), n, 5, missing)

    nominal = pair_agreement(a, b, Level.NOMINAL, bootstrap=0)
    ordinal = pair_agreement(a, b, Level.ORDINAL, order=ORDER, bootstrap=0)

    assert _close(nominal.alpha, references.alpha(a, b, "nominal"))
    assert _close(ordinal.alpha, references.alpha(a, b, "ordinal", ORDER))
    assert _close(nominal.kappa, references.kappa(a, b))
    assert _close(ordinal.kappa, nominal.kappa)  # unweighted on the categories at both levels
    assert nominal.n + nominal.missing == n


def _ac1_by_formula(a: list[Any], b: list[Any]) -> float | None:
    """Gwet's AC1 straight from its definition, K being the number of distinct codes."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not MISSING and y is not MISSING]
    if not pairs:
        return None
    pooled = Counter(x for pair in pairs for x in pair)
    if len(pooled) == 1:
        return 1.0
    agreement = sum(x == y for x, y in pairs) / len(pairs)
    chance = sum(c / (2 * len(pairs)) * (1 - c / (2 * len(pairs))) for c in pooled.values()) / (
        len(pooled) - 1
    )
    return (agreement - chance) / (1 - chance)


@pytest.mark.parametrize("n", [30, 200])
@pytest.mark.parametrize("categories", [5, 300])
def test_nominal_with_many_categories_matches_the_references(
    n: int, categories: int, references: References
) -> None:
    a, b = _random_codes(np.random.default_rng([n, categories]), n, categories, missing=True)

    result = pair_agreement(a, b, Level.NOMINAL, bootstrap=0)

    assert _close(result.alpha, references.alpha(a, b, "nominal"))
    assert _close(result.kappa, references.kappa(a, b))
    assert _close(result.ac1, _ac1_by_formula(a, b))


@pytest.mark.parametrize("n", [2, 5, 30, 200])
@pytest.mark.parametrize("missing", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_interval_matches_krippendorff(n: int, missing: bool, seed: int, references: References) -> None:
    rng = np.random.default_rng([n, seed, 7])
    first = rng.normal(10, 3, n).round() / 2  # few distinct values, so the package's V x V fits
    second = np.where(rng.random(n) < 0.3, first, first + rng.normal(0, 1, n).round() / 2)
    a: list[Any] = first.tolist()
    b: list[Any] = second.tolist()
    if missing:
        a[0], b[-1] = MISSING, MISSING

    result = pair_agreement(a, b, Level.INTERVAL, bootstrap=0)

    assert _close(result.alpha, references.alpha(a, b, "interval"))
    assert result.kappa is None and result.ac1 is None


def test_interval_alpha_in_closed_form_matches_the_coincidence_sums_on_many_distinct_values() -> None:
    # 600 distinct values: too many for the package, so the reference is the definition itself,
    # alpha = 1 - D_o / D_e with D_o = (1/N) sum_u 2 (a - b)^2, D_e = sum_{i != j} (v_i - v_j)^2 / (N (N - 1)).
    rng = np.random.default_rng(3)
    a = rng.normal(1e6, 50, 300)  # a large mean: the closed form must not lose the spread to it
    b = a + rng.normal(0, 20, 300)
    values = np.concatenate([a, b])
    big_n = len(values)
    observed = 2 * ((a - b) ** 2).sum() / big_n
    expected = ((values[:, None] - values[None, :]) ** 2).sum() / (big_n * (big_n - 1))

    result = pair_agreement(a.tolist(), b.tolist(), Level.INTERVAL, bootstrap=0)

    assert result.alpha == pytest.approx(1 - observed / expected, abs=1e-9)


def test_ordinal_with_named_categories_and_unused_ones(references: References) -> None:
    order = ["very low", "low", "mid", "high", "very high"]
    a = ["low", "mid", "mid", "high", "low", "mid", MISSING]
    b = ["low", "mid", "high", "high", "mid", "low", "high"]
    as_numbers = [MISSING if x is MISSING else order.index(x) for x in a]
    b_numbers = [order.index(x) for x in b]

    result = pair_agreement(a, b, Level.ORDINAL, order=order, bootstrap=0)

    assert _close(result.alpha, references.alpha(as_numbers, b_numbers, "ordinal", list(range(5))))
    assert result.n == 6 and result.missing == 1


# --- Published and hand-worked examples ------------------------------------------------------------------


def _from_table(table: list[list[int]]) -> tuple[list[int], list[int]]:
    """Units from a contingency table: table[i][j] units coded i by the first coder and j by the second."""
    first = [i for i, row in enumerate(table) for j, count in enumerate(row) for _ in range(count)]
    second = [j for i, row in enumerate(table) for j, count in enumerate(row) for _ in range(count)]
    return first, second


def test_gwet_2008_two_raters_two_categories() -> None:
    # Gwet (2008), Br J Math Stat Psychol 61:29-48: 125 subjects, rater A x rater B = [[118, 5], [2, 0]].
    # By hand: p_a = 118/125 = 0.944. Margins: A (123, 2), B (120, 5).
    # Kappa: p_e = (123*120 + 2*5) / 125^2 = 14770/15625 = 0.94528; kappa = (0.944 - 0.94528) / 0.05472 = -4/171
    #   = -0.02339.
    # AC1: pi_1 = (123 + 120) / 250 = 0.972, pi_2 = 0.028; p_e = pi_1 (1 - pi_1) + pi_2 (1 - pi_2) = 0.054432
    #   (K = 2, so 1/(K - 1) = 1); AC1 = (0.944 - 0.054432) / 0.945568 = 27799/29549 = 0.94078.
    # (The brief quoted -0.0236 and 0.9440; the formula gives -0.0234 and 0.9408.)
    first, second = _from_table([[118, 5], [2, 0]])

    result = pair_agreement(first, second, Level.NOMINAL, bootstrap=0)

    assert result.percent == pytest.approx(0.944)
    assert result.kappa == pytest.approx(float(Fraction(-4, 171)), abs=1e-12)
    assert result.ac1 == pytest.approx(float(Fraction(27799, 29549)), abs=1e-12)
    assert round(result.kappa, 4) == -0.0234 and round(result.ac1, 4) == 0.9408
    # The paradox: 94% agreement, kappa about 0, AC1 high.
    assert result.percent > 0.9 and abs(result.kappa) < 0.05 and result.ac1 > 0.9


def test_feinstein_cicchetti_paradox_same_agreement_different_kappa() -> None:
    # Both tables: p_o = 0.85. Balanced: p_e = (49*46 + 51*54) / 100^2 = 0.5008, kappa = 0.3492/0.4992 = 0.6995.
    # Skewed: p_e = (90*85 + 10*15) / 100^2 = 0.78, kappa = 0.07/0.22 = 0.3182; AC1: pi = (0.875, 0.125),
    # p_e = 2 * 0.875 * 0.125 = 0.21875, AC1 = 0.63125/0.78125 = 0.808.
    balanced = pair_agreement(*_from_table([[40, 9], [6, 45]]), Level.NOMINAL, bootstrap=0)
    skewed = pair_agreement(*_from_table([[80, 10], [5, 5]]), Level.NOMINAL, bootstrap=0)

    assert balanced.percent == skewed.percent == pytest.approx(0.85)
    assert balanced.kappa == pytest.approx(0.3492 / 0.4992)
    assert skewed.kappa == pytest.approx(0.07 / 0.22)
    assert skewed.ac1 == pytest.approx(0.808)


def test_ac1_counts_the_categories_of_the_scheme_when_given() -> None:
    # Unit pairs (0,0), (0,1), (1,1), (0,0): p_a = 3/4; pi = (5/8, 3/8), sum pi (1 - pi) = 2 * 15/64 = 15/32.
    # K = 2: p_e = 15/32, AC1 = (3/4 - 15/32) / (17/32) = 9/17. K = 3 (a third, unused category):
    # p_e = 15/64, AC1 = (3/4 - 15/64) / (49/64) = 33/49.
    first, second = ["y", "y", "n", "y"], ["y", "n", "n", "y"]

    seen = pair_agreement(first, second, Level.NOMINAL, bootstrap=0)
    scheme = pair_agreement(first, second, Level.NOMINAL, order=["y", "n", "unsure"], bootstrap=0)

    assert seen.ac1 == pytest.approx(9 / 17)
    assert scheme.ac1 == pytest.approx(33 / 49)
    assert scheme.kappa == seen.kappa and scheme.alpha == seen.alpha


def test_one_category_only() -> None:
    result = pair_agreement(["yes"] * 5, ["yes"] * 5, Level.NOMINAL)

    assert result.percent == 1.0
    assert result.kappa is None and result.kappa_ci is None  # expected agreement 1
    assert result.alpha is None and result.alpha_ci is None  # no variation
    assert result.ac1 == 1.0  # K = 1: defined as 1


def test_none_is_a_category_at_nominal_level(references: References) -> None:
    first = [None, "a", None, "b", "a", MISSING]
    second = [None, "a", "a", "b", "a", None]
    spelled = (
        ["<none>" if x is None else x for x in first[:5]],
        ["<none>" if x is None else x for x in second[:5]],
    )

    result = pair_agreement(first, second, Level.NOMINAL, bootstrap=0)

    assert result.n == 5 and result.missing == 1
    assert result.percent == pytest.approx(0.8)
    assert _close(result.kappa, references.kappa(*spelled))
    assert _close(pair_agreement(*spelled, Level.NOMINAL, bootstrap=0).alpha, result.alpha)


def test_interval_percent_agreement_is_equality_within_a_relative_1e9() -> None:
    first = [1.0, 1e6, 0.0, 5, 2.0, 1.0]
    second = [1.0 + 1e-12, 1e6 + 1e-4, 0.0, 5.0, 2.001, 1.0 + 1e-8]

    assert pair_agreement(first, second, Level.INTERVAL).percent == pytest.approx(4 / 6)


def test_no_variation_has_no_alpha_even_where_rounding_leaves_a_tiny_spread() -> None:
    # 0.1 summed ten times is not 1.0: a sum of squares about the mean can come out a rounding error, not 0.
    assert pair_agreement([0.1] * 10, [0.1] * 10, Level.INTERVAL).alpha is None
    # Resamples that drew only the tied units have no variation either: no alpha (not 1) for them. Here the
    # centring, on all three distinct values, leaves such a resample a spread of about 4e-16 before the check.
    tie, first, second = 1.7244400108367863, 0.061402768290391034, 1.129959643263342
    a, b = np.array([tie] * 5 + [first]), np.array([tie] * 5 + [second])
    _, alpha_ci = _one_by_one(a, b, Level.INTERVAL, None, 200)
    result = pair_agreement(a.tolist(), b.tolist(), Level.INTERVAL, bootstrap=200, seed=5)

    assert result.alpha_ci is not None and alpha_ci is not None
    assert (result.alpha_ci.low, result.alpha_ci.high) == pytest.approx(
        (alpha_ci.low, alpha_ci.high), abs=1e-12
    )


def test_no_pairable_unit() -> None:
    result = pair_agreement([MISSING, "a"], ["b", MISSING], Level.NOMINAL)

    assert result == PairAgreement(Level.NOMINAL, 0, 2, None, None, None, None, None, None)
    assert pair_agreement([], [], Level.INTERVAL).n == 0


def test_one_unit_has_no_interval() -> None:
    result = pair_agreement([1, 2], [1, MISSING], Level.ORDINAL, order=[1, 2])

    assert result.n == 1 and result.percent == 1.0
    assert result.kappa_ci is None and result.alpha_ci is None


def test_kappa_false_leaves_out_kappa_and_ac1() -> None:
    result = pair_agreement([1, 2, 1, 2], [1, 2, 2, 2], Level.NOMINAL, kappa=False)

    assert result.kappa is None and result.kappa_ci is None and result.ac1 is None
    assert result.alpha is not None and result.alpha_ci is not None


@pytest.mark.parametrize(
    ("first", "second", "level", "order"),
    [
        ([1, 2], [1, 3], Level.ORDINAL, [1, 2]),  # 3 is not a category
        ([1, 2], [1, 2], Level.ORDINAL, None),  # ordinal needs the order
        ([1, 2], [1, 2], Level.NOMINAL, [1, 2, 1]),  # a category twice
        ([1, None], [1, 2], Level.INTERVAL, None),  # None is not a number
        ([1, True], [1, 2], Level.INTERVAL, None),  # nor is a boolean
        (["1", 2], [1, 2], Level.INTERVAL, None),  # nor a string
        ([1.0, float("nan")], [1, 2], Level.INTERVAL, None),
        ([1, 2], [1, 2], Level.INTERVAL, [1, 2]),  # order is for categories
        ([1, 2], [1], Level.NOMINAL, None),  # not the same units
    ],
)
def test_invalid_input(first: list[Any], second: list[Any], level: Level, order: list[Any] | None) -> None:
    with pytest.raises(ValueError):
        pair_agreement(first, second, level, order=order)


def test_negative_bootstrap_is_refused() -> None:
    with pytest.raises(ValueError):
        pair_agreement([1], [1], Level.NOMINAL, bootstrap=-1)


def test_missing_survives_pickling_as_itself() -> None:
    assert pickle.loads(pickle.dumps(MISSING)) is MISSING
    assert repr(MISSING) == "MISSING"


# --- The bootstrap ---------------------------------------------------------------------------------------


def _one_by_one(
    first: np.ndarray, second: np.ndarray, level: Level, order: list[Any] | None, draws: int
) -> tuple[Interval | None, Interval | None]:
    """The same resamples as pair_agreement draws, each computed by a separate call: the slow reference."""
    values = np.stack([first, second], axis=1)
    table, counts = np.unique(values, axis=0, return_counts=True)
    kappas, alphas = [], []
    for row in resample_counts(counts, draws, seed=5):
        units = np.repeat(table, row, axis=0)
        result = pair_agreement(units[:, 0].tolist(), units[:, 1].tolist(), level, order=order, bootstrap=0)
        kappas.append(np.nan if result.kappa is None else result.kappa)
        alphas.append(np.nan if result.alpha is None else result.alpha)
    return percentile_interval(np.array(kappas)), percentile_interval(np.array(alphas))


@pytest.mark.parametrize("level", [Level.NOMINAL, Level.ORDINAL, Level.INTERVAL])
@pytest.mark.parametrize("n", [4, 60])
@pytest.mark.parametrize("categories", [4, 300])  # 300: most categories in one unit type only, as free text
def test_vectorised_bootstrap_equals_resamples_computed_one_by_one(
    level: Level, n: int, categories: int
) -> None:
    rng = np.random.default_rng(n)
    first = rng.integers(0, categories, n)
    second = np.where(rng.random(n) < 0.7, first, rng.integers(0, categories, n))
    if level is Level.INTERVAL:
        first, second = first * 1.5, second * 1.5 + rng.integers(0, 2, n)
    # With the order given, the category indices are the codes themselves, as in _one_by_one's table.
    order = list(range(categories)) if level is not Level.INTERVAL else None

    result = pair_agreement(first.tolist(), second.tolist(), level, order=order, bootstrap=200, seed=5)
    kappa_ci, alpha_ci = _one_by_one(first, second, level, order, 200)

    assert result.alpha_ci is not None and alpha_ci is not None
    assert result.alpha_ci.low == pytest.approx(alpha_ci.low, abs=1e-12)
    assert result.alpha_ci.high == pytest.approx(alpha_ci.high, abs=1e-12)
    if level is not Level.INTERVAL:
        assert result.kappa_ci is not None and kappa_ci is not None
        assert result.kappa_ci.low == pytest.approx(kappa_ci.low, abs=1e-12)
        assert result.kappa_ci.high == pytest.approx(kappa_ci.high, abs=1e-12)


def test_percentile_interval_leaves_out_undefined_resamples() -> None:
    values = np.concatenate([np.arange(1001.0), [np.nan] * 50])

    assert percentile_interval(values) == Interval(25.0, 975.0)
    assert percentile_interval(np.array([np.nan, np.nan])) is None


@pytest.mark.parametrize("types", [3, 400])  # the multinomial path and the unit-index path
def test_resamples_draw_n_units_each_around_the_observed_counts(types: int) -> None:
    counts = np.arange(1, types + 1, dtype=np.int64)
    drawn = resample_counts(counts, 2000, seed=1)

    assert drawn.shape == (2000, types)
    assert (drawn.sum(axis=1) == counts.sum()).all()
    assert np.allclose(drawn.mean(axis=0), counts, rtol=0.1, atol=0.5)
    assert (resample_counts(counts, 50, seed=1) == resample_counts(counts, 50, seed=1)).all()


def test_interval_on_large_data_is_narrow_and_holds_the_estimate() -> None:
    a, b = _random_codes(np.random.default_rng(9), 2000, 5, missing=False)

    result = pair_agreement(a, b, Level.NOMINAL)

    for estimate, interval in [(result.kappa, result.kappa_ci), (result.alpha, result.alpha_ci)]:
        assert estimate is not None and interval is not None
        assert interval.low < estimate < interval.high
        assert interval.high - interval.low < 0.1
    assert pair_agreement(a, b, Level.NOMINAL, seed=1) != result  # another seed, other resamples
    assert pair_agreement(a, b, Level.NOMINAL) == result


# --- Properties ------------------------------------------------------------------------------------------

_categories = st.sampled_from(["a", "b", "c", None, MISSING])
_numbers = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, 2.5, MISSING]))
_ordinals = st.sampled_from([0, 1, 2, 3, MISSING])


def _unit_pairs(codes: st.SearchStrategy[Any]) -> st.SearchStrategy[list[tuple[Any, Any]]]:
    return st.lists(st.tuples(codes, codes), max_size=40)


_cases = st.one_of(
    st.tuples(st.just(Level.NOMINAL), st.just(None), _unit_pairs(_categories)),
    st.tuples(st.just(Level.ORDINAL), st.just([0, 1, 2, 3]), _unit_pairs(_ordinals)),
    st.tuples(st.just(Level.INTERVAL), st.just(None), _unit_pairs(_numbers)),
)


def _agreement(
    level: Level, order: list[Any] | None, pairs: list[tuple[Any, Any]], **options: Any
) -> PairAgreement:
    return pair_agreement([a for a, _ in pairs], [b for _, b in pairs], level, order=order, **options)


@settings(max_examples=100, deadline=None)
@given(case=_cases)
def test_matches_the_references_on_any_data(
    references: References, case: tuple[Level, list[Any] | None, list[tuple[Any, Any]]]
) -> None:
    level, order, pairs = case
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    result = _agreement(level, order, pairs, bootstrap=0)

    if level is not Level.NOMINAL:  # the package cannot take None among numbers; nominal is tested above
        assert _close(result.alpha, references.alpha(a, b, level.value, order))
    else:
        assert _close(result.ac1, _ac1_by_formula(a, b))
    if level is Level.ORDINAL:
        assert _close(result.kappa, references.kappa(a, b))


@settings(max_examples=100, deadline=None)
@given(_cases)
def test_identical_coders_agree_fully(case: tuple[Level, list[Any] | None, list[tuple[Any, Any]]]) -> None:
    level, order, pairs = case
    same = [(a, a) for a, _ in pairs]

    result = _agreement(level, order, same, bootstrap=0)

    if result.n:
        assert result.percent == 1.0
        assert result.alpha in (1.0, None)
        assert result.kappa in (1.0, None)
        assert result.ac1 == (None if level is Level.INTERVAL else 1.0)


@settings(max_examples=100, deadline=None)
@given(_cases)
def test_swapping_the_coders_changes_no_estimate(
    case: tuple[Level, list[Any] | None, list[tuple[Any, Any]]],
) -> None:
    level, order, pairs = case

    result = _agreement(level, order, pairs, bootstrap=0)
    swapped = _agreement(level, order, [(b, a) for a, b in pairs], bootstrap=0)

    for name in ("percent", "kappa", "alpha", "ac1"):
        ours, theirs = getattr(result, name), getattr(swapped, name)
        assert (ours is None) == (theirs is None)
        assert ours is None or ours == pytest.approx(theirs, abs=1e-12)
    assert (result.n, result.missing) == (swapped.n, swapped.missing)


@settings(max_examples=100, deadline=None)
@given(_cases)
def test_statistics_and_their_intervals_stay_in_range(
    case: tuple[Level, list[Any] | None, list[tuple[Any, Any]]],
) -> None:
    level, order, pairs = case

    result = _agreement(level, order, pairs, bootstrap=50)

    assert result.n + result.missing == len(pairs)
    assert result.percent is None or 0.0 <= result.percent <= 1.0
    for value in (result.kappa, result.alpha, result.ac1):
        assert value is None or -1.0 - 1e-12 <= value <= 1.0 + 1e-12
    for interval in (result.kappa_ci, result.alpha_ci):
        if interval is not None:
            assert -1.0 - 1e-12 <= interval.low <= interval.high <= 1.0 + 1e-12
    if result.n < 2:
        assert result.kappa_ci is None and result.alpha_ci is None


@settings(max_examples=100, deadline=None)
@given(_cases, st.integers(0, 40), st.sampled_from(["first", "second", "both"]))
def test_a_missing_unit_changes_nothing_but_the_missing_count(
    case: tuple[Level, list[Any] | None, list[tuple[Any, Any]]], where: int, who: str
) -> None:
    level, order, pairs = case
    other = {Level.NOMINAL: "z", Level.ORDINAL: 3, Level.INTERVAL: 99.5}[level]  # a code seen nowhere else
    unit = {"first": (MISSING, other), "second": (other, MISSING), "both": (MISSING, MISSING)}[who]
    position = min(where, len(pairs))

    result = _agreement(level, order, pairs, bootstrap=30)
    more = _agreement(level, order, [*pairs[:position], unit, *pairs[position:]], bootstrap=30)

    assert more == replace(result, missing=result.missing + 1)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from([Level.ORDINAL, Level.INTERVAL]), st.randoms(use_true_random=False), st.data())
def test_intervals_do_not_depend_on_the_order_of_the_units(
    level: Level, shuffler: Any, data: st.DataObject
) -> None:
    codes = _ordinals if level is Level.ORDINAL else _numbers
    pairs = data.draw(_unit_pairs(codes))
    order = [0, 1, 2, 3] if level is Level.ORDINAL else None
    shuffled = list(pairs)
    shuffler.shuffle(shuffled)

    assert _agreement(level, order, shuffled, bootstrap=30) == _agreement(level, order, pairs, bootstrap=30)


# --- Sets and text ---------------------------------------------------------------------------------------


def test_set_agreement_by_hand() -> None:
    first = [frozenset("ab"), frozenset("a"), frozenset(), frozenset("c"), MISSING, frozenset()]
    second = [frozenset("a"), frozenset("ab"), frozenset(), frozenset("d"), frozenset("a"), frozenset("x")]
    # Pairable units (|A∩B|, |A|, |B|, |A∪B|): (1, 2, 1, 2), (1, 1, 2, 2), (0, 0, 0, 0), (0, 1, 1, 2), (0, 0, 1, 1).
    # Pooled: |A∩B| = 2, |A| = 4, |B| = 5: precision 2/4, recall 2/5, F1 = 2*2/(4+5) = 4/9.
    # Jaccard per unit: 1/2, 1/2, 1 (both empty), 0, 0 -> mean 2/5. Identical sets: only the empty pair -> 1/5.

    result = set_agreement(first, second, bootstrap=0)

    assert result == SetAgreement(
        n=5, missing=1, exact=0.2, precision=0.5, recall=0.4, f1=pytest.approx(4 / 9), jaccard=0.4, f1_ci=None
    )


def test_set_agreement_with_empty_sets() -> None:
    nothing = set_agreement([frozenset(), frozenset()], [frozenset(), frozenset()])
    only_reference = set_agreement([frozenset(), frozenset()], [frozenset("a"), frozenset()])

    assert (nothing.precision, nothing.recall, nothing.f1) == (None, None, None)
    assert nothing.exact == 1.0 and nothing.jaccard == 1.0 and nothing.f1_ci is None
    assert (only_reference.precision, only_reference.recall, only_reference.f1) == (None, 0.0, 0.0)
    assert only_reference.jaccard == 0.5


def test_set_agreement_interval() -> None:
    rng = np.random.default_rng(4)
    first = [frozenset(np.flatnonzero(rng.random(5) < 0.4).tolist()) for _ in range(300)]
    second = [frozenset(s ^ ({int(rng.integers(5))} if rng.random() < 0.3 else set())) for s in first]

    result = set_agreement(first, second)

    assert result.f1 is not None and result.f1_ci is not None
    assert 0.0 <= result.f1_ci.low < result.f1 < result.f1_ci.high <= 1.0
    assert set_agreement(first, second) == result
    assert set_agreement([MISSING], [frozenset()]) == SetAgreement(0, 1, None, None, None, None, None, None)
    with pytest.raises(ValueError):
        set_agreement(["ab"], [frozenset("ab")])  # a string is not a set


def test_text_agreement_by_hand() -> None:
    first = ["The U.S. Army", "hello", None, "Ａｂｃ", None, MISSING, "café"]
    second = ["the US army", "Hello!", None, "abc", "", "x", "cafe\u0301"]
    # Exact: only None/None. Normalised: all but None vs "" (no value is not an empty value).

    result = text_agreement(first, second)

    assert result == TextAgreement(
        n=6, missing=1, exact=pytest.approx(1 / 6), normalised=pytest.approx(5 / 6)
    )
    assert text_agreement([MISSING], [None]) == TextAgreement(0, 1, None, None)


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("  Hello,   World! ", "hello world"),
        ("U.S.A.", "usa"),
        ("Straße", "strasse"),
        ("ﬁne\u00a0print", "fine print"),  # ligature and no-break space (NFKC)
        ("«Quoted» — text…", "quoted text"),
        ("l'été", "lété"),
        ("e\u0301", "é"),
        ("?!", ""),
    ],
)
def test_normalise_text(text: str, normal: str) -> None:
    assert normalise_text(text) == normal
