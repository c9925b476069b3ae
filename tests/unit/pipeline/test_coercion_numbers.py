"""Numbers as a model (or a document) writes them become the number a person reads; whole ones stay int."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.coercion import CoercionError, coerce
from tests.unit.pipeline.extraction_builders import spec

NUMBER = spec("amount", "number")


def assert_coerced(written: object, expected: float) -> None:
    result = coerce(NUMBER, written)
    assert result == expected
    assert type(result) is type(expected)  # whole numbers stay integers in the dataset


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("12.0", 12),
        ("12.", 12),
        ("-3", -3),
        ("-7.25", -7.25),
        ("0,5", 0.5),
        ("12,5", 12.5),
        ("1,234", 1234),
        ("1,234,567", 1_234_567),
        ("1,234.5", 1234.5),
        ("1,234.56", 1234.56),
        ("2,000,000.50", 2_000_000.5),
        ("1.234,5", 1234.5),
        ("1.234,56", 1234.56),
        ("1.234.567", 1_234_567),
        ("1 234", 1234),
        ("1 234,56", 1234.56),
        ("1'234", 1234),
        ("1’234", 1234),
    ],
)
def test_separators_are_read_as_a_person_reads_them(written: str, expected: float) -> None:
    assert_coerced(written, expected)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("$4.5 million", 4_500_000),
        ("4.5 million.", 4_500_000),
        ("4.5 Million.", 4_500_000),
        ("USD 3.2 billion", 3_200_000_000),
        ("2.5bn", 2_500_000_000),
        ("EUR 3bn", 3_000_000_000),
        ("1.5k", 1500),
        ("2.5k", 2500),
        ("1,5 Mio", 1_500_000),
        ("3 trillion", 3_000_000_000_000),
        ("1 thousand", 1000),
        ("about 30 thousand", 30_000),
    ],
)
def test_currency_and_magnitude_words(written: str, expected: int) -> None:
    assert_coerced(written, expected)


@pytest.mark.parametrize(
    ("written", "expected"),
    [("45%", 45), ("3 km", 3), ("€ 12", 12), ("(1,200)", -1200), ("(12)", -12)],
)
def test_units_are_dropped_and_accounting_brackets_are_negative(written: str, expected: int) -> None:
    assert_coerced(written, expected)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("-$4.5 million", -4_500_000),
        ("−5", -5),
        ("1e6", 1_000_000),
        ("1.5e6", 1_500_000),
        ("4.5E+06", 4_500_000),
    ],
    ids=["minus before the currency", "unicode minus", "exponent", "decimal exponent", "signed exponent"],
)
def test_signs_and_exponents_are_kept(written: str, expected: int) -> None:
    assert_coerced(written, expected)


@pytest.mark.parametrize("number", [42, 3, -3, 0.25, 2.25])
def test_json_numbers_pass_through_unchanged(number: float) -> None:
    assert_coerced(number, number)


@pytest.mark.parametrize("written", ["twelve", "about twelve", "many", "abc", "n/a", "-", "%", True, False])
def test_words_and_booleans_are_a_clear_problem(written: object) -> None:
    with pytest.raises(CoercionError) as raised:
        coerce(NUMBER, written)

    assert str(raised.value) == f"{written!r} is not a number"
