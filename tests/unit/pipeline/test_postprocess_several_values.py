"""Several values: FIRST / LAST / SUMMARIZE for one-value variables, ALL unique up to max_values, chunks merged."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.enums import ExtractionStatus, MatchStatus
from tests.unit.pipeline.extraction_builders import DOCUMENT, answer, category, code_one, items, spec

PLACES = [("Oslo", "signed on 3 May 2021 in Oslo"), ("Bergen", "signed in Bergen")]


def city(policy: str):
    return spec("city", if_multiple_values=policy)


@pytest.mark.parametrize(("policy", "index"), [("first", 0), ("last", 1)])
def test_first_or_last_of_values_from_several_chunks(policy: str, index: int) -> None:
    coded = code_one(city(policy), answer("Oslo", PLACES[0][1]), answer("Bergen", PLACES[1][1], chunk=1))
    assert (coded.value, coded.evidence.quote) == PLACES[index]
    assert coded.evidence.status is MatchStatus.EXACT
    assert coded.status is ExtractionStatus.EXTRACTED
    assert coded.notes == [f"the document gives 2 values; kept the {policy}"]


@pytest.mark.parametrize(("policy", "value"), [("first", "Oslo"), ("last", "Bergen")])
def test_first_or_last_of_a_list_answered_for_a_single_valued_variable(policy: str, value: str) -> None:
    coded = code_one(city(policy), answer(["Oslo", "Bergen"], "signed in Bergen"))
    assert coded.value == value
    assert coded.notes == [f"the document gives 2 values; kept the {policy}"]


def test_summarize_joins_the_distinct_values_with_a_note() -> None:
    coded = code_one(
        city("summarize"),
        answer("Oslo", PLACES[0][1]),
        answer(" oslo ", PLACES[0][1], chunk=1),
        answer("Bergen", PLACES[1][1], chunk=2),
    )
    assert coded.value == "Oslo; Bergen"
    assert coded.notes == ["2 different values summarised"]
    assert coded.evidence.status is MatchStatus.EXACT


def test_summarize_on_a_number_keeps_the_first_value_and_flags_it() -> None:
    text = "The first budget was EUR 5 million. Two years later it was raised to EUR 7 million."
    budget = spec("budget", "number", if_multiple_values="summarize")
    coded = code_one(
        budget,
        answer(7_000_000, "raised to EUR 7 million", chunk=1),
        answer(5_000_000, "EUR 5 million", chunk=0),
        text=text,
    )
    assert coded.value == 5_000_000
    assert coded.status is ExtractionStatus.FLAGGED
    assert coded.notes == [
        "a number cannot hold a summary of 5000000; 7000000",
        "the document gives 2 values; kept the first",
    ]


def test_one_distinct_value_needs_no_note() -> None:
    coded = code_one(city("first"), answer("Oslo", PLACES[0][1]), answer("OSLO", "in Oslo", chunk=1))
    assert coded.value == "Oslo"
    assert coded.notes == []


def test_all_keeps_unique_values_in_document_order() -> None:
    places = spec("places", if_multiple_values="all")
    coded = code_one(places, items(("Oslo", "in Oslo"), ("  OSLO ", "in Oslo"), ("Bergen", "in Bergen")))
    assert coded.value == ["Oslo", "Bergen"]
    assert coded.status is ExtractionStatus.EXTRACTED
    assert coded.evidence.quote == "in Oslo"  # the columns hold the first value's quote
    assert coded.notes == []


def test_all_is_cut_at_max_values_with_a_note() -> None:
    sectors = category("sectors", ("energy", "transport", "water"), if_multiple_values="all", max_values=2)
    coded = code_one(
        sectors, items(("water", "Oslo"), ("Energy", "solar power"), ("transport", "for transport"))
    )
    assert coded.value == ["water", "energy"]
    assert coded.notes == ["3 values found; kept the first 2"]


def test_all_flags_values_whose_quotes_are_missing() -> None:
    places = spec("places", if_multiple_values="all")
    coded = code_one(places, items(("Oslo", "in Oslo"), ("Paris", "signed in Paris"), ("Bergen", None)))
    assert coded.value == ["Oslo", "Paris", "Bergen"]
    assert coded.status is ExtractionStatus.FLAGGED
    assert coded.notes == ["the quote of 2 of the 3 values was not found in the document"]


def test_all_merges_the_lists_of_several_chunks_in_chunk_order() -> None:
    places = spec("places", if_multiple_values="all")
    coded = code_one(
        places, items(("Bergen", "in Bergen"), chunk=1), items(("Oslo", "in Oslo"), ("bergen", "in Bergen"))
    )
    assert coded.value == ["Oslo", "bergen"]


def test_equal_values_from_overlapping_chunks_keep_the_best_evidenced_quote() -> None:
    budget = spec("budget", "number")
    fuzzy = answer("4.5 million", "commits EUR 4.5 milion to solar powr", chunk=0)
    exact = answer("4,500,000", "EUR 4.5 million to solar power", chunk=1)
    coded = code_one(budget, fuzzy, exact)
    assert coded.value == 4_500_000
    assert coded.evidence.status is MatchStatus.EXACT
    assert coded.evidence.quote == "EUR 4.5 million to solar power"
    assert coded.notes == []
    assert coded.raw == [fuzzy.raw, exact.raw]


def test_first_across_chunks_takes_the_earliest_chunk_whatever_the_order_of_answers() -> None:
    city = spec("city", if_multiple_values="first")
    later, earlier = answer("Bergen", "signed in Bergen", chunk=3), answer("Oslo", "in Oslo", chunk=1)
    assert code_one(city, later, earlier).value == "Oslo"
    assert code_one(city, earlier, later).value == "Oslo"


def test_chunks_keep_the_highest_confidence() -> None:
    coded = code_one(spec("city"), answer("Oslo", "in Oslo", 0.6), answer(None, None, 0.95, chunk=1))
    assert coded.confidence == 0.95
    assert coded.value == "Oslo"


def test_the_document_fixture_holds_the_quotes_used_here() -> None:
    for _value, quote in PLACES:
        assert quote in DOCUMENT
