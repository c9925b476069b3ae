"""Each correction is filed under the kind of error it shows: missed, should be empty, extra values, another
variable's value, a quote not in the text, the same value written another way, a wrong category, or a wrong
value; what agreement counts as the same value is no error."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.domain.codebook import VariableSpec
from coderai_desktop.domain.enums import ExtractionStatus, FeedbackType, MatchStatus
from coderai_desktop.domain.refinement import ErrorKind
from coderai_desktop.review.feedback import analyse, error_count
from coderai_desktop.review.records import AIValue, ProjectRecords, Reviewed


def spec(name: str, kind: str, **fields: Any) -> VariableSpec:
    return VariableSpec.model_validate({"name": name, "type": kind, "instructions": "Code it.", **fields})


SPECS = [
    spec("budget", "number"),
    spec("spent", "number"),
    spec("adopted", "date"),
    spec("title", "text"),
    spec("sector", "category", categories=[{"value": "energy"}, {"value": "transport"}]),
    spec("topics", "text", if_multiple_values="all"),
]


def one_unit(name: str, ai: Any, human: Any, *, match: MatchStatus = MatchStatus.EXACT) -> ProjectRecords:
    """Document 1: `name` coded `ai` and corrected to `human`; spent (a neighbour) is 500, unreviewed."""
    values = {
        "spent": {
            (1, None): AIValue(
                1,
                1,
                "d1",
                None,
                None,
                "spent",
                500,
                0.9,
                ExtractionStatus.EXTRACTED,
                MatchStatus.EXACT,
                "q",
                1,
                None,
                "m",
            )
        },
        name: {
            (1, None): AIValue(
                2, 1, "d1", None, None, name, ai, 0.9, ExtractionStatus.EXTRACTED, match, "q", 1, None, "m"
            )
        },
    }
    feedback = FeedbackType.CORRECT if ai == human else FeedbackType.INCORRECT
    return ProjectRecords(1, 0.8, 0.95, SPECS, values, {2: Reviewed(feedback, human, "see p. 2")}, {})


@pytest.mark.parametrize(
    ("name", "ai", "human", "match", "kind"),
    [
        ("budget", None, 1200, MatchStatus.NO_QUOTE, ErrorKind.MISSED),
        ("budget", 1200, None, MatchStatus.EXACT, ErrorKind.SHOULD_BE_EMPTY),
        ("topics", ["air"], ["air", "noise"], MatchStatus.EXACT, ErrorKind.MISSED),
        ("topics", ["air", "noise"], ["air"], MatchStatus.EXACT, ErrorKind.EXTRA),
        ("budget", 500, 1200, MatchStatus.EXACT, ErrorKind.OTHER_VARIABLE),
        ("budget", 1300, 1200, MatchStatus.NOT_FOUND, ErrorKind.NOT_IN_TEXT),
        ("budget", 1.2, 1200, MatchStatus.EXACT, ErrorKind.FORMAT),
        ("adopted", "2021", "2021-03-04", MatchStatus.EXACT, ErrorKind.FORMAT),
        ("adopted", "2021-04-03", "2021-03-04", MatchStatus.EXACT, ErrorKind.FORMAT),
        ("title", "Clean Air Plan", "Clean Air Plan 2021", MatchStatus.EXACT, ErrorKind.FORMAT),
        ("sector", "energy", "transport", MatchStatus.EXACT, ErrorKind.WRONG_CATEGORY),
        ("budget", 1300, 1200, MatchStatus.EXACT, ErrorKind.WRONG_VALUE),
        ("adopted", "2020-01-01", "2021-03-04", MatchStatus.EXACT, ErrorKind.WRONG_VALUE),
    ],
)
def test_each_correction_gets_its_kind(
    name: str, ai: Any, human: Any, match: MatchStatus, kind: ErrorKind
) -> None:
    records = one_unit(name, ai, human, match=match)
    analysis = analyse(records, records.spec(name), refine_after_errors=1)
    (item,) = analysis.items
    assert item.kind is kind and item.note == "see p. 2" and analysis.ready
    assert item.other_variable == ("spent" if kind is ErrorKind.OTHER_VARIABLE else None)
    assert error_count(records, records.spec(name)) == 1


def test_what_agreement_counts_as_the_same_is_no_error() -> None:
    records = one_unit("title", "U.S. Army", "US army")
    analysis = analyse(records, records.spec("title"), refine_after_errors=10)
    assert [item.correct for item in analysis.items] == [True]
    assert error_count(records, records.spec("title")) == 0 and not analysis.ready
    assert analysis.summary() == "title: 0 of 1 reviewed values corrected."
