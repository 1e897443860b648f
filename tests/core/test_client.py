"""ChatClient against a real loopback OpenAI-compatible server (tests/support/openai_server.py)."""

from __future__ import annotations

import asyncio
import email.utils
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from desktop.core.client import ChatClient, ChatRequest, ChatResult, Timeouts
from desktop.core.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConnectFailedError,
    ContextTooLongError,
    EmptyReplyError,
    HttpStatusError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StreamInterruptedError,
    StreamReportedError,
    WebPageReplyError,
)
from desktop.core.models import Params, Usage
from tests.support.openai_server import OpenAIServer, Reply

Deltas = list[tuple[str, str]]
HELLO = [{"role": "user", "content": "Hello"}]


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(models=["test-model", "other-model"]) as running:
        yield running


def chat(
    base_url: str,
    messages: list[dict[str, str]] | None = None,
    *,
    api_key: str | None = None,
    timeouts: Timeouts | None = None,
    params: Params | None = None,
    deltas: Deltas | None = None,
) -> ChatResult:
    """One stream_chat on a fresh client; the deltas land in ``deltas``."""
    received = deltas if deltas is not None else []
    request = ChatRequest("test-model", messages or HELLO, params or Params())

    async def go() -> ChatResult:
        client = ChatClient(base_url, api_key, timeouts=timeouts)
        try:
            return await client.stream_chat(request, lambda k, t: received.append((k, t)))
        finally:
            await client.aclose()

    return asyncio.run(go())


def chat_fails(base_url: str, error: type[ApiError], **kwargs: Any) -> tuple[ApiError, Deltas]:
    """stream_chat must raise exactly ``error``; returns it and the deltas delivered before."""
    deltas: Deltas = []
    with pytest.raises(error) as info:
        chat(base_url, deltas=deltas, **kwargs)
    assert type(info.value) is error
    return info.value, deltas


def list_models(base_url: str, api_key: str | None = None) -> list[str]:
    async def go() -> list[str]:
        client = ChatClient(base_url, api_key)
        try:
            return await client.list_models()
        finally:
            await client.aclose()

    return asyncio.run(go())


def pieces(text: str, size: int, kind: str = "content") -> Deltas:
    return [(kind, text[i : i + size]) for i in range(0, len(text), size)]


def merged(deltas: Deltas) -> Deltas:
    """Deltas with neighbours of one kind joined: the client hands on the text of each network
    read at once, and how the server's events fall into reads is up to the machine."""
    out: Deltas = []
    for kind, text in deltas:
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))
    return out


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- a normal reply ---------------------------------------------------------------------


def test_streamed_text_arrives_in_order(server: OpenAIServer) -> None:
    text = "The quick brown fox jumps over the lazy dög 🙂"
    server.enqueue(Reply(text=text, chunk_size=3))
    deltas: Deltas = []
    result = chat(server.base_url, deltas=deltas)
    assert merged(deltas) == merged(pieces(text, 3))
    assert result.content == text
    assert result.reasoning == ""
    assert result.finish_reason == "stop"
    assert result.model == "test-model"


def test_deltas_are_delivered_while_the_stream_is_still_coming(server: OpenAIServer) -> None:
    # The server holds the rest of the reply until the first delta has reached us: a client
    # that waited for the end of the stream would never see it (and fail on its silence timeout).
    gate = threading.Event()
    server.enqueue(Reply(text="abcdef", chunk_size=2, stall_after=1, gate=gate))
    held_back: list[bool] = []

    def on_delta(kind: str, text: str) -> None:
        held_back.append(not gate.is_set())
        gate.set()

    async def go() -> ChatResult:
        client = ChatClient(server.base_url, timeouts=Timeouts(first_byte=10, silence=10))
        try:
            return await client.stream_chat(ChatRequest("test-model", HELLO), on_delta)
        finally:
            await client.aclose()

    result = asyncio.run(go())
    assert result.content == "abcdef"
    assert held_back[0] and not any(held_back[1:])  # the first came while the rest was held


