"""A real OpenAI-compatible chat server on the loopback interface, for tests.

Standard library only. It speaks HTTP/1.1 with keep-alive, streams replies as Server-Sent Events
in chunked transfer encoding (one HTTP chunk per event, shaped like OpenAI's own chunks), and can
misbehave the ways real servers do: CRLF line ends, ``data:`` without a space, ``: ping``
comments, no ``[DONE]``, no ``finish_reason``, a malformed line, an error object inside the
stream, a connection cut mid-reply, a slow first byte, an empty body, a non-streaming answer, or
an error status with any body.

::

    with OpenAIServer(models=["test-model"], api_key="sk-test") as server:
        server.enqueue(Reply(text="Hello there", chunk_size=2, crlf=True))
        ...  # talk to server.base_url ("http://127.0.0.1:PORT/v1")
        server.chat_requests()[-1]["json"]["messages"]

Replies are queued FIFO and consumed one per ``POST /v1/chat/completions`` that passes the key
check; with the queue empty the server answers with ``default`` (an echo unless changed):
``f"echo[{number of messages}]: {last user message}"``.

Besides ``start/stop``, ``base_url``, ``enqueue``, ``requests``, ``chat_requests`` and ``reset``:
``url`` (root, no /v1) and ``port``; ``default`` (the Reply used when the queue is empty);
``pending`` (replies still queued); ``wait_for_requests(n, timeout)``; ``api_key`` may be changed
while running; each recorded request also has ``client_port`` (same port = same connection).
Every request is recorded, including those refused with 401; a 401 does not consume a reply.
``echo_credentials`` (a name in ``ECHOES``) answers every request, on any path, with 401 (407 to
one that came through it as a proxy) echoing the Authorization (Proxy-Authorization) header in
that form, in the body and in headers: as servers that leak the key they were sent do.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import itertools
import json
import socket
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """How the server answers one chat completion request (every field is optional)."""

    text: str | None = None  # None: echo the last user message
    reasoning: str = ""  # streamed before the content, in ``reasoning_field`` deltas
    reasoning_field: str = "reasoning_content"  # or "reasoning"
    chunk_size: int = 4  # characters per content (and reasoning) delta
    delay: float = 0.0  # seconds between two stream chunks
    first_byte_delay: float = 0.0  # seconds before the status line
    status: int = 200
    body: str | None = None  # raw body; for 200, sent as the event stream verbatim
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers
    cut_after: int | None = None  # close the connection after N content chunks, unterminated
    malformed_line: bool = False  # a "data: {not json" event after the first content chunk
    crlf: bool = False
    no_space: bool = False  # "data:{...}"
    comments: bool = False  # ": ping" comment lines between events
    done: bool = True  # end with "data: [DONE]"
    finish_reason: str | None = "stop"  # None: never send a finish_reason chunk
    usage: bool = True  # send the usage chunk when the request asked for include_usage
    json_response: bool = False  # one non-streaming chat.completion JSON
    empty: bool = False  # 200 text/event-stream with an empty body
    stream_error: dict[str, Any] | None = None  # data: {"error": ...} after the first chunk
    stall_after: int | None = None  # go silent for ``stall`` seconds after N content chunks
    stall: float = 30.0
    # Hold the reply until the test sets this event (or the server stops), instead of waiting
    # seconds: after ``stall_after`` content chunks, or, without it, before the status line.
    # A test that acts "while the reply is still under way" holds it there, on any machine.
    gate: threading.Event | None = None


_INVALID_KEY = {
    "error": {
        "message": "Incorrect API key provided",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
}

_STATUS_ERRORS = {
    400: ("Bad request", "invalid_request_error", None),
    401: ("Incorrect API key provided", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to use this model", "invalid_request_error", None),
    404: ("The model does not exist", "invalid_request_error", "model_not_found"),
    429: ("Rate limit reached, please try again later", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request", "server_error", None),
    503: ("The server is overloaded", "server_error", None),
}


def _echo_message(text: str) -> str:
    return json.dumps({"error": {"message": f"Incorrect API key provided: {text}"}})


# How a careless server repeats the header it got (``raw``: its bytes). http.server, like many
# servers, reads header bytes as Latin-1: a key's UTF-8 comes back as mojibake.
ECHOES: dict[str, Any] = {
    "latin-1": lambda raw: _echo_message(raw.decode("latin-1")),
    "latin-1, json escapes": lambda raw: "bad token " + json.dumps(raw.decode("latin-1")),
    "utf-8": lambda raw: _echo_message(raw.decode("utf-8", "replace")),
    "utf-8, json escapes": lambda raw: "bad token " + json.dumps(raw.decode("utf-8", "replace")),
    "percent": lambda raw: _echo_message(urllib.parse.quote(raw)),
    "base64": lambda raw: _echo_message(base64.b64encode(raw).decode("ascii")),
    "python bytes": lambda raw: f"rejected {raw!r}",
    "split": lambda raw: "\n".join(_chunks(raw.decode("latin-1"), 10)),
    "cut": lambda raw: _echo_message("x" * 450 + raw.decode("latin-1")),  # Confab keeps 500
}


def _default_error_body(status: int) -> dict[str, Any]:
    message, kind, code = _STATUS_ERRORS.get(status, (f"HTTP {status}", "server_error", None))
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _content_text(content: Any) -> str:
    """A message's text, whether ``content`` is a string or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _chunks(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class _Stopped(Exception):
    """The server is stopping: abandon the response in progress."""


