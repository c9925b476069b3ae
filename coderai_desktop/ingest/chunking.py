"""Split a document only when it does not fit a token budget, on paragraph and sentence boundaries.

Every extra chunk re-sends the codebook, so chunks are as large as the budget allows; consecutive chunks
overlap by about a tenth so a value that straddles a boundary is seen whole. Offsets are exact character
positions in the document's text, so evidence found in a chunk maps back to the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coderai_desktop.ingest.text import word_count
from coderai_desktop.text_tokens import CHARS_PER_TOKEN, estimate_tokens

_PARAGRAPH_END = re.compile(r"\n\s*\n")
# A chunk ends at a paragraph end rather than mid-paragraph when that still fills this share of the budget.
PARAGRAPH_END_SHARE = 0.5
_SENTENCE_END = re.compile(r"(?<=[.!?;:。！？；])\s+|\n")


@dataclass(frozen=True)
class ChunkPolicy:
    """How documents are cut for one model: its budget (tokens per chunk, the storage key too)."""

    budget: int
    overlap: float = 0.1
    # The classic rule only splits documents longer than this many words; None splits whatever exceeds budget.
    min_words: int | None = None

    @classmethod
    def fit(cls, budget: int) -> ChunkPolicy:
        """Split only what does not fit the model's context beside the prompt."""
        return cls(budget=budget)

    @classmethod
    def classic(cls) -> ChunkPolicy:
        """Over 5,000 words: chunks of about 2,500 tokens overlapping by about 250."""
        return cls(budget=2500, overlap=0.1, min_words=5000)


@dataclass(frozen=True)
class ChunkSpan:
    index: int
    start: int
    end: int
    tokens: int
    # Characters shared with the previous chunk.
    overlap: int


@dataclass(frozen=True)
class _Unit:
    """A sentence (or a piece of one that exceeds the budget), and whether a paragraph ends with it."""

    start: int
    end: int
    tokens: int
    ends_paragraph: bool


def plan_chunks(text: str, policy: ChunkPolicy) -> list[ChunkSpan]:
    total = estimate_tokens(text)
    short = policy.min_words is not None and word_count(text) <= policy.min_words
    if total <= policy.budget or short:
        return [ChunkSpan(0, 0, len(text), total, 0)]
    units = _units(text, policy.budget)
    spans: list[ChunkSpan] = []
    first = 0
    while first < len(units):
        last = _last_unit(units, first, policy.budget)
        start, end = units[first].start, units[last].end
        tokens = sum(unit.tokens for unit in units[first : last + 1])
        overlap = max(0, spans[-1].end - start) if spans else 0
        spans.append(ChunkSpan(len(spans), start, end, tokens, overlap))
        if last + 1 >= len(units):
            break
        first = _overlap_start(units, first, last, policy.overlap * policy.budget)
    return spans


def _last_unit(units: list[_Unit], first: int, budget: int) -> int:
    """As many sentences as fit; then back to the last paragraph end if that keeps most of the chunk."""
    last, tokens = first, units[first].tokens
    while last + 1 < len(units) and tokens + units[last + 1].tokens <= budget:
        last += 1
        tokens += units[last].tokens
    if last + 1 == len(units) or units[last].ends_paragraph:
        return last
    kept = tokens
    for candidate in range(last, first, -1):
        kept -= units[candidate].tokens
        if units[candidate - 1].ends_paragraph and kept >= PARAGRAPH_END_SHARE * budget:
            return candidate - 1
        if kept < PARAGRAPH_END_SHARE * budget:
            break
    return last


def _overlap_start(units: list[_Unit], first: int, last: int, allowance: float) -> int:
    """Where the next chunk starts: the sentences at the end of this one that fit the overlap allowance,
    but always further on than this chunk's start."""
    start, shared = last + 1, 0
    while start - 1 > first and shared + units[start - 1].tokens <= allowance:
        start -= 1
        shared += units[start].tokens
    return start


def _units(text: str, budget: int) -> list[_Unit]:
    """Contiguous sentences of the text, none above the budget (longer ones are cut at spaces)."""
    units: list[_Unit] = []
    for paragraph_start, paragraph_end in _split(text, 0, len(text), _PARAGRAPH_END):
        pieces: list[tuple[int, int, int]] = []
        for sentence_start, sentence_end in _split(text, paragraph_start, paragraph_end, _SENTENCE_END):
            tokens = estimate_tokens(text[sentence_start:sentence_end])
            if tokens <= budget:
                pieces.append((sentence_start, sentence_end, tokens))
            else:
                pieces.extend(_cut(text, sentence_start, sentence_end, budget))
        units.extend(
            _Unit(start, end, tokens, index == len(pieces) - 1)
            for index, (start, end, tokens) in enumerate(pieces)
        )
    return units


def _split(text: str, start: int, end: int, boundary: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans ending just after each boundary match; together they cover [start, end) exactly."""
    spans, position = [], start
    for match in boundary.finditer(text, start, end):
        if match.end() > position:
            spans.append((position, match.end()))
            position = match.end()
    if position < end:
        spans.append((position, end))
    return spans


def _cut(text: str, start: int, end: int, budget: int) -> list[tuple[int, int, int]]:
    """A run of text with no usable boundary: cut at the last space that keeps each piece in budget."""
    pieces = []
    while start < end:
        limit = min(end, start + max(1, int(budget * CHARS_PER_TOKEN)))
        while limit > start + 1 and estimate_tokens(text[start:limit]) > budget:
            limit = start + (limit - start) * 9 // 10
        if limit < end and (space := text.rfind(" ", start, limit)) > start:
            limit = space + 1
        pieces.append((start, limit, estimate_tokens(text[start:limit])))
        start = limit
    return pieces
