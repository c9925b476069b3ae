"""The page of a located quote and of any offset comes from the page offsets; without them all is page one."""

from __future__ import annotations

import pytest

from coderai_desktop.domain.enums import MatchStatus
from coderai_desktop.pipeline.grounding import Grounder

TEXT = (
    "The Paris Agreement was signed in 2015.\n"  # page 1: 0-39
    "It commits   parties to “limit warming” to well below 2 °C.\n\n"  # page 2 starts at 40
    "The budget is $4.5 million for adaptation."  # page 3 starts at 101
)
PAGES = [0, 40, 101]


@pytest.mark.parametrize(
    ("quote", "status", "page"),
    [
        ("signed in 2015", MatchStatus.EXACT, 1),
        ("commits parties to", MatchStatus.NORMALIZED, 2),
        ("$4.5 million for adaptation", MatchStatus.EXACT, 3),
        ("THE BUDGET IS $4.5 MILLION", MatchStatus.NORMALIZED, 3),
        ("well below 2 °C.\n\nThe budget", MatchStatus.EXACT, 2),  # across pages: where it starts
    ],
)
def test_a_located_quote_is_on_the_page_of_its_start(quote: str, status: MatchStatus, page: int) -> None:
    evidence = Grounder(TEXT, PAGES).locate(quote)

    assert evidence.status is status
    assert evidence.page == page


@pytest.mark.parametrize(("offset", "page"), [(0, 1), (39, 1), (40, 2), (100, 2), (101, 3), (500, 3)])
def test_page_of_an_offset(offset: int, page: int) -> None:
    assert Grounder(TEXT, PAGES).page_at(offset) == page


def test_a_text_without_page_offsets_is_one_page() -> None:
    grounder = Grounder(TEXT)

    assert grounder.locate("The budget is").page == 1
    assert grounder.page_at(10_000) == 1
