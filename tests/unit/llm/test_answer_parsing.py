"""Reading the model's answer: tolerant JSON, answers that miss every variable, usage and text of a message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from coderai_desktop.llm.client import Usage, _tolerant_json, answer_data, text_of, usage_of

SCHEMA = {"type": "object", "required": ["title", "budget"], "properties": {"title": {}, "budget": {}}}


@pytest.mark.parametrize(
    "text",
    [
        '{"title": "Paris", "budget": 12}',
        '```json\n{"title": "Paris", "budget": 12}\n```',
        '```\n{"title": "Paris", "budget": 12}\n```',
        'Here is the answer:\n{"title": "Paris", "budget": 12}\nI hope this helps.',
        '  \n{\n  "title": "Paris",\n  "budget": 12\n}\n  ',
    ],
    ids=["plain", "json fence", "bare fence", "prose around", "whitespace"],
)
def test_the_json_object_is_found_in_what_surrounds_it(text: str) -> None:
    assert _tolerant_json(text) == {"title": "Paris", "budget": 12}


@pytest.mark.parametrize(
    "text",
    ["", "I could not find any values.", '{"title": "Paris", "budget": ', "[1, 2, 3]", "} {", "{not json}"],
    ids=["empty", "prose", "cut short", "a list", "reversed braces", "broken"],
)
def test_what_is_not_a_json_object_gives_none(text: str) -> None:
    assert _tolerant_json(text) is None


def test_the_answer_object_is_read_from_the_raw_text() -> None:
    raw = AIMessage(content='```json\n{"title": {"value": "Paris"}, "budget": {"value": 3}}\n```')
    assert answer_data(text_of(raw), SCHEMA) == {"title": {"value": "Paris"}, "budget": {"value": 3}}


@pytest.mark.parametrize("text", ['{"answer": 42}', "no JSON at all", "", "{}"])
def test_an_answer_with_none_of_the_variables_is_refused(text: str) -> None:
    assert answer_data(text, SCHEMA) is None


def test_an_answer_with_some_of_the_variables_is_kept() -> None:
    partial = {"title": {"value": "Paris"}, "extra": 1}
    assert answer_data(json.dumps(partial), SCHEMA) == partial


def test_a_schema_without_required_keys_takes_any_object() -> None:
    assert answer_data('{"entities": []}', {"type": "object"}) == {"entities": []}


def test_usage_includes_cached_prompt_tokens() -> None:
    raw = AIMessage(
        content="{}",
        usage_metadata={
            "input_tokens": 1200,
            "output_tokens": 80,
            "total_tokens": 1280,
            "input_token_details": {"cache_read": 1024},
        },
    )
    assert usage_of(raw) == Usage(1200, 80, 1024)


def test_usage_without_details_or_metadata_is_zero_where_unknown() -> None:
    plain = AIMessage(
        content="{}", usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
    )
    assert usage_of(plain) == Usage(10, 5, 0)
    assert usage_of(AIMessage(content="{}")) == Usage(0, 0, 0)


def test_usages_add_up() -> None:
    assert Usage(10, 5, 2) + Usage(1, 2, 3) == Usage(11, 7, 5)


def test_text_of_a_string_and_of_content_parts() -> None:
    assert text_of(AIMessage(content='{"a": 1}')) == '{"a": 1}'
    parts: list[Any] = [{"type": "text", "text": '{"a"'}, {"type": "text", "text": ": 1}"}, {"type": "image"}]
    assert text_of(AIMessage(content=parts)) == '{"a": 1}'
