"""ChatClient against a hostile loopback server: bombs, endless lines, floods, odd usage, and
answers that are not what they claim. Each ends the way the user can be told about, with the
good text kept (tests/support/openai_server.py has the modes)."""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from desktop.core.client import (
    MAX_ERROR_BODY_BYTES,
    MAX_REPLY_BYTES,
    ChatClient,
    ChatRequest,
    ChatResult,
    Timeouts,
)
from desktop.core.errors import (
    ApiError,
    JsonReplyError,
    NotAStreamError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    StreamReportedError,
    WebPageReplyError,
)
from tests.support.openai_server import PORTAL_PAGE, OpenAIServer, Reply

Deltas = list[tuple[str, str]]
HELLO = [{"role": "user", "content": "Hello"}]
GIB = 1 << 30


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(models=["test-model"]) as running:
        yield running


def chat(
    server: OpenAIServer, reply: Reply | None, deltas: Deltas, timeouts: Timeouts | None = None
) -> ChatResult:
    if reply is not None:
        server.enqueue(reply)

    async def go() -> ChatResult:
        client = ChatClient(server.base_url, timeouts=timeouts)
        try:
            return await client.stream_chat(
                ChatRequest("test-model", HELLO), lambda k, t: deltas.append((k, t))
            )
        finally:
            await client.aclose()

    return asyncio.run(go())


def fails(
    server: OpenAIServer, reply: Reply, error: type[ApiError], timeouts: Timeouts | None = None
) -> tuple[ApiError, str]:
    """The reply must fail with exactly ``error``; returns it and the text delivered first."""
    deltas: Deltas = []
    with pytest.raises(error) as info:
        chat(server, reply, deltas, timeouts)
    assert type(info.value) is error
    return info.value, "".join(t for k, t in deltas if k == "content")


# ---- unbounded input -------------------------------------------------------------------


def test_a_gzip_bomb_after_the_text_stops_at_the_reply_limit_and_keeps_the_text(
    server: OpenAIServer,
) -> None:
    # A megabyte or two on the wire, a gigabyte of keep-alive comments once inflated.
    reply = Reply(text="Good text before the bomb.", gzip_bomb=GIB)
    error, text = fails(server, reply, ResponseTooLargeError)
    assert text == "Good text before the bomb."
    assert error.detail == "the server sent more than 64 MiB for one reply: stopped"


def test_a_gzip_bomb_of_one_endless_line_stops_at_the_line_limit(server: OpenAIServer) -> None:
    reply = Reply(text="Before.", gzip_bomb=GIB, bomb_fill=b"x")
    error, text = fails(server, reply, ResponseTooLargeError)
    assert text == "Before."
    assert error.detail == "an event-stream line is longer than 8 MiB: stopped"


def test_a_gzip_bombed_json_answer_stops_at_the_reply_limit(server: OpenAIServer) -> None:
    error, text = fails(
        server, Reply(text="hi", json_response=True, gzip_bomb=GIB), ResponseTooLargeError
    )
    assert "64 MiB" in error.detail and text == ""


def test_a_gzip_bombed_error_body_is_read_only_so_far(server: OpenAIServer) -> None:
    reply = Reply(status=503, body="Overloaded, come back later.", gzip_bomb=GIB)
    error, _ = fails(server, reply, ServerError)
    assert error.detail.startswith("Overloaded, come back later.")
    assert len(error.detail) <= 500 < MAX_ERROR_BODY_BYTES


async def _list_models(server: OpenAIServer) -> list[str]:
    client = ChatClient(server.base_url)
    try:
        return await client.list_models()
    finally:
        await client.aclose()


def test_a_gzip_bombed_model_list_stops_at_its_limit(server: OpenAIServer) -> None:
    server.models_reply = Reply(gzip_bomb=GIB, bomb_fill=b" ")

    with pytest.raises(ResponseTooLargeError) as info:
        asyncio.run(_list_models(server))
    assert info.value.detail == "the model list is larger than 16 MiB: stopped"
    server.models_reply = None
    assert asyncio.run(_list_models(server)) == ["test-model"]  # and a sane answer still reads


