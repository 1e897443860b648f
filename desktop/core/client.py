"""Async client for OpenAI-compatible chat servers, liberal in what it accepts.

Streams are consumed by ``stream_chat``, which calls ``on_delta`` for each piece of text and
returns the finished reply; it raises an ``ApiError`` subclass for anything that went wrong.
The text received before an error has already been handed to ``on_delta``, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import os
import ssl
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import httpx

from desktop.core.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    CertificateError,
    ConnectFailedError,
    ContextTooLongError,
    EmptyReplyError,
    HttpStatusError,
    InvalidKeyError,
    NotFoundError,
    ProxyAuthError,
    ProxyFailedError,
    QuotaError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StreamInterruptedError,
    StreamReportedError,
)
from desktop.core.logs import redact, register_login
from desktop.core.models import Params, Usage
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
from desktop.core.sse import SSEParser

log = logging.getLogger("confab.client")

__all__ = ["ChatClient", "ChatRequest", "ChatResult", "NetworkSettings", "Timeouts"]

DeltaCallback = Callable[[str, str], None]
"""Called as ``on_delta(kind, text)`` with kind ``"content"`` or ``"reasoning"``."""


# After [DONE], how long the rest of the body may take before the connection is dropped.
AFTER_DONE_GRACE_S = 2.0


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
    has not started. Silence: once the reply has started, the longest gap between two chunks
    of the body (any bytes count, pings too).
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
        """Bytes arrived: the silence clock starts again."""
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


@dataclass
class ChatRequest:
    model: str
    messages: list[dict[str, str]]
    params: Params = field(default_factory=Params)

    def body(self, *, stream: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": self.messages, "stream": stream}
        if stream:
            body["stream_options"] = {"include_usage": True}
        for key, value in self.params.to_dict().items():
            if value is not None:
                body[key] = value
        return body


class SurrogateJoiner:
    """Re-joins characters outside the BMP that a server split across two deltas.

    Some proxies cut text in UTF-16 units, so an emoji arrives as "\\ud83d" then "\\ude00":
    two lone surrogates that no UTF-8 encoder accepts (the conversation could not be saved).
    A trailing high surrogate waits for the next piece; anything unpaired becomes U+FFFD.
    """

    def __init__(self) -> None:
        self._pending: dict[str, str] = {}

    def __call__(self, kind: str, text: str) -> str:
        text = self._pending.pop(kind, "") + text
        if text and "\ud800" <= text[-1] <= "\udbff":
            self._pending[kind] = text[-1]
            text = text[:-1]
        if any("\ud800" <= ch <= "\udfff" for ch in text):
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return text


@dataclass
class ChatResult:
    content: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    model: str | None = None
    joiner: SurrogateJoiner = field(default_factory=SurrogateJoiner, repr=False, compare=False)


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


def _detail_from_json(data: Any) -> str:
    if isinstance(data, str):
        return data[:500]
    if isinstance(data, list):
        return "; ".join(filter(None, (_detail_from_json(item) for item in data[:3])))
    if isinstance(data, dict):
        for key in ("error", "detail", "message", "msg", "error_message"):
            if data.get(key):
                found = _detail_from_json(data[key])
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


def status_error(status: int, body: bytes | str, headers: httpx.Headers | None = None) -> ApiError:
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
        headers = {b"Accept": b"text/event-stream, application/json"}
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

    async def stream_chat(self, request: ChatRequest, on_delta: DeltaCallback) -> ChatResult:
        async with self._request():
            return await self._stream_chat(request, on_delta)

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

    async def _list_models(self) -> list[str]:
        self._check_setup()
        try:
            async with self._deadline():
                response = await self._http.get("models")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise self._transport_error(exc) from exc
        if response.status_code >= 400:
            raise status_error(response.status_code, response.content, response.headers)
        try:
            data = response.json()
        except ValueError as exc:
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
        try:
            async with self._deadline():
                response = await self._http.post(
                    "chat/completions", json=request.body(stream=False)
                )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise self._transport_error(exc) from exc
        if response.status_code >= 400:
            raise status_error(response.status_code, response.content, response.headers)
        if "text/event-stream" in response.headers.get("content-type", ""):
            # A server that streams whatever it is asked.
            parser = SSEParser()
            for data in [*parser.feed(response.content), *parser.close()]:
                if self._apply_event(data, result, _ignore_delta):
                    break
        else:
            self._apply_whole(response.content, result, _ignore_delta)
        if not result.content:
            raise EmptyReplyError("the server answered without any text")
        return result

    async def _stream_chat(self, request: ChatRequest, on_delta: DeltaCallback) -> ChatResult:
        self._check_setup()
        result = ChatResult()
        try:
            async with (
                self._deadline() as deadline,
                self._http.stream("POST", "chat/completions", json=request.body()) as response,
            ):
                if response.status_code >= 400:
                    deadline.started()
                    body = await response.aread()
                    raise status_error(response.status_code, body, response.headers)
                content_type = response.headers.get("content-type", "")
                if "application/json" in content_type:
                    # A server that ignored stream: true and answered in one piece.
                    deadline.started()
                    body = await response.aread()
                    self._apply_whole(body, result, on_delta)
                else:
                    await self._read_stream(response, result, on_delta, deadline)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = self._transport_error(exc)
            if result.content or result.reasoning:
                raise StreamInterruptedError(str(exc) or type(exc).__name__) from exc
            raise error from exc
        if not result.content and not result.reasoning:
            raise EmptyReplyError("the server ended the reply without any text")
        return result

    async def _read_stream(
        self,
        response: httpx.Response,
        result: ChatResult,
        on_delta: DeltaCallback,
        deadline: _Deadline,
    ) -> None:
        parser = SSEParser()
        done = False
        # Read to the very end even after [DONE], and close the byte iterator explicitly when
        # an error event (or a timeout) ends the reply early: a suspended httpx async generator
        # is stranded under qasync, which installs no asyncgen hooks (DESIGN.md, known pitfalls).
        # httpx types it as an AsyncIterator; it is an async generator, with aclose().
        byte_stream = cast(AsyncGenerator[bytes, None], response.aiter_bytes())
        async with contextlib.aclosing(byte_stream) as chunks:
            async for chunk in chunks:
                for data in parser.feed(chunk):
                    if not done:
                        done = self._apply_event(data, result, on_delta)
                if result.content or result.reasoning:
                    deadline.started()
                if done:
                    deadline.finished()
                deadline.alive()
        for data in parser.close():
            if not done:
                done = self._apply_event(data, result, on_delta)

    def _transport_error(self, exc: httpx.HTTPError | httpx.InvalidURL) -> ApiError:
        error = _classify_transport_error(exc, self.timeouts, custom_proxy=self._custom_proxy)
        error.detail = redact(error.detail)
        error.args = (error.detail,)
        return error

    def _apply_event(self, data: str, result: ChatResult, on_delta: DeltaCallback) -> bool:
        """Apply one SSE event; True once the stream said [DONE]."""
        data = data.strip()
        if data == "[DONE]":
            return True
        if not data:
            return False
        try:
            event = json.loads(data)
        except ValueError:
            log.warning("skipping malformed stream line (%d chars)", len(data))
            return False
        if not isinstance(event, dict):
            return False
        if event.get("error"):
            raise StreamReportedError(_detail_from_json(event) or "the server reported an error")
        self._apply_chunk(event, result, on_delta, delta_key="delta")
        return False

    def _apply_whole(self, body: bytes, result: ChatResult, on_delta: DeltaCallback) -> None:
        try:
            event = json.loads(body)
        except ValueError as exc:
            raise EmptyReplyError("the server's answer is not JSON") from exc
        if not isinstance(event, dict):
            raise EmptyReplyError("the server's answer is not a chat completion")
        if event.get("error"):
            raise StreamReportedError(_detail_from_json(event))
        self._apply_chunk(event, result, on_delta, delta_key="message")

    @staticmethod
    def _apply_chunk(
        event: dict[str, Any], result: ChatResult, on_delta: DeltaCallback, delta_key: str
    ) -> None:
        if isinstance(event.get("model"), str) and event["model"]:
            result.model = event["model"]
        usage = event.get("usage")
        if isinstance(usage, dict) and usage:
            result.usage = Usage.from_dict(usage)
        choices = event.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            return
        choice = choices[0]
        delta = choice.get(delta_key)
        if isinstance(delta, dict):
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                reasoning = result.joiner("reasoning", reasoning)
                if reasoning:
                    result.reasoning += reasoning
                    on_delta("reasoning", reasoning)
            content = delta.get("content")
            if isinstance(content, str) and content:
                content = result.joiner("content", content)
                if content:
                    result.content += content
                    on_delta("content", content)
        if choice.get("finish_reason"):
            result.finish_reason = str(choice["finish_reason"])


def _ignore_delta(_kind: str, _text: str) -> None:
    pass


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


def _ssl_context(network: NetworkSettings) -> ssl.SSLContext:
    if not network.verify_tls:
        return httpx.create_ssl_context(verify=False)
    # The usual authorities (certifi, or SSL_CERT_FILE) plus the user's own: a bundle with
    # only the company's root still lets other hosts verify.
    context = httpx.create_ssl_context()
    if network.ca_bundle:
        path = os.path.expanduser(network.ca_bundle)
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
