"""A complete blind round's agreement covers its units and its coders only: not the reviews, not other
coders, not units outside its sample."""

from __future__ import annotations

from datetime import UTC, datetime

from coderai_desktop.domain.agreement import ComparisonKind
from coderai_desktop.review.blind_rounds import BlindRound, round_agreement
from tests.unit.review.test_agreement_assembly import LEVELS, records, spec


def test_the_rounds_units_and_coders_only() -> None:
    sector = spec("sector", "category", categories=LEVELS)
    ai = ["low", "medium", "high", "low", "medium", "high"]
    project = records(
        [sector],
        {"sector": ai},
        reviews={"sector": ai},  # reviewed everywhere: left out of the round's agreement
        codings={
            "ana": {"sector": ["low", "medium", "high", "high", None, None]},
            "ben": {"sector": ["low", "high", "high", "low", "low", "low"]},
            "cleo": {"sector": ai},  # not a coder of the round
        },
    )
    found = BlindRound(1, 1, (0, 1, 2, 3), ("ana", "ben"), datetime.now(UTC))
    report = round_agreement(project, found, bootstrap=0)
    sector_report = report.get("sector")
    assert sector_report is not None
    by_label = {comparison.label: comparison for comparison in sector_report.comparisons}
    assert set(by_label) == {"AI vs ana", "AI vs ben", "ana vs ben"}
    assert (by_label["AI vs ana"].n, by_label["AI vs ana"].percent) == (4, 0.75)
    assert (by_label["AI vs ben"].n, by_label["AI vs ben"].percent) == (4, 0.75)  # units 4 and 5 left out
    assert by_label["ana vs ben"].kind is ComparisonKind.HUMANS
    assert (by_label["ana vs ben"].n, by_label["ana vs ben"].percent) == (4, 0.5)
