"""Calling a reader the way the worker does, and catching the failure it reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coderai_desktop.ingest.parsed import ParsedDocument, ReadFailure, ReadOptions
from coderai_desktop.ingest.readers import Reader


def read_one(reader: Reader, path: Path, **options: Any) -> ParsedDocument:
    [document] = reader(path, ReadOptions(**options))
    return document


def read_failure(reader: Reader, path: Path, **options: Any) -> ReadFailure:
    with pytest.raises(ReadFailure) as caught:
        reader(path, ReadOptions(**options))
    return caught.value