def test_the_whole_conversation_is_sent(server: OpenAIServer) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "First question"},
        {"role": "assistant", "content": "First answer"},
        {"role": "user", "content": "Second question"},
    ]
    result = chat(server.base_url, messages)
    assert result.content == "echo[4]: Second question"
    [request] = server.chat_requests()
    assert request["json"]["messages"] == messages


def test_request_body_asks_for_a_stream_with_usage(server: OpenAIServer) -> None:
    chat(server.base_url, params=Params(temperature=0.5, max_tokens=64))
    [request] = server.chat_requests()
    assert request["method"] == "POST"
    assert request["path"] == "/v1/chat/completions"
    body = request["json"]
    assert body["model"] == "test-model"
    assert body["messages"] == HELLO
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["temperature"] == 0.5
    assert body["max_tokens"] == 64
    assert "top_p" not in body


def test_usage_is_stored(server: OpenAIServer) -> None:
    server.enqueue(Reply(text="0123456789", chunk_size=4))
    messages = [{"role": "system", "content": "abcdefgh"}, {"role": "user", "content": "xyz"}]
    result = chat(server.base_url, messages)
    # The server counts (8 + 3) // 4 + 1 prompt tokens and one token per chunk.
    assert result.usage == Usage(prompt_tokens=3, completion_tokens=3, total_tokens=6)
    assert result.usage is not None and not result.usage.estimated


def test_no_usage_when_the_server_ignores_include_usage(server: OpenAIServer) -> None:
    server.enqueue(Reply(text="fine", usage=False))
    result = chat(server.base_url)
    assert result.content == "fine"
    assert result.usage is None


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_deltas(server: OpenAIServer, field: str) -> None:
    server.enqueue(Reply(text="It is 4.", reasoning="Two plus two…", reasoning_field=field))
    deltas: Deltas = []
    result = chat(server.base_url, deltas=deltas)
    assert merged(deltas) == [("reasoning", "Two plus two…"), ("content", "It is 4.")]
    assert result.reasoning == "Two plus two…"
    assert result.content == "It is 4."


def test_reasoning_only_reply_is_not_empty(server: OpenAIServer) -> None:
    server.enqueue(Reply(text="", reasoning="thinking", finish_reason="length"))
    result = chat(server.base_url)
    assert (result.content, result.reasoning, result.finish_reason) == ("", "thinking", "length")


# ---- keys ----------------------------------------------------------------------------


def test_authorization_header_is_sent_with_a_key(server: OpenAIServer) -> None:
    chat(server.base_url, api_key="sk-test")
    assert list_models(server.base_url, "sk-test") == ["other-model", "test-model"]
    assert [r["headers"].get("authorization") for r in server.requests] == ["Bearer sk-test"] * 2


@pytest.mark.parametrize("key", [None, ""])
def test_no_authorization_header_without_a_key(server: OpenAIServer, key: str | None) -> None:
    chat(server.base_url, api_key=key)
    list_models(server.base_url, key)
    assert len(server.requests) == 2
    assert all("authorization" not in r["headers"] for r in server.requests)


@pytest.mark.parametrize("key", [None, "sk-wrong", "sk-rïght"])
def test_wrong_or_missing_key_is_an_authentication_error(key: str | None) -> None:
    with OpenAIServer(api_key="sk-right") as server:
        error, deltas = chat_fails(server.base_url, AuthenticationError, api_key=key)
        assert error.detail == "Incorrect API key provided"
        assert isinstance(error, HttpStatusError) and error.status == 401
        assert deltas == []
        with pytest.raises(AuthenticationError):
            list_models(server.base_url, key)
        assert chat(server.base_url, api_key="sk-right").content == "echo[1]: Hello"


# ---- servers that differ from the reference -------------------------------------------

TEXT = "Grüße, 世界! Some text 🙂 spread over chunks."


