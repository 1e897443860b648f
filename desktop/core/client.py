"""Async client for OpenAI-compatible chat servers, liberal in what it accepts.

Streams are consumed by ``stream_chat``, which calls ``on_delta`` with the text of each network
read (the deltas of the events in it, joined) and returns the finished reply; it raises an
``ApiError`` subclass for anything that went wrong. The text received before an error has
already been handed to ``on_delta``, so nothing is lost. ``on_event`` gets the same as typed
events (desktop/core/wire.py): the text, each piece of a tool call as it comes, and each call
assembled once the reply has ended. Requests and replies are encoded and decoded by
desktop/core/openai_wire.py; this module speaks HTTP and SSE.

Nothing a server sends can take unbounded memory or time: a reply reads at most
``MAX_REPLY_BYTES`` once decoded (a gzip bomb stops there), an error body ``MAX_ERROR_BODY_BYTES``,
the model list ``MAX_MODELS_BYTES``, one line or event of the stream ``sse.MAX_LINE``; past
those the reply ends with ``ResponseTooLargeError``, the text so far kept. A web page or JSON
where the stream should be is reported as what it is (``WebPageReplyError``,
``JsonReplyError``), with a short excerpt.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import html
import json
import logging
import os
import re
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

import httpx

from desktop.core.bodies import (
    ACCEPT_ENCODING,
    BodyDecodeError,
    BodyReader,
    BodyTooLargeError,
    read_body,
)
from desktop.core.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    CertificateError,
    ConnectFailedError,
    ContextTooLongError,
    EmptyReplyError,
    HttpStatusError,
    ImagesRejectedError,
    InvalidKeyError,
    JsonReplyError,
    NotAStreamError,
    NotFoundError,
    ProxyAuthError,
    ProxyFailedError,
    QuotaError,
    RateLimitError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    StreamInterruptedError,
    StreamReportedError,
    WebPageReplyError,
)
from desktop.core.logs import redact, register_login
from desktop.core.models import Params
from desktop.core.network import (
    PROXY_CUSTOM,
    PROXY_SYSTEM,
    NetworkSettings,
    ProxyUrlError,
    Timeouts,
    is_loopback,
    parse_proxy_url,
    strip_credentials,
)
from desktop.core.openai_wire import apply_chunk, decode_message, encode_request
from desktop.core.sse import SSEParser, StreamLimitError
from desktop.core.wire import (
    ChatResult,
    ImagePart,
    StreamEvent,
    SurrogateJoiner,
    TextDelta,
    ToolCallDelta,
    ToolChoice,
    ToolSpec,
    WireMessage,
)

log = logging.getLogger("confab.client")

__all__ = [
    "ChatClient",
    "ChatRequest",
    "ChatResult",
    "NetworkSettings",
    "SurrogateJoiner",
    "Timeouts",
]

DeltaCallback = Callable[[str, str], None]
"""Called as ``on_delta(kind, text)`` with kind ``"content"`` or ``"reasoning"``."""
EventCallback = Callable[[StreamEvent], None]


# After [DONE], how long the rest of the body may take before the connection is dropped.
AFTER_DONE_GRACE_S = 2.0

MIB = 1024 * 1024
# Decoded bytes of one reply, stream or JSON: some 20 million tokens of events, far past any
# model's output, and what a gzip bomb (a megabyte inflating to gigabytes) may cost at most.
MAX_REPLY_BYTES = 64 * MIB
# Of an error body only the start is shown: read this much and ignore the rest.
MAX_ERROR_BODY_BYTES = 1 * MIB
# OpenRouter's list of some 400 models with their descriptions is about 1.5 MB.
MAX_MODELS_BYTES = 16 * MIB
# While no event has come, the body's start is kept to say what came instead (a web page,
# JSON): this much at most.
SNIFF_BYTES = 1 * MIB
# Reading a fast stream (or inflating a compressed one) hands the event loop back at least
# this often, so the window paints and Stop is seen within a frame.
YIELD_AFTER_S = 0.005


def _httpx_timeout(timeouts: Timeouts) -> httpx.Timeout:
    # No read timeout: one httpx read timeout cannot tell "still thinking before the first
    # token" from "went silent mid-reply"; _Deadline watches both (see Timeouts).
    return httpx.Timeout(
        connect=timeouts.connect, read=None, write=timeouts.write, pool=timeouts.connect
    )


class _Deadline:
    """The first-byte and silence timeouts of one request, on top of httpx's connect timeout.

    First byte: from sending the request until the reply's first text (content or reasoning)
    arrives, or, for an answer that is not a stream (an error, a JSON body), until its headers.
    Keep-alive comments and empty role chunks do not count: servers send them while the model
    has not started. Silence: once the reply has started, the longest gap between two lines of
    the stream (any complete line counts, ``: ping`` comments too).

    Complete lines, not bytes: a server that trickles a line that never ends (a byte now and
    then) would otherwise keep a reply "alive" for ever, below the line limit for days. A
    real server's lines are small and end within a fraction of a second; pings end too.
    """

    def __init__(self, timeouts: Timeouts) -> None:
        self._timeouts = timeouts
        self.kind = "first_byte"
        self.timer: asyncio.Timeout | None = None

    def started(self) -> None:
        """The reply has begun: from now on only silence counts."""
        if self.kind == "first_byte":
            self.kind = "silence"
            self._move(force=True)

    def finished(self) -> None:
        """[DONE] arrived: all that is left is the end of the body, which some servers hold
        open; the reply is complete however that goes, so wait for it only briefly."""
        if self.kind != "done" and self.timer is not None:
            self.kind = "done"
            self.timer.reschedule(asyncio.get_running_loop().time() + AFTER_DONE_GRACE_S)

    def alive(self) -> None:
        """A line of the stream ended: the silence clock starts again."""
        if self.kind == "silence":
            self._move(force=False)

    def _move(self, *, force: bool) -> None:
        if self.timer is None:
            return
        when = asyncio.get_running_loop().time() + self._timeouts.silence
        current = self.timer.when()
        # Each move costs a timer (under qasync a Qt timer, alive until it would have fired):
        # move at most about once a second, so silence may end up to a second (at most a tenth
        # of it) early, rather than once per chunk at hundreds of chunks a second.
        if force or current is None or when - current >= min(1.0, self._timeouts.silence / 10):
            self.timer.reschedule(when)

    def error(self) -> RequestTimeoutError:
        seconds = self._timeouts.first_byte if self.kind == "first_byte" else self._timeouts.silence
        label = "first-byte" if self.kind == "first_byte" else "silence"
        return RequestTimeoutError(f"{label} timeout ({seconds:g} s)", self.kind, seconds)


class ChatRequest:
    """One request: the model, its messages (``WireMessage``, or the protocol's own dicts,
    ``{"role": …, "content": …}``, read by openai_wire.decode_message), the sampling
    parameters, and the tools the model may call."""

    __slots__ = ("messages", "model", "params", "tool_choice", "tools")

    def __init__(
        self,
        model: str,
        messages: Iterable[WireMessage | Mapping[str, Any]],
        params: Params | None = None,
        *,
        tools: Iterable[ToolSpec] = (),
        tool_choice: ToolChoice | None = None,
    ) -> None:
        self.model = model
        self.messages: list[WireMessage] = [
            m if isinstance(m, WireMessage) else decode_message(m) for m in messages
        ]
        self.params = params if params is not None else Params()
        self.tools: tuple[ToolSpec, ...] = tuple(tools)
        self.tool_choice = tool_choice

    @property
    def has_images(self) -> bool:
        return any(
            isinstance(part, ImagePart)
            for message in self.messages
            if not isinstance(message.content, str)
            for part in message.content
        )

    def body(self, *, stream: bool = True) -> dict[str, Any]:
        return encode_request(
            self.model,
            self.messages,
            self.params,
            tools=self.tools,
            tool_choice=self.tool_choice,
            stream=stream,
        )


class _Events:
    """Where a reply's text and tool calls go: ``on_delta`` and ``on_event``. The text of one
    network read is handed on together, one call per kind in turn: a server streaming as fast
    as it can puts hundreds of events in one read, and each delivery costs a Qt signal, a
    lookup and a view update downstream (tests/benchmarks/hostile.py)."""

    def __init__(self, on_delta: DeltaCallback | None, on_event: EventCallback | None) -> None:
        self._on_delta = on_delta
        self._on_event = on_event
        self._kind = ""
        self._pieces: list[str] = []

    def text(self, kind: str, text: str) -> None:
        if kind != self._kind:
            self.flush()
            self._kind = kind
        self._pieces.append(text)

    def call(self, piece: ToolCallDelta) -> None:
        self.flush()
        if self._on_event is not None:
            self._on_event(piece)

    def event(self, event: StreamEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)

    def flush(self) -> None:
        if self._pieces:
            text = "".join(self._pieces)
            self._pieces = []
            if self._on_delta is not None:
                self._on_delta(self._kind, text)
            if self._on_event is not None:
                self._on_event(TextDelta(self._kind, text))


def _ignored() -> _Events:
    return _Events(None, None)


_CONTEXT_HINTS = (
    "context length",
    "context_length",
    "maximum context",
    "too many tokens",
    "context window",
    "prompt is too long",
    "reduce the length",
)


# DeepSeek ("Model Not Exist"), OpenRouter ("… is not a valid model ID") and others answer an
# unknown model with 400; OpenAI's exhausted quota is a 429 "insufficient_quota".
_MISSING_HINTS = (
    "not exist",
    "not found",
    "not a valid model",
    "unknown model",
    "no such model",
    "does not exist",
    "invalid model",
)
# A 400 to a request with images, about them: the model (or the server) takes none.
_IMAGE_HINTS = (
    "image",
    "vision",
    "multimodal",
    "multi-modal",
    "content type",
    "content_type",
    "unsupported content",
    "expected a string",
    "must be a string",
    "invalid type for 'messages",
)
_QUOTA_HINTS = ("insufficient_quota", "quota", "insufficient balance", "credits", "billing")


def error_detail(body: bytes | str) -> str:
    """The server's own words from an error body, whatever its shape."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:500]
    return _detail_from_json(data) or text[:500]


