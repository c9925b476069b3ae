"""A fake OpenAI-compatible chat server on real HTTP, for tests that drive the OpenAI SDK or LangChain.

    with FakeOpenAI(latency=0.05) as server:
        llm = ChatOpenAI(model="fake-model", base_url=server.base_url, api_key="sk-test", max_retries=0,
                         use_responses_api=False)
        server.fail_next(429, retry_after=2)  # the next chat request gets a 429 with Retry-After: 2

`FakeOpenAI(*, api_key="sk-test", models=("fake-model",), latency=0.0, structured_outputs=True,
responder=None, dialect="openai")` listens on 127.0.0.1, any free port, in a daemon thread (`with` or
start()/stop()).

- `base_url`: "http://127.0.0.1:<port>/v1". Endpoints: GET /v1/models and POST /v1/chat/completions, and
  the Batch API's files and batches (`batches`: a FakeBatches, see tests/fakes/fake_batches.py).
- `latency` (seconds slept before answering any request; change it at any time), `structured_outputs`
  (False: response_format {"type": "json_schema"} gets HTTP 400; "json_object" or none still work),
  `requests` (every chat request body that parsed as a JSON object, in order), `prompt_tokens` (None, or
  a callable request -> int that replaces the reported usage.prompt_tokens).
- Scripted faults, consumed one per authenticated chat request (before the model is checked), in order: `fail_next(status, times=1,
  retry_after=None, message=None)` (OpenAI-shaped error body; Retry-After header when given),
  `malformed_next(times)` (200, application/json, a body that is not JSON), `truncated_next(times)`
  (200, the answer cut in half, finish_reason "length"), `hang_next(seconds, times)` (sleep, then answer;
  stop() interrupts the sleep and the connection is closed unanswered). `reset()` clears faults, recorded
  requests and the prompt cache.
- `dialect="llama.cpp"` (settable at any time) answers as llama-cpp-python's server with a small model:
  response_format {"type": "json_schema"} gets the HTTP 500 that server answers, its message a pydantic
  validation error naming response_format; {"type": "json_object", "schema": {...}} is answered by the
  responder (the schema constrains the output); without that schema (json_object, or no response_format)
  the "model" echoes the JSON schema of the prompt, as Gemma 3 270M did. System messages are dropped, as
  its gemma chat format drops them: the responder never sees them, and prompt_tokens does not count them.
- Errors as OpenAI words them: wrong or missing `Authorization: Bearer <api_key>` -> 401
  "invalid_api_key"; unknown model -> 404 "model_not_found"; a body that is not a JSON object, or
  "stream": true (not supported) -> 400; a responder that raises -> 500.
- Usage: prompt_tokens = ceil(characters of all message contents / 4); completion_tokens =
  ceil(len(content) / 4); prompt_tokens_details.cached_tokens = the tokens of the longest run of leading
  messages (the last message excluded) identical to the start of an earlier answered request.

The answer's content comes from `responder(request) -> dict | str` (a dict is sent JSON-encoded), by
default `default_responder`, which needs no model: see its docstring. `schema_of(request)` and
`document_of(request)` help write other responders.

What the clients do with it (openai 3.x over httpx2, langchain-openai 1.x): LangChain sends every request
with a response_format (json_schema and json_object alike) through `chat.completions.parse`, so a
truncated answer raises `openai.LengthFinishReasonError` (not an APIError) instead of returning bad JSON;
a dict schema needs a "title" (it becomes json_schema.name); the SDK raises json.JSONDecodeError on a
malformed body; an APIStatusError's `.message` starts with "Error code: 401 - " (the server's words are
in `.body["message"]`).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import takewhile
from typing import Any, NamedTuple

from tests.fakes.fake_batches import FakeBatches

__all__ = [
    "LLAMA_CPP",
    "FakeOpenAI",
    "blocks_of",
    "default_responder",
    "document_of",
    "packed_answers",
    "schema_of",
]

Responder = Callable[[dict], "dict | str"]
TRUE_WORDS = {"yes", "true", "oui"}
FOUND, NOT_FOUND = 0.9, 0.2


# --- Reading a request ---------------------------------------------------------------------------------


def _text(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _user_texts(request: dict) -> list[str]:
    return [_text(m.get("content")) for m in request.get("messages", []) if m.get("role") == "user"]


def _between(text: str, start: str, end: str) -> str | None:
    match = re.search(re.escape(start) + r"(.*?)" + re.escape(end), text, re.DOTALL)
    return match.group(1) if match else None


def schema_of(request: dict) -> dict | None:
    """The JSON schema the answer must follow: response_format.json_schema.schema in json_schema mode,
    response_format.schema in json_object mode with a schema (llama.cpp), otherwise the JSON between
    <json_schema> and </json_schema> in the last user message that has one."""
    response_format = request.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return (response_format.get("json_schema") or {}).get("schema")
    if response_format.get("type") == "json_object" and isinstance(response_format.get("schema"), dict):
        return response_format["schema"]
    found = next(
        (
            text
            for user in reversed(_user_texts(request))
            if (text := _between(user, "<json_schema>", "</json_schema>"))
        ),
        None,
    )
    try:
        return json.loads(found) if found else None
    except ValueError:
        return None


def document_of(request: dict) -> str | None:
    """The text between <document> and </document> in the first user message that has one."""
    for text in _user_texts(request):
        if (found := _between(text, "<document>", "</document>")) is not None:
            return found.strip("\r\n")
    return None


# --- The default responder -----------------------------------------------------------------------------


def _resolve(node: dict, root: dict) -> dict:
    """Follow a local $ref and pick the non-null branch of anyOf/oneOf (how nullable fields are spelled)."""
    while "$ref" in node:
        target: Any = root
        for key in node["$ref"].lstrip("#/").split("/"):
            target = target[key]
        node = target
    for key in ("anyOf", "oneOf"):
        options = [_resolve(o, root) for o in node.get(key, [])]
        options = [o for o in options if o.get("type") != "null"]
        if options:
            node = {**{k: v for k, v in node.items() if k != key}, **options[0]}
    return node


def _types(node: dict) -> set[str]:
    kind = node.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _convert(raw: str, node: dict) -> Any:
    """The text after "NAME:" as the schema's type; None when it cannot be converted."""
    if "enum" in node:
        return next((m for m in node["enum"] if m is not None and str(m).casefold() == raw.casefold()), None)
    types = _types(node)
    if "boolean" in types:
        return raw.strip().casefold() in TRUE_WORDS
    if types & {"number", "integer"}:
        match = re.search(r"-?\d+(?:\.\d+)?", raw.replace(",", ""))
        if not match:
            return None
        number = float(match.group())
        return int(number) if number.is_integer() or "number" not in types else number
    return raw


