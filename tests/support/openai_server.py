"""A real OpenAI-compatible chat server on the loopback interface, for tests.

Standard library only. It speaks HTTP/1.1 with keep-alive, streams replies as Server-Sent Events
in chunked transfer encoding (one HTTP chunk per event, shaped like OpenAI's own chunks), and can
misbehave the ways real servers do: CRLF line ends, ``data:`` without a space, ``: ping``
comments, no ``[DONE]``, no ``finish_reason``, a malformed line, an error object inside the
stream, a connection cut mid-reply, a slow first byte, an empty body, a non-streaming answer, or
an error status with any body. And the hostile ways (``Reply`` fields below): a gzip bomb
after the text (or as the whole body, the model list's too: ``models_reply``), a line that never
ends or one of many megabytes, a stream written as fast as the socket takes it (``flood``) or
forever (``endless``), usage counts that are strings, infinite or absurd, content as a list of
parts, and a web page or JSON sent as the event stream (``body`` with ``PORTAL_PAGE``).

Tool calls (``Reply.tool_calls``, a list of ``ToolCallReply``) stream as OpenAI streams them: per
call a first delta with its ``index``, id, type and name, then its arguments in pieces of
``tool_call_chunk`` characters, several calls per turn, and ``finish_reason: "tool_calls"``;
``tool_calls_whole`` sends each call whole in one delta without an index, as some servers do.

Requests are checked as OpenAI checks them, answered with a 400 ``invalid_request_error``
otherwise: roles, content as a string or a list of text / image_url / file parts (an image a
data:image/… or http(s) URL, a detail auto, low or high), an assistant's ``tool_calls``, and a
``tool`` message answering a call of the assistant message before it. ``strings_only`` makes the
server refuse content given as a list (as several servers do).

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
``models_reply`` (a Reply: status, body, headers, gzip_bomb) answers ``GET /v1/models`` instead
of the model list when set.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import functools
import itertools
import json
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ToolCallReply:
    """A call of a function the reply asks for; ``id`` defaults to ``call_<n>``."""

    name: str
    arguments: str = "{}"
    id: str | None = None


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
    # ---- hostile -------------------------------------------------------------------------
    # Content-Encoding: gzip, and after the text (for a stream: after the content chunks; for
    # a whole body: after the body) this many more bytes, once inflated, of ``bomb_fill``
    # repeated: some 1 KB on the wire per MiB inflated.
    gzip_bomb: int | None = None
    bomb_fill: bytes = b": keep-alive\n"
    # After the first content chunk, one line of this many bytes ("data: " and "x"s), ended
    # after that unless ``endless_line``: then it never ends, a byte every ``delay`` seconds
    # (at least 10 ms) until the client goes away.
    long_line: int | None = None
    endless_line: bool = False
    # The whole stream built first and written in 64 KiB pieces: as fast as the socket goes.
    flood: bool = False
    # Stream ``text`` again and again until the client goes away (with ``flood``, or paced by
    # ``delay``).
    endless: bool = False
    # The usage object sent as it is (strings, infinities, negatives...), instead of counts.
    usage_raw: Any = None
    # delta.content as [{"type": "text", "text": piece}] (message.content too, for JSON).
    content_parts: bool = False
    # ---- tools -----------------------------------------------------------------------------
    # After the text (if any): these calls, their arguments in pieces of tool_call_chunk
    # characters; the finish reason is then "tool_calls" (unless another one is set).
    tool_calls: list[ToolCallReply] = field(default_factory=list)
    tool_call_chunk: int = 5
    tool_calls_whole: bool = False  # each call whole in one delta, without an index


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


# What a hotel's or an airport's Wi-Fi answers before the user has signed in.
PORTAL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to Airport Free Wi-Fi</title>
<style>body { font-family: sans-serif }</style></head>
<body><h1>Welcome!</h1><p>Please accept the terms &amp; conditions to continue.</p>
<form method="post" action="/login"><button>Connect</button></form></body></html>
"""

GZIP_STEP = 1024 * 1024  # inflated bytes per repeated deflate block of a bomb