def _detail_from_json(data: Any, depth: int = 0) -> str:
    if isinstance(data, str):
        return data[:500]
    if depth > 8:  # {"error": {"error": ...}} nested as deep as json allows: not words
        return ""
    if isinstance(data, list):
        return "; ".join(filter(None, (_detail_from_json(item, depth + 1) for item in data[:3])))
    if isinstance(data, dict):
        for key in ("error", "detail", "message", "msg", "error_message"):
            if data.get(key):
                found = _detail_from_json(data[key], depth + 1)
                if found:
                    return found
    return ""


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now())


def status_error(
    status: int, body: bytes | str, headers: httpx.Headers | None = None, *, images: bool = False
) -> ApiError:
    """The error a status and its body say; ``images``: the request carried images (a 400
    about them then says the model takes none: ImagesRejectedError)."""
    # Servers sometimes echo the key they were given: never let it reach a message or a file.
    detail = redact(error_detail(body))
    lowered = detail.lower()
    if status == 407:
        # From a proxy on the way (a plain http:// request goes through it as is).
        return ProxyAuthError(f"{status} {detail}".strip())
    if status in (401, 403):
        return AuthenticationError(status, detail)
    if status == 402 or (status == 429 and any(h in lowered for h in _QUOTA_HINTS)):
        return QuotaError(status, detail)
    if status == 404 or (
        status in (400, 422) and "model" in lowered and any(h in lowered for h in _MISSING_HINTS)
    ):
        return NotFoundError(status, detail)
    if status == 429:
        retry = parse_retry_after(headers.get("retry-after") if headers else None)
        return RateLimitError(status, detail, retry_after=retry)
    if status >= 500:
        return ServerError(status, detail)
    if status in (400, 413, 422) and any(h in detail.lower() for h in _CONTEXT_HINTS):
        return ContextTooLongError(status, detail)
    if images and status in (400, 415, 422) and any(h in lowered for h in _IMAGE_HINTS):
        return ImagesRejectedError(status, detail)
    if status >= 400:
        return BadRequestError(status, detail)
    return HttpStatusError(status, detail)


