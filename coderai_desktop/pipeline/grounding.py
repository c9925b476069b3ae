"""Evidence: where a quote stands in the document. Exact match first, then ignoring case, spacing and
typographic quotes, then fuzzy (rapidfuzz) near the quote's rarest words. A quote that cannot be found
leaves its value flagged for review rather than trusted."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from coderai_desktop.domain.enums import MatchStatus

FUZZY_MIN_SCORE = 85.0
_TOKEN = re.compile(r"\S+")
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
MAX_ANCHORS = 25
# A fuzzy match may differ in spelling, never in meaning: its numbers and negations must be the quote's.
_NUMBERS = re.compile(r"\d+(?:[.,]\d+)*")
_WORDS = re.compile(r"[^\W\d_]+(?:'t)?")
_NEGATIONS = frozenset({"not", "no", "never", "none", "nor", "without", "cannot", "neither", "nothing"})


@dataclass(frozen=True)
class Evidence:
    quote: str | None
    start: int | None
    end: int | None
    page: int | None
    status: MatchStatus


class Grounder:
    """Finds quotes in one document; built once per document, used for all its values."""

    def __init__(self, text: str, page_offsets: list[int] | None = None):
        self.text = text
        self._pages = page_offsets or [0]

    def locate(self, quote: str | None) -> Evidence:
        if quote is None or not quote.strip():
            return Evidence(None, None, None, None, MatchStatus.NO_QUOTE)
        quote = quote.strip()
        if (start := self.text.find(quote)) != -1:
            return self._evidence(quote, start, start + len(quote), MatchStatus.EXACT)
        wanted = " ".join(_normal(token) for token in quote.split())
        normal, origin = self._normal_index
        if (position := normal.find(wanted)) != -1:
            start, end = origin[position], origin[position + len(wanted) - 1] + 1
            return self._evidence(quote, start, end, MatchStatus.NORMALIZED)
        if (found := self._fuzzy(wanted)) is not None:
            start, end = self._whole_words(origin[found[0]], origin[found[1] - 1] + 1)
            if _same_meaning(wanted, _normal(self.text[start:end])):
                return self._evidence(quote, start, end, MatchStatus.FUZZY)
        return Evidence(quote, None, None, None, MatchStatus.NOT_FOUND)

    def page_at(self, offset: int) -> int:
        """1-based page of a character offset."""
        return max(1, bisect.bisect_right(self._pages, offset))

    def _evidence(self, quote: str, start: int, end: int, status: MatchStatus) -> Evidence:
        return Evidence(quote, start, end, self.page_at(start), status)

    @cached_property
    def _tokens(self) -> list[tuple[int, int]]:
        return [(match.start(), match.end()) for match in _TOKEN.finditer(self.text)]

    @cached_property
    def _token_starts(self) -> list[int]:
        return [start for start, _end in self._tokens]

    @cached_property
    def _normal_index(self) -> tuple[str, list[int]]:
        """The text folded (case, spacing, typographic quotes) and, for each of its characters, the offset
        of the original character it comes from. Built only when a quote is not found as it is."""
        parts: list[str] = []
        origin: list[int] = []
        for start, end in self._tokens:
            if parts:
                parts.append(" ")
                origin.append(start - 1)
            token = self.text[start:end]
            folded = _normal(token)
            parts.append(folded)
            if len(folded) == len(token):
                origin.extend(range(start, end))
            else:  # a letter that folds into several ('ß' -> 'ss'): each maps back to it
                for offset, letter in enumerate(token, start):
                    origin.extend([offset] * len(_normal(letter)))
        return "".join(parts), origin

    def _fuzzy(self, wanted: str) -> tuple[int, int] | None:
        """The best fuzzy match near occurrences of the quote's rarest long words (fast on long texts)."""
        normal = self._normal_index[0]
        words = sorted({word for word in wanted.split() if len(word) >= 4}, key=normal.count)
        anchors: list[int] = []
        for word in words[:3]:
            position = normal.find(word)
            while position != -1 and len(anchors) < MAX_ANCHORS:
                anchors.append(position)
                position = normal.find(word, position + 1)
        best: tuple[float, int, int] | None = None
        reach = 2 * len(wanted)
        for anchor in anchors or [0]:
            low = max(0, anchor - reach)
            window = normal[low : anchor + reach] if anchors else normal[: 4 * reach]
            alignment = fuzz.partial_ratio_alignment(wanted, window, score_cutoff=FUZZY_MIN_SCORE)
            if alignment is not None and (best is None or alignment.score > best[0]):
                best = (alignment.score, low + alignment.dest_start, low + alignment.dest_end)
        return (best[1], best[2]) if best else None

    def _whole_words(self, start: int, end: int) -> tuple[int, int]:
        """A fuzzy match widened to whole words, since its alignment can clip a letter."""
        first = max(0, bisect.bisect_right(self._token_starts, start) - 1)
        last = max(0, bisect.bisect_right(self._token_starts, max(start, end - 1)) - 1)
        return self._tokens[first][0], self._tokens[last][1]


def _normal(token: str) -> str:
    return token.translate(_TYPOGRAPHY).casefold()


def _same_meaning(quote: str, matched: str) -> bool:
    """A fuzzy match says what the quote says: the same numbers, and a negation in one is in the other."""
    if sorted(_NUMBERS.findall(quote)) != sorted(_NUMBERS.findall(matched)):
        return False
    return _negations(quote) == _negations(matched)


def _negations(text: str) -> set[str]:
    return {
        "not" if word.endswith("n't") else word
        for word in _WORDS.findall(text)
        if word in _NEGATIONS or word.endswith("n't")
    }