def test_a_model_list_that_is_a_web_page_says_so(server: OpenAIServer) -> None:
    server.models_reply = Reply(body=PORTAL_PAGE, headers={"Content-Type": "text/html"})

    with pytest.raises(WebPageReplyError) as info:
        asyncio.run(_list_models(server))
    assert "Sign in to Airport Free Wi-Fi" in info.value.detail


def test_a_line_of_many_megabytes_stops_at_the_line_limit(server: OpenAIServer) -> None:
    error, text = fails(server, Reply(text="abcdefgh", long_line=20 << 20), ResponseTooLargeError)
    assert text == "abcd"  # the first content chunk came before the long line
    assert "line is longer than 8 MiB" in error.detail


def test_a_long_line_under_the_limit_is_just_a_long_delta(server: OpenAIServer) -> None:
    deltas: Deltas = []
    result = chat(server, Reply(text="abcdefgh", long_line=1 << 20), deltas)
    assert result.content.startswith("abcd" + "x" * 1000) and result.content.endswith("efgh")
    assert len(result.content) > 1_000_000


def test_a_line_that_never_ends_is_timed_out_by_the_silence_timeout(
    server: OpenAIServer,
) -> None:
    """Bytes keep coming (a byte every 10 ms) but no line ever ends: the silence clock is
    reset only by complete lines, so the reply ends with the silence timeout, text kept."""
    reply = Reply(text="abcdefgh", long_line=100, endless_line=True)
    error, text = fails(server, reply, RequestTimeoutError, Timeouts(first_byte=10, silence=0.3))
    assert text == "abcd"
    assert isinstance(error, RequestTimeoutError) and error.kind == "silence"


def test_keep_alive_comments_do_keep_a_slow_reply_alive(server: OpenAIServer) -> None:
    """The other side of that rule: a server that pings (complete comment lines) between
    slow chunks is alive."""
    deltas: Deltas = []
    reply = Reply(text="abcdefgh", chunk_size=2, comments=True, delay=0.05)
    result = chat(server, reply, deltas, Timeouts(first_byte=10, silence=5))
    assert result.content == "abcdefgh"


def test_a_flood_arrives_whole_in_few_deliveries(server: OpenAIServer) -> None:
    text = "".join(f"word{i} " for i in range(8_000))
    deltas: Deltas = []
    result = chat(server, Reply(text=text, chunk_size=3, flood=True), deltas)
    assert result.content == text
    assert "".join(t for _, t in deltas) == text
    # One delivery per network read, not per event (~18,000 of them here).
    assert len(deltas) < len(text) / 3 / 20


# ---- Stop ------------------------------------------------------------------------------


def _stop_after_text(server: OpenAIServer, reply: Reply) -> tuple[int, int, int]:
    """Cancel a stream once text arrives (as Stop does) from inside a delivery. Returns the
    characters delivered by then, those delivered after the cancel, and the loop turns the
    task took to end."""
    server.enqueue(reply)
    delivered: list[int] = [0, 0]
    turns = 0

    async def go() -> None:
        nonlocal turns
        # As under qasync: no asyncgen hooks. A stranded generator would be finalised without
        # them, and the unraisable warning fails the test (filterwarnings = error).
        sys.set_asyncgen_hooks(firstiter=None, finalizer=None)
        client = ChatClient(server.base_url)
        cancelled = False
        task: asyncio.Task[ChatResult] | None = None

        def on_delta(_kind: str, text: str) -> None:
            nonlocal cancelled
            delivered[1 if cancelled else 0] += len(text)
            if not cancelled and delivered[0] > 50_000 and task is not None:
                task.cancel()
                cancelled = True

        try:
            task = asyncio.ensure_future(
                client.stream_chat(ChatRequest("test-model", HELLO), on_delta)
            )
            while not cancelled:
                await asyncio.sleep(0)
            while not task.done():
                turns += 1
                await asyncio.sleep(0)
            with pytest.raises(asyncio.CancelledError):
                task.result()
        finally:
            await client.aclose()
        gc.collect()

    asyncio.run(go())
    return delivered[0], delivered[1], turns