class ChatClient:
    """One per provider; reuses its connections. Call ``aclose`` when done.

    ``network`` chooses the proxy (the system's by default; never for a server on this
    computer), the CA bundle, TLS verification and the timeouts; ``timeouts`` overrides the
    latter. ``proxy_password`` goes with ``network.proxy_user`` to a custom proxy.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeouts: Timeouts | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        network: NetworkSettings | None = None,
        proxy_password: str | None = None,
    ) -> None:
        network = network or NetworkSettings()
        self.timeouts = timeouts or network.timeouts
        self._in_flight = 0
        self._retired = False
        headers = {
            b"Accept": b"text/event-stream, application/json",
            # Only what BodyReader inflates within its limit (httpx would add br and zstd when
            # their packages are installed).
            b"Accept-Encoding": ACCEPT_ENCODING.encode("ascii"),
        }
        if api_key:
            # As bytes: a key pasted with a stray non-ASCII character must reach the server
            # (and come back as a 401), not raise UnicodeEncodeError here.
            headers[b"Authorization"] = b"Bearer " + api_key.encode("utf-8")
        self.base_url = base_url.rstrip("/")
        # Settings that cannot work (an invalid address, a CA bundle gone missing) are
        # reported on use, like any other failure, so the UI shows them where it shows errors.
        self._setup_error: ApiError | None = None
        try:
            url = httpx.URL(self.base_url + "/")
        except httpx.InvalidURL as exc:
            # httpx.InvalidURL is no httpx.HTTPError, and httpx raises it right here for some
            # addresses ("http://[::1/v1").
            self._setup_error = ConnectFailedError(
                f"{self.base_url!r} is not a valid address: {exc}"
            )
            url = httpx.URL()
        self._custom_proxy = network.proxy == PROXY_CUSTOM and transport is None
        options: dict[str, Any] = {}
        if transport is None:
            try:
                options = _network_options(url.host, network, proxy_password)
            except ApiError as exc:
                self._setup_error = self._setup_error or exc
                options = {"trust_env": False}
        self._http = httpx.AsyncClient(
            base_url=url,
            headers=headers,
            timeout=_httpx_timeout(self.timeouts),
            transport=transport,
            follow_redirects=True,
            **options,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def retire(self) -> None:
        """Close once the requests in flight have ended (at once if none are): a provider
        edited while a reply streams gets a new client, and the reply goes on to its end."""
        self._retired = True
        if self._in_flight == 0:
            await self._http.aclose()

    @contextlib.asynccontextmanager
    async def _request(self) -> AsyncIterator[None]:
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._retired and self._in_flight == 0:
                await self._http.aclose()

    async def list_models(self) -> list[str]:
        async with self._request():
            return await self._list_models()

    async def complete(self, request: ChatRequest) -> ChatResult:
        """One short non-streaming request (titles and other small jobs); the first-byte
        timeout covers the whole answer."""
        async with self._request():
            return await self._complete(request)

    async def stream_chat(
        self,
        request: ChatRequest,
        on_delta: DeltaCallback | None = None,
        *,
        on_event: EventCallback | None = None,
    ) -> ChatResult:
        """Stream one reply: its text to ``on_delta`` as it comes, and everything (text, tool
        calls in pieces, then assembled) to ``on_event``, as typed events."""
        async with self._request():
            return await self._stream_chat(request, _Events(on_delta, on_event))

    def _check_setup(self) -> None:
        if self._setup_error is not None:
            raise self._setup_error

    @contextlib.asynccontextmanager
    async def _deadline(self) -> AsyncIterator[_Deadline]:
        """Run the body under the first-byte (then silence) timeout; enter it *outside* the
        response, so that the response is closed before the timeout is reported."""
        deadline = _Deadline(self.timeouts)
        try:
            async with asyncio.timeout(self.timeouts.first_byte) as timer:
                deadline.timer = timer
                yield deadline
        except TimeoutError as exc:
            if deadline.kind == "done":
                log.info("the server kept the stream open after [DONE]; closed it")
                return
            raise deadline.error() from exc

    async def _read_whole(
        self, method: str, path: str, limit: int, what: str, *, images: bool = False, **kwargs: Any
    ) -> tuple[httpx.Response, bytes]:
        """One request, its body read to the end within ``limit`` decoded bytes (an error
        status's body within MAX_ERROR_BODY_BYTES, the rest ignored): raises ApiError."""
        try:
            async with (
                self._deadline(),
                self._http.stream(method, path, **kwargs) as response,
            ):
                if response.status_code >= 400:
                    body = await read_body(response, MAX_ERROR_BODY_BYTES, truncate=True)
                    raise status_error(response.status_code, body, response.headers, images=images)
                try:
                    body = await read_body(response, limit)
                except BodyTooLargeError as exc:
                    raise ResponseTooLargeError(
                        f"{what} is larger than {_size(exc.limit)}: stopped"
                    ) from exc
                except BodyDecodeError as exc:
                    raise StreamInterruptedError(str(exc)) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise self._transport_error(exc) from exc
        return response, body

    async def _list_models(self) -> list[str]:
        self._check_setup()
        response, body = await self._read_whole("GET", "models", MAX_MODELS_BYTES, "the model list")
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            if _body_kind(body) == "html":
                raise WebPageReplyError(_excerpt(body, page=True)) from exc
            raise BadRequestError(response.status_code, "the model list is not JSON") from exc
        items = data.get("data") if isinstance(data, dict) else data
        if not isinstance(items, list):
            items = data.get("models", []) if isinstance(data, dict) else []
        names = {
            str(item.get("id") or item.get("name"))
            for item in items
            if isinstance(item, dict) and (item.get("id") or item.get("name"))
        }
        return sorted(names, key=str.lower)

    async def _complete(self, request: ChatRequest) -> ChatResult:
        self._check_setup()
        result = ChatResult()
        response, body = await self._read_whole(
            "POST",
            "chat/completions",
            MAX_REPLY_BYTES,
            "the answer",
            images=request.has_images,
            json=request.body(stream=False),
        )
        if "text/event-stream" in response.headers.get("content-type", ""):
            # A server that streams whatever it is asked.
            self._apply_stream_body(body, result, _ignored())
        else:
            self._apply_whole(body, result, _ignored())
        result.settle()
        if not result.content and not result.tool_calls:
            raise EmptyReplyError("the server answered without any text")
        return result

    async def _stream_chat(self, request: ChatRequest, events: _Events) -> ChatResult:
        self._check_setup()
        result = ChatResult()
        try:
            async with (
                self._deadline() as deadline,
                self._http.stream("POST", "chat/completions", json=request.body()) as response,
            ):
                if response.status_code >= 400:
                    deadline.started()
                    body = await read_body(response, MAX_ERROR_BODY_BYTES, truncate=True)
                    raise status_error(
                        response.status_code, body, response.headers, images=request.has_images
                    )
                content_type = response.headers.get("content-type", "")
                if "application/json" in content_type:
                    # A server that ignored stream: true and answered in one piece.
                    deadline.started()
                    try:
                        body = await read_body(response, MAX_REPLY_BYTES)
                    except BodyTooLargeError as exc:
                        raise ResponseTooLargeError(_too_large(exc.limit)) from exc
                    except BodyDecodeError as exc:
                        raise StreamInterruptedError(str(exc)) from exc
                    self._apply_whole(body, result, events)
                    events.flush()
                else:
                    await self._read_stream(response, result, events, deadline)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = self._transport_error(exc)
            if result.started:
                raise StreamInterruptedError(str(exc) or type(exc).__name__) from exc
            raise error from exc
        done = result.settle()
        if not result.content and not result.reasoning and not result.tool_calls:
            raise EmptyReplyError("the server ended the reply without any text")
        for event in done:
            events.event(event)
        return result

    async def _read_stream(
        self,
        response: httpx.Response,
        result: ChatResult,
        deltas: _Events,
        deadline: _Deadline,
    ) -> None:
        parser = SSEParser()
        done = False
        events = 0
        head = bytearray()  # the body's start, while no event has come
        loop = asyncio.get_running_loop()
        this_task = asyncio.current_task()
        resumed = loop.time()
        # Read to the very end even after [DONE], and close the raw byte iterator explicitly
        # when an error (or a timeout, or Stop) ends the reply early: a suspended httpx async
        # generator is stranded under qasync, which installs no asyncgen hooks (DESIGN.md,
        # known pitfalls). BodyReader does both, within MAX_REPLY_BYTES.
        async with BodyReader(response, MAX_REPLY_BYTES) as body:
            while True:
                try:
                    chunk = await body.read()
                    lines = parser.lines
                    found = parser.feed(chunk) if chunk else parser.close()
                except BodyTooLargeError as exc:
                    raise ResponseTooLargeError(_too_large(exc.limit)) from exc
                except StreamLimitError as exc:
                    raise ResponseTooLargeError(
                        f"an event-stream {exc.what} is longer than {_size(exc.limit)}: stopped"
                    ) from exc
                except BodyDecodeError as exc:
                    raise StreamInterruptedError(str(exc)) from exc
                try:
                    for data in found:
                        events += 1
                        if not done:
                            done = self._apply_event(data, result, deltas)
                finally:
                    deltas.flush()  # the text so far reaches the caller, error or not
                if this_task is not None and this_task.cancelling():
                    # Stopped from within that delivery: the next read may not wait (its
                    # bytes are already here), so nothing else would let the cancellation in
                    # before another delivery.
                    await asyncio.sleep(0)
                if not chunk:
                    break
                if not events and len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    self._sniff(head, complete=False)
                if result.started:
                    deadline.started()
                if done:
                    deadline.finished()
                if parser.lines > lines:
                    deadline.alive()
                # A fast server (or an inflating body) may never make the read wait: give
                # the window its turn now and then, and let a cancellation (Stop) in.
                if loop.time() - resumed >= YIELD_AFTER_S:
                    await asyncio.sleep(0)
                    resumed = loop.time()
        if not events and not result.started:
            self._sniff(head, complete=True, result=result, events=deltas)
            deltas.flush()

    def _sniff(
        self,
        head: bytearray,
        *,
        complete: bool,
        result: ChatResult | None = None,
        events: _Events | None = None,
    ) -> None:
        """A body with no event in it so far: raise if it is something else (a web page,
        JSON) once that is sure; a complete JSON body may be a chat completion after all.
        Called at every read while nothing came: looks at no more than the first 4 KiB (a page
        sent a byte per chunk must not cost the square of its size)."""
        start = bytes(head[:4096])
        kind = _body_kind(start)
        if kind == "html" and (complete or len(head) >= 4096 or b"</title" in start.lower()):
            raise WebPageReplyError(_excerpt(bytes(head[: 64 * 1024]), page=True))
        if kind == "json" and len(head) >= SNIFF_BYTES:
            raise JsonReplyError(_excerpt(start))
        if not complete or kind in ("", "sse") or result is None:
            return  # nothing yet, or only comments: an empty reply
        if kind == "json":
            self._apply_whole(bytes(head), result, events or _ignored())
            return
        raise NotAStreamError(_excerpt(start))

    def _transport_error(self, exc: httpx.HTTPError | httpx.InvalidURL) -> ApiError:
        error = _classify_transport_error(exc, self.timeouts, custom_proxy=self._custom_proxy)
        error.detail = redact(error.detail)
        error.args = (error.detail,)
        return error

    def _apply_event(self, data: str, result: ChatResult, events: _Events) -> bool:
        """Apply one SSE event; True once the stream said [DONE]."""
        data = data.strip()
        if data == "[DONE]":
            return True
        if not data:
            return False
        try:
            event = json.loads(data)
        except (ValueError, RecursionError):  # RecursionError: nested past json's depth
            result.note("skipping a malformed stream line (%d chars)", len(data))
            return False
        if not isinstance(event, dict):
            return False
        if event.get("error"):
            raise StreamReportedError(_detail_from_json(event) or "the server reported an error")
        apply_chunk(event, result, events.text, events.call, "delta")
        return False

    def _apply_stream_body(self, body: bytes, result: ChatResult, events: _Events) -> None:
        parser = SSEParser()
        try:
            found = [*parser.feed(body), *parser.close()]
        except StreamLimitError as exc:
            raise ResponseTooLargeError(
                f"an event-stream {exc.what} is longer than {_size(exc.limit)}: stopped"
            ) from exc
        for data in found:
            if self._apply_event(data, result, events):
                break

    def _apply_whole(self, body: bytes, result: ChatResult, events: _Events) -> None:
        """A whole answer, as JSON: a chat completion, an error, or (said so) anything else."""
        try:
            event = json.loads(body)
        except (ValueError, RecursionError) as exc:
            kind = _body_kind(body)
            if kind == "html":
                raise WebPageReplyError(_excerpt(body, page=True)) from exc
            if kind == "sse":  # an event stream labelled as JSON
                self._apply_stream_body(body, result, events)
                return
            if not body.strip():
                raise EmptyReplyError("the server's answer is empty") from exc
            raise NotAStreamError(_excerpt(body)) from exc
        if isinstance(event, dict) and event.get("error"):
            raise StreamReportedError(_detail_from_json(event) or "the server reported an error")
        if not isinstance(event, dict) or not isinstance(event.get("choices"), list):
            raise JsonReplyError(_excerpt(body))
        apply_chunk(event, result, events.text, events.call, "message")


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB and limit % MIB == 0 else f"{limit} bytes"


def _too_large(limit: int) -> str:
    return f"the server sent more than {_size(limit)} for one reply: stopped"


# Comment or blank lines, then a field. One line end per repetition and no \s (which matches
# line ends too): "\s*[\r\n]+" repeated backtracked exponentially on a run of newlines.
_SSE_START = re.compile(rb"(?:[ \t]*(?::[^\r\n]*)?[\r\n])*[ \t]*(?:data|event|id|retry)[ \t]*:")


def _body_kind(body: bytes) -> str:
    """What a body looks like from its start: "html", "json", "sse", "text", or "" (empty)."""
    start = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start:
        return ""
    if start.startswith(b"<"):
        return "html"
    if start[:1] in (b"{", b"["):
        return "json"
    if _SSE_START.match(start) or start.startswith(b":"):
        return "sse"
    return "text"


def _excerpt(body: bytes, *, page: bool = False, limit: int = 160) -> str:
    """A short, single-line, printable excerpt of a body (a page's title first), with
    anything that looks like a key redacted."""
    text = " ".join(body[:4096].decode("utf-8", errors="replace").split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _printable(text)
    if page:
        title = _title(body[: 64 * 1024])
        if title is not None:
            name = " ".join(html.unescape(title.decode("utf-8", errors="replace")).split())
            name = _printable(name[:100])
            text = f'a web page titled "{name}": {text}' if name else f"a web page: {text}"
        else:
            text = f"a web page: {text}"
    return redact(text)


def _title(page: bytes) -> bytes | None:
    """The first <title>'s text. By hand, not a pattern: "<title[^>]*>(.*?)</title" took
    seconds on a page of "<title>" repeated (every start tried, each scanning to the end)."""
    lowered = page.lower()
    start = lowered.find(b"<title")
    if start == -1:
        return None
    opened = lowered.find(b">", start)
    if opened == -1:
        return None
    end = lowered.find(b"</title", opened)
    return page[opened + 1 : end] if end != -1 else None


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def _network_options(
    host: str, network: NetworkSettings, proxy_password: str | None
) -> dict[str, Any]:
    """httpx.AsyncClient arguments for the proxy and TLS settings; raises ApiError."""
    options: dict[str, Any] = {"verify": _ssl_context(network)}
    if network.proxy == PROXY_CUSTOM:
        try:
            proxy = parse_proxy_url(network.proxy_url)
        except ProxyUrlError as exc:
            raise ProxyFailedError(
                f"the proxy address {strip_credentials(network.proxy_url)!r} is not valid "
                f"({exc.reason})"
            ) from exc
        user = network.proxy_user or proxy.user
        password = proxy_password or proxy.password
        auth = (user, password) if user else None
        register_login(user, password)  # its base64 (Basic) is masked in errors and the log
        try:
            options["proxy"] = httpx.Proxy(proxy.url, auth=auth)
        except ValueError as exc:  # a scheme this httpx does not know (socks5h before 0.28)
            raise ProxyFailedError(f"{proxy.url}: {exc}") from exc
        options["trust_env"] = False
    else:
        # The system proxy comes from the environment (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY) or,
        # on Windows and macOS, the OS settings (httpx's trust_env). A server on this computer
        # (Ollama, LM Studio) is reached directly whatever they say: a corporate proxy cannot
        # reach the user's localhost, and NO_PROXY is rarely set for it.
        options["trust_env"] = network.proxy == PROXY_SYSTEM and not is_loopback(host)
    return options


# One TLS context for the clients of the same TLS settings: building one (certifi's authorities
# loaded) takes ~75 ms, and a comparison of three providers paid it three times on the UI thread
# as its replies began. A context serves any number of connections (httpcore sets the same ALPN,
# HTTP/1.1, on it for each: no client of ours asks for HTTP/2).
_SSL_CONTEXTS: dict[tuple[object, ...], ssl.SSLContext] = {}


def _ssl_context(network: NetworkSettings) -> ssl.SSLContext:
    path = os.path.expanduser(network.ca_bundle) if network.ca_bundle else ""
    try:  # the bundle edited: built again
        stat = os.stat(path) if path else None
        stamp = (stat.st_mtime_ns, stat.st_size) if stat else (0, 0)
    except OSError:
        stamp = (-1, -1)  # gone: load_verify_locations says so below, each time
    key = (
        network.verify_tls,
        path,
        stamp,
        os.environ.get("SSL_CERT_FILE"),
        os.environ.get("SSL_CERT_DIR"),
    )
    context = _SSL_CONTEXTS.get(key)
    if context is None:
        context = _build_ssl_context(network, path)
        if len(_SSL_CONTEXTS) >= 8:
            _SSL_CONTEXTS.clear()
        _SSL_CONTEXTS[key] = context
    return context


def _build_ssl_context(network: NetworkSettings, path: str) -> ssl.SSLContext:
    if not network.verify_tls:
        return httpx.create_ssl_context(verify=False)
    # The usual authorities (certifi, or SSL_CERT_FILE) plus the user's own: a bundle with
    # only the company's root still lets other hosts verify.
    context = httpx.create_ssl_context()
    if path:
        try:
            context.load_verify_locations(cafile=path)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            raise CertificateError(
                f"the CA bundle {network.ca_bundle!r} cannot be used: {exc}"
            ) from exc
    return context


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _classify_transport_error(
    exc: httpx.HTTPError | httpx.InvalidURL, timeouts: Timeouts, *, custom_proxy: bool
) -> ApiError:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.LocalProtocolError):
        # h11 refuses e.g. a header with a newline: a key pasted with a line break. Its text
        # would quote the header (the key), so say only what is wrong.
        return InvalidKeyError("the API key contains characters that cannot be sent")
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return RequestTimeoutError(
            f"connect timeout ({timeouts.connect:g} s)", "connect", timeouts.connect
        )
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(type(exc).__name__)
    if isinstance(exc, httpx.ProxyError):
        # httpcore's words: "407 Proxy Authentication Required" (HTTP CONNECT); for SOCKS5
        # "Invalid username/password", or "Requested NO AUTHENTICATION REQUIRED from proxy
        # server, but got …" when the proxy wants a login that was not given.
        lowered = text.lower()
        if lowered.startswith("407") or any(
            hint in lowered for hint in ("username/password", "requested no authentication")
        ):
            return ProxyAuthError(text)
        return ProxyFailedError(text)
    if _caused_by(exc, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
        return CertificateError(text)
    if custom_proxy and isinstance(exc, httpx.ConnectError) and not _caused_by(exc, ssl.SSLError):
        # With a proxy set, every connection is made to the proxy.
        return ProxyFailedError(text)
    if isinstance(exc, httpx.ConnectError | httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ConnectFailedError(text)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return StreamInterruptedError(text)
    return ConnectFailedError(text)
