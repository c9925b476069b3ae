"""Dates become ISO 8601, only as precise as the answer (YYYY, YYYY-MM or YYYY-MM-DD); never a made-up year."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.coercion import CoercionError, coerce
from tests.unit.pipeline.extraction_builders import spec

DATE = spec("signed_on", "date")


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2021", "2021"),
        (2021, "2021"),
        ("2021-05", "2021-05"),
        ("2021-05-03", "2021-05-03"),
        ("May 2021", "2021-05"),
        ("Dec 2019", "2019-12"),
        ("05/2021", "2021-05"),
        ("3 May 2021", "2021-05-03"),
        ("  1 March 2021 ", "2021-03-01"),
        ("May 3, 2021", "2021-05-03"),
        ("March 3, 2021", "2021-03-03"),
        # Numeric dates are read day first...
        ("03/05/2021", "2021-05-03"),
        ("31/12/2021", "2021-12-31"),
        ("3.5.2021", "2021-05-03"),
        ("31.12.1999", "1999-12-31"),
        # ...unless they start with the year.
        ("2021/05/03", "2021-05-03"),
        ("1999.12.31", "1999-12-31"),
        ("2021-5-3", "2021-05-03"),
        ("20210503", "2021-05-03"),
        # The time of a timestamp is dropped.
        ("2021-05-03T10:30:00", "2021-05-03"),
        ("2021-05-03T10:30:00Z", "2021-05-03"),
        ("2021-05-03 10:30:00+02:00", "2021-05-03"),
    ],
)
def test_dates_become_iso_as_precise_as_written(written: object, iso: str) -> None:
    assert coerce(DATE, written) == iso


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("2021-13", "is not a real date"),
        ("2021-00", "is not a real date"),
        ("2021-02-30", "is not a real date"),
        ("0000", "is not a real date"),
        ("3 May", "does not say the year"),
        ("May 3", "does not say the year"),
        ("May", "does not say the year"),
        ("5", "does not say the year"),
        ("yesterday", "is not a date"),
        ("Q3 2021", "is not a date"),
        ("summer 2020", "is not a date"),
    ],
)
def test_impossible_yearless_or_non_dates_are_refused_not_invented(written: str, problem: str) -> None:
    with pytest.raises(CoercionError) as raised:
        coerce(DATE, written)

    assert str(raised.value) == f"{written!r} {problem}"
