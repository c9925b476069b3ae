"""The log lines a block of code writes, as the log file's JSON records (formatted as they are logged,
like the file handler, so each line carries the log context of the moment)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from coderai_desktop.logging_setup import JsonLineFormatter

Records = Callable[[], list[dict[str, Any]]]


@contextmanager
def json_lines(logger_name: str = "coderai_desktop") -> Iterator[Records]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