def _lines(document: str, name: str, entity: str | None) -> list[tuple[str, str]]:
    """(whole line, value text) for each line "NAME: VALUE" (or "[ENTITY] NAME: VALUE")."""
    prefix = re.escape(f"[{entity}]") + r"\s*" if entity else ""
    pattern = re.compile(r"^\s*" + prefix + re.escape(name) + r"\s*:\s*(.*?)\s*$", re.IGNORECASE)
    return [(line, m.group(1)) for line in document.splitlines() if (m := pattern.match(line))]


def _variable(name: str, node: dict, document: str, entity: str | None, root: dict) -> dict:
    properties = node.get("properties", {})
    value_node = _resolve(properties.get("value", {}), root)
    is_array = "array" in _types(value_node)
    target, item_keys = value_node, None
    if is_array:
        items = _resolve(value_node.get("items", {}), root)
        target, item_keys = items, items.get("properties")
        if item_keys is not None:
            target = _resolve(item_keys.get("value", {}), root)
    hits = [
        (line, v) for line, raw in _lines(document, name, entity) if (v := _convert(raw, target)) is not None
    ]
    if not is_array:
        value: Any = hits[0][1] if hits else None
    elif item_keys is None:
        value = [v for _, v in hits]
    else:
        value = [{**dict.fromkeys(item_keys), "value": v, "evidence": line} for line, v in hits]
    evidence = hits[0][0] if hits else None
    return {
        **dict.fromkeys(properties),
        "value": value,
        "confidence": FOUND if hits else NOT_FOUND,
        "evidence": evidence,
    }


