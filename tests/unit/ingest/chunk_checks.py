"""Invariants every chunk plan must keep, shared by the example and the property-based tests."""

from __future__ import annotations

from itertools import pairwise

from coderai_desktop.ingest.chunking import ChunkSpan
from coderai_desktop.text_tokens import estimate_tokens


def assert_covers_within_budget(text: str, spans: list[ChunkSpan], budget: int) -> None:
    """Chunks start at 0, end at len(text), leave no gap, always move on, and each fits the budget."""
    assert [span.index for span in spans] == list(range(len(spans)))
    assert spans[0].start == 0
    assert spans[-1].end == len(text)
    for previous, span in pairwise(spans):
        assert previous.start < span.start <= previous.end, (previous, span)
        assert span.overlap == previous.end - span.start
    if len(spans) > 1:
        for span in spans:
            assert estimate_tokens(text[span.start : span.end]) <= span.tokens <= budget, span
