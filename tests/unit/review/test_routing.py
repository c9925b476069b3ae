"""The review queue: risk only grows with warnings, the order is riskiest first and stable, and it finds errors."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coderai_desktop.review.routing import Signals, reasons, review_order, risk
from tests.benchmarks.synthetic_review import caught_share, synthetic_corpus


def signals(
    confidence: float | None = 0.9,
    *,
    threshold: float = 0.7,
    flagged: bool = False,
    quote_found: bool | None = None,
    second_opinion_differs: bool | None = None,
) -> Signals:
    return Signals(confidence, threshold, flagged, quote_found, second_opinion_differs)


unit = st.floats(0.0, 1.0)
any_signals = st.builds(
    Signals,
    confidence=st.none() | unit,
    threshold=unit,
    flagged=st.booleans(),
    quote_found=st.none() | st.booleans(),
    second_opinion_differs=st.none() | st.booleans(),
)


@given(any_signals)
def test_risk_is_a_probability(value: Signals) -> None:
    assert 0.0 <= risk(value) <= 1.0


@given(any_signals)
def test_adding_a_warning_never_lowers_the_risk(value: Signals) -> None:
    base = risk(value)

    assert risk(replace(value, flagged=True)) >= base
    assert risk(replace(value, quote_found=False)) >= base
    assert risk(replace(value, second_opinion_differs=True)) >= base


@given(any_signals, unit)
def test_a_lower_confidence_never_lowers_the_risk(value: Signals, lower: float) -> None:
    if value.confidence is None or lower > value.confidence:
        return
    assert risk(replace(value, confidence=lower)) >= risk(value)


@given(any_signals)
def test_the_threshold_only_stands_in_for_an_unknown_confidence(value: Signals) -> None:
    moved = replace(value, threshold=1.0 - value.threshold)
    if value.confidence is not None:
        assert risk(moved) == risk(value)
    else:
        assert risk(value) == risk(replace(value, confidence=value.threshold))


def test_each_warning_raises_the_risk_of_a_confident_value() -> None:
    quiet = risk(signals(0.95))

    assert quiet == pytest.approx(0.05)
    assert risk(signals(0.95, flagged=True)) > quiet
    assert risk(signals(0.95, quote_found=False)) > quiet
    assert risk(signals(0.95, second_opinion_differs=True)) > quiet
    assert risk(signals(0.95, quote_found=True, second_opinion_differs=False)) == quiet


def test_a_disagreeing_second_model_outweighs_an_unlocated_quote_which_outweighs_a_flag() -> None:
    differs = risk(signals(second_opinion_differs=True))
    not_found = risk(signals(quote_found=False))
    flagged = risk(signals(flagged=True))

    assert differs > not_found > flagged


def test_review_order_on_a_small_example() -> None:
    items = [
        signals(0.95),  # 0.05
        signals(0.4),  # 0.60
        signals(0.9, second_opinion_differs=True),  # 1 - 0.9 * 0.4 = 0.64
        signals(0.99, flagged=True),  # 1 - 0.99 * 0.6 = 0.406
        signals(None, threshold=0.8),  # 0.20
        signals(1.0),  # 0.0
    ]

    assert review_order(items) == [2, 1, 3, 4, 0, 5]


def test_ties_keep_their_input_order() -> None:
    items = [signals(0.8), signals(0.5), signals(0.8), signals(0.5), signals(None, threshold=0.8)]

    assert review_order(items) == [1, 3, 0, 2, 4]
    assert review_order([]) == []


def test_reasons_in_plain_words_strongest_first() -> None:
    value = signals(0.41, flagged=True, quote_found=False, second_opinion_differs=True)

    assert reasons(value) == [
        "a second model coded it differently",
        "the quote was not found in the document",
        "the pipeline flagged it",
        "confidence 0.41 is below 0.70",
    ]


def test_no_reasons_for_a_confident_value_without_warnings() -> None:
    assert reasons(signals(0.7, quote_found=True, second_opinion_differs=False)) == []


def test_reasons_for_an_unknown_confidence_and_a_near_miss() -> None:
    assert reasons(signals(None)) == ["the model gave no confidence"]
    assert reasons(signals(0.699, threshold=0.7)) == ["confidence 0.699 is below 0.700"]


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan")])
def test_out_of_range_numbers_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        signals(bad)
    with pytest.raises(ValueError, match="threshold"):
        signals(0.5, threshold=bad)


def test_the_queue_finds_far_more_errors_than_random_review() -> None:
    items, wrong = synthetic_corpus(5_000, seed=7)
    routed = review_order(items)
    shuffled = list(range(len(items)))
    random.Random(7).shuffle(shuffled)
    confidences = [item.threshold if item.confidence is None else item.confidence for item in items]
    by_confidence = sorted(range(len(items)), key=confidences.__getitem__)

    assert caught_share(routed, wrong, 0.2) >= 1.8 * caught_share(shuffled, wrong, 0.2)
    # The warnings earn their place: confidence alone finds fewer.
    assert caught_share(routed, wrong, 0.2) > 1.3 * caught_share(by_confidence, wrong, 0.2)


def test_the_synthetic_corpus_is_reproducible_and_caught_share_counts() -> None:
    assert synthetic_corpus(200, seed=3) == synthetic_corpus(200, seed=3)
    assert synthetic_corpus(200, seed=3) != synthetic_corpus(200, seed=4)
    wrong = [True, False, True, False]

    assert caught_share([0, 2, 1, 3], wrong, 0.5) == 1.0
    assert caught_share([1, 3, 0, 2], wrong, 0.5) == 0.0
    assert caught_share([0, 1, 2, 3], wrong, 0.25) == 0.5
    with pytest.raises(ValueError):
        caught_share([0], [False], 1.0)


def test_an_absent_value_is_judged_by_its_prior_not_by_the_low_confidence_it_comes_with() -> None:
    """The prompt asks for a low confidence with an answer that the document gives no value."""
    absent = Signals(0.2, 0.7, flagged=False, quote_found=None, second_opinion_differs=None, absent=True)
    stated = Signals(0.2, 0.7, flagged=False, quote_found=True, second_opinion_differs=None)
    confident = Signals(0.95, 0.7, flagged=False, quote_found=True, second_opinion_differs=None)
    assert risk(confident) < risk(absent) < risk(stated)
    assert reasons(absent) == ["the model found no value: check that the document gives none"]
    disputed = Signals(0.2, 0.7, flagged=False, quote_found=None, second_opinion_differs=True, absent=True)
    assert risk(disputed) > risk(absent)