@pytest.mark.parametrize(
    "options",
    [
        {"crlf": True},
        {"no_space": True},
        {"comments": True},
        {"crlf": True, "no_space": True, "comments": True, "chunk_size": 1},
        {"done": False},
        {"finish_reason": None},
        {"done": False, "finish_reason": None, "usage": False},
        {"malformed_line": True},
        {"delay": 0.005, "chunk_size": 7},
    ],
    ids=repr,
)
def test_liberal_in_what_it_accepts(server: OpenAIServer, options: dict[str, Any]) -> None:
    server.enqueue(Reply(text=TEXT, **options))
    deltas: Deltas = []
    result = chat(server.base_url, deltas=deltas)
    assert result.content == TEXT
    assert "".join(text for _, text in deltas) == TEXT
    expected_finish = "stop" if options.get("finish_reason", "stop") else None
    assert result.finish_reason == expected_finish


def test_connection_is_reused_after_a_stream(server: OpenAIServer) -> None:
    async def go() -> list[str]:
        client = ChatClient(server.base_url)
        try:
            first = await client.stream_chat(ChatRequest("test-model", HELLO), _ignore)
            second = await client.stream_chat(ChatRequest("test-model", HELLO * 3), _ignore)
            return [first.content, second.content]
        finally:
            await client.aclose()

    assert asyncio.run(go()) == ["echo[1]: Hello", "echo[3]: Hello"]
    first, second = server.chat_requests()
    assert first["client_port"] == second["client_port"]


def _ignore(kind: str, text: str) -> None:
    pass


def test_json_answer_is_accepted(server: OpenAIServer) -> None:
    server.enqueue(Reply(text="Whole answer", reasoning="hmm", json_response=True))
    deltas: Deltas = []
    result = chat(server.base_url, deltas=deltas)
    assert deltas == [("reasoning", "hmm"), ("content", "Whole answer")]
    assert result.content == "Whole answer"
    assert result.finish_reason == "stop"
    assert result.usage == Usage(prompt_tokens=2, completion_tokens=3, total_tokens=5)


# ---- streams that go wrong: the text so far is delivered first -------------------------


def test_cut_connection_is_stream_interrupted(server: OpenAIServer) -> None:
    server.enqueue(Reply(text="abcdefghijkl", chunk_size=3, cut_after=2))
    _, deltas = chat_fails(server.base_url, StreamInterruptedError)
    assert merged(deltas) == [("content", "abcdef")]


def test_cut_before_any_text_is_stream_interrupted(server: OpenAIServer) -> None:
    server.enqueue(Reply(text="abcdef", cut_after=0))
    _, deltas = chat_fails(server.base_url, StreamInterruptedError)
    assert deltas == []


def test_error_object_in_the_stream(server: OpenAIServer) -> None:
    error = {"message": "The model is overloaded", "type": "server_error", "code": None}
    server.enqueue(Reply(text="abcdefghi", chunk_size=3, stream_error=error))
    exc, deltas = chat_fails(server.base_url, StreamReportedError)
    assert exc.detail == "The model is overloaded"
    assert deltas == [("content", "abc")]


def test_server_gone_silent_mid_stream_keeps_the_text_and_names_the_timeout(
    server: OpenAIServer,
) -> None:
    # Held until the server stops: only the silence timeout can end this reply.
    server.enqueue(Reply(text="abcdefgh", chunk_size=4, stall_after=1, gate=threading.Event()))
    exc, deltas = chat_fails(
        server.base_url, RequestTimeoutError, timeouts=Timeouts(first_byte=5, silence=0.3)
    )
    assert deltas == [("content", "abcd")]
    assert isinstance(exc, RequestTimeoutError)
    assert (exc.kind, exc.seconds) == ("silence", 0.3)


def test_empty_body_is_an_empty_reply(server: OpenAIServer) -> None:
    server.enqueue(Reply(empty=True))
    chat_fails(server.base_url, EmptyReplyError)


def test_stream_without_text_is_an_empty_reply(server: OpenAIServer) -> None:
    server.enqueue(Reply(text=""))
    _, deltas = chat_fails(server.base_url, EmptyReplyError)
    assert deltas == []


