"""An OpenAI-compatible server on 127.0.0.1 that answers every chat completion with one fixed answer: the
self-test's run then goes through the real client (LangChain, the OpenAI SDK, httpx and a socket), which is
what a bundle missing a module or a data file would break."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def completion(content: str, prompt_characters: int) -> dict[str, Any]:
    # About three characters a token, so the client's check for a truncated prompt is satisfied.
    prompt_tokens, completion_tokens = max(1, prompt_characters // 3), max(1, len(content) // 3)
    return {
        "id": "chatcmpl-self-test",
        "object": "chat.completion",
        "created": 0,
        "model": "self-test",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@contextmanager
def loopback_server(answer: str) -> Iterator[str]:
    """The server's base URL (http://127.0.0.1:PORT/v1) while the block runs."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps(completion(answer, len(request))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:  # the self-test prints its own lines
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="self-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
