"""Evidence: where a quote stands in the document. Exact match first, then ignoring case, spacing and
typographic quotes, then fuzzy (rapidfuzz) near the quote's rarest words. A quote that cannot be found
leaves its value flagged for review rather than trusted."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from coderai_desktop.domain.enums import MatchStatus

FUZZY_MIN_SCORE = 85.0
_TOKEN = re.compile(r"\S+")
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
MAX_ANCHORS = 25


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
        spans = [(match.start(), match.end()) for match in _TOKEN.finditer(text)]
        self._token_starts = [start for start, _end in spans]
        self._token_ends = [end for _start, end in spans]
        tokens = [_normal(text[start:end]) for start, end in spans]
        self._normal = " ".join(tokens)
        self._normal_starts: list[int] = []
        position = 0
        for token in tokens:
            self._normal_starts.append(position)
            position += len(token) + 1

    def locate(self, quote: str | None) -> Evidence:
        if quote is None or not quote.strip():
            return Evidence(None, None, None, None, MatchStatus.NO_QUOTE)
        quote = quote.strip()
        if (start := self.text.find(quote)) != -1:
            return self._evidence(quote, start, start + len(quote), MatchStatus.EXACT)
        wanted = " ".join(_normal(token) for token in quote.split())
        if (position := self._normal.find(wanted)) != -1:
            start, end = self._original_span(position, position + len(wanted))
            return self._evidence(quote, start, end, MatchStatus.NORMALIZED)
        if (found := self._fuzzy(wanted)) is not None:
            start, end = self._original_span(*found, whole_words=True)
            return self._evidence(quote, start, end, MatchStatus.FUZZY)
        return Evidence(quote, None, None, None, MatchStatus.NOT_FOUND)

    def page_at(self, offset: int) -> int:
        """1-based page of a character offset."""
        return max(1, bisect.bisect_right(self._pages, offset))

    def _evidence(self, quote: str, start: int, end: int, status: MatchStatus) -> Evidence:
        return Evidence(quote, start, end, self.page_at(start), status)

    def _fuzzy(self, wanted: str) -> tuple[int, int] | None:
        """The best fuzzy match near occurrences of the quote's rarest long words (fast on long texts)."""
        words = sorted({word for word in wanted.split() if len(word) >= 4}, key=self._normal.count)
        anchors: list[int] = []
        for word in words[:3]:
            position = self._normal.find(word)
            while position != -1 and len(anchors) < MAX_ANCHORS:
                anchors.append(position)
                position = self._normal.find(word, position + 1)
        best: tuple[float, int, int] | None = None
        reach = 2 * len(wanted)
        for anchor in anchors or [0]:
            low = max(0, anchor - reach)
            window = self._normal[low : anchor + reach] if anchors else self._normal[: 4 * reach]
            alignment = fuzz.partial_ratio_alignment(wanted, window, score_cutoff=FUZZY_MIN_SCORE)
            if alignment is not None and (best is None or alignment.score > best[0]):
                best = (alignment.score, low + alignment.dest_start, low + alignment.dest_end)
        return (best[1], best[2]) if best else None

    def _original_span(self, start: int, end: int, *, whole_words: bool = False) -> tuple[int, int]:
        """Offsets in the original text for offsets in the normalised one (token by token); a fuzzy
        match is widened to whole words, since its alignment can clip a letter."""
        first = max(0, bisect.bisect_right(self._normal_starts, start) - 1)
        last = max(0, bisect.bisect_right(self._normal_starts, max(start, end - 1)) - 1)
        if whole_words:
            return self._token_starts[first], self._token_ends[last]
        original_start = self._token_starts[first] + min(
            start - self._normal_starts[first], self._token_ends[first] - self._token_starts[first]
        )
        original_end = self._token_starts[last] + min(
            end - self._normal_starts[last], self._token_ends[last] - self._token_starts[last]
        )
        return original_start, max(original_start, original_end)


def _normal(token: str) -> str:
    return token.translate(_TYPOGRAPHY).casefold()
