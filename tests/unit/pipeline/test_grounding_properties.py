"""Property-based: any piece of the document is found where it is; grounding never invents offsets."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coderai_desktop.domain.enums import MatchStatus
from coderai_desktop.pipeline.grounding import Grounder

WORDS = ["the", "Budget", "rose", "by", "4.5%", "in", "2019", "“quoted”", "l'état", "ﬁnance", "Straße", "é"]
SPACES = [" ", "  ", "\n", "\n\n", "\t", "\u00a0"]
ASCII_WORDS = ["alpha", "Beta", "gamma", "42", "x", "delta-7", "(note)", "end."]


@st.composite
def texts(draw, words=WORDS):
    tokens = draw(st.lists(st.sampled_from(words), min_size=1, max_size=40))
    gaps = draw(st.lists(st.sampled_from(SPACES), min_size=len(tokens), max_size=len(tokens)))
    return "".join(token + gap for token, gap in zip(tokens, gaps, strict=True))


@settings(max_examples=400, deadline=None, database=None)
@given(text=texts(), data=st.data())
def test_any_substring_is_found_exactly_at_its_offsets(text: str, data) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    assume(quote.strip())

    evidence = Grounder(text).locate(quote)

    assert evidence.status is MatchStatus.EXACT
    assert text[evidence.start : evidence.end] == quote.strip()
    assert evidence.start == text.find(quote.strip())  # the first occurrence


@settings(max_examples=400, deadline=None, database=None)
@given(text=texts(ASCII_WORDS), data=st.data())
def test_re_spaced_and_re_cased_words_are_found_at_their_words(text: str, data) -> None:
    tokens = text.split()
    first = data.draw(st.integers(0, len(tokens) - 1))
    last = data.draw(st.integers(first, len(tokens) - 1))
    quote = " ".join(tokens[first : last + 1]).upper()

    evidence = Grounder(text).locate(quote)

    assert evidence.status in (MatchStatus.EXACT, MatchStatus.NORMALIZED)
    found = text[evidence.start : evidence.end]
    assert " ".join(found.split()).casefold() == quote.casefold()


@settings(max_examples=500, deadline=None, database=None)
@given(text=st.text(max_size=120) | texts(), quote=st.text(max_size=40) | texts())
def test_located_offsets_are_always_inside_the_text(text: str, quote: str) -> None:
    evidence = Grounder(text).locate(quote)

    if evidence.status in (MatchStatus.NO_QUOTE, MatchStatus.NOT_FOUND):
        assert (evidence.start, evidence.end, evidence.page) == (None, None, None)
    else:
        assert 0 <= evidence.start <= evidence.end <= len(text)
        assert evidence.page == 1


@settings(max_examples=200, deadline=None, database=None)
@given(text=texts(ASCII_WORDS))
def test_a_quote_made_of_words_absent_from_the_text_is_not_found(text: str) -> None:
    evidence = Grounder(text).locate("zebra quokka marmot narwhal")

    assert evidence.status is MatchStatus.NOT_FOUND
