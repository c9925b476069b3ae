"""Functions a parser process can import and run through `ParserPool.run`, to misbehave on purpose.

Module-level and importable by name, because the pool spawns its workers (nothing is pickled but the
function's qualified name and its arguments).
"""

from __future__ import annotations

import os
import sys
import time

MEBIBYTE = 1024 * 1024


def answer(value: object) -> tuple[str, object, int]:
    """A well-behaved task: the value back, with the worker's process id to tell processes apart."""
    return ("ok", value, os.getpid())


def imported(modules: list[str]) -> list[bool]:
    """Whether the worker has imported each module."""
    return [module in sys.modules for module in modules]


def sleep_forever() -> None:
    """A file that makes a reader hang: only the pool's timeout or a cancel ends it."""
    while True:
        time.sleep(0.05)


def die_abruptly() -> None:
    """A reader that crashes the process (a segfault in a C library looks the same from outside)."""
    os._exit(9)


def hog_memory(megabytes: int) -> int:
    """A decompression bomb: keep allocating until the worker's memory cap (its address space) stops it.

    bytes(n) is calloc'ed, so the blocks are reserved at once without the time it takes to write them.
    """
    blocks = [bytes(64 * MEBIBYTE) for _ in range(megabytes // 64)]
    return len(blocks)


class ReaderBug(Exception):
    """Something no reader expects, e.g. a library raising an exception type nobody catches."""


def raise_unexpected() -> None:
    raise ReaderBug("a bug in a reader")
