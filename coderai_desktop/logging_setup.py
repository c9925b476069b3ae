"""A rotating log file in the data folder, one JSON object per line (what the line concerns and how long it
took, for a problem report to be read back); secrets are masked in every line, tracebacks included. The
console (--debug) stays plain text."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import cast

from coderai_desktop.log_context import current_log_context
from coderai_desktop.private_files import open_private, private_dir

LOG_FILE_NAME = "coderai.log"
_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
# Key shapes worth masking even when nobody registered them (OpenAI keys, api-key and Authorization
# headers, and bearer tokens on their own, which proxies echo in error bodies).
_KEY_SHAPES = re.compile(
    r"(?P<key>sk-[A-Za-z0-9_\-]{12,})"
    r"|(?P<label>(?:api[-_]?key|authorization)[\"']?\s*[:=]\s*[\"']?(?:Bearer\s+)?"
    r"|Bearer\s+(?=[A-Za-z0-9._~+/=\-]*\d))(?P<value>[^\s\"',}]{8,})",
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
    return _KEY_SHAPES.sub(lambda m: MASK if m["key"] else m["label"] + MASK, text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonLineFormatter(logging.Formatter):
    """time, level, logger, message, then the job, document and variable of log_context, duration_ms
    (given as `extra={"duration_ms": ...}`) and the traceback as exc, each present only when known.

    Each value is masked before it is encoded: JSON escapes would hide a secret from redact()."""

    def format(self, record: logging.LogRecord) -> str:
        # Handlers run in the thread and context that logged, so the context is the line's own.
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **current_log_context(),
        }
        if (duration := getattr(record, "duration_ms", None)) is not None:
            entry["duration_ms"] = duration
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        masked = {key: redact(value) if isinstance(value, str) else value for key, value in entry.items()}
        return json.dumps(masked, ensure_ascii=False, default=str)


class PrivateLogFile(RotatingFileHandler):
    """The rotating log file, owner-only (rotated files too). A disk that is full or turns read-only is
    reported once, in one line, instead of a "--- Logging error ---" traceback per log line."""

    def __init__(self, path: Path):
        self._reported = False
        super().__init__(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")

    def _open(self) -> io.TextIOWrapper:
        # Text mode: a TextIOWrapper, which open() is typed too loosely to say. The handler closes it.
        return cast(
            io.TextIOWrapper,
            open(
                self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=open_private
            ),
        )

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            self._report(error)
        else:  # a mistake in a log call: show it as logging always does
            super().handleError(record)

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as error:
            self._report(error)

    def close(self) -> None:
        try:
            super().close()
        except OSError as error:  # closing flushes what is left
            self._report(error)

    def _report(self, error: OSError) -> None:
        if not self._reported:
            self._reported = True
            print(
                f"warning: cannot write the log file {self.baseFilename}: {error.strerror}.", file=sys.stderr
            )


def configure_logging(log_dir: Path, level: str = "INFO", *, console: bool = False) -> Path:
    """Send the app's logs to a rotating file (and to stderr with --debug); return the file's path.

    A log folder that cannot be written (read-only data folder, full disk) costs the log file, not the run.
    """
    path = log_dir / LOG_FILE_NAME
    close_logging()
    root = logging.getLogger()
    log_file: logging.Handler
    try:
        log_file = PrivateLogFile(private_dir(log_dir) / LOG_FILE_NAME)
    except OSError as error:
        log_file = logging.NullHandler()  # else logging's last resort prints warnings to stderr
        print(
            f"warning: cannot write the log file {path} ({error.strerror}); continuing without it.",
            file=sys.stderr,
        )
    log_file.setFormatter(JsonLineFormatter())
    handlers: list[logging.Handler] = [log_file]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
        handlers[-1].setFormatter(RedactingFormatter(_FORMAT))
    for handler in handlers:
        handler._coderai = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level.upper())
    # Third-party HTTP clients log request headers at DEBUG; keep them quiet unless asked.
    for noisy in ("httpx", "httpcore", "openai", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, root.level))
    # Alembic lists each of its plugins at INFO whenever it is first imported: nothing a reader needs.
    logging.getLogger("alembic.runtime.plugins").setLevel(max(logging.WARNING, root.level))
    return path


def close_logging() -> None:
    """Detach and close the handlers configure_logging added (the log file is released)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_coderai", False)]:
        root.removeHandler(handler)
        handler.close()