class _Cut(Exception):
    """The reply asked for an abrupt end of the connection."""


class OpenAIServer:
    def __init__(self, models: list[str] | None = None, api_key: str | None = None) -> None:
        self.models = list(models) if models is not None else ["test-model", "other-model"]
        self.api_key = api_key
        self.default = Reply()  # the answer when the queue is empty
        self.echo_credentials: str | None = None  # a name in ECHOES: see the module's docstring
        self._queue: collections.deque[Reply] = collections.deque()
        self._requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)

    # ---- lifecycle -----------------------------------------------------------------

    def start(self) -> OpenAIServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="openai-test-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop promptly, even with slow streams in progress; closes every socket."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._stopping.set()  # wakes every delay, so slow streams give up
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout)
        connections = httpd.connections()
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # unblocks handlers waiting on keep-alive reads
        deadline = time.monotonic() + timeout
        for handler_thread in connections.values():
            handler_thread.join(max(0.0, deadline - time.monotonic()))
        self._httpd = None
        self._thread = None

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---- addresses -------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The server's root, without /v1."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    # ---- scripting and inspection ------------------------------------------------------

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        """Replies still queued."""
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request received: method, path, headers (lower-case names), json, client_port."""
        with self._lock:
            return list(self._requests)

    def chat_requests(self) -> list[dict[str, Any]]:
        return [
            r
            for r in self.requests
            if r["method"] == "POST" and r["path"].rstrip("/") == "/v1/chat/completions"
        ]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least ``count`` requests arrived; returns them (maybe fewer on timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.requests

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._requests.clear()

    # ---- used by the handler -------------------------------------------------------------

    def _record(self, request: dict[str, Any]) -> None:
        with self._lock:
            self._requests.append(request)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    def _next_id(self) -> str:
        return f"chatcmpl-test{next(self._ids):06d}"

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self._stopping.wait(seconds):
            raise _Stopped
        if self._stopping.is_set():
            raise _Stopped

    def _hold(self, gate: threading.Event) -> None:
        while not gate.wait(0.02):
            if self._stopping.is_set():
                raise _Stopped


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, owner: OpenAIServer) -> None:
        self.owner = owner
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def connections(self) -> dict[socket.socket, threading.Thread]:
        with self._connections_lock:
            return dict(self._connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Like ThreadingMixIn's, but remembers each connection so stop() can close it.
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="openai-test-server-connection",
            daemon=True,
        )
        with self._connections_lock:
            self._connections[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError | _Stopped | _Cut):
            return  # the client went away, or we are stopping: nothing to report
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def owner(self) -> OpenAIServer:
        return self.server.owner

    # ---- request plumbing --------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _record(self) -> dict[str, Any] | None:
        raw = self._read_body()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        self.owner._record(
            {
                "method": self.command,
                "path": self.path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "json": data,
                "client_port": self.client_address[1],
            }
        )
        return data

    def _authorized(self) -> bool:
        key = self.owner.api_key
        if key is None or self.headers.get("Authorization") == f"Bearer {key}":
            return True
        self._send_whole(401, _dumps(_INVALID_KEY), "application/json")
        return False

    def _send_whole(
        self,
        status: int,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        extra = dict(headers or {})
        self.send_header("Content-Type", extra.pop("Content-Type", content_type))
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode("ascii") + data + b"\r\n")

    # ---- routes ------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._record()
        if self._echoed():
            return
        path = self.path.split("?", 1)[0].rstrip("/")
        if not self._authorized():
            return
        if path == "/v1/models":
            data = [
                {"id": name, "object": "model", "created": 1700000000, "owned_by": "test"}
                for name in self.owner.models
            ]
            self._send_whole(200, _dumps({"object": "list", "data": data}), "application/json")
        elif path.startswith("/v1/models/") and path[len("/v1/models/") :] in self.owner.models:
            name = path[len("/v1/models/") :]
            model = {"id": name, "object": "model", "created": 1700000000, "owned_by": "test"}
            self._send_whole(200, _dumps(model), "application/json")
        else:
            self._not_found()

    def do_POST(self) -> None:
        request = self._record()
        if self._echoed():
            return
        path = self.path.split("?", 1)[0].rstrip("/")
        if path != "/v1/chat/completions":
            self._not_found()
            return
        if not self._authorized():
            return
        if not isinstance(request, dict):
            body = _default_error_body(400)
            body["error"]["message"] = "The request body is not valid JSON"
            self._send_whole(400, _dumps(body), "application/json")
            return
        self._chat(request, self.owner._next_reply())

    def _echoed(self) -> bool:
        """In ``echo_credentials`` mode, answer with the credentials echoed; True if so."""
        if self.owner.echo_credentials is None:
            return False
        proxied = "Proxy-Authorization" in self.headers
        value = self.headers.get("Proxy-Authorization" if proxied else "Authorization") or ""
        raw = value.encode("latin-1")  # the bytes as they came
        body = ECHOES[self.owner.echo_credentials](raw)
        challenge = "Proxy-Authenticate" if proxied else "WWW-Authenticate"
        headers = {challenge: f'Bearer error="invalid_token", token="{value}"', "X-Echo": value}
        kind = "application/json" if body.startswith("{") else "text/plain; charset=utf-8"
        self._send_whole(407 if proxied else 401, body, kind, headers)
        return True

    def _not_found(self) -> None:
        body = {
            "error": {
                "message": f"Unknown path {self.path}",
                "type": "invalid_request_error",
                "param": None,
                "code": "unknown_url",
            }
        }
        self._send_whole(404, _dumps(body), "application/json")

    # ---- chat completions -------------------------------------------------------------

    def _chat(self, request: dict[str, Any], reply: Reply) -> None:
        try:
            self.owner._wait(reply.first_byte_delay)
            if reply.gate is not None and reply.stall_after is None:
                self.owner._hold(reply.gate)
            if reply.status != 200:
                self._error_reply(reply)
            elif reply.body is not None:
                self._send_whole(200, reply.body, "text/event-stream", reply.headers)
            elif reply.empty:
                self._send_whole(200, "", "text/event-stream", reply.headers)
            elif reply.json_response or not request.get("stream"):
                self._json_reply(request, reply)
            else:
                self._stream_reply(request, reply)
        except (_Stopped, _Cut):
            self.close_connection = True

    def _error_reply(self, reply: Reply) -> None:
        body = reply.body if reply.body is not None else _dumps(_default_error_body(reply.status))
        try:
            json.loads(body)
            content_type = "application/json"
        except ValueError:
            content_type = "text/plain; charset=utf-8"
        self._send_whole(reply.status, body, content_type, reply.headers)

    @staticmethod
    def _texts(request: dict[str, Any], reply: Reply) -> tuple[str, int, int]:
        """The reply text, prompt_tokens and the number of messages."""
        messages = request.get("messages")
        messages = messages if isinstance(messages, list) else []
        contents = [_content_text(m.get("content")) for m in messages if isinstance(m, dict)]
        text = reply.text
        if text is None:
            last_user = ""
            for message in reversed(messages):
                if isinstance(message, dict) and message.get("role") == "user":
                    last_user = _content_text(message.get("content"))
                    break
            text = f"echo[{len(messages)}]: {last_user}"
        prompt_tokens = sum(len(c) for c in contents) // 4 + 1
        return text, prompt_tokens, len(messages)

    def _json_reply(self, request: dict[str, Any], reply: Reply) -> None:
        text, prompt_tokens, _ = self._texts(request, reply)
        completion_tokens = len(_chunks(text, reply.chunk_size))
        message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
        if reply.reasoning:
            message[reply.reasoning_field] = reply.reasoning
        body = {
            "id": self.owner._next_id(),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(request.get("model") or ""),
            "system_fingerprint": "fp_test",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        if not reply.usage:
            del body["usage"]
        self._send_whole(200, _dumps(body), "application/json", reply.headers)

    def _stream_reply(self, request: dict[str, Any], reply: Reply) -> None:
        text, prompt_tokens, _ = self._texts(request, reply)
        options = request.get("stream_options")
        include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
        newline = "\r\n" if reply.crlf else "\n"
        prefix = "data:" if reply.no_space else "data: "
        chunk_id = self.owner._next_id()
        created = int(time.time())
        model = str(request.get("model") or "")
        sent = 0  # events so far, for the delay between them

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()

        def event(data: str) -> None:
            nonlocal sent
            if sent:
                self.owner._wait(reply.delay)
            sent += 1
            lines = f": ping{newline}" if reply.comments else ""
            lines += f"{prefix}{data}{newline}{newline}"
            self._send_chunk(lines.encode("utf-8"))

        def chunk(delta: dict[str, Any], finish: str | None = None) -> None:
            body: dict[str, Any] = {
                "id": chunk_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_test",
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
            }
            if include_usage:
                body["usage"] = None  # as OpenAI does on every chunk but the last
            event(_dumps(body))

        if reply.comments:
            self._send_chunk(f": ping{newline}{newline}".encode())
        chunk({"role": "assistant", "content": "", "refusal": None})
        for piece in _chunks(reply.reasoning, reply.chunk_size):
            chunk({reply.reasoning_field: piece, "content": None})

        def after_first_chunk() -> bool:
            """The mid-stream misbehaviours; True when the stream has ended."""
            if reply.malformed_line:
                event("{not json")
            if reply.stream_error is not None:
                event(_dumps({"error": reply.stream_error}))
                self._send_chunk(b"")  # ends the stream cleanly, as OpenAI does
                return True
            return False

        pieces = _chunks(text, reply.chunk_size)
        if not pieces and after_first_chunk():
            return
        for index, piece in enumerate(pieces):
            if reply.cut_after is not None and index >= reply.cut_after:
                break
            if index == reply.stall_after:
                if reply.gate is not None:
                    self.owner._hold(reply.gate)
                else:
                    self.owner._wait(reply.stall)
            chunk({"content": piece})
            if index == 0 and after_first_chunk():
                return
        if reply.cut_after is not None:
            self.wfile.flush()
            raise _Cut  # no terminating chunk: the client sees a broken stream
        if reply.finish_reason is not None:
            chunk({}, reply.finish_reason)
        if include_usage and reply.usage:
            usage = {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": len(pieces),
                "total_tokens": prompt_tokens + len(pieces),
            }
            event(
                _dumps(
                    {
                        "id": chunk_id,
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": model,
                        "system_fingerprint": "fp_test",
                        "choices": [],
                        "usage": usage,
                    }
                )
            )
        if reply.done:
            event("[DONE]")
        self._send_chunk(b"")
