"""The test server speaks the real protocol: the official ``openai`` SDK is its client here.
Confab's encoding of content parts, tool calls and results is checked against the SDK's types.

Also checks the server's own promises that other tests rely on: prompt stop() during a slow
stream, keep-alive, the request record, reset(), and the default echo reply.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pydantic
import pytest
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolParam

from desktop.core.client import ChatClient, ChatRequest, ChatResult
from desktop.core.openai_wire import decode_message, encode_message, encode_tool
from desktop.core.wire import (
    FilePart,
    ImagePart,
    TextPart,
    ToolCall,
    ToolResult,
    ToolSpec,
    WireMessage,
)
from tests.support.openai_server import OpenAIServer, Reply, ToolCallReply

HELLO = [{"role": "user", "content": "Hello there"}]


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(models=["test-model", "other-model"]) as running:
        yield running


@pytest.fixture
def sdk(server: OpenAIServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as client:
        yield client


def test_streaming_chunks(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    server.enqueue(Reply(text="Grüße 🙂 from the server", chunk_size=5))
    with sdk.chat.completions.create(model="other-model", messages=HELLO, stream=True) as stream:
        chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert {c.model for c in chunks} == {"other-model"}
    assert len({c.id for c in chunks}) == 1
    content = [c.choices[0].delta.content for c in chunks[1:-1]]
    assert content == ["Grüße", " 🙂 fr", "om th", "e ser", "ver"]
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].choices[0].delta.content is None
    assert all(c.usage is None for c in chunks)  # not asked for include_usage


def test_include_usage_sends_a_final_usage_chunk(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    messages = [{"role": "system", "content": "12345678"}, {"role": "user", "content": "abcd"}]
    with sdk.chat.completions.create(
        model="test-model",
        messages=messages,
        stream=True,
        stream_options={"include_usage": True},
    ) as stream:
        chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo[2]: abcd"
    last = chunks[-1]
    assert last.choices == []
    assert last.usage is not None
    assert (last.usage.prompt_tokens, last.usage.completion_tokens) == (12 // 4 + 1, 4)
    assert last.usage.total_tokens == 4 + 4
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert all(c.usage is None for c in chunks[:-1])


def test_reasoning_field_reaches_the_sdk(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    server.enqueue(Reply(text="42", reasoning="deep thought", reasoning_field="reasoning"))
    with sdk.chat.completions.create(model="test-model", messages=HELLO, stream=True) as stream:
        deltas = [c.choices[0].delta.model_dump() for c in stream]
    assert "".join(d.get("reasoning") or "" for d in deltas) == "deep thought"
    assert "".join(d.get("content") or "" for d in deltas) == "42"


def test_non_streaming_completion(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    completion = sdk.chat.completions.create(model="test-model", messages=HELLO)
    assert completion.object == "chat.completion"
    assert completion.model == "test-model"
    assert completion.choices[0].message.content == "echo[1]: Hello there"
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.prompt_tokens == 11 // 4 + 1


def test_models_list(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    models = sdk.models.list()
    assert [m.id for m in models] == ["test-model", "other-model"]
    assert {m.owned_by for m in models} == {"test"}
    assert sdk.models.retrieve("other-model").id == "other-model"
    with pytest.raises(openai.NotFoundError):
        sdk.models.retrieve("no-such-model")


def test_wrong_key_raises_authentication_error() -> None:
    with (
        OpenAIServer(api_key="sk-right") as server,
        openai.OpenAI(base_url=server.base_url, api_key="sk-wrong", max_retries=0) as sdk,
    ):
        with pytest.raises(openai.AuthenticationError) as info:
            sdk.chat.completions.create(model="test-model", messages=HELLO, stream=True)
        assert info.value.status_code == 401
        assert info.value.code == "invalid_api_key"
        assert info.value.message.endswith("Incorrect API key provided")
        with pytest.raises(openai.AuthenticationError):
            sdk.models.list()
        assert server.pending == 0
        assert [r["headers"]["authorization"] for r in server.requests] == ["Bearer sk-wrong"] * 2


def test_right_key_is_accepted() -> None:
    with (
        OpenAIServer(api_key="sk-right") as server,
        openai.OpenAI(base_url=server.base_url, api_key="sk-right", max_retries=0) as sdk,
    ):
        assert [m.id for m in sdk.models.list()] == ["test-model", "other-model"]


def test_rate_limit_raises_rate_limit_error(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    server.enqueue(Reply(status=429, headers={"Retry-After": "7"}))
    with pytest.raises(openai.RateLimitError) as info:
        sdk.chat.completions.create(model="test-model", messages=HELLO, stream=True)
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "7"
    assert info.value.code == "rate_limit_exceeded"


def test_error_status_with_a_custom_body(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    server.enqueue(Reply(status=503, body='{"detail": "warming up"}'))
    with pytest.raises(openai.InternalServerError) as info:
        sdk.chat.completions.create(model="test-model", messages=HELLO)
    assert info.value.status_code == 503
    assert info.value.body == {"detail": "warming up"}


def test_error_object_in_the_stream(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    server.enqueue(Reply(text="abcdefgh", stream_error={"message": "overloaded"}))
    with (
        pytest.raises(openai.APIError, match="overloaded"),
        sdk.chat.completions.create(model="test-model", messages=HELLO, stream=True) as stream,
    ):
        list(stream)


def test_cut_stream_breaks_the_sdk(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    server.enqueue(Reply(text="abcdefgh", chunk_size=2, cut_after=2))
    received: list[str] = []
    with (
        pytest.raises(openai.APIConnectionError) as info,
        sdk.chat.completions.create(model="test-model", messages=HELLO, stream=True) as stream,
    ):
        received.extend(c.choices[0].delta.content or "" for c in stream)
    assert "incomplete chunked read" in str(info.value.__cause__)
    assert "".join(received) == "abcd"


@pytest.mark.parametrize(
    "reply",
    [
        Reply(text="odd server", crlf=True, no_space=True, comments=True),
        Reply(text="odd server", done=False, finish_reason=None),
    ],
    ids=["framing", "no-done-no-finish"],
)
def test_sdk_reads_the_misbehaving_variants(
    server: OpenAIServer, sdk: openai.OpenAI, reply: Reply
) -> None:
    server.enqueue(reply)
    with sdk.chat.completions.create(model="test-model", messages=HELLO, stream=True) as stream:
        text = "".join(c.choices[0].delta.content or "" for c in stream)
    assert text == "odd server"


def test_stream_body_is_chunked_sse(server: OpenAIServer) -> None:
    server.enqueue(Reply(text="hi", crlf=True, no_space=True, comments=True))
    with httpx.Client() as client:
        body = {"model": "m", "messages": HELLO, "stream": True}
        response = client.post(server.base_url + "/chat/completions", json=body)
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.headers["content-type"].startswith("text/event-stream")
    lines = response.text.split("\r\n")
    assert lines[0] == ": ping"
    assert all(not line.startswith("data: ") for line in lines)
    assert lines[-3:] == ["data:[DONE]", "", ""]


def test_queue_is_fifo_then_echo(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    server.enqueue(Reply(text="first"), Reply(text="second"))
    answers = [
        sdk.chat.completions.create(model="test-model", messages=HELLO).choices[0].message.content
        for _ in range(3)
    ]
    assert answers == ["first", "second", "echo[1]: Hello there"]
    assert len(server.chat_requests()) == 3


def test_requests_are_recorded_and_reset(server: OpenAIServer, sdk: openai.OpenAI) -> None:
    sdk.chat.completions.create(model="test-model", messages=HELLO, temperature=0.25)
    sdk.models.list()
    chat, models = server.requests
    assert (chat["method"], chat["path"]) == ("POST", "/v1/chat/completions")
    assert chat["json"]["temperature"] == 0.25
    assert chat["headers"]["content-type"] == "application/json"
    assert (models["method"], models["path"], models["json"]) == ("GET", "/v1/models", None)
    assert server.chat_requests() == [chat]
    server.enqueue(Reply(text="never used"))
    server.reset()
    assert server.requests == [] and server.pending == 0


def test_keep_alive_serves_several_requests_on_one_connection(
    server: OpenAIServer, sdk: openai.OpenAI
) -> None:
    sdk.models.list()
    sdk.chat.completions.create(model="test-model", messages=HELLO)
    sdk.models.list()
    # The SDK drops a stream's connection when it stops at [DONE]; a client that reads the
    # stream to its end (as ChatClient does) keeps it.
    with httpx.Client() as client:
        for _ in range(2):
            body = {"model": "m", "messages": HELLO, "stream": True}
            with client.stream("POST", server.base_url + "/chat/completions", json=body) as r:
                r.read()
        client.get(server.base_url + "/models")
    sdk_ports = {r["client_port"] for r in server.requests[:3]}
    httpx_ports = {r["client_port"] for r in server.requests[3:]}
    assert len(sdk_ports) == 1
    assert len(httpx_ports) == 1
    assert len(server.requests) == 6


# "Prompt" without a stopwatch: each reply below would keep its handler busy for an hour, and
# stop() waits a few seconds at most for the handlers; so a stop that returns with every
# handler finished did not wait for the reply.


def _handlers(server: OpenAIServer) -> list[threading.Thread]:
    assert server._httpd is not None
    return list(server._httpd.connections().values())


def test_stop_is_prompt_during_a_slow_stream() -> None:
    server = OpenAIServer().start()
    server.enqueue(Reply(text="a" * 100, chunk_size=1, delay=3600))
    outcome: list[BaseException | str] = []
    streaming = threading.Event()

    def read() -> None:
        with httpx.Client(timeout=30) as client:
            body = {"model": "m", "messages": HELLO, "stream": True}
            try:
                with client.stream("POST", server.base_url + "/chat/completions", json=body) as r:
                    streaming.set()  # the status line came: the reply is under way
                    outcome.append("".join(r.iter_text()))
            except httpx.HTTPError as exc:
                outcome.append(exc)
            finally:
                streaming.set()

    reader = threading.Thread(target=read)
    reader.start()
    assert streaming.wait(30)
    handlers = _handlers(server)
    server.stop()
    assert handlers and not any(handler.is_alive() for handler in handlers)
    reader.join(5)
    assert not reader.is_alive()
    [result] = outcome
    assert isinstance(result, httpx.RemoteProtocolError | httpx.ReadError)


def test_stop_is_prompt_with_an_idle_keep_alive_connection() -> None:
    server = OpenAIServer().start()
    with httpx.Client() as client:
        client.get(server.base_url + "/models")  # leaves the connection open in the pool
        handlers = _handlers(server)
        server.stop()
        assert handlers and not any(handler.is_alive() for handler in handlers)


def test_stop_during_first_byte_delay_and_restart() -> None:
    server = OpenAIServer()
    with server:
        server.enqueue(Reply(first_byte_delay=3600))
        errors: list[BaseException] = []

        def post() -> None:
            try:
                with httpx.Client(timeout=30) as client:
                    client.post(server.base_url + "/chat/completions", json={"messages": HELLO})
            except httpx.HTTPError as exc:
                errors.append(exc)

        poster = threading.Thread(target=post)
        poster.start()
        server.wait_for_requests(1)
        handlers = _handlers(server)
    assert handlers and not any(handler.is_alive() for handler in handlers)
    poster.join(5)
    assert len(errors) == 1
    with server, httpx.Client() as client:  # a stopped server can start again
        assert client.get(server.base_url + "/models").status_code == 200


def test_unknown_path_is_404_json(server: OpenAIServer) -> None:
    with httpx.Client() as client:
        response = client.post(server.url + "/v2/chat", json={})
    assert response.status_code == 404
    assert "error" in response.json()


# ---- tool calls and content parts: the server as the SDK sees it, Confab's encoding as the
# SDK's types describe it ----------------------------------------------------------------------

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
TWO_CALLS = [
    ToolCallReply("get_weather", '{"city": "Paris"}', id="call_1"),
    ToolCallReply("get_weather", '{"city": "Zürich 🙂"}', id="call_2"),
]


def test_the_sdk_assembles_the_servers_streamed_tool_calls_as_confab_does(
    server: OpenAIServer, sdk: openai.OpenAI
) -> None:
    reply = Reply(text="Looking.", tool_calls=TWO_CALLS, tool_call_chunk=2)
    server.enqueue(reply)
    with sdk.chat.completions.stream(
        model="test-model", messages=HELLO, tools=[WEATHER_TOOL]
    ) as stream:
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "Looking."
    by_sdk = [
        (c.id, c.function.name, c.function.arguments) for c in choice.message.tool_calls or []
    ]
    assert by_sdk == [
        ("call_1", "get_weather", '{"city": "Paris"}'),
        ("call_2", "get_weather", '{"city": "Zürich 🙂"}'),
    ]
    server.enqueue(reply)

    async def confab() -> ChatResult:
        client = ChatClient(server.base_url)
        try:
            request = ChatRequest("test-model", HELLO, tools=[ToolSpec("get_weather")])
            return await client.stream_chat(request)
        finally:
            await client.aclose()

    result = asyncio.run(confab())
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == by_sdk
    assert result.content == "Looking." and result.finish_reason == "tool_calls"


def test_a_non_streamed_tool_call_reply_parses_as_the_sdks_model(
    server: OpenAIServer, sdk: openai.OpenAI
) -> None:
    server.enqueue(Reply(text="", tool_calls=TWO_CALLS))
    completion = sdk.chat.completions.create(model="test-model", messages=HELLO)
    message = completion.choices[0].message
    assert message.content is None
    assert [c.function.arguments for c in message.tool_calls or []] == [
        '{"city": "Paris"}',
        '{"city": "Zürich 🙂"}',
    ]


def _materialised(value: Any) -> Any:
    """What pydantic made of a TypedDict: its lazily checked iterables read to the end."""
    if isinstance(value, dict):
        return {key: _materialised(item) for key, item in value.items()}
    if isinstance(value, list | tuple) or type(value).__name__ == "ValidatorIterator":
        return [_materialised(item) for item in value]
    return value


_MESSAGES = pydantic.TypeAdapter(ChatCompletionMessageParam)
_TOOLS = pydantic.TypeAdapter(ChatCompletionToolParam)


def test_confabs_encoding_is_what_the_sdks_types_describe(
    server: OpenAIServer, sdk: openai.OpenAI
) -> None:
    call = ToolCall("call_1", "get_weather", '{"city": "Paris"}')
    messages = [
        WireMessage("system", "Be brief."),
        WireMessage(
            "user",
            (
                TextPart("What is this?"),
                ImagePart.from_bytes(b"\x89PNG", "image/png", detail="high"),
                ImagePart("https://example.com/a.png"),
                FilePart.from_bytes(b"%PDF", "application/pdf", "a.pdf"),
            ),
            name="ada",
        ),
        WireMessage("assistant", "", tool_calls=(call,)),
        WireMessage.tool_result(ToolResult("call_1", "12 °C")),
        WireMessage("assistant", "It is 12 °C."),
    ]
    encoded = [encode_message(m) for m in messages]
    for data in encoded:
        # Nothing the SDK's type lacks (pydantic would drop it), nothing it wants missing.
        assert _materialised(_MESSAGES.validate_python(data)) == data
    assert [decode_message(data) for data in encoded] == messages
    tool = encode_tool(ToolSpec("get_weather", "Now.", WEATHER_TOOL["function"]["parameters"]))
    assert _materialised(_TOOLS.validate_python(tool)) == tool
    # And the server (which checks as OpenAI does) takes them from the SDK.
    server.enqueue(Reply(text="ok"))
    completion = sdk.chat.completions.create(model="test-model", messages=encoded)  # type: ignore[arg-type]
    assert completion.choices[0].message.content == "ok"
    assert server.chat_requests()[-1]["json"]["messages"] == encoded
