"""The Batch API of the fake OpenAI server (tests/fakes/openai_server.py): files and batches.

- POST /v1/files (multipart: `file`, `purpose`), GET /v1/files/{id}, GET /v1/files/{id}/content.
- POST /v1/batches ({"input_file_id", "endpoint", "completion_window", "metadata"}), GET /v1/batches/{id},
  POST /v1/batches/{id}/cancel, GET /v1/batches?limit=N&after=ID (newest first, as OpenAI lists them).

Every line of an input file is validated when its batch is created (JSON, a unique string custom_id,
method POST, the batch's endpoint as url, a chat request body): one bad line fails the whole batch, with
the provider's `errors` listing the lines, as OpenAI does. A batch is "in_progress" until `delay` seconds
after its creation (or, with `hold`, until `finish()`), then is answered at its next GET: each line by the
server's normal chat route (its responder and usage; not the faults scripted for chat requests), answers with status 200 in the output file,
others in the error file. Scripting, for the next batch created:

- `fail_lines(count)`: its first `count` lines end in the error file (HTTP 500, as a server error);
- `expire_next()`: it expires, with the first half of its lines answered and the rest in the error file
  ("batch_expired").

`created` holds each batch's parsed lines in order (the requests the app sent through the Batch API);
`cancelled` the ids of batches cancelled.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ChatRoute = Callable[[dict], tuple[int, dict]]
ENDPOINT = "/v1/chat/completions"
WAITING = ("validating", "in_progress")


@dataclass
class _Batch:
    id: str
    input_file_id: str
    lines: list[dict]
    created_at: float
    failing: int = 0
    expires: bool = False
    status: str = "in_progress"
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[dict] = field(default_factory=list)
    completed: int = 0
    failed: int = 0
    metadata: dict | None = None

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": ENDPOINT,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": int(self.created_at),
            "request_counts": {
                "total": len(self.lines),
                "completed": self.completed,
                "failed": self.failed,
            },
            "metadata": self.metadata,
        }


class FakeBatches:
    def __init__(self, chat: ChatRoute, lock: threading.Lock) -> None:
        self._chat = chat
        self._lock = lock
        self.delay = 0.0
        self.hold = False
        self.files: dict[str, tuple[str, bytes]] = {}  # id -> (purpose, content)
        self.batches: dict[str, _Batch] = {}
        self.created: list[list[dict]] = []
        self.cancelled: list[str] = []
        self._failing_next = 0
        self._expire_next = False
        self._finishing: set[str | None] = set()

    # Scripting

    def fail_lines(self, count: int) -> None:
        self._failing_next = count

    def expire_next(self) -> None:
        self._expire_next = True

    def finish(self, batch_id: str | None = None) -> None:
        """Let this batch (None: every batch, those created later too) finish at its next GET, held or not."""
        with self._lock:
            self._finishing.add(batch_id)

    def pending(self) -> int:
        return sum(batch.status in WAITING for batch in self.batches.values())

    # Routes: (status, body) with body a dict (JSON) or bytes

    def respond(self, method: str, path: str, content_type: str, raw: bytes) -> tuple[int, dict | bytes]:
        path, _, query = path.partition("?")
        parts = path.strip("/").split("/")[1:]  # without "v1"
        if parts == ["batches"] and method == "GET":
            return self._list(urllib.parse.parse_qs(query))
        if parts == ["files"] and method == "POST":
            return self._upload(content_type, raw)
        if len(parts) >= 2 and parts[0] == "files" and method == "GET":
            return self._file(parts[1], content=parts[2:] == ["content"])
        if parts == ["batches"] and method == "POST":
            return self._create(raw)
        if len(parts) == 2 and parts[0] == "batches" and method == "GET":
            return self._retrieve(parts[1])
        if len(parts) == 3 and parts[0] == "batches" and parts[2] == "cancel" and method == "POST":
            return self._cancel(parts[1])
        return 404, _error(f"Invalid URL ({method} {path})")

    def _upload(self, content_type: str, raw: bytes) -> tuple[int, dict]:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        fields = {
            part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
            for part in message.iter_parts()
        }
        purpose = (fields.get("purpose") or b"").decode()
        if purpose != "batch" or fields.get("file") is None:
            return 400, _error("A batch input file needs purpose=batch and a file.")
        file_id = self._store("batch", fields["file"])
        return 200, self._file_json(file_id)

    def _store(self, purpose: str, content: bytes) -> str:
        file_id = f"file-{uuid.uuid4().hex[:24]}"
        with self._lock:
            self.files[file_id] = (purpose, content)
        return file_id

    def _file_json(self, file_id: str) -> dict:
        purpose, content = self.files[file_id]
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": f"{file_id}.jsonl",
            "purpose": purpose,
            "status": "processed",
        }

    def _file(self, file_id: str, *, content: bool) -> tuple[int, dict | bytes]:
        if file_id not in self.files:
            return 404, _error(f"No such File object: {file_id}")
        return (200, self.files[file_id][1]) if content else (200, self._file_json(file_id))

    def _create(self, raw: bytes) -> tuple[int, dict]:
        request = json.loads(raw)
        file_id = request.get("input_file_id")
        if file_id not in self.files:
            return 400, _error(f"No such File object: {file_id}")
        if request.get("endpoint") != ENDPOINT or request.get("completion_window") != "24h":
            return 400, _error("Batches take endpoint /v1/chat/completions and completion_window 24h.")
        lines, errors = _parse(self.files[file_id][1])
        batch = _Batch(f"batch_{uuid.uuid4().hex[:24]}", file_id, lines, time.time())
        batch.metadata = request.get("metadata")
        with self._lock:
            batch.failing, batch.expires = self._failing_next, self._expire_next
            self._failing_next, self._expire_next = 0, False
            self.batches[batch.id] = batch
            self.created.append(lines)
        if errors:
            batch.status, batch.errors = "failed", errors
        return 200, batch.as_json()

    def _list(self, query: dict[str, list[str]]) -> tuple[int, dict]:
        newest_first = list(reversed(self.batches.values()))
        if after := query.get("after"):
            ids = [batch.id for batch in newest_first]
            newest_first = newest_first[ids.index(after[0]) + 1 :] if after[0] in ids else []
        limit = int(query.get("limit", ["20"])[0])
        page = [batch.as_json() for batch in newest_first[:limit]]
        return 200, {
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": len(newest_first) > limit,
        }

    def _retrieve(self, batch_id: str) -> tuple[int, dict]:
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, _error(f"No such Batch object: {batch_id}")
        if batch.status in WAITING and self._due(batch):
            self._answer(batch)
        elif batch.status == "cancelling":
            batch.status = "cancelled"
        return 200, batch.as_json()

    def _due(self, batch: _Batch) -> bool:
        if None in self._finishing or batch.id in self._finishing:
            return True
        return not self.hold and time.time() >= batch.created_at + self.delay

    def _answer(self, batch: _Batch) -> None:
        outputs, errors = [], []
        answered = len(batch.lines) // 2 if batch.expires else len(batch.lines)
        for number, line in enumerate(batch.lines):
            line_id = f"batch_req_{uuid.uuid4().hex[:16]}"
            if number >= answered:
                errors.append(_failed_line(line_id, line, None, "batch_expired", "This request expired."))
            elif number < batch.failing:
                body = _error("The server had an error processing your request.")
                errors.append(_failed_line(line_id, line, (500, body), None, None))
            else:
                status, body = self._chat(line["body"])
                response = {"status_code": status, "request_id": line_id, "body": body}
                entry = {"id": line_id, "custom_id": line["custom_id"], "response": response, "error": None}
                (outputs if status == 200 else errors).append(entry)
        batch.completed, batch.failed = len(outputs), len(errors)
        batch.output_file_id = self._store("batch_output", _jsonl(outputs)) if outputs else None
        batch.error_file_id = self._store("batch_output", _jsonl(errors)) if errors else None
        batch.status = "expired" if batch.expires else "completed"

    def _cancel(self, batch_id: str) -> tuple[int, dict]:
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, _error(f"No such Batch object: {batch_id}")
        if batch.status in WAITING:
            batch.status = "cancelling"
            with self._lock:
                self.cancelled.append(batch_id)
        return 200, batch.as_json()


def _parse(content: bytes) -> tuple[list[dict], list[dict]]:
    """The lines of an input file, and what is wrong with them (the provider's error objects)."""
    lines: list[dict] = []
    errors: list[dict] = []
    seen: set[str] = set()
    for number, text in enumerate(content.decode().splitlines(), start=1):
        try:
            line = json.loads(text)
        except ValueError:
            errors.append({"code": "invalid_json_line", "message": "Not JSON.", "line": number})
            continue
        problem = _line_problem(line, seen)
        if problem:
            errors.append({"code": "invalid_request", "message": problem, "line": number})
        else:
            seen.add(line["custom_id"])
            lines.append(line)
    if not lines and not errors:
        errors.append({"code": "empty_file", "message": "The input file has no requests.", "line": None})
    return lines, errors


def _line_problem(line: Any, seen: set[str]) -> str | None:
    if not isinstance(line, dict):
        return "A line is a JSON object."
    custom_id = line.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        return "custom_id must be a non-empty string."
    if custom_id in seen:
        return f"Duplicate custom_id {custom_id}."
    if line.get("method") != "POST" or line.get("url") != ENDPOINT:
        return f"Each line posts to {ENDPOINT}."
    body = line.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body.get("model"):
        return "body must be a chat completions request with a model and messages."
    return None


def _failed_line(
    line_id: str, line: dict, response: tuple[int, dict] | None, code: str | None, message: str | None
) -> dict:
    return {
        "id": line_id,
        "custom_id": line["custom_id"],
        "response": None if response is None else {"status_code": response[0], "body": response[1]},
        "error": None if code is None else {"code": code, "message": message},
    }


def _jsonl(entries: list[dict]) -> bytes:
    return "".join(json.dumps(entry) + "\n" for entry in entries).encode()


def _error(message: str) -> dict:
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}
