"""Answer.from_json: the model's answer for one variable, wrapped or not, one or several values, its confidence."""

from __future__ import annotations

from typing import Any

import pytest

from coderai_desktop.pipeline.values import Answer, Item


def single(data: Any) -> Answer:
    return Answer.from_json(data, multi=False, scope_key="grouped:1", chunk_index=2)


def multi(data: Any) -> Answer:
    return Answer.from_json(data, multi=True, scope_key="grouped:1")


def test_a_wrapped_answer() -> None:
    data = {"value": "Oslo", "confidence": 0.8, "evidence": "signed in Oslo"}
    answer = single(data)
    assert answer.items == (Item("Oslo", "signed in Oslo"),)
    assert answer.confidence == 0.8
    assert (answer.scope_key, answer.chunk_index) == ("grouped:1", 2)
    assert answer.raw == data


@pytest.mark.parametrize("bare", ["Oslo", 42, True, 0])
def test_a_bare_value_is_an_answer_without_confidence_or_quote(bare: Any) -> None:
    answer = single(bare)
    assert answer.items == (Item(bare, None),)
    assert answer.confidence is None
    assert answer.raw == {"value": bare, "confidence": None, "evidence": None}


def test_a_dict_without_value_is_taken_as_the_value_itself() -> None:
    assert single({"city": "Oslo"}).items == (Item({"city": "Oslo"}, None),)


@pytest.mark.parametrize("nothing", [None, {"value": None, "confidence": 0.2, "evidence": None}])
def test_no_value_gives_no_items(nothing: Any) -> None:
    assert single(nothing).items == ()


def test_a_list_for_a_single_valued_variable_keeps_each_value_with_the_quote() -> None:
    answer = single({"value": ["Oslo", None, "Bergen"], "confidence": 0.7, "evidence": "Oslo and Bergen"})
    assert answer.items == (Item("Oslo", "Oslo and Bergen"), Item("Bergen", "Oslo and Bergen"))


def test_several_values_each_keep_their_own_quote() -> None:
    answer = multi(
        {
            "value": [{"value": "Oslo", "evidence": "in Oslo"}, {"value": "Bergen", "evidence": "in Bergen"}],
            "confidence": 0.9,
            "evidence": None,
        }
    )
    assert answer.items == (Item("Oslo", "in Oslo"), Item("Bergen", "in Bergen"))


def test_several_bare_values_have_no_quotes() -> None:
    assert multi(["Oslo", "Bergen"]).items == (Item("Oslo", None), Item("Bergen", None))


def test_a_single_value_for_a_multi_valued_variable_is_one_item() -> None:
    answer = multi({"value": "Oslo", "confidence": 0.9, "evidence": "in Oslo"})
    assert answer.items == (Item("Oslo", "in Oslo"),)


def test_an_empty_list_has_no_items() -> None:
    assert multi({"value": [], "confidence": 0.1, "evidence": None}).items == ()


@pytest.mark.parametrize(
    ("given", "confidence"),
    [
        (0.75, 0.75),
        ("0.6", 0.6),
        ("0.4", 0.4),
        (1, 1.0),
        (0, 0.0),
        (-0.2, 0.0),
        (-1, 0.0),
        ("-3", 0.0),
        ("250", 1.0),
        (1e9, 1.0),
    ],
)
def test_confidence_is_kept_within_zero_and_one(given: Any, confidence: float) -> None:
    assert single({"value": "x", "confidence": given, "evidence": None}).confidence == confidence


@pytest.mark.parametrize(("given", "confidence"), [(50, 0.5), (85, 0.85), (1.5, 0.015), (100, 1.0)])
def test_a_confidence_in_percent_is_read_as_a_probability(given: Any, confidence: float) -> None:
    assert single({"value": "x", "confidence": given, "evidence": None}).confidence == confidence


@pytest.mark.parametrize("junk", [None, "high", "", [0.5], {"p": 0.5}])
def test_junk_confidence_is_none(junk: Any) -> None:
    assert single({"value": "x", "confidence": junk, "evidence": None}).confidence is None
