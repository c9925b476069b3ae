"""The rate limiter waits (never fails) until the last minute's requests and tokens leave room."""

from __future__ import annotations

import pytest

from coderai_desktop.llm.resilience import RateLimiter
from tests.unit.llm.clock import FakeClock


def limiter(clock: FakeClock, requests: int | None = None, tokens: int | None = None) -> RateLimiter:
    return RateLimiter(requests, tokens, clock=clock, sleep=clock.sleep)


async def test_no_limits_never_wait() -> None:
    clock = FakeClock()
    unlimited = limiter(clock)
    for _ in range(1000):
        await unlimited.acquire(1_000_000)
    assert clock.sleeps == []


async def test_requests_within_the_limit_do_not_wait() -> None:
    clock = FakeClock()
    limited = limiter(clock, requests=3)
    for _ in range(3):
        await limited.acquire(10)
    assert clock.sleeps == []


async def test_one_request_too_many_waits_until_the_window_frees() -> None:
    clock = FakeClock(now=0)
    limited = limiter(clock, requests=2)
    await limited.acquire(10)
    clock.advance(10)
    await limited.acquire(10)
    clock.advance(15)
    await limited.acquire(10)  # at t=25 the first request (t=0) still counts until t=60
    assert clock.sleeps == [pytest.approx(35.0)]
    assert clock.now == pytest.approx(60.0)
    await limited.acquire(10)  # now the second (t=10) must leave: t=70
    assert clock.now == pytest.approx(70.0)


async def test_tokens_per_minute_make_a_request_wait() -> None:
    clock = FakeClock(now=0)
    limited = limiter(clock, tokens=1000)
    await limited.acquire(600)
    clock.advance(5)
    await limited.acquire(400)  # exactly at the limit: no wait
    assert clock.sleeps == []
    await limited.acquire(1)
    assert clock.sleeps == [pytest.approx(55.0)]


async def test_a_request_larger_than_the_token_limit_still_goes_when_the_window_is_empty() -> None:
    clock = FakeClock(now=0)
    limited = limiter(clock, tokens=1000)
    await limited.acquire(5000)
    assert clock.sleeps == []
    await limited.acquire(10)  # but the next one waits for it to leave the window
    assert clock.sleeps == [pytest.approx(60.0)]


async def test_both_limits_apply_together() -> None:
    clock = FakeClock(now=0)
    limited = limiter(clock, requests=10, tokens=1000)
    await limited.acquire(900)
    clock.advance(1)
    await limited.acquire(50)
    assert clock.sleeps == []
    clock.advance(1)
    await limited.acquire(200)  # fits the request limit, not the token limit
    assert clock.sleeps == [pytest.approx(58.0)]
