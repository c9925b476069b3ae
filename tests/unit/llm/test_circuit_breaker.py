"""The circuit breaker: open after 5 failures in a row, one probe at a time after 30 s, closed after 3 good probes."""

from __future__ import annotations

import asyncio

import pytest

from coderai_desktop.llm.errors import CircuitOpenError, ProviderAuthError, ProviderServerError
from coderai_desktop.llm.resilience import CircuitBreaker, CircuitState
from tests.unit.llm.clock import FakeClock


async def ok() -> str:
    return "ok"


def failing(message: str = "HTTP 503 from the server"):
    async def call() -> str:
        raise ProviderServerError(message)

    return call


async def fail(breaker: CircuitBreaker, times: int, message: str = "HTTP 503 from the server") -> None:
    for _ in range(times):
        with pytest.raises(ProviderServerError):
            await breaker.call(failing(message))


async def opened(clock: FakeClock) -> CircuitBreaker:
    breaker = CircuitBreaker(clock=clock)
    await fail(breaker, 5)
    assert breaker.state is CircuitState.OPEN
    return breaker


async def test_it_opens_after_five_consecutive_retryable_failures() -> None:
    breaker = CircuitBreaker(clock=FakeClock())
    await fail(breaker, 4)
    assert breaker.state is CircuitState.CLOSED
    await fail(breaker, 1)
    assert breaker.state is CircuitState.OPEN


async def test_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(clock=FakeClock())
    await fail(breaker, 4)
    assert await breaker.call(ok) == "ok"
    await fail(breaker, 4)
    assert breaker.state is CircuitState.CLOSED


async def test_non_retryable_errors_do_not_count() -> None:
    breaker = CircuitBreaker(clock=FakeClock())

    async def refused() -> str:
        raise ProviderAuthError("key refused")

    for _ in range(10):
        with pytest.raises(ProviderAuthError):
            await breaker.call(refused)
    assert breaker.state is CircuitState.CLOSED
    assert await breaker.call(ok) == "ok"


async def test_while_open_calls_are_refused_with_the_remaining_time_and_the_last_failure() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(clock=clock)
    await fail(breaker, 4)
    await fail(breaker, 1, "HTTP 502 Bad Gateway")
    clock.advance(12)
    called = False

    async def spy() -> str:
        nonlocal called
        called = True
        return "ok"

    with pytest.raises(CircuitOpenError) as raised:
        await breaker.call(spy)
    assert not called
    assert raised.value.retry_after == pytest.approx(18.0)
    assert "HTTP 502 Bad Gateway" in str(raised.value)
    assert raised.value.retryable


async def test_after_30_seconds_one_probe_at_a_time_goes_through() -> None:
    clock = FakeClock()
    breaker = await opened(clock)
    clock.advance(30)
    release = asyncio.Event()

    async def slow() -> str:
        await release.wait()
        return "probe answered"

    probe = asyncio.create_task(breaker.call(slow))
    await asyncio.sleep(0)  # the probe is in flight
    assert breaker.state is CircuitState.HALF_OPEN
    with pytest.raises(CircuitOpenError):
        await breaker.call(ok)
    release.set()
    assert await probe == "probe answered"
    assert await breaker.call(ok) == "ok"  # the next probe is let through once the first is done


async def test_three_good_probes_close_it() -> None:
    clock = FakeClock()
    breaker = await opened(clock)
    clock.advance(29.9)
    with pytest.raises(CircuitOpenError):
        await breaker.call(ok)
    clock.advance(0.6)
    for _ in range(2):
        await breaker.call(ok)
        assert breaker.state is CircuitState.HALF_OPEN
    await breaker.call(ok)
    assert breaker.state is CircuitState.CLOSED
    await fail(breaker, 4)  # closed again with a fresh count
    assert breaker.state is CircuitState.CLOSED


async def test_a_failed_probe_opens_it_again_for_another_30_seconds() -> None:
    clock = FakeClock()
    breaker = await opened(clock)
    clock.advance(31)
    await breaker.call(ok)
    await fail(breaker, 1, "still down")
    assert breaker.state is CircuitState.OPEN
    clock.advance(10)
    with pytest.raises(CircuitOpenError) as raised:
        await breaker.call(ok)
    assert raised.value.retry_after == pytest.approx(20.0)
    assert "still down" in str(raised.value)
    clock.advance(20)
    for _ in range(3):  # the probe count starts again
        await breaker.call(ok)
    assert breaker.state is CircuitState.CLOSED


async def test_a_cancelled_probe_frees_the_slot() -> None:
    clock = FakeClock()
    breaker = await opened(clock)
    clock.advance(30)

    async def cancelled() -> str:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await breaker.call(cancelled)
    assert await breaker.call(ok) == "ok"
