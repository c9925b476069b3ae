"""Offline token estimates: zero for nothing, growing with length, one per CJK character."""

from __future__ import annotations

import pytest

from coderai_desktop.text_tokens import estimate_tokens
from tests.fakes import documents


def test_empty_text_is_no_tokens() -> None:
    assert estimate_tokens("") == 0


def test_the_estimate_grows_with_the_text() -> None:
    text = documents.prose(1, 400)
    estimates = [estimate_tokens(text[:end]) for end in range(0, len(text), 97)]

    assert estimates == sorted(estimates)
    assert estimates[-1] > 10 * estimates[1] > 0


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("a", 1),
        ("abcd" * 100, 100),  # about four Latin characters per token
        ("Ж" * 100, 50),  # Cyrillic: two characters per token
        ("中" * 100, 100),  # CJK: one token per character
        ("日本語" * 30 + "한국어" * 30, 180),
        ("abcd" * 50 + "中" * 50, 100),
    ],
)
def test_scripts(text: str, tokens: int) -> None:
    assert estimate_tokens(text) == tokens


def test_cjk_text_counts_about_one_token_per_character() -> None:
    text = "教育部今天宣布了新的国家教育政策，全国学校将在明年实施改革。" * 20

    assert 0.9 * len(text) <= estimate_tokens(text) <= len(text)
