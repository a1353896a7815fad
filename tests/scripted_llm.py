"""A scripted OpenAI-compatible chat server on 127.0.0.1, the one stand-in the tests use
(no model weights can be had here): the real client code (llama-index's OpenAILike,
the openai SDK, httpx) talks HTTP to it.

It replays a list of replies to POST /v1/chat/completions, one per request, and
records every request (body and headers) so a test can check what the client sent (the tools, the
tool results). A reply is a chat-completion dict (see `text_reply`, `tool_call_reply`),
`Status(code, body)` for an HTTP error, `Raw(body)` for a 200 that is not JSON, or
`Slow(seconds, reply)` to answer late, `Drip(every, reply)` to send it a byte at a time,
`Huge(size)` for an oversized reply. When the script runs out it answers 500.

    with ScriptedLLM([tool_call_reply("training_cost", {"params": 1.75e11}), text_reply("...")]) as server:
        settings.llm.base_url = server.url
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Status:
    code: int
    body: str = '{"error": {"message": "scripted failure", "type": "server_error"}}'


@dataclass(frozen=True)
class Raw:
    body: str


@dataclass(frozen=True)
class Slow:
    seconds: float
    reply: object


@dataclass(frozen=True)
class Drip:
    """A 200 whose body comes one byte every `every` seconds (a per-read timeout never trips)."""

    every: float
    reply: object


@dataclass(frozen=True)
class Gate:
    """Reply only once `barrier.parties` requests wait at the gate together (an HTTP 500 if they never do)."""

    barrier: threading.Barrier
    reply: object


@dataclass(frozen=True)
class Huge:
    """A 200 whose body is a chat completion with `size` bytes of text."""

    size: int


def _completion(message: dict, finish_reason: str) -> dict:
    return {
        "id": f"chatcmpl-scripted-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "scripted",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def text_reply(content: str) -> dict:
    return _completion({"role": "assistant", "content": content}, "stop")


def tool_call_reply(*calls: tuple[str, dict] | str, arguments: dict | None = None) -> dict:
    """One assistant turn calling tools: tool_call_reply("training_cost", arguments={...})
    or tool_call_reply(("a", {...}), ("b", {...}))."""
    if calls and isinstance(calls[0], str):
        calls = ((calls[0], arguments or {}),)
    tool_calls = [
        {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
        for i, (name, args) in enumerate(calls)
    ]
    return _completion({"role": "assistant", "content": None, "tool_calls": tool_calls}, "tool_calls")


class ScriptedLLM:
    """The server: a context manager; `url` is the base URL to configure, `requests` the bodies received."""

    def __init__(self, replies: list):
        self.replies = list(replies)
        self.requests: list[dict] = []
        self.headers: list[dict] = []  # the HTTP headers of each request, lower-cased names
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "ScriptedLLM":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict, headers: dict):
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            return self.replies.pop(0) if self.replies else Status(500, '{"error": {"message": "the script has no more replies"}}')

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server spelling
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, '{"error": {"message": "not found"}}')
                reply = server._next(body, {k.lower(): v for k, v in self.headers.items()})
                while isinstance(reply, (Slow, Gate)):
                    if isinstance(reply, Gate):
                        try:
                            reply.barrier.wait()
                        except threading.BrokenBarrierError:
                            return self._send(500, '{"error": {"message": "the requests never came together"}}')
                    else:
                        time.sleep(reply.seconds)
                    reply = reply.reply
                if isinstance(reply, Status):
                    return self._send(reply.code, reply.body)
                if isinstance(reply, Raw):
                    return self._send(200, reply.body)
                if isinstance(reply, Huge):
                    return self._send(200, json.dumps(text_reply("x" * reply.size)))
                if isinstance(reply, Drip):
                    return self._drip(json.dumps(reply.reply).encode("utf-8"), reply.every)
                return self._send(200, json.dumps(reply))

            def _send(self, code: int, body: str) -> None:
                data = body.encode("utf-8")
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def _drip(self, data: bytes, every: float) -> None:
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.flush()
                    for i in range(len(data)):
                        self.wfile.write(data[i:i + 1])
                        self.wfile.flush()
                        time.sleep(every)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up

            def log_message(self, *args) -> None:
                pass

        return Handler