def test_stop_during_a_flood_ends_the_stream_at_once(server: OpenAIServer) -> None:
    before, after, turns = _stop_after_text(
        server, Reply(text="flood " * 1000, chunk_size=4, endless=True, flood=True)
    )
    assert before > 50_000
    assert after == 0  # the delivery that saw Stop was the last
    assert turns <= 3  # noticed at the next await, closed in a turn or two


def test_stop_while_a_bomb_inflates_ends_the_stream_at_once(server: OpenAIServer) -> None:
    # Text in the bomb itself: each inflated step is some 1,500 events of one character.
    fill = b'data: {"choices":[{"delta":{"content":"b"}}]}\n\n'
    before, after, turns = _stop_after_text(
        server, Reply(text="start ", chunk_size=3, gzip_bomb=GIB, bomb_fill=fill)
    )
    assert before > 50_000 and after == 0 and turns <= 3


def test_the_connection_serves_the_next_reply_after_a_stop(server: OpenAIServer) -> None:
    _stop_after_text(server, Reply(text="flood " * 1000, chunk_size=4, endless=True, flood=True))
    deltas: Deltas = []
    assert chat(server, Reply(text="fine again"), deltas).content == "fine again"


# ---- answers that are not what they claim -------------------------------------------------

ODD_USAGES: list[Any] = [
    {"prompt_tokens": "12", "completion_tokens": "30", "total_tokens": "42"},
    {"prompt_tokens": float("inf"), "completion_tokens": float("nan"), "total_tokens": -1},
    {"prompt_tokens": -5, "completion_tokens": -7},
    {"prompt_tokens": 10**30, "completion_tokens": 1e300, "total_tokens": 10**15},
    {"prompt_tokens": [1], "completion_tokens": {"n": 2}, "total_tokens": None},
    {"prompt_tokens": True, "completion_tokens": 3.5},
    {"prompt_tokens_details": "cached", "completion_tokens": 9},
    {"prompt_tokens": "²", "completion_tokens": "9" * 5000, "total_tokens": " 7 "},
    "many",
    [1, 2, 3],
    12,
]


@pytest.mark.parametrize("usage", ODD_USAGES, ids=lambda u: json.dumps(u)[:40])
def test_odd_usage_never_spoils_a_complete_reply(server: OpenAIServer, usage: Any) -> None:
    deltas: Deltas = []
    result = chat(server, Reply(text="The whole answer.", usage_raw=usage), deltas)
    assert result.content == "The whole answer." and result.finish_reason == "stop"
    if result.usage is not None:
        counts = (
            result.usage.prompt_tokens,
            result.usage.completion_tokens,
            result.usage.total_tokens,
        )
        assert all(isinstance(n, int) and 0 <= n < 10**15 for n in counts)
        assert result.usage.prompt_tokens or result.usage.completion_tokens


def test_usage_counts_sent_as_text_are_read(server: OpenAIServer) -> None:
    deltas: Deltas = []
    result = chat(server, Reply(text="ok", usage_raw=ODD_USAGES[0]), deltas)
    assert result.usage is not None
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (12, 30)


def test_usage_without_any_count_counts_as_no_usage(server: OpenAIServer) -> None:
    # The controller estimates it then (and says so), rather than showing a reply as free.
    deltas: Deltas = []
    assert chat(server, Reply(text="ok", usage_raw=ODD_USAGES[1]), deltas).usage is None