def gzip_bomb(prefix: bytes, fill: bytes, size: int) -> bytes:
    """A valid gzip member: ``prefix`` then ``size`` bytes of ``fill`` repeated (rounded up to
    whole MiB blocks). Each block is deflated once, after a full flush, and repeated: a
    gigabyte costs about a megabyte and, once per fill and size, a second to build."""
    head_deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = head_deflate.compress(prefix) + head_deflate.flush(zlib.Z_FULL_FLUSH)
    blocks, tail, fill_crc, fill_length = _bomb_blocks(fill, size)
    crc = _crc32_combine(zlib.crc32(prefix), fill_crc, fill_length)
    length = (len(prefix) + fill_length) & 0xFFFFFFFF
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return b"".join([header, head, blocks, tail, struct.pack("<II", crc, length)])


@functools.lru_cache(maxsize=8)
def _bomb_blocks(fill: bytes, size: int) -> tuple[bytes, bytes, int, int]:
    """The deflated blocks of ``fill`` repeated, the final empty block, their CRC and length."""
    block = (fill * (GZIP_STEP // max(1, len(fill)) + 1))[:GZIP_STEP]
    count = max(1, -(-size // GZIP_STEP))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    # After a full flush the compressor starts afresh: the same block deflates the same.
    repeated = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    tail = deflate.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return repeated * count, tail, crc, count * GZIP_STEP


def _crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """zlib's crc32_combine: the CRC of A+B from those of A and B and B's length."""

    def times(matrix: list[int], vector: int) -> int:
        total, row = 0, 0
        while vector:
            if vector & 1:
                total ^= matrix[row]
            vector >>= 1
            row += 1
        return total

    def square(matrix: list[int]) -> list[int]:
        return [times(matrix, matrix[n]) for n in range(32)]

    if length2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if length2 & 1:
            crc1 = times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = square(even)
        if length2 & 1:
            crc1 = times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


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


def _call_id(call: ToolCallReply, n: int) -> str:
    return call.id or f"call_{n}"


def _function(call: ToolCallReply) -> dict[str, str]:
    return {"name": call.name, "arguments": call.arguments}


def _finish_reason(reply: Reply) -> str | None:
    if reply.tool_calls and reply.finish_reason == "stop":
        return "tool_calls"
    return reply.finish_reason


_ROLES = ("system", "developer", "user", "assistant", "tool")
_DETAILS = ("auto", "low", "high")


def invalid_messages(messages: Any, *, strings_only: bool = False) -> str | None:
    """What OpenAI would refuse in a request's messages (its words, roughly), or None."""
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    calls: set[str] = set()  # the ids the latest assistant message asked for
    for n, message in enumerate(messages):
        where = f"messages[{n}]"
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            return f"Invalid value for '{where}.role'"
        role, content = message["role"], message.get("content")
        if isinstance(content, list):
            if strings_only:
                return f"Invalid type for '{where}.content': expected a string"
            for m, part in enumerate(content):
                problem = _invalid_part(part, role)
                if problem is not None:
                    return f"Invalid '{where}.content[{m}]': {problem}"
        elif not isinstance(content, str) and not (
            content is None and role == "assistant" and message.get("tool_calls")
        ):
            return f"Invalid type for '{where}.content'"
        if role == "assistant":
            asked = message.get("tool_calls")
            if asked is not None:
                problem = _invalid_calls(asked)
                if problem is not None:
                    return f"Invalid '{where}.tool_calls': {problem}"
                calls = {call["id"] for call in asked}
        elif role == "tool":
            if message.get("tool_call_id") not in calls:
                return (
                    f"Invalid parameter: '{where}' with role 'tool' must be a response to a "
                    "preceding message with 'tool_calls'."
                )
        else:
            calls = set()
    return None


def _invalid_part(part: Any, role: str) -> str | None:
    if not isinstance(part, dict):
        return "a part must be an object"
    kind = part.get("type")
    if kind == "text":
        return None if isinstance(part.get("text"), str) else "text must be a string"
    if role != "user":
        return f"parts of type {kind!r} are only supported in user messages"
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else None
        if not isinstance(url, str) or not url.startswith(("data:image/", "http://", "https://")):
            return "image_url.url must be a data:image/ or http(s) URL"
        if "detail" in image and image["detail"] not in _DETAILS:
            return "image_url.detail must be auto, low or high"
        return None
    if kind == "file":
        file = part.get("file")
        if not isinstance(file, dict) or not (file.get("file_data") or file.get("file_id")):
            return "file needs file_data or file_id"
        data = file.get("file_data")
        if data is not None and not (isinstance(data, str) and data.startswith("data:")):
            return "file.file_data must be a data: URL"
        return None
    return f"unknown part type {kind!r}"


def _invalid_calls(calls: Any) -> str | None:
    if not isinstance(calls, list) or not calls:
        return "must be a non-empty array"
    for call in calls:
        function = call.get("function") if isinstance(call, dict) else None
        if (
            not isinstance(call.get("id"), str)
            or call.get("type") != "function"
            or not isinstance(function, dict)
            or not isinstance(function.get("name"), str)
            or not isinstance(function.get("arguments"), str)
        ):
            return "each call needs an id, type 'function' and a function's name and arguments"
    return None


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
        self.strings_only = False  # refuse a message content given as a list of parts
        self.models_reply: Reply | None = None  # GET /v1/models answered with this instead
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
                "body": raw,
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
        *,
        bomb: int | None = None,
        bomb_fill: bytes = b" ",
    ) -> None:
        data = body.encode("utf-8")
        if bomb is not None:
            data = gzip_bomb(data, bomb_fill, bomb)
        self.send_response(status)
        extra = dict(headers or {})
        self.send_header("Content-Type", extra.pop("Content-Type", content_type))
        if bomb is not None:
            self.send_header("Content-Encoding", "gzip")
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        for start in range(0, len(data), 64 * 1024):
            self.wfile.write(data[start : start + 64 * 1024])

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
        if path == "/v1/models" and self.owner.models_reply is not None:
            reply = self.owner.models_reply
            body = reply.body if reply.body is not None else _dumps({"object": "list", "data": []})
            self._send_whole(
                reply.status,
                body,
                "application/json",
                reply.headers,
                bomb=reply.gzip_bomb,
                bomb_fill=reply.bomb_fill,
            )
        elif path == "/v1/models":
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
        problem = invalid_messages(request.get("messages"), strings_only=self.owner.strings_only)
        if problem is not None:
            body = _default_error_body(400)
            body["error"]["message"] = problem
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
                self._send_whole(
                    200,
                    reply.body,
                    "text/event-stream",
                    reply.headers,
                    bomb=reply.gzip_bomb,
                    bomb_fill=reply.bomb_fill,
                )
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
        self._send_whole(
            reply.status,
            body,
            content_type,
            reply.headers,
            bomb=reply.gzip_bomb,
            bomb_fill=reply.bomb_fill,
        )

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
        content: Any = [{"type": "text", "text": text}] if reply.content_parts else text
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
        if reply.reasoning:
            message[reply.reasoning_field] = reply.reasoning
        if reply.tool_calls:
            message["content"] = content or None
            message["tool_calls"] = [
                {"id": _call_id(call, n), "type": "function", "function": _function(call)}
                for n, call in enumerate(reply.tool_calls)
            ]
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
                    "finish_reason": _finish_reason(reply),
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        if reply.usage_raw is not None:
            body["usage"] = reply.usage_raw
        if not reply.usage:
            del body["usage"]
        self._send_whole(
            200,
            _dumps(body),
            "application/json",
            reply.headers,
            bomb=reply.gzip_bomb,
            bomb_fill=b" ",  # JSON allows any whitespace after the value
        )

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
        # Flooding, the events go out in 64 KiB pieces, not one write each; for a gzip bomb
        # they are all kept until the bomb is built around them.
        batching = reply.flood or reply.gzip_bomb is not None
        pending: list[bytes] = []
        pending_size = 0

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        if reply.gzip_bomb is not None:
            self.send_header("Content-Encoding", "gzip")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()

        def send(data: bytes) -> None:
            nonlocal pending_size
            if not batching:
                self._send_chunk(data)
                return
            pending.append(data)
            pending_size += len(data)
            if pending_size >= 64 * 1024 and reply.gzip_bomb is None:
                flush()

        def flush() -> None:
            nonlocal pending_size
            if pending:
                self._send_chunk(b"".join(pending))
                pending.clear()
                pending_size = 0

        def event(data: str) -> None:
            nonlocal sent
            if sent and not batching:
                self.owner._wait(reply.delay)
            sent += 1
            lines = f": ping{newline}" if reply.comments else ""
            lines += f"{prefix}{data}{newline}{newline}"
            send(lines.encode("utf-8"))

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

        def content(piece: str) -> None:
            if reply.content_parts:
                chunk({"content": [{"type": "text", "text": piece}]})
            else:
                chunk({"content": piece})

        if reply.comments:
            send(f": ping{newline}{newline}".encode())
        chunk({"role": "assistant", "content": "", "refusal": None})
        for piece in _chunks(reply.reasoning, reply.chunk_size):
            chunk({reply.reasoning_field: piece, "content": None})

        def after_first_chunk() -> bool:
            """The mid-stream misbehaviours; True when the stream has ended."""
            if reply.malformed_line:
                event("{not json")
            if reply.stream_error is not None:
                event(_dumps({"error": reply.stream_error}))
                flush()
                self._send_chunk(b"")  # ends the stream cleanly, as OpenAI does
                return True
            if reply.long_line is not None:
                self._long_line(reply, prefix, newline, flush)
            return False

        pieces = _chunks(text, reply.chunk_size)
        if not pieces and after_first_chunk():
            return
        for index, piece in enumerate(pieces):
            if reply.cut_after is not None and index >= reply.cut_after:
                break
            if index == reply.stall_after:
                flush()
                if reply.gate is not None:
                    self.owner._hold(reply.gate)
                else:
                    self.owner._wait(reply.stall)
            content(piece)
            if index == 0 and after_first_chunk():
                return
        while reply.endless and pieces:
            for piece in pieces:
                content(piece)
            if self.owner._stopping.is_set():
                raise _Stopped
        for n, call in enumerate(reply.tool_calls):
            if reply.tool_calls_whole:
                whole = {"id": _call_id(call, n), "type": "function", "function": _function(call)}
                chunk({"tool_calls": [whole]})
                continue
            first = {"name": call.name, "arguments": ""}
            start = {"index": n, "id": _call_id(call, n), "type": "function", "function": first}
            chunk({"tool_calls": [start]})
            for piece in _chunks(call.arguments, reply.tool_call_chunk):
                chunk({"tool_calls": [{"index": n, "function": {"arguments": piece}}]})
        if reply.gzip_bomb is not None:
            bomb = gzip_bomb(b"".join(pending), reply.bomb_fill, reply.gzip_bomb)
            for start in range(0, len(bomb), 64 * 1024):
                self._send_chunk(bomb[start : start + 64 * 1024])
            self._send_chunk(b"")
            return
        if reply.cut_after is not None:
            flush()
            self.wfile.flush()
            raise _Cut  # no terminating chunk: the client sees a broken stream
        if reply.finish_reason is not None:
            chunk({}, _finish_reason(reply))
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
                        "usage": usage if reply.usage_raw is None else reply.usage_raw,
                    }
                )
            )
        if reply.done:
            event("[DONE]")
        flush()
        self._send_chunk(b"")

    def _long_line(self, reply: Reply, prefix: str, newline: str, flush: Any) -> None:
        """``long_line`` bytes of one line; never ended with ``endless_line``."""
        flush()
        size = reply.long_line or 0
        start = f'{prefix}{{"choices":[{{"delta":{{"content":"'.encode()
        self._send_chunk(start)
        left = max(0, size - len(start))
        piece = b"x" * (64 * 1024)
        while left > 0:
            self._send_chunk(piece[: min(left, len(piece))])
            left -= len(piece)
            if self.owner._stopping.is_set():
                raise _Stopped
        if reply.endless_line:
            while True:  # until the client goes away (a broken pipe) or the server stops
                self.owner._wait(max(0.01, reply.delay))
                self._send_chunk(b"x")
        self._send_chunk(f'"}}}}]}}{newline}{newline}'.encode())
