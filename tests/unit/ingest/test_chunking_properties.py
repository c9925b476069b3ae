"""Property-based: for any text and budget, chunks cover the text without gaps and fit the budget."""

from __future__ import annotations

import pytest

from coderai_desktop.ingest.chunking import ChunkPolicy, plan_chunks
from tests.unit.ingest.chunk_checks import assert_covers_within_budget

hypothesis = pytest.importorskip("hypothesis")
strategies = hypothesis.strategies

PIECES = ["word ", "Word", "x", " ", "\n", "\n\n", ". ", "! ", "?", ";", "Ж", "中", "。", "\t", "  \n \n"]


@hypothesis.settings(max_examples=300, deadline=None, database=None)
@hypothesis.given(
    text=strategies.lists(strategies.sampled_from(PIECES), max_size=300).map("".join),
    budget=strategies.integers(min_value=1, max_value=80),
    overlap=strategies.sampled_from([0.0, 0.1, 0.5]),
)
def test_any_text_is_covered_within_budget(text: str, budget: int, overlap: float) -> None:
    spans = plan_chunks(text, ChunkPolicy(budget=budget, overlap=overlap))

    assert_covers_within_budget(text, spans, budget)


@hypothesis.settings(max_examples=100, deadline=None, database=None)
@hypothesis.given(text=strategies.text(max_size=500), budget=strategies.integers(min_value=1, max_value=50))
def test_any_unicode_is_covered_within_budget(text: str, budget: int) -> None:
    assert_covers_within_budget(text, plan_chunks(text, ChunkPolicy.fit(budget)), budget)
