"""Locating a quote: exact first, then ignoring case, spacing and typography, with offsets into the original."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.enums import MatchStatus
from coderai_desktop.pipeline.grounding import Grounder

TEXT = (
    "The Paris Agreement was signed in 2015.\n"
    "It commits   parties to “limit warming” to well below 2 °C.\n\n"
    "The budget is $4.5 million for adaptation."
)
TREATY = (
    "The Treaty of Paris was signed on 12 March 2020 by \u201cboth parties\u201d \u2014 in full.\n"
    "The   budget was  EUR 4.5 million for the programme\u2019s first phase.\n"
    "Both parties met again in Oslo."
)


def test_an_exact_quote_gives_its_offsets() -> None:
    evidence = Grounder(TEXT).locate("signed in 2015")

    assert evidence.status is MatchStatus.EXACT
    assert (evidence.start, evidence.end, evidence.page) == (24, 38, 1)
    assert evidence.quote == "signed in 2015"


def test_surrounding_whitespace_of_the_quote_is_ignored() -> None:
    evidence = Grounder(TEXT).locate("  signed in 2015 \n")

    assert evidence.status is MatchStatus.EXACT
    assert TEXT[evidence.start : evidence.end] == "signed in 2015"


def test_a_quote_across_lines_is_exact() -> None:
    evidence = Grounder(TEXT).locate("well below 2 °C.\n\nThe budget")

    assert evidence.status is MatchStatus.EXACT
    assert TEXT[evidence.start : evidence.end] == "well below 2 °C.\n\nThe budget"


def test_a_quote_given_twice_maps_to_its_first_occurrence() -> None:
    text = "Both parties agree. Later, both parties agree. Both parties agree."
    evidence = Grounder(text).locate("Both parties agree")

    assert evidence.status is MatchStatus.EXACT
    assert (evidence.start, evidence.end) == (0, 18)


@pytest.mark.parametrize(
    ("text", "quote", "original"),
    [
        (TEXT, "THE BUDGET IS $4.5 MILLION", "The budget is $4.5 million"),
        (TREATY, "the treaty of PARIS", "The Treaty of Paris"),
        (TEXT, "commits parties to", "commits   parties to"),
        (TREATY, "The budget was EUR 4.5 million", "The   budget was  EUR 4.5 million"),
        ("Intro.\n\n   The   Quick\tbrown   FOX jumps.", "the quick brown fox", "The   Quick\tbrown   FOX"),
        (TREATY, "million for the programme\u2019s\nfirst", "million for the programme\u2019s first"),
        (TEXT, 'parties to "limit warming"', "parties to “limit warming”"),
        (TREATY, '"both parties" - in full', "\u201cboth parties\u201d \u2014 in full"),
        (TREATY, "the programme's first phase", "the programme\u2019s first phase"),
        ("\u201cWe agree,\u201d said\u00a0the minister.", '"we agree," said the minister', "\u201cWe agree,\u201d said\u00a0the minister"),
        ("Die Stra\u00dfe, die nach Berlin f\u00fchrt.", "DIE STRASSE", "Die Stra\u00dfe"),
        ("Die Stra\u00dfe und der Platz sind neu.", "DIE STRASSE und der platz", "Die Stra\u00dfe und der Platz"),
        ("Total:   ABCdef ghi", "cdef GHI", "Cdef ghi"),
        (TREATY, "REATY OF PARIS", "reaty of Paris"),
    ],
    ids=[
        "case", "case of a title", "spacing", "double spaces", "tab and spacing", "line break",
        "straight quotes", "quotes and dash", "apostrophe", "typography and nbsp", "sharp s folds longer",
        "sharp s, then more words", "starts inside a word", "starts inside a word, case",
    ],
)  # fmt: skip
def test_a_normalised_quote_maps_to_the_original_characters(text: str, quote: str, original: str) -> None:
    evidence = Grounder(text).locate(quote)

    assert evidence.status is MatchStatus.NORMALIZED
    assert text[evidence.start : evidence.end] == original


@pytest.mark.parametrize("quote", [None, "", "   \n"])
def test_no_quote_is_reported_as_such(quote: str | None) -> None:
    evidence = Grounder(TEXT).locate(quote)

    assert evidence.status is MatchStatus.NO_QUOTE
    assert (evidence.quote, evidence.start, evidence.end, evidence.page) == (None, None, None, None)
