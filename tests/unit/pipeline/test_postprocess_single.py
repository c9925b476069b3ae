"""One value: coerced, grounded (exactly, fuzzily or not at all), checked against its rules and threshold."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.enums import ExtractionStatus, MatchStatus
from coderai_desktop.pipeline.grounding import Grounder
from coderai_desktop.pipeline.postprocess import code_unit
from tests.unit.pipeline.extraction_builders import DOCUMENT, answer, code_one, spec

EXTRACTED, FLAGGED, FAILED = ExtractionStatus.EXTRACTED, ExtractionStatus.FLAGGED, ExtractionStatus.FAILED
PARIS = "The Paris Agreement was signed in 2015 by 195 parties."


def test_a_clean_answer_is_extracted_with_grounded_evidence() -> None:
    coded = code_one(spec("budget", "number"), answer("4.5 million", "EUR 4.5 million to solar power", 0.9))
    assert coded.value == 4_500_000
    assert coded.status is EXTRACTED
    assert coded.confidence == 0.9
    assert coded.notes == []
    assert coded.evidence.status is MatchStatus.EXACT
    assert coded.evidence.start is not None
    assert DOCUMENT[coded.evidence.start : coded.evidence.end] == "EUR 4.5 million to solar power"
    assert coded.scope_key == "grouped:1"
    assert coded.raw == {
        "value": "4.5 million",
        "confidence": 0.9,
        "evidence": "EUR 4.5 million to solar power",
    }


def test_an_unparseable_value_is_flagged_with_the_reason_and_the_raw_answer_kept() -> None:
    coded = code_one(spec("budget", "number"), answer("a lot of money", "EUR 4.5 million"))
    assert coded.status is FLAGGED
    assert coded.value is None
    assert coded.note is not None and "'a lot of money' is not a number" in coded.note
    assert coded.raw["value"] == "a lot of money"


def test_a_quote_not_in_the_document_is_flagged_and_its_confidence_halved() -> None:
    coded = code_one(spec("city"), answer("Oslo", "the ceremony took place in Stockholm", 0.9))
    assert coded.value == "Oslo"
    assert coded.status is FLAGGED
    assert coded.evidence.status is MatchStatus.NOT_FOUND
    assert coded.confidence == pytest.approx(0.45)
    assert "the quote was not found in the document" in coded.notes


def test_a_quote_with_a_copying_slip_still_grounds_the_value() -> None:
    coded = code_one(
        spec("signed", "date"), answer("2015", "The Paris Agrement was signed in 2015"), text=PARIS
    )
    assert coded.value == "2015"
    assert coded.evidence.status is MatchStatus.FUZZY
    assert PARIS[coded.evidence.start : coded.evidence.end] == "The Paris Agreement was signed in 2015"
    assert coded.status is EXTRACTED
    assert coded.confidence == 0.9


def test_a_quote_with_a_different_number_does_not_ground_the_value() -> None:
    coded = code_one(
        spec("signed", "date"), answer("1992", "The Paris Agreement was signed in 1992"), text=PARIS
    )
    assert coded.value == "1992"
    assert coded.status is FLAGGED
    assert coded.evidence.status is MatchStatus.NOT_FOUND
    assert "the quote was not found in the document" in coded.notes


def test_a_value_without_a_quote_is_flagged() -> None:
    coded = code_one(spec("city"), answer("Oslo", None, 0.9))
    assert coded.value == "Oslo"
    assert coded.status is FLAGGED
    assert coded.evidence.status is MatchStatus.NO_QUOTE
    assert coded.confidence == 0.9
    assert "no quote was given for the value" in coded.notes


def test_a_broken_validation_rule_is_flagged_with_the_rule() -> None:
    jobs = spec("jobs", "number", validation_rules={"max": 1000})
    coded = code_one(jobs, answer("1,200", "1,200 jobs in wind power"))
    assert coded.value == 1200
    assert coded.status is FLAGGED
    assert coded.notes == ["1200 is above the maximum 1000"]


@pytest.mark.parametrize(
    ("policy", "value", "status", "note"),
    [
        ("null", None, EXTRACTED, "confidence 0.40 is below 0.70: left empty"),
        ("skip", None, EXTRACTED, "confidence 0.40 is below 0.70: skipped"),
        ("flag", "Oslo", FLAGGED, "confidence 0.40 is below 0.70"),
    ],
)
def test_low_confidence_follows_if_uncertain(policy: str, value: str | None, status, note: str) -> None:
    city = spec("city", if_uncertain=policy, confidence_threshold=0.7)
    coded = code_one(city, answer("Oslo", "in Oslo", 0.4))
    assert coded.value == value
    assert coded.status is status
    assert coded.notes == [note]


def test_confidence_at_the_threshold_is_enough() -> None:
    coded = code_one(
        spec("city", if_uncertain="null", confidence_threshold=0.7), answer("Oslo", "in Oslo", 0.7)
    )
    assert (coded.value, coded.status, coded.notes) == ("Oslo", EXTRACTED, [])


def test_no_confidence_is_not_below_the_threshold() -> None:
    coded = code_one(spec("city", if_uncertain="null"), answer("Oslo", "in Oslo", None))
    assert coded.value == "Oslo"
    assert coded.confidence is None


def test_a_confidence_in_percent_is_compared_as_a_probability() -> None:
    coded = code_one(spec("city", confidence_threshold=0.7), answer("Oslo", "in Oslo", 50))
    assert coded.confidence == 0.5
    assert coded.status is FLAGGED
    assert coded.notes == ["confidence 0.50 is below 0.70"]


def test_a_halved_confidence_can_fall_below_the_threshold() -> None:
    coded = code_one(spec("city", confidence_threshold=0.7), answer("Oslo", "signed in Stockholm", 0.9))
    assert coded.status is FLAGGED
    assert coded.notes == ["the quote was not found in the document", "confidence 0.45 is below 0.70"]


def test_a_variable_without_any_answer_fails_with_a_note() -> None:
    (coded,) = code_unit([spec("city")], {}, Grounder(DOCUMENT))
    assert coded.status is FAILED
    assert coded.value is None
    assert coded.notes == ["the model gave no answer for this variable"]


def test_values_come_back_in_codebook_order() -> None:
    variables = [spec("b"), spec("a"), spec("c")]
    answers = {name: [answer("x", "Oslo")] for name in ("a", "b")}
    assert [coded.variable for coded in code_unit(variables, answers, Grounder(DOCUMENT))] == ["b", "a", "c"]
