"""What a log line concerns (its job, document and variable), carried by a context variable: every line
logged inside `with log_context(...)` says so, across awaits, the tasks started there and
asyncio.to_thread. How long something took goes in `extra={"duration_ms": elapsed_ms(started)}`.
Standard library only, so any layer may import it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from time import perf_counter
from types import MappingProxyType

_EMPTY: Mapping[str, int | str] = MappingProxyType({})
_concerns: ContextVar[Mapping[str, int | str]] = ContextVar("coderai_log_context", default=_EMPTY)


@contextmanager
def log_context(
    *, job: int | None = None, document: int | None = None, variable: str | None = None
) -> Iterator[None]:
    """Name these in the lines logged within the block; a field given as None keeps its outer value."""
    given = {"job": job, "document": document, "variable": variable}
    named = {field: value for field, value in given.items() if value is not None}
    token = _concerns.set(MappingProxyType({**_concerns.get(), **named}))
    try:
        yield
    finally:
        _concerns.reset(token)


def current_log_context() -> Mapping[str, int | str]:
    return _concerns.get()


def elapsed_ms(started: float) -> int:
    """Milliseconds since `started`, a time.perf_counter() reading."""
    return round((perf_counter() - started) * 1000)