def test_json_answer_that_is_a_web_page_is_said_to_be_one(server: OpenAIServer) -> None:
    server.enqueue(Reply(body="<html>oops</html>", headers={"Content-Type": "application/json"}))
    error, _ = chat_fails(server.base_url, WebPageReplyError)
    assert "<html>oops</html>" in error.detail


# ---- error statuses ---------------------------------------------------------------------

CONTEXT_MESSAGE = (
    "This model's maximum context length is 8192 tokens. However, your messages resulted in "
    "9000 tokens. Please reduce the length of the messages."
)
CONTEXT_BODY = json.dumps(
    {
        "error": {
            "message": CONTEXT_MESSAGE,
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }
)


@pytest.mark.parametrize(
    ("status", "body", "error", "detail"),
    [
        (401, None, AuthenticationError, "Incorrect API key provided"),
        (
            403,
            '{"error": {"message": "Country not supported"}}',
            AuthenticationError,
            "Country not supported",
        ),
        (404, None, NotFoundError, "The model does not exist"),
        (429, None, RateLimitError, "Rate limit reached, please try again later"),
        (500, None, ServerError, "The server had an error while processing your request"),
        (502, "Bad Gateway: upstream is down\n", ServerError, "Bad Gateway: upstream is down"),
        (503, '{"detail": "Model is warming up"}', ServerError, "Model is warming up"),
        (400, CONTEXT_BODY, ContextTooLongError, CONTEXT_MESSAGE),
        (
            413,
            "prompt is too long: 200000 tokens > 100000 maximum",
            ContextTooLongError,
            "prompt is too long: 200000 tokens > 100000 maximum",
        ),
        (
            400,
            '{"error": {"message": "temperature must be at most 2"}}',
            BadRequestError,
            "temperature must be at most 2",
        ),
        (
            422,
            '{"detail": [{"loc": ["body", "messages"], "msg": "field required"}]}',
            BadRequestError,
            "field required",
        ),
        (
            400,
            '{"message": "Unsupported parameter: top_k", "object": "error"}',
            BadRequestError,
            "Unsupported parameter: top_k",
        ),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_error_status_gives_the_servers_words(
    server: OpenAIServer, status: int, body: str | None, error: type[ApiError], detail: str
) -> None:
    server.enqueue(Reply(status=status, body=body))
    exc, deltas = chat_fails(server.base_url, error)
    assert isinstance(exc, HttpStatusError)
    assert exc.status == status
    assert exc.detail == detail
    assert deltas == []


@pytest.mark.parametrize(
    ("header", "expected"), [("2", 2.0), ("0.5", 0.5), (None, None), ("soon", None)]
)
def test_retry_after(server: OpenAIServer, header: str | None, expected: float | None) -> None:
    headers = {"Retry-After": header} if header is not None else {}
    server.enqueue(Reply(status=429, headers=headers))
    exc, _ = chat_fails(server.base_url, RateLimitError)
    assert isinstance(exc, RateLimitError)
    assert exc.retry_after == expected


def test_retry_after_as_a_date(server: OpenAIServer) -> None:
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.enqueue(Reply(status=429, headers={"Retry-After": later}))
    exc, _ = chat_fails(server.base_url, RateLimitError)
    assert isinstance(exc, RateLimitError) and exc.retry_after is not None
    assert 25 <= exc.retry_after <= 31


# ---- the model list ---------------------------------------------------------------------


def test_list_models() -> None:
    with OpenAIServer(models=["b-model", "A-model", "c"]) as server:
        assert list_models(server.base_url) == ["A-model", "b-model", "c"]
        [request] = server.requests
        assert (request["method"], request["path"]) == ("GET", "/v1/models")


def test_list_models_with_a_wrong_base_url(server: OpenAIServer) -> None:
    with pytest.raises(NotFoundError) as info:
        list_models(server.url + "/api")
    assert "/api/models" in info.value.detail


# ---- servers that cannot be reached ---------------------------------------------------


def test_closed_port_is_connect_failed() -> None:
    base_url = f"http://127.0.0.1:{closed_port()}/v1"
    chat_fails(base_url, ConnectFailedError)
    with pytest.raises(ConnectFailedError):
        list_models(base_url)


@pytest.mark.parametrize("base_url", ["http://[::1/v1", "localhost:8080/v1", "", "ftp://x/v1"])
def test_malformed_base_url_is_connect_failed(base_url: str) -> None:
    exc, _ = chat_fails(base_url, ConnectFailedError)
    assert exc.detail
    with pytest.raises(ConnectFailedError):
        list_models(base_url)


def test_slow_first_byte_is_a_timeout(server: OpenAIServer) -> None:
    server.enqueue(Reply(gate=threading.Event()))  # no status line until the server stops
    exc, _ = chat_fails(
        server.base_url, RequestTimeoutError, timeouts=Timeouts(first_byte=0.3, silence=30)
    )
    assert isinstance(exc, RequestTimeoutError)
    assert (exc.kind, exc.seconds) == ("first_byte", 0.3)
    assert "first-byte" in exc.detail


def test_unknown_model_as_400_quota_and_payment_errors_are_named() -> None:
    from desktop.core.client import status_error
    from desktop.core.errors import NotFoundError, QuotaError, RateLimitError

    assert isinstance(status_error(400, '{"error":{"message":"Model Not Exist"}}'), NotFoundError)
    assert isinstance(
        status_error(400, '{"error":{"message":"foo/bar is not a valid model ID"}}'),
        NotFoundError,
    )
    assert isinstance(status_error(402, '{"error":{"message":"Insufficient credits"}}'), QuotaError)
    quota = status_error(
        429, '{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}'
    )
    assert isinstance(quota, QuotaError)
    assert type(status_error(429, '{"error":{"message":"slow down"}}')) is RateLimitError


def test_a_server_echoing_the_key_never_puts_it_in_an_error(openai_server: Any) -> None:
    from desktop.core.client import status_error
    from desktop.core.logs import register_secret

    register_secret("sk-echoed-secret-999")
    error = status_error(401, '{"error":{"message":"Incorrect API key: sk-echoed-secret-999"}}')
    assert "sk-echoed-secret-999" not in error.detail
    assert "Incorrect API key" in error.detail


def test_a_key_with_a_line_break_is_an_invalid_key_not_a_leak(openai_server: Any) -> None:
    from desktop.core.errors import InvalidKeyError

    async def go() -> None:
        client = ChatClient(openai_server.base_url, "sk-line\nbreak-777")
        try:
            with pytest.raises(InvalidKeyError) as caught:
                await client.stream_chat(
                    ChatRequest("test-model", [{"role": "user", "content": "hi"}]),
                    lambda kind, text: None,
                )
        finally:
            await client.aclose()
        assert "break-777" not in caught.value.detail and "sk-line" not in str(caught.value)

    asyncio.run(go())


class _DoneThenHang(httpx.AsyncByteStream):
    """A body that says [DONE] and then keeps the connection open (some servers and buffering
    proxies do)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = {"choices": [{"delta": {"content": "complete answer"}, "finish_reason": "stop"}]}
        yield f"data: {json.dumps(chunk)}\n\n".encode()
        yield b"data: [DONE]\n\n"
        await asyncio.sleep(3600)


def test_a_stream_held_open_after_done_ends_as_a_complete_reply() -> None:
    transport = httpx.MockTransport(
        lambda _request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_DoneThenHang()
        )
    )
    # A silence timeout shorter than the grace after [DONE]: the grace is what applies.
    client = ChatClient(
        "http://x/v1",
        transport=transport,
        timeouts=Timeouts(connect=5, first_byte=5, silence=0.5),
    )

    async def main() -> ChatResult:
        try:
            # Not a measurement: without the grace this would hang for an hour.
            return await asyncio.wait_for(
                client.stream_chat(ChatRequest("m", []), lambda _k, _t: None), 60
            )
        finally:
            await client.aclose()

    result = asyncio.run(main())
    assert result.content == "complete answer" and result.finish_reason == "stop"
