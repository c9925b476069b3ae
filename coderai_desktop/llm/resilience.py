"""One layer owns retries: tenacity backoff (honouring Retry-After) behind a circuit breaker and a rate
limiter on requests and tokens per minute. The SDK's own retries are off (max_retries=0)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from coderai_desktop.llm.errors import CircuitOpenError, ProviderError

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

MAX_RETRIES = 5  # waits of 1, 2, 4, 8 and 16 times the base delay
MAX_RETRY_AFTER = 120.0


def _retryable(error: BaseException) -> bool:
    return isinstance(error, ProviderError) and error.retryable


def backoff(base_delay: float) -> Callable[[RetryCallState], float]:
    """1, 2, 4, 8, 16 x base, unless the provider said how long to wait (Retry-After)."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return min(float(retry_after), MAX_RETRY_AFTER)
        return base_delay * 2 ** (state.attempt_number - 1)

    return wait


async def with_retries(
    call: Callable[[], Awaitable[T]], base_delay: float, sleep: Sleep = asyncio.sleep
) -> T:
    retrying = AsyncRetrying(
        stop=stop_after_attempt(MAX_RETRIES + 1),
        wait=backoff(base_delay),
        retry=retry_if_exception(_retryable),
        sleep=sleep,
        reraise=True,
    )
    result: T = await retrying(call)
    return result


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Opens after `threshold` failures in a row; after `reset_after` seconds lets one probe through at a
    time; closes after `close_after` successful probes; a failed probe opens it again."""

    def __init__(
        self,
        threshold: int = 5,
        reset_after: float = 30.0,
        close_after: int = 3,
        clock: Clock = time.monotonic,
    ):
        self.threshold, self.reset_after, self.close_after = threshold, reset_after, close_after
        self._clock = clock
        self.state = CircuitState.CLOSED
        self._failures = 0
        self._successes = 0
        self._opened_at = 0.0
        self._probing = False
        self._last_error = ""

    async def call(self, function: Callable[[], Awaitable[T]]) -> T:
        probe = self._admit()
        try:
            result = await function()
        except ProviderError as error:
            self._failed(probe, error)
            raise
        except BaseException:
            if probe:
                self._probing = False
            raise
        self._succeeded(probe)
        return result

    def _admit(self) -> bool:
        """True when this call is the half-open probe; raises while calls are paused."""
        if self.state is CircuitState.OPEN:
            remaining = self.reset_after - (self._clock() - self._opened_at)
            if remaining > 0:
                raise CircuitOpenError(
                    f"The provider failed {self.threshold} times in a row. The last failure: {self._last_error}",
                    retry_after=remaining,
                )
            self.state, self._successes = CircuitState.HALF_OPEN, 0
        if self.state is CircuitState.HALF_OPEN:
            if self._probing:
                raise CircuitOpenError(
                    "The provider is being tested again; waiting for that call.", retry_after=1.0
                )
            self._probing = True
            return True
        return False

    def _succeeded(self, probe: bool) -> None:
        self._failures = 0
        if probe:
            self._probing = False
            self._successes += 1
            if self._successes >= self.close_after:
                self.state = CircuitState.CLOSED

    def _failed(self, probe: bool, error: ProviderError) -> None:
        if probe:
            self._probing = False
        if not error.retryable:  # a refused key or a bad request says nothing about the provider's health
            return
        if not isinstance(error, CircuitOpenError):
            self._last_error = str(error)
        self._failures += 1
        if probe or self._failures >= self.threshold:
            self.state, self._opened_at = CircuitState.OPEN, self._clock()


class RateLimiter:
    """Keeps requests and tokens within per-minute limits, waiting (never failing) when they are reached."""

    WINDOW = 60.0

    def __init__(
        self,
        requests_per_minute: int | None,
        tokens_per_minute: int | None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ):
        self._requests, self._tokens = requests_per_minute, tokens_per_minute
        self._clock, self._sleep = clock, sleep
        self._sent: deque[tuple[float, int]] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self, tokens: int) -> None:
        if self._requests is None and self._tokens is None:
            return
        async with self._lock:
            while True:
                now = self._clock()
                while self._sent and now - self._sent[0][0] >= self.WINDOW:
                    self._sent.popleft()
                used = sum(count for _at, count in self._sent)
                fits_requests = self._requests is None or len(self._sent) < self._requests
                fits_tokens = self._tokens is None or used + tokens <= self._tokens or not self._sent
                if fits_requests and fits_tokens:
                    self._sent.append((now, tokens))
                    return
                await self._sleep(max(0.01, self.WINDOW - (now - self._sent[0][0])))
