"""Split a document only when it does not fit a token budget, on paragraph and sentence boundaries.

Every extra chunk re-sends the codebook, so chunks are as large as the budget allows; consecutive chunks
overlap by about a tenth so a value that straddles a boundary is seen whole. Offsets are exact character
positions in the document's text, so evidence found in a chunk maps back to the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coderai_desktop.ingest.text import word_count
from coderai_desktop.ingest.tokens import CHARS_PER_TOKEN, estimate_tokens

_PARAGRAPH_END = re.compile(r"\n\s*\n")
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


def plan_chunks(text: str, policy: ChunkPolicy) -> list[ChunkSpan]:
    total = estimate_tokens(text)
    short = policy.min_words is not None and word_count(text) <= policy.min_words
    if total <= policy.budget or short:
        return [ChunkSpan(0, 0, len(text), total, 0)]
    units = _units(text, 0, len(text), policy.budget)
    spans: list[ChunkSpan] = []
    first = 0
    while first < len(units):
        last, tokens = first, units[first][2]
        while last + 1 < len(units) and tokens + units[last + 1][2] <= policy.budget:
            last += 1
            tokens += units[last][2]
        start, end = units[first][0], units[last][1]
        overlap = max(0, spans[-1].end - start) if spans else 0
        spans.append(ChunkSpan(len(spans), start, end, tokens, overlap))
        if last + 1 >= len(units):
            break
        first = _overlap_start(units, first, last, policy.overlap * policy.budget)
    return spans


def _overlap_start(units: list[tuple[int, int, int]], first: int, last: int, allowance: float) -> int:
    """Where the next chunk starts: a few units back from the end of this one, but always further on."""
    start, shared = last + 1, 0
    while start - 1 > first and shared + units[start - 1][2] <= allowance:
        start -= 1
        shared += units[start][2]
    return start


def _units(text: str, start: int, end: int, budget: int) -> list[tuple[int, int, int]]:
    """Contiguous (start, end, tokens) pieces of text[start:end], none above the budget:
    paragraphs, else sentences, else words, else a hard cut."""
    pieces: list[tuple[int, int, int]] = []
    for piece_start, piece_end in _split(text, start, end, _PARAGRAPH_END):
        tokens = estimate_tokens(text[piece_start:piece_end])
        if tokens <= budget:
            pieces.append((piece_start, piece_end, tokens))
            continue
        for sentence_start, sentence_end in _split(text, piece_start, piece_end, _SENTENCE_END):
            sentence_tokens = estimate_tokens(text[sentence_start:sentence_end])
            if sentence_tokens <= budget:
                pieces.append((sentence_start, sentence_end, sentence_tokens))
            else:
                pieces.extend(_cut(text, sentence_start, sentence_end, budget))
    return pieces


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
