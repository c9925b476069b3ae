"""Fuzzy grounding: a quote with copying slips is found as whole words, even deep in a long text; else not found."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.enums import MatchStatus
from coderai_desktop.pipeline.grounding import Grounder

TEXT = (
    "Introduction. The Paris Agreement was signed in 2015. The budget is $4.5 million for adaptation "
    "projects in coastal regions. The ministry will report every two years on progress."
)
TREATY = (
    "The Treaty of Paris was signed on 12 March 2020 by \u201cboth parties\u201d \u2014 in full.\n"
    "The   budget was  EUR 4.5 million for the programme\u2019s first phase.\n"
    "Both parties met again in Oslo."
)
NEGATION = "In 2016 the treaty was ratified by the parliament."
FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 3600  # about 205,000 characters
LONG = (
    FILLER + "Annex. The Commission approved the regional investment plan on Tuesday, 4 June 2024.\n" + FILLER
)
LONG_PAGES = [0, len(FILLER)]


@pytest.mark.parametrize(
    ("text", "quote", "words"),
    [
        (TEXT, "The budgt is $4.5 milion for adaptaton", "The budget is $4.5 million for adaptation"),
        (TEXT, "budget is 4.5 million for adaptation projects", "budget is $4.5 million for adaptation projects"),
        (TREATY, "signed on 12 Marhc 2020", "signed on 12 March 2020"),
        (TREATY, "The budgte was EUR 4.5 milion", "The   budget was  EUR 4.5 million"),
        (TREATY, "Both partys met agian in Oslo", "Both parties met again in Oslo."),
        ("x " * 50 + "Costs rose   to\n\nEUR 12 million in 2021.", "costs rose to eur 12 milion in 2021",
         "Costs rose   to\n\nEUR 12 million in 2021."),
    ],
    ids=["typos", "dropped symbol", "one typo", "two typos and spacing", "two typos", "after lots of text"],
)  # fmt: skip
def test_a_quote_with_slips_is_found_fuzzily_as_whole_words(text: str, quote: str, words: str) -> None:
    evidence = Grounder(text).locate(quote)

    assert evidence.status is MatchStatus.FUZZY
    assert text[evidence.start : evidence.end] == words  # never a clipped word


@pytest.mark.parametrize(
    ("quote", "status"),
    [
        ("The Commission approved the regional investment plan", MatchStatus.EXACT),
        ("the commission approved the REGIONAL investment plan", MatchStatus.NORMALIZED),
        ("The Comission aproved the regional investment plan", MatchStatus.FUZZY),
    ],
)
def test_a_quote_deep_in_a_long_document_is_found_on_its_page(quote: str, status: MatchStatus) -> None:
    evidence = Grounder(LONG, LONG_PAGES).locate(quote)

    assert evidence.status is status
    assert LONG[evidence.start : evidence.end] == "The Commission approved the regional investment plan"
    assert evidence.page == 2


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        (TEXT, "Negotiations on fisheries quotas collapsed in Brussels"),
        (TREATY, "The agreement was cancelled in Madrid"),
        (TREATY, "zzzz qqqq wwww"),
        (TEXT, "The moon landing was in 1969"),
        (TEXT, "The Paris Agreement was signed in 1992"),
        (TEXT, "The budget is $9.9 million for adaptation projects"),
        (NEGATION, "the treaty was not ratified by the parliament"),
        (NEGATION, "The treaty was never ratified by the parliament"),
        (LONG, "The Council rejected the national budget"),
    ],
    ids=[
        "unrelated", "another place", "gibberish", "another statement", "a different year",
        "a different amount", "negated", "negated with never", "missing from a long document",
    ],
)  # fmt: skip
def test_a_quote_that_says_something_else_is_not_found_and_gets_no_offsets(text: str, quote: str) -> None:
    evidence = Grounder(text).locate(quote)

    assert evidence.status is MatchStatus.NOT_FOUND
    assert (evidence.start, evidence.end, evidence.page) == (None, None, None)
    assert evidence.quote == quote
