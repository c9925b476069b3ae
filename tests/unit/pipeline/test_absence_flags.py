"""Review flags mean something: an answer that a value is absent (no, none, not stated) needs no quote,
while a stated value still needs one that is found in the document."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.enums import ExtractionStatus, MatchStatus
from tests.unit.pipeline.extraction_builders import answer, category, code_one, spec

EXTRACTED, FLAGGED = ExtractionStatus.EXTRACTED, ExtractionStatus.FLAGGED
PENALTY = category("penalty", (("stated", "Stated in the contract"), ("not_stated", "Not stated")))


def test_a_no_without_a_quote_is_not_flagged() -> None:
    coded = code_one(spec("has_penalty", "boolean"), answer("No", None, 0.9))
    assert coded.value is False
    assert coded.status is EXTRACTED
    assert coded.notes == []


def test_a_yes_without_a_quote_is_still_flagged() -> None:
    coded = code_one(spec("has_penalty", "boolean"), answer("Yes", None, 0.9))
    assert coded.value is True
    assert coded.status is FLAGGED
    assert "no quote was given for the value" in coded.notes


def test_a_no_with_a_quote_that_is_not_in_the_text_is_not_flagged_nor_penalised() -> None:
    coded = code_one(spec("has_penalty", "boolean"), answer(False, "There is no penalty clause", 0.9))
    assert coded.status is EXTRACTED
    assert coded.confidence == 0.9
    assert coded.evidence.status is MatchStatus.NOT_FOUND  # recorded as it was, without a flag


@pytest.mark.parametrize("given", ["not_stated", "Not stated"])
def test_a_category_that_says_absent_needs_no_quote(given: str) -> None:
    coded = code_one(PENALTY, answer(given, None, 0.9))
    assert coded.value == "not_stated"
    assert coded.status is EXTRACTED


def test_a_stated_category_without_a_quote_is_flagged() -> None:
    coded = code_one(PENALTY, answer("stated", None, 0.9))
    assert coded.status is FLAGGED


def test_an_absence_below_the_threshold_is_still_flagged() -> None:
    coded = code_one(spec("has_penalty", "boolean"), answer("No", None, 0.3))
    assert coded.status is FLAGGED
    assert coded.notes == ["confidence 0.30 is below 0.70"]


def test_a_researchers_text_with_semicolons_is_several_values_of_a_variable_that_keeps_them() -> None:
    from coderai_desktop.domain.coercion import check_value

    sectors = category("sectors", ("energy", "transport"), if_multiple_values="all")
    assert check_value(sectors, "energy; Transport") == ["energy", "transport"]
    assert check_value(sectors, "energy;;") == ["energy"]
