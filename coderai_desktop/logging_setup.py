"""A rotating log file in the data folder; secrets are masked in every line, tracebacks included."""

from __future__ import annotations

import logging
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE_NAME = "coderai.log"
_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
# Key shapes worth masking even when nobody registered them (OpenAI, Azure headers, bearer tokens).
_KEY_SHAPES = re.compile(
    r"(sk-[A-Za-z0-9_\-]{12,})|((?:api[-_]?key|authorization)[\"']?\s*[:=]\s*[\"']?(?:Bearer\s+)?)([^\s\"',}]{8,})",
    re.IGNORECASE,
)
_known_secrets: set[str] = set()
MASK = "[secret]"


def register_secret(value: str) -> None:
    """Mask this exact value in every later log line."""
    if len(value) >= 4:
        _known_secrets.add(value)


def redact(text: str) -> str:
    for secret in sorted(_known_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _KEY_SHAPES.sub(lambda m: MASK if m.group(1) else m.group(2) + MASK, text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(log_dir: Path, level: str = "INFO", *, console: bool = False) -> Path:
    """Send the app's logs to a rotating file (and to stderr with --debug); return the file's path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    close_logging()
    root = logging.getLogger()
    handlers: list[logging.Handler] = [
        RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    ]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.setFormatter(RedactingFormatter(_FORMAT))
        handler._coderai = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level.upper())
    # Third-party HTTP clients log request headers at DEBUG; keep them quiet unless asked.
    for noisy in ("httpx", "httpcore", "openai", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, root.level))
    return path


def close_logging() -> None:
    """Detach and close the handlers configure_logging added (the log file is released)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_coderai", False)]:
        root.removeHandler(handler)
        handler.close()
