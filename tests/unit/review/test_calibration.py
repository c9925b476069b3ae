"""Calibration of a variable's confidences: bands, ECE, the suggested threshold and the shares it sends to review."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coderai_desktop.review.calibration import Band, calibrate


def test_bands_hold_their_values_with_the_upper_edge_in_the_last() -> None:
    result = calibrate([0.0, 0.3, 0.35, 0.5, 1.0], [True, False, True, True, False], bands=4, min_accepted=1)

    assert [(band.low, band.high, band.n) for band in result.bands] == [
        (0.0, 0.25, 1),
        (0.25, 0.5, 2),
        (0.5, 0.75, 1),
        (0.75, 1.0, 1),
    ]
    assert result.bands[1].accuracy == 0.5
    assert result.bands[1].mean_confidence == pytest.approx(0.325)
    assert result.bands[3] == Band(low=0.75, high=1.0, n=1, accuracy=0.0, mean_confidence=1.0)
    assert result.n == 5
    assert result.accuracy == 0.6


def test_a_value_on_a_band_edge_is_in_the_band_above() -> None:
    result = calibrate([0.3, 0.7], [True, True], min_accepted=1)

    assert [band.n for band in result.bands] == [0, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    assert result.bands[3].low == 0.3
    assert result.bands[0].accuracy is None and result.bands[0].mean_confidence is None


def test_ece_by_hand() -> None:
    # [0, 0.5): 0.15 wrong, 0.25 right -> accuracy 0.5, confidence 0.2, gap 0.3.
    # [0.5, 1]: 0.85 and 0.95 right -> accuracy 1.0, confidence 0.9, gap 0.1.
    result = calibrate([0.15, 0.25, 0.85, 0.95], [False, True, True, True], bands=2)

    assert result.ece == pytest.approx(2 / 4 * 0.3 + 2 / 4 * 0.1)


def test_ece_with_ten_bands_by_hand() -> None:
    result = calibrate([0.15, 0.25, 0.85, 0.95], [False, True, True, True])

    assert result.ece == pytest.approx((0.15 + 0.75 + 0.15 + 0.05) / 4)


def test_calibrated_confidences_have_a_small_ece_and_overconfident_ones_a_large_one() -> None:
    rng = np.random.default_rng(20240611)
    confidence = rng.random(20_000)
    calibrated = rng.random(20_000) < confidence
    overconfident = rng.random(20_000) < confidence**3  # says 0.8 when right half the time

    good = calibrate(confidence.tolist(), calibrated.tolist())
    bad = calibrate(confidence.tolist(), overconfident.tolist())

    assert good.ece is not None and good.ece < 0.02
    assert bad.ece is not None and bad.ece > 0.2


def test_the_threshold_is_the_lowest_that_keeps_the_target() -> None:
    # Everything: 20/22 right; from 0.5 up: 20/20; from 0.9 up: 10/10. The lowest that qualifies wins.
    confidences = [0.1, 0.1] + [0.5] * 10 + [0.9] * 10
    correct = [False, False] + [True] * 20

    result = calibrate(confidences, correct, target=0.95, min_accepted=10)

    assert result.threshold == 0.5
    assert result.accepted_accuracy == 1.0
    assert result.flagged_share == pytest.approx(2 / 22)
    assert result.reason is None


def test_a_lower_threshold_wins_even_when_a_higher_one_is_less_accurate() -> None:
    # Everything: 28/30 right; from 0.6 up: 18/20 (below 0.93); the lowest, 0.0, qualifies.
    confidences = [0.3] * 10 + [0.6] * 10 + [0.9] * 10
    correct = [True] * 10 + [False] * 2 + [True] * 8 + [True] * 10

    result = calibrate(confidences, correct, target=0.93, min_accepted=10)

    assert result.threshold == 0.0
    assert result.accepted_accuracy == pytest.approx(28 / 30)
    assert result.flagged_share == 0.0
    assert "No value needs to go to review" in result.summary()


def test_the_threshold_is_a_reviewed_confidence_exactly() -> None:
    confidences = [0.1234, 0.8267, 0.8267, 0.9]
    result = calibrate(confidences, [False, True, True, True], min_accepted=3)

    assert result.threshold == 0.8267


def test_min_accepted_keeps_a_handful_of_lucky_values_from_setting_the_threshold() -> None:
    confidences = [0.2, 0.4, 0.6, 0.8]
    correct = [False, False, True, True]

    assert calibrate(confidences, correct, min_accepted=2).threshold == 0.6
    assert calibrate(confidences, correct, min_accepted=3).threshold is None


def test_no_suggestion_when_even_the_most_confident_values_miss_the_target() -> None:
    confidences = [0.5] * 10 + [0.99] * 10
    correct = [False] * 10 + [True] * 9 + [False]

    result = calibrate(confidences, correct, target=0.95, min_accepted=10)

    assert result.threshold is None and result.accepted_accuracy is None and result.flagged_share is None
    assert result.reason == (
        "even the 10 most confident reviewed values (confidence 0.99 or more) are only 90% correct, "
        "below the target of 95%"
    )
    assert result.summary() == f"No threshold to suggest: {result.reason}."


def test_no_suggestion_with_too_few_reviewed_values() -> None:
    result = calibrate([0.9] * 9, [True] * 9)

    assert result.threshold is None
    assert result.reason == "too few reviewed values (9 < 10) to suggest a threshold"


def test_nothing_reviewed() -> None:
    result = calibrate([], [], population=[0.5, 0.9], current_threshold=0.7)

    assert result.n == 0 and result.accuracy is None and result.ece is None and result.threshold is None
    assert all(band.n == 0 for band in result.bands)
    assert result.reason == "no reviewed value with a confidence yet"
    assert result.current_flagged_share == 0.5


def test_flagged_shares_are_shares_of_the_population() -> None:
    reviewed = [0.4] * 5 + [0.8] * 10
    correct = [False] * 5 + [True] * 10
    population = [0.1, 0.3, 0.5, 0.79, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0]

    result = calibrate(reviewed, correct, population=population, current_threshold=0.9)

    assert result.threshold == 0.8
    assert result.flagged_share == 0.4  # 0.1, 0.3, 0.5, 0.79; 0.8 itself is accepted
    assert result.current_flagged_share == 0.6
    assert result.summary() == (
        "At a threshold of 0.8, 40% of values would go to review and the rest were 100% correct "
        "(target 95%). The current threshold, 0.9, sends 60% to review."
    )


def test_without_a_population_the_shares_are_of_the_reviewed_values() -> None:
    result = calibrate([0.4] * 5 + [0.8] * 10, [False] * 5 + [True] * 10, current_threshold=0.5)

    assert result.flagged_share == pytest.approx(5 / 15)
    assert result.current_flagged_share == pytest.approx(5 / 15)


def test_the_summary_never_rounds_up_to_the_target() -> None:
    # 0.947 accurate overall: a target of 0.94 is kept, and the summary must not call it 95%.
    confidences = [0.6] * 1000
    correct = [True] * 947 + [False] * 53

    result = calibrate(confidences, correct, target=0.94)

    assert "were 94% correct (target 94%)" in result.summary()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"confidences": [0.5], "correct": []}, "1 confidences but 0 judgements"),
        ({"confidences": [1.5], "correct": [True]}, "between 0 and 1"),
        ({"confidences": [float("nan")], "correct": [True]}, "between 0 and 1"),
        ({"confidences": [0.5], "correct": [True], "population": [-0.1]}, "between 0 and 1"),
        ({"confidences": [0.5], "correct": [True], "target": 0.0}, "target"),
        ({"confidences": [0.5], "correct": [True], "bands": 0}, "at least 1"),
    ],
)
def test_bad_input_is_refused(arguments: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        calibrate(**arguments)


reviewed_values = st.lists(
    st.tuples(st.sampled_from([0.0, 0.1, 0.35, 0.5, 0.7, 0.71, 0.9, 0.99, 1.0]), st.booleans()), max_size=40
)


@given(
    values=reviewed_values,
    target=st.sampled_from([0.5, 0.8, 0.9, 0.95, 1.0]),
    min_accepted=st.integers(1, 8),
)
def test_the_suggested_threshold_keeps_the_target_and_no_lower_one_does(
    values: list[tuple[float, bool]], target: float, min_accepted: int
) -> None:
    confidences = [confidence for confidence, _ in values]
    correct = [right for _, right in values]

    def qualifies(threshold: float) -> bool:
        accepted = [right for confidence, right in values if confidence >= threshold]
        return len(accepted) >= min_accepted and sum(accepted) / len(accepted) >= target

    result = calibrate(confidences, correct, target=target, min_accepted=min_accepted)

    candidates = sorted({0.0, *confidences})
    if result.threshold is None:
        assert not any(qualifies(candidate) for candidate in candidates)
        assert result.reason
    else:
        assert result.threshold in candidates and qualifies(result.threshold)
        accepted = [right for confidence, right in values if confidence >= result.threshold]
        assert result.accepted_accuracy == pytest.approx(sum(accepted) / len(accepted))
        assert result.accepted_accuracy is not None and result.accepted_accuracy >= target
        assert not any(qualifies(candidate) for candidate in candidates if candidate < result.threshold)
    assert sum(band.n for band in result.bands) == len(values)
