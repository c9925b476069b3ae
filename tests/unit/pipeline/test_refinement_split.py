"""The refinement split: whole documents, deterministic per seed whatever the order of the reviews,
stratified by what the review found, documents the prompt already quotes never held out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coderai_desktop.domain.errors import InvalidInputError
from coderai_desktop.domain.refinement import ErrorKind, FeedbackItem
from coderai_desktop.pipeline.refinement_split import split_documents


def item(document: int, kind: ErrorKind | None, entity: int | None = None) -> FeedbackItem:
    return FeedbackItem(
        extraction_id=document * 100 + (entity or 0),
        document_id=document,
        document=f"d{document}.txt",
        entity_index=entity,
        entity=None if entity is None else f"e{entity}",
        ai_value=1,
        human_value=1 if kind is None else 2,
        confidence=0.9,
        quote=None,
        page=None,
        note=None,
        kind=kind,
    )


ITEMS = [item(d, ErrorKind.MISSED if d < 10 else None) for d in range(30)]


def test_the_same_seed_gives_the_same_split_whatever_the_order() -> None:
    first = split_documents(ITEMS, 5, 0.3)
    assert split_documents(list(reversed(ITEMS)), 5, 0.3) == first
    assert split_documents(ITEMS, 6, 0.3) != first
    assert (len(first.refinement), len(first.held_out)) == (21, 9)


@given(st.integers(0, 2**31 - 1))
def test_every_stratum_is_held_out_in_proportion(seed: int) -> None:
    split = split_documents(ITEMS, seed, 0.3)
    held = set(split.held_out)
    assert len(held & set(range(10))) == 3  # 30% of the ten corrected documents
    assert len(held & set(range(10, 30))) == 6  # and of the twenty confirmed ones
    assert not held & set(split.refinement)
    assert set(split.refinement) | held == set(range(30))


def test_a_document_goes_whole_to_one_side_and_quoted_documents_stay_in() -> None:
    entities = [
        item(d, ErrorKind.WRONG_VALUE if e == 0 else None, entity=e) for d in range(12) for e in range(3)
    ]
    split = split_documents(entities, 1, 0.5, never_held_out=[0, 1, 2])
    assert not {0, 1, 2} & set(split.held_out)
    assert sorted(split.refinement + split.held_out) == list(range(12))


def test_the_held_out_share_is_a_share() -> None:
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        split_documents(ITEMS, 1, 1.0)
