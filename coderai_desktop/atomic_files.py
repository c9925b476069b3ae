"""Writing a file so that a failure leaves nothing half-written: write beside it, then rename over it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coderai_desktop.domain.errors import InvalidInputError


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path in the same folder; it replaces `path` only if the block finishes."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as error:
        raise InvalidInputError(f"Cannot write in {path.parent}: {error.strerror or error}.") from error
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    except PermissionError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InvalidInputError(
            f"Cannot write {path.name}: {error.strerror or error}. If it is open in another program "
            "(Excel, LibreOffice, Stata, SPSS), close it there, or choose another name."
        ) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