@pytest.mark.parametrize(
    "headers",
    [{}, {"Content-Type": "text/html; charset=utf-8"}, {"Content-Type": "application/json"}],
    ids=["as-event-stream", "as-html", "as-json"],
)
def test_a_captive_portal_page_is_reported_as_a_web_page(
    server: OpenAIServer, headers: dict[str, str]
) -> None:
    error, text = fails(server, Reply(body=PORTAL_PAGE, headers=headers), WebPageReplyError)
    assert text == ""
    assert error.detail.startswith('a web page titled "Sign in to Airport Free Wi-Fi": ')
    assert "<!DOCTYPE html>" in error.detail and "\n" not in error.detail
    assert len(error.detail) < 300


def test_a_web_page_is_recognised_without_reading_all_of_it(server: OpenAIServer) -> None:
    page = PORTAL_PAGE + "<p>" + "lorem ipsum " * 2_000_000 + "</p>"  # 24 MB
    error, _ = fails(server, Reply(body=page), WebPageReplyError)
    assert "Airport" in error.detail


def test_json_sent_as_the_event_stream_is_reported_with_an_excerpt(
    server: OpenAIServer,
) -> None:
    body = json.dumps({"object": "list", "data": [{"id": "gpt-4o"}], "note": "ctrl\x07char"})
    error, _ = fails(server, Reply(body=body), JsonReplyError)
    assert error.detail.startswith('{"object": "list", "data": [{"id": "gpt-4o"}]')
    assert "\x07" not in error.detail and "\\u0007" in error.detail  # escaped, shown


def test_a_json_error_sent_as_the_event_stream_gives_the_servers_words(
    server: OpenAIServer,
) -> None:
    body = json.dumps({"error": {"message": "Model is loading", "type": "server_error"}})
    error, _ = fails(server, Reply(body=body), StreamReportedError)
    assert error.detail == "Model is loading"


def test_a_whole_completion_sent_as_the_event_stream_is_accepted(server: OpenAIServer) -> None:
    body = json.dumps(
        {"choices": [{"message": {"content": "Whole, not streamed."}, "finish_reason": "stop"}]}
    )
    deltas: Deltas = []
    result = chat(server, Reply(body=body), deltas)
    assert (result.content, result.finish_reason) == ("Whole, not streamed.", "stop")


def test_an_event_stream_labelled_as_json_is_read_as_one(server: OpenAIServer) -> None:
    chunk = {"choices": [{"delta": {"content": "streamed anyway"}, "finish_reason": None}]}
    body = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n"
    deltas: Deltas = []
    result = chat(server, Reply(body=body, headers={"Content-Type": "application/json"}), deltas)
    assert result.content == "streamed anyway"


def test_plain_text_is_not_a_chat_stream(server: OpenAIServer) -> None:
    error, _ = fails(server, Reply(body="Service temporarily unavailable\n"), NotAStreamError)
    assert error.detail == "Service temporarily unavailable"


def test_content_as_a_list_of_parts_is_kept(server: OpenAIServer) -> None:
    deltas: Deltas = []
    result = chat(server, Reply(text="Parts are text too.", content_parts=True), deltas)
    assert result.content == "Parts are text too."
    result = chat(server, Reply(text="Whole parts.", content_parts=True, json_response=True), [])
    assert result.content == "Whole parts."


def _mock_stream(*chunks: dict[str, Any]) -> httpx.MockTransport:
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    return httpx.MockTransport(
        lambda _r: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=body.encode()
        )
    )


def _mock_chat(transport: httpx.MockTransport) -> ChatResult:
    async def go() -> ChatResult:
        client = ChatClient("http://x/v1", transport=transport)
        try:
            return await client.stream_chat(ChatRequest("m", HELLO), lambda _k, _t: None)
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_parts_of_every_shape_keep_their_text_and_drop_the_rest() -> None:
    def delta(content: Any) -> dict[str, Any]:
        return {"choices": [{"delta": {"content": content}}]}

    result = _mock_chat(
        _mock_stream(
            delta([{"type": "text", "text": "one "}, {"type": "image_url", "image_url": {}}]),
            delta([{"text": "two "}, "three ", {"type": "output_text", "text": "four "}]),
            delta({"type": "text", "text": "five"}),
            delta([{"type": "thinking", "thinking": [{"type": "text", "text": "hmm"}]}]),
            delta([{"type": "text", "text": 5}, None, 7, {"type": "audio"}]),
            {"choices": [{"delta": {"reasoning_content": [{"type": "text", "text": "!"}]}}]},
        )
    )
    assert result.content == "one two three four five"
    assert result.reasoning == "hmm!"


