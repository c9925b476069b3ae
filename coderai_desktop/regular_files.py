"""Opening a file only when it is a regular one. A named pipe blocks open() until a writer comes, and a
pipe or a device such as /dev/zero never ends: either would hang whatever reads it (an import, a codebook
load). The check is made on the open file, so nothing swapped in since the path was listed slips through."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

# Non-blocking: opening a FIFO would otherwise wait for a writer before it can be looked at.
# Binary: on Windows a descriptor opened without it translates line ends and stops at Ctrl-Z.
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class NotARegularFile(OSError):
    """The path is a folder, a pipe, a device or a socket: `mode` says which."""

    def __init__(self, path: Path, mode: int):
        super().__init__(f"{path.name} is not a regular file")
        self.mode = mode


@contextmanager
def open_regular(path: Path) -> Iterator[BinaryIO]:
    """`path` open for reading bytes; NotARegularFile when it is not a regular file."""
    descriptor = os.open(path, _FLAGS)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(path, mode)
        stream = open(descriptor, "rb")  # noqa: SIM115 - it owns the descriptor from here; closed below
    except BaseException:
        os.close(descriptor)
        raise
    with stream:
        yield stream
