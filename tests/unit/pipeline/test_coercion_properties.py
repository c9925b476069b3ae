"""Property-based: coercion never crashes, and numbers and dates round-trip through the ways they are written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.codebook_rules import is_partial_iso_date
from coderai_desktop.domain.coercion import CoercionError, coerce
from tests.unit.pipeline.extraction_builders import category, spec

NUMBER = spec("n", "number")
DATE = spec("d", "date")
VARIABLES = [NUMBER, DATE, spec("b", "boolean"), spec("t", "text"), category("c", (("a", "Alpha"), "b"))]
NUMBERISH = st.from_regex(r"[-+(]?[\d\s.,'’]{1,20}\s?(k|m|bn|million|%)?\)?", fullmatch=True)
DATEISH = st.from_regex(r"\d{1,4}[-/. ]\d{1,2}[-/. ]\d{1,5}", fullmatch=True)
ANSWERS = (
    st.text(max_size=40) | NUMBERISH | DATEISH | st.integers() | st.floats(allow_nan=False) | st.booleans()
)


@settings(max_examples=500, deadline=None, database=None)
@given(variable=st.sampled_from(VARIABLES), value=ANSWERS)
def test_any_answer_gives_a_typed_value_or_a_coercion_error(variable: VariableSpec, value: object) -> None:
    try:
        result = coerce(variable, value)
    except CoercionError as error:
        assert str(error)  # a problem a person can read
        return
    if result is None:
        return
    if variable.type == "NUMBER":
        assert isinstance(result, int | float) and not isinstance(result, bool)
    elif variable.type == "DATE":
        assert is_partial_iso_date(result), result
    elif variable.type == "BOOLEAN":
        assert isinstance(result, bool)
    elif variable.type == "CATEGORY":
        assert result in ("a", "b")
    else:
        assert result == str(value).strip()


def english(number: int, cents: int) -> str:
    return f"{number:,}.{cents:02d}"


def european(number: int, cents: int) -> str:
    return f"{number:,}.{cents:02d}".replace(",", " ").replace(".", ",").replace(" ", ".")


def spaced(number: int, cents: int) -> str:
    return f"{number:,}.{cents:02d}".replace(",", " ")


def swiss(number: int, cents: int) -> str:
    return f"{number:,}.{cents:02d}".replace(",", "'")


@settings(database=None, deadline=None)
@given(
    number=st.integers(min_value=0, max_value=10**12),
    cents=st.integers(min_value=1, max_value=99),
    write=st.sampled_from([english, european, spaced, swiss]),
)
def test_decimals_round_trip_through_written_formats(
    number: int, cents: int, write: Callable[[int, int], str]
) -> None:
    assert coerce(NUMBER, write(number, cents)) == pytest.approx(number + cents / 100, rel=1e-12)


@settings(max_examples=300, deadline=None, database=None)
@given(number=st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_round_trip_with_thousands_separators(number: int) -> None:
    assert coerce(NUMBER, f"{number:,}") == number
    assert coerce(NUMBER, f"{number:,}".replace(",", " ")) == number


@settings(database=None, deadline=None)
@given(number=st.integers(min_value=1, max_value=999_999))
def test_currency_and_scale_words_multiply(number: int) -> None:
    assert coerce(NUMBER, f"USD {number} million") == number * 1_000_000
    assert coerce(NUMBER, f"({number:,})") == -number


@settings(max_examples=300, deadline=None, database=None)
@given(st.dates())
def test_iso_dates_round_trip(day) -> None:
    text = day.isoformat()

    assert coerce(DATE, text) == text