def test_json_nested_past_the_parsers_depth_is_a_skipped_line_not_a_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    transport = httpx.MockTransport(
        lambda _r: httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            content=(
                f'data: {deep}\n\ndata: {{"choices":[{{"delta":{{"content":"ok"}}}}]}}\n\n'
            ).encode(),
        )
    )
    assert _mock_chat(transport).content == "ok"


def test_limits_are_what_the_docs_say() -> None:
    assert MAX_REPLY_BYTES == 64 << 20 and MAX_ERROR_BODY_BYTES == 1 << 20


def test_a_held_reply_still_works_with_the_bounded_reader(server: OpenAIServer) -> None:
    gate = threading.Event()
    server.enqueue(Reply(text="abcdef", chunk_size=2, stall_after=1, gate=gate))
    deltas: Deltas = []

    async def go() -> ChatResult:
        client = ChatClient(server.base_url)
        try:
            return await client.stream_chat(
                ChatRequest("test-model", HELLO),
                lambda k, t: (deltas.append((k, t)), gate.set()),
            )
        finally:
            await client.aclose()

    assert asyncio.run(go()).content == "abcdef"


class _Bytewise(httpx.AsyncByteStream):
    def __init__(self, body: bytes) -> None:
        self._body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for i in range(len(self._body)):
            yield self._body[i : i + 1]


def test_a_page_sent_a_byte_at_a_time_is_still_a_web_page() -> None:
    transport = httpx.MockTransport(
        lambda _r: httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            stream=_Bytewise(PORTAL_PAGE.encode() + b"<p>" + b"x" * 20_000),
        )
    )
    with pytest.raises(WebPageReplyError) as info:
        _mock_chat(transport)
    assert "Sign in to Airport Free Wi-Fi" in info.value.detail


def test_telling_what_a_body_is_does_not_backtrack_on_runs_of_line_ends() -> None:
    """A comment then thousands of newlines once took the pattern exponential time (20 of
    them: 14 s); each must come back at once, whatever it is."""
    from desktop.core.client import _body_kind

    assert _body_kind(b": hi" + b"\n" * 4096 + b"data: x") == "sse"
    assert _body_kind(b"retry" + b"\n" * 3000 + b"!") == "text"
    assert _body_kind(b"event" + b" " * 4000 + b"!") == "text"
    assert _body_kind(b"\n\n  \t\n: c\r\n\r\n  data: {}") == "sse"


def test_an_error_nested_as_deep_as_json_goes_is_no_crash(server: OpenAIServer) -> None:
    deep = '{"error": ' * 900 + '"too deep"' + "}" * 900
    error, _ = fails(server, Reply(status=500, body=deep), ServerError)
    assert error.detail.startswith('{"error": {"error"')  # the body as it came, cut short
    error, _ = fails(server, Reply(body="data: " + deep + "\n\n"), StreamReportedError)
    assert error.detail == "the server reported an error"


def test_a_stream_of_malformed_lines_logs_a_few_not_all(
    server: OpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = "data: {not json\n\n" * 10_000 + 'data: {"choices":[{"delta":{"content":"ok"}}]}\n\n'
    deltas: Deltas = []
    with caplog.at_level("WARNING", logger="confab.client"):
        result = chat(server, Reply(body=body), deltas)
    assert result.content == "ok"
    assert 1 < len(caplog.records) <= 10