def default_responder(request: dict) -> dict:
    """A schema-valid answer read off the document, without any model.

    Entity mode (the schema's only property is "entities"): one {"name", "evidence"} per document line
    "entity: NAME". Otherwise each property is a variable {"value", "confidence", "evidence"}: a line
    "NAME: VALUE" (case-insensitive; "[X] NAME: VALUE" when the last user message has a line "Entity: X")
    gives the value in the schema's type (number, boolean: yes/true/oui, enum member, string), confidence
    0.9 and the whole line as evidence; an array value takes every matching line, as items {"value",
    "evidence"} when its items are objects (the variable's evidence is then the first such line). No
    line, or a value that does not convert: null (or []), confidence 0.2, evidence null. A property that
    is a plain value with an enum (the connection test's probe) gets the enum's first member. An entity
    group (items with an "entity" property): one object per "- NAME" line under "Entities:" after the
    document, each variable read from the "[NAME] VARIABLE: VALUE" lines. A packed request (the schema's
    only property is "documents"): one object per block <document id="N">, its "id" and its variables
    answered as above from that block alone (see packed_answers).
    """
    schema = schema_of(request) or {}
    if set(schema.get("properties", {})) == {"documents"}:
        return {"documents": packed_answers(request, schema, default_responder)}
    document = document_of(request) or ""
    properties = schema.get("properties", {})
    users = _user_texts(request)
    last = re.sub(r"<document>.*?</document>", "", users[-1] if users else "", flags=re.DOTALL)
    if set(properties) == {"entities"}:
        item = _resolve(_resolve(properties["entities"], schema).get("items", {}), schema)
        if "entity" in item.get("properties", {}):  # an entity group: one object per listed entity
            return {"entities": [_entity_object(name, item, document, schema) for name in _listed(last)]}
        entities = []
        for line, name in _lines(document, "entity", None):
            entities.append({**dict.fromkeys(item.get("properties", {})), "name": name, "evidence": line})
        return {"entities": entities}
    entity_line = re.search(r"^\s*Entity:\s*(.+?)\s*$", last, re.MULTILINE | re.IGNORECASE)
    entity = entity_line.group(1) if entity_line else None
    return {
        name: node["enum"][0] if "enum" in node else _variable(name, node, document, entity, schema)
        for name, node in ((name, _resolve(node, schema)) for name, node in properties.items())
    }


def blocks_of(request: dict) -> dict[int, str]:
    """The text of each block <document id="N"> of a packed request, by N (the last user message)."""
    users = _user_texts(request)
    found = re.finditer(r'<document id="(\d+)">\n?(.*?)\n?</document>', users[-1] if users else "", re.DOTALL)
    return {int(match.group(1)): match.group(2) for match in found}


def packed_answers(request: dict, schema: dict, answer: Responder) -> list[dict]:
    """`answer`'s answer to each block of a packed request, as if the block were a request of its own (with
    the schema of one document's object, without its "id"), each with the block's id."""
    item = _resolve(_resolve(schema["properties"]["documents"], schema).get("items", {}), schema)
    variables = {name: node for name, node in item.get("properties", {}).items() if name != "id"}
    alone = {"type": "object", "properties": variables, "required": list(variables)}
    answers = []
    for number, text in blocks_of(request).items():
        single = {
            "messages": [{"role": "user", "content": f"<document>\n{text}\n</document>"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "coding", "schema": alone}},
        }
        reply = answer(single)
        answers.append({"id": number, **(json.loads(reply) if isinstance(reply, str) else reply)})
    return answers


def _listed(text: str) -> list[str]:
    """The names listed as "- NAME" lines under "Entities:"."""
    listing = re.search(r"^Entities:\s*$(.*)", text, re.MULTILINE | re.DOTALL | re.IGNORECASE)
    lines = listing.group(1).splitlines() if listing else []
    return [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]


def _entity_object(name: str, item: dict, document: str, root: dict) -> dict:
    variables = {key: node for key, node in item.get("properties", {}).items() if key != "entity"}
    coded = {
        key: _variable(key, _resolve(node, root), document, name, root) for key, node in variables.items()
    }
    return {"entity": name, **coded}


def _echo_of_schema(request: dict) -> str:
    """What a small model wrote when nothing constrained it: the prompt's JSON schema, as its answer."""
    users = _user_texts(request)
    return (_between(users[-1], "<json_schema>", "</json_schema>") if users else None) or "{}"


# --- The server ----------------------------------------------------------------------------------------

BAD_KEY = "Incorrect API key provided: {}. You can find your API key at https://platform.openai.com/account/api-keys."
NO_MODEL = "The model `{}` does not exist or you do not have access to it."
BAD_BODY = "Invalid request body: expected a JSON object with 'model' and a list of message objects."
NO_SCHEMA = "response_format 'json_schema' is not supported by this server"
LLAMA_CPP = "llama.cpp"
# llama-cpp-python 0.3.36's server, word for word: its route handler turns the request validation error
# (response_format.type must be text or json_object) into an HTTP 500 with a traceback line.
LLAMA_NO_SCHEMA = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': "
    "\"Input should be 'text' or 'json_object'\", 'input': 'json_schema', 'ctx': {'expected': \"'text' or "
    '\'json_object\'"}}\n\n  File "llama_cpp/server/app.py", line 376, in create_chat_completion\n    POST '
    "/v1/chat/completions"
)
MALFORMED = b'{"id": "chatcmpl-broken", "choices": [<html>502 Bad Gateway'


