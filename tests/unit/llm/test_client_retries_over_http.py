"""Retries over real HTTP: transient failures retried with backoff, the breaker opening, other errors not retried."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from coderai_desktop.llm.errors import (
    CircuitOpenError,
    ProviderError,
    ProviderServerError,
    ProviderUnreachableError,
)
from coderai_desktop.llm.resilience import CircuitState
from tests.fakes.openai_server import FakeOpenAI
from tests.unit.llm.clock import FakeClock
from tests.unit.llm.http_client import EXPECTED, ask, client_for

BACKOFF = [1.0, 2.0, 4.0, 8.0, 16.0]


@pytest.mark.parametrize(
    ("fault", "settings", "waits"),
    [
        (lambda server: server.fail_next(429, retry_after=3), {}, [3.0]),
        (lambda server: server.malformed_next(), {}, [1.0]),
        (lambda server: server.hang_next(10), {"request_timeout": 0.5}, [1.0]),
    ],
    ids=[
        "429 waits as long as Retry-After says",
        "a reply that is not JSON at all",
        "a request that times out",
    ],
)
async def test_one_transient_failure_is_retried_once_then_succeeds(
    server: FakeOpenAI, fault: Callable[[FakeOpenAI], None], settings: dict[str, float], waits: list[float]
) -> None:
    fault(server)
    clock = FakeClock()

    result = await ask(client_for(server, clock, **settings))

    assert result.data == EXPECTED
    assert clock.sleeps == waits
    assert len(server.requests) == 2


async def test_server_errors_are_retried_with_doubling_waits(server: FakeOpenAI) -> None:
    server.fail_next(500)
    server.fail_next(503)
    server.fail_next(502)
    clock = FakeClock()

    result = await ask(client_for(server, clock, retry_delay=0.5))

    assert result.data == EXPECTED
    assert clock.sleeps == [0.5, 1.0, 2.0]


async def test_after_five_retries_the_last_server_error_is_raised(server: FakeOpenAI) -> None:
    server.fail_next(500, times=10)
    clock = FakeClock()

    with pytest.raises(ProviderServerError) as raised:
        await ask(client_for(server, clock, threshold=1000))

    assert clock.sleeps == BACKOFF
    assert len(server.requests) == 6
    assert str(raised.value) == (
        f"{server.base_url} failed (500: The server had an error processing your request.). It may be overloaded or down; try again later."
    )


async def test_five_failures_in_a_row_open_the_circuit_with_a_message_that_says_why(
    server: FakeOpenAI,
) -> None:
    server.fail_next(500, times=10, message="upstream overloaded")
    client = client_for(server)

    with pytest.raises(CircuitOpenError) as raised:
        await ask(client)

    assert len(server.requests) == 5  # the sixth attempt never reached the server
    assert client.breaker.state is CircuitState.OPEN
    # Opened after the waits of 1+2+4+8 s; the 16 s wait leaves 14 s of the 30 s pause.
    assert str(raised.value) == (
        "The provider failed 5 times in a row. The last failure: "
        f"{server.base_url} failed (500: upstream overloaded). It may be overloaded or down; try again later."
    )
    assert raised.value.retryable is True
    assert raised.value.retry_after == pytest.approx(14.0)


async def test_an_open_circuit_lets_a_probe_through_once_the_pause_is_over(server: FakeOpenAI) -> None:
    server.fail_next(500, times=5)
    clock = FakeClock()
    client = client_for(server, clock)
    with pytest.raises(CircuitOpenError):
        await ask(client)

    clock.advance(30)  # the provider has recovered and the pause is over

    result = await ask(client)

    assert result.data == EXPECTED
    assert len(server.requests) == 6
    assert client.breaker.state is CircuitState.HALF_OPEN


@pytest.mark.parametrize("status", [400, 401, 403, 404])
async def test_errors_that_waiting_cannot_fix_are_not_retried_and_do_not_open_the_circuit(
    server: FakeOpenAI, status: int
) -> None:
    clock = FakeClock()
    client = client_for(server, clock, threshold=1)
    server.fail_next(status)

    with pytest.raises(ProviderError) as raised:
        await ask(client)

    assert raised.value.retryable is False
    assert clock.sleeps == []
    assert len(server.requests) == 1
    assert client.breaker.state is CircuitState.CLOSED


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_an_unreachable_server_is_retried_then_named_in_the_error(server: FakeOpenAI) -> None:
    clock = FakeClock()
    address = f"http://127.0.0.1:{closed_port()}/v1"
    client = client_for(server, clock, threshold=1000, base_url=address)

    with pytest.raises(ProviderUnreachableError) as raised:
        await ask(client)

    assert clock.sleeps == BACKOFF
    assert str(raised.value) == (
        f"Cannot reach {address}. Check the address, that the server is running, and the network."
    )
