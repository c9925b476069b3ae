"""with_retries: exponential backoff for retryable provider errors, Retry-After honoured, others raised at once."""

from __future__ import annotations

import pytest

from coderai_desktop.llm.errors import (
    CircuitOpenError,
    ModelNotFoundError,
    ProviderAuthError,
    ProviderError,
    ProviderServerError,
    ProviderTimeoutError,
    ProviderUnreachableError,
    RateLimitedError,
)
from coderai_desktop.llm.resilience import with_retries
from tests.unit.llm.clock import FakeClock


class Flaky:
    """Fails with the given errors in turn, then answers 'ok'."""

    def __init__(self, *errors: BaseException):
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.mark.parametrize(
    "error_type", [RateLimitedError, ProviderUnreachableError, ProviderTimeoutError, ProviderServerError]
)
async def test_retryable_errors_are_retried_with_doubling_waits(error_type: type[ProviderError]) -> None:
    clock, call = FakeClock(), Flaky(*(error_type(f"failure {n}") for n in range(3)))
    assert await with_retries(call, base_delay=1.0, sleep=clock.sleep) == "ok"
    assert call.calls == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]


async def test_waits_scale_with_the_base_delay() -> None:
    clock, call = FakeClock(), Flaky(*(ProviderServerError("down") for _ in range(5)))
    assert await with_retries(call, base_delay=0.5, sleep=clock.sleep) == "ok"
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]


async def test_it_gives_up_after_five_retries_and_raises_the_last_error() -> None:
    errors = [ProviderServerError(f"failure {n}") for n in range(1, 8)]
    clock, call = FakeClock(), Flaky(*errors)
    with pytest.raises(ProviderServerError) as raised:
        await with_retries(call, base_delay=1.0, sleep=clock.sleep)
    assert raised.value is errors[5]  # the sixth attempt's error, not a tenacity RetryError
    assert call.calls == 6
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]


async def test_retry_after_replaces_the_backoff() -> None:
    clock = FakeClock()
    call = Flaky(RateLimitedError("slow down", retry_after=7), RateLimitedError("slow down", retry_after=0.5))
    assert await with_retries(call, base_delay=1.0, sleep=clock.sleep) == "ok"
    assert clock.sleeps == [7.0, 0.5]


async def test_retry_after_is_capped_at_two_minutes() -> None:
    clock, call = FakeClock(), Flaky(RateLimitedError("slow down", retry_after=3600))
    assert await with_retries(call, base_delay=1.0, sleep=clock.sleep) == "ok"
    assert clock.sleeps == [120.0]


async def test_an_open_circuit_is_waited_out_for_its_remaining_time() -> None:
    clock, call = FakeClock(), Flaky(CircuitOpenError("paused", retry_after=12.5))
    assert await with_retries(call, base_delay=1.0, sleep=clock.sleep) == "ok"
    assert clock.sleeps == [12.5]


@pytest.mark.parametrize(
    "error",
    [ProviderAuthError("key refused"), ModelNotFoundError("no such model"), ValueError("a bug")],
    ids=["auth", "model", "not a provider error"],
)
async def test_other_errors_are_raised_at_once(error: BaseException) -> None:
    clock, call = FakeClock(), Flaky(error)
    with pytest.raises(type(error)) as raised:
        await with_retries(call, base_delay=1.0, sleep=clock.sleep)
    assert raised.value is error
    assert call.calls == 1
    assert clock.sleeps == []


async def test_a_success_needs_no_wait() -> None:
    clock, call = FakeClock(), Flaky()
    assert await with_retries(call, base_delay=1.0, sleep=clock.sleep) == "ok"
    assert clock.sleeps == []
