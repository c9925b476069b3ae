"""Chunk plans: whole documents when they fit, otherwise budget-sized pieces cut at natural boundaries."""

from __future__ import annotations

import math

import pytest

from coderai_desktop.ingest.chunking import ChunkPolicy, ChunkSpan, plan_chunks
from coderai_desktop.ingest.text import word_count
from coderai_desktop.text_tokens import estimate_tokens
from tests.fakes import documents
from tests.unit.ingest.chunk_checks import assert_covers_within_budget

BUDGET = 400
# About 6,000 tokens in 40 paragraphs of 20 to 160 words: every paragraph fits the budget on its own.
LONG = documents.paragraphs(7, 40, words=(20, 160))


def at_boundary(text: str, position: int) -> bool:
    """Just after the end of a paragraph or a sentence (and its following white space)."""
    before = text[:position]
    return position in (0, len(text)) or (before[-1].isspace() and before.rstrip()[-1] in ".!?")


def overlaps_about_a_tenth(text: str, spans: list[ChunkSpan], budget: int) -> bool:
    """Every chunk but the first repeats some of its predecessor, up to about 10% of the budget."""
    shared = [estimate_tokens(text[span.start : span.start + span.overlap]) for span in spans[1:]]
    return all(0 < tokens <= 0.15 * budget for tokens in shared)


def test_a_text_that_fits_is_one_chunk() -> None:
    text = "A short statement.\n\nWith two paragraphs."

    assert plan_chunks(text, ChunkPolicy.fit(BUDGET)) == [
        ChunkSpan(0, 0, len(text), estimate_tokens(text), 0)
    ]


def test_a_long_text_is_covered_by_chunks_that_fit_the_budget() -> None:
    spans = plan_chunks(LONG, ChunkPolicy.fit(BUDGET))

    assert estimate_tokens(LONG) > 10 * BUDGET
    assert len(spans) > 10
    assert_covers_within_budget(LONG, spans, BUDGET)


def test_chunks_start_and_end_on_paragraph_boundaries() -> None:
    spans = plan_chunks(LONG, ChunkPolicy.fit(BUDGET))

    for span in spans:
        assert at_boundary(LONG, span.start) and at_boundary(LONG, span.end), span
    # A chunk that starts with its overlap (mid-paragraph) may have to end at a sentence instead.
    paragraph_ends = [LONG[: span.end].endswith("\n\n") for span in spans[:-1]]
    assert sum(paragraph_ends) >= 2 / 3 * len(paragraph_ends)


def test_chunks_are_as_large_as_the_budget_allows() -> None:
    largest_paragraph = max(estimate_tokens(paragraph) for paragraph in LONG.split("\n\n")) + 1

    spans = plan_chunks(LONG, ChunkPolicy.fit(BUDGET))

    assert all(span.tokens > BUDGET - largest_paragraph for span in spans[:-1])


def test_each_chunk_overlaps_its_predecessor_by_about_a_tenth() -> None:
    # Overlap is counted in sentences: a chunk ending in a paragraph larger than 10% of the budget still
    # shares its last sentences with the next one.
    spans = plan_chunks(LONG, ChunkPolicy.fit(BUDGET))

    assert overlaps_about_a_tenth(LONG, spans, BUDGET), [span.overlap for span in spans]


def test_a_paragraph_longer_than_the_budget_is_split_at_sentences() -> None:
    text = documents.prose(3, 1500)  # one paragraph, about 2,400 tokens

    spans = plan_chunks(text, ChunkPolicy.fit(BUDGET))

    assert len(spans) >= 6
    assert_covers_within_budget(text, spans, BUDGET)
    assert all(at_boundary(text, span.start) and at_boundary(text, span.end) for span in spans)


@pytest.mark.parametrize(("run", "characters_per_chunk"), [("x" * 9000, 4 * BUDGET), ("中" * 3000, BUDGET)])
def test_a_run_without_spaces_is_cut_hard(run: str, characters_per_chunk: int) -> None:
    spans = plan_chunks(run, ChunkPolicy.fit(BUDGET))

    assert_covers_within_budget(run, spans, BUDGET)
    assert len(spans) == math.ceil(len(run) / characters_per_chunk)


def test_a_long_line_is_cut_between_words() -> None:
    text = " ".join(["word"] * 2000)  # no sentence ends: cut at spaces

    spans = plan_chunks(text, ChunkPolicy.fit(BUDGET))

    assert_covers_within_budget(text, spans, BUDGET)
    assert all(text[span.end - 1] == " " for span in spans[:-1])


def words_text(words: int) -> str:
    text = "\n\n".join(documents.prose(seed, 100) for seed in range(words // 100))
    assert word_count(text) == words
    return text


def test_the_classic_policy_leaves_4000_words_whole() -> None:
    text = words_text(4000)

    assert estimate_tokens(text) > 2500
    assert plan_chunks(text, ChunkPolicy.classic()) == [ChunkSpan(0, 0, len(text), estimate_tokens(text), 0)]


def test_the_classic_policy_splits_6000_words_into_chunks_of_about_2500_tokens() -> None:
    text = words_text(6000)

    spans = plan_chunks(text, ChunkPolicy.classic())

    assert_covers_within_budget(text, spans, 2500)
    assert len(spans) <= math.ceil(estimate_tokens(text) / (0.85 * 2500))
    assert all(span.tokens >= 2000 for span in spans[:-1])
    # Paragraphs of 100 words fit the 250-token allowance, so here each chunk repeats the last one.
    assert overlaps_about_a_tenth(text, spans, 2500)