class _Reply(NamedTuple):
    status: int
    body: dict | bytes
    headers: tuple[tuple[str, str], ...] = ()


def _error(status: int, message: str, kind: str = "invalid_request_error", **fields: str) -> _Reply:
    error = {"message": message, "type": kind, "param": fields.get("param"), "code": fields.get("code")}
    return _Reply(status, {"error": error})


def _scripted_error(fault: _Fault) -> _Reply:
    if fault.status == 429:
        reply = _error(
            429, fault.message or "Rate limit reached for requests.", "requests", code="rate_limit_exceeded"
        )
    elif fault.status >= 500:
        reply = _error(
            fault.status, fault.message or "The server had an error processing your request.", "server_error"
        )
    else:
        reply = _error(fault.status, fault.message or f"Scripted failure (HTTP {fault.status}).")
    retry = () if fault.retry_after is None else (("Retry-After", f"{fault.retry_after:g}"),)
    return reply._replace(headers=retry)


@dataclass(frozen=True)
class _Fault:
    kind: str  # "fail", "malformed", "truncated" or "hang"
    status: int = 0
    seconds: float = 0.0
    retry_after: float | None = None
    message: str | None = None


class _Abandon(Exception):
    """Close the connection without answering (the server is stopping)."""


class FakeOpenAI:
    """Real HTTP on 127.0.0.1 (port 0 = any free port). Use as a context manager or start()/stop()."""

    def __init__(
        self,
        *,
        api_key: str = "sk-test",
        models: tuple[str, ...] = ("fake-model",),
        latency: float = 0.0,
        structured_outputs: bool = True,
        responder: Responder | None = None,
        dialect: str = "openai",
    ) -> None:
        self.api_key, self.models = api_key, tuple(models)
        self.latency, self.structured_outputs = latency, structured_outputs
        self.dialect = dialect
        self.responder: Responder = responder or default_responder
        self.prompt_tokens: Callable[[dict], int] | None = None
        self.requests: list[dict] = []
        self.base_url = ""
        self._faults: list[_Fault] = []
        self._answered: list[list[dict]] = []  # message lists of answered requests: the "prompt cache"
        self._lock = threading.Lock()
        self.batches = FakeBatches(self._batch_line, self._lock)
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Life cycle

    def start(self) -> FakeOpenAI:
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        serve = partial(self._server.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening, wake hanging requests and close open connections; returns within a second."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=1)
        self._server = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Scripting

    def _script(self, fault: _Fault, times: int) -> None:
        with self._lock:
            self._faults.extend([fault] * times)

    def fail_next(
        self, status: int, *, times: int = 1, retry_after: float | None = None, message: str | None = None
    ) -> None:
        self._script(_Fault("fail", status=status, retry_after=retry_after, message=message), times)

    def malformed_next(self, times: int = 1) -> None:
        self._script(_Fault("malformed"), times)

    def truncated_next(self, times: int = 1) -> None:
        self._script(_Fault("truncated"), times)

    def hang_next(self, seconds: float, times: int = 1) -> None:
        self._script(_Fault("hang", seconds=seconds), times)

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self.requests.clear()
            self._answered.clear()

    # Answering

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self._stopping.wait(seconds):
            raise _Abandon

    def _respond(
        self, method: str, path: str, authorization: str, raw: bytes, content_type: str = ""
    ) -> _Reply:
        self._wait(self.latency)
        route = (method, path.split("?", 1)[0].rstrip("/"))
        body: Any = None
        if route == ("POST", "/v1/chat/completions"):
            with contextlib.suppress(ValueError):
                body = json.loads(raw)
            if isinstance(body, dict):
                with self._lock:
                    self.requests.append(body)
        key = authorization.removeprefix("Bearer ").strip()
        if key != self.api_key:
            shown = f"{key[:3]}****{key[-4:]}" if len(key) > 8 else key
            return _error(401, BAD_KEY.format(shown), code="invalid_api_key")
        if route == ("GET", "/v1/models"):
            models = [
                {"id": m, "object": "model", "created": 1700000000, "owned_by": "fake"} for m in self.models
            ]
            return _Reply(200, {"object": "list", "data": models})
        if route[1].startswith(("/v1/files", "/v1/batches")):
            return _Reply(*self.batches.respond(method, path, content_type, raw))
        if route != ("POST", "/v1/chat/completions"):
            return _error(404, f"Invalid URL ({method} {route[1]})")
        if not _well_formed(body):
            return _error(400, BAD_BODY)
        return self._chat(body)

    def _chat(self, body: dict) -> _Reply:
        with self._lock:
            fault = self._faults.pop(0) if self._faults else _Fault("none")
        return self._chat_with(body, fault)

    def _chat_with(self, body: dict, fault: _Fault) -> _Reply:
        if fault.kind == "fail":
            return _scripted_error(fault)
        if fault.kind == "malformed":
            return _Reply(200, MALFORMED)
        if fault.kind == "hang":
            self._wait(fault.seconds)
        if body.get("model") not in self.models:
            return _error(404, NO_MODEL.format(body.get("model")), code="model_not_found")
        if body.get("stream"):
            return _error(400, "stream is not supported by this fake server", param="stream")
        response_format = body.get("response_format") or {}
        if self.dialect == LLAMA_CPP and response_format.get("type") == "json_schema":
            return _error(500, LLAMA_NO_SCHEMA, "internal_server_error")
        if not self.structured_outputs and response_format.get("type") == "json_schema":
            return _error(400, NO_SCHEMA, param="response_format")
        constrained = response_format.get("type") == "json_object" and "schema" in response_format
        read = _without_system_messages(body) if self.dialect == LLAMA_CPP else body
        try:
            if self.dialect == LLAMA_CPP and not constrained:
                answer: dict | str = _echo_of_schema(read)
            else:
                answer = self.responder(read)
        except Exception as exc:
            return _error(500, f"The fake's responder failed: {exc!r}", "server_error")
        content = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        if fault.kind == "truncated":
            return _Reply(200, self._completion(read, content[: len(content) // 2], "length"))
        return _Reply(200, self._completion(read, content, "stop"))

    def _batch_line(self, body: dict) -> tuple[int, dict]:
        """One line of a batch, answered as the chat route answers it, without its scripted faults (see
        FakeBatches.fail_lines for those of batches)."""
        reply = self._chat_with(body, _Fault("none")) if _well_formed(body) else _error(400, BAD_BODY)
        assert isinstance(reply.body, dict), "only a scripted fault answers with bytes"
        return reply.status, reply.body

    def _completion(self, body: dict, content: str, finish_reason: str) -> dict:
        messages = body["messages"]
        sizes = [len(_text(m.get("content"))) for m in messages]
        prompt = self.prompt_tokens(body) if self.prompt_tokens else math.ceil(sum(sizes) / 4)
        with self._lock:
            shared = max((_common_prefix(messages[:-1], earlier) for earlier in self._answered), default=0)
            self._answered.append(messages)
        cached = min(prompt, math.ceil(sum(sizes[:shared]) / 4))
        completion = math.ceil(len(content) / 4)
        message: dict[str, Any] = {
            "role": "assistant",
            "content": content,
            "refusal": None,
            "annotations": [],
        }
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
            },
            "system_fingerprint": "fp_fake",
        }


def _without_system_messages(body: dict) -> dict:
    """The request as llama-cpp-python's gemma chat format reads it: without its system messages."""
    return {**body, "messages": [m for m in body["messages"] if m.get("role") != "system"]}


def _well_formed(body: Any) -> bool:
    """A JSON object whose messages are objects and whose response_format, if any, is an object."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return False
    messages_ok = all(isinstance(m, dict) for m in body["messages"])
    return messages_ok and isinstance(body.get("response_format") or {}, dict)


def _common_prefix(messages: list[dict], earlier: list[dict]) -> int:
    return sum(1 for _ in takewhile(lambda pair: pair[0] == pair[1], zip(messages, earlier)))  # noqa: B905


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default listen backlog of 5 drops bursts of connections (1 s SYN retry)
    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone mid-request (an app that closed its connections, as a command does on exit) is
        no error of the server's: not printed, where it would land in the stderr of an in-process command."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.fake._lock:
            self.server.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.fake._lock:
            self.server.fake._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length < 0:
                raise ValueError(f"Content-Length {length}")
            raw = self.rfile.read(length)
            reply = self.server.fake._respond(
                method,
                self.path,
                self.headers.get("Authorization", ""),
                raw,
                self.headers.get("Content-Type", ""),
            )
        except _Abandon:
            self.close_connection = True
            return
        except Exception as exc:  # a bad request must never kill the server
            reply = _error(400 if isinstance(exc, ValueError) else 500, f"The fake server failed: {exc!r}")
        payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            *reply.headers,
        ]
        try:
            self.send_response(reply.status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (a timeout) before the answer
            self.close_connection = True
