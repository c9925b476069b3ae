"""Secrets never reach a log line: registered values and key-shaped strings are masked, tracebacks too."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator

import pytest

from coderai_desktop import logging_setup
from coderai_desktop.logging_setup import MASK, RedactingFormatter, redact, register_secret


def unique_secret() -> str:
    """A value no key shape matches, unique per test because registered secrets are process-wide."""
    return f"Zq{uuid.uuid4().hex}"


def test_a_registered_secret_is_masked_wherever_it_appears() -> None:
    secret = unique_secret()
    register_secret(secret)
    assert redact(f"key={secret!r} and again:{secret}.") == f"key='{MASK}' and again:{MASK}."


def test_very_short_values_are_not_registered() -> None:
    register_secret("abc")
    assert redact("abc abcdef") == "abc abcdef"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("calling with sk-proj-AbCdEf0123456789_xyz now", f"calling with {MASK} now"),
        ("sk-abcdefghijklmnop", MASK),
        ("api_key=abcdefgh12345678", f"api_key={MASK}"),
        ("API-KEY: abcdefgh12345678", f"API-KEY: {MASK}"),
        ('{"api_key": "abcdefgh12345678", "model": "x"}', f'{{"api_key": "{MASK}", "model": "x"}}'),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload", f"Authorization: Bearer {MASK}"),
        (
            "headers={'authorization': 'Bearer abcdefgh12345678'}",
            f"headers={{'authorization': 'Bearer {MASK}'}}",
        ),
        ("401: invalid token Bearer abc123def456ghi echoed", f"401: invalid token Bearer {MASK} echoed"),
        ("Bearer authentication is required", "Bearer authentication is required"),
    ],
)
def test_key_shapes_are_masked_even_when_unregistered(
    text: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Registered secrets are process-wide: keys other tests used (e.g. "sk-abc") must not mask first.
    monkeypatch.setattr(logging_setup, "_known_secrets", set())
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    ["sk-short", "skill-based approach", "api_key=short", "the authorization was granted", "risk-of-bias"],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


@pytest.fixture
def log_stream() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"tests.redaction.{uuid.uuid4().hex}")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_the_formatter_masks_arguments_and_tracebacks(log_stream: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log_stream
    secret = unique_secret()
    register_secret(secret)
    logger.debug("key=%s", secret)
    try:
        raise RuntimeError(f"provider refused {secret} and sk-live0123456789abcdef; api_key={secret}x")
    except RuntimeError:
        logger.exception("call failed with Authorization: Bearer abcdefgh12345678")
    output = stream.getvalue()
    assert "Traceback (most recent call last)" in output
    assert "RuntimeError: provider refused" in output
    assert secret not in output
    assert "sk-live0123456789abcdef" not in output
    assert "abcdefgh12345678" not in output
    assert output.count(MASK) >= 5
