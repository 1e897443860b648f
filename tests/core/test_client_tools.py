"""Content parts, tool calls and tool results through ChatClient, against the real loopback
server (tests/support/openai_server.py), which checks requests as OpenAI does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from desktop.core.client import ChatClient, ChatRequest, ChatResult
from desktop.core.errors import BadRequestError
from desktop.core.models import Params
from desktop.core.wire import (
    FilePart,
    ForcedTool,
    ImagePart,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    ToolCallDone,
    ToolResult,
    ToolSpec,
    WireMessage,
)
from tests.support.openai_server import OpenAIServer, Reply, ToolCallReply

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
WEATHER = ToolSpec(
    "get_weather",
    "The weather in a city now.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
CALLS = [
    ToolCallReply("get_weather", '{"city": "Paris, France"}', id="call_a"),
    ToolCallReply("get_weather", '{"city": "Zürich 🙂"}', id="call_b"),
]


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(models=["test-model"]) as running:
        yield running


def stream(
    server: OpenAIServer, request: ChatRequest
) -> tuple[ChatResult, list[tuple[str, str]], list[StreamEvent]]:
    deltas: list[tuple[str, str]] = []
    events: list[StreamEvent] = []

    async def go() -> ChatResult:
        client = ChatClient(server.base_url)
        try:
            return await client.stream_chat(
                request, lambda k, t: deltas.append((k, t)), on_event=events.append
            )
        finally:
            await client.aclose()

    return asyncio.run(go()), deltas, events


def complete(server: OpenAIServer, request: ChatRequest) -> ChatResult:
    async def go() -> ChatResult:
        client = ChatClient(server.base_url)
        try:
            return await client.complete(request)
        finally:
            await client.aclose()

    return asyncio.run(go())


def sent(server: OpenAIServer) -> dict[str, Any]:
    body: dict[str, Any] = server.chat_requests()[-1]["json"]
    return body


def test_a_text_only_request_is_byte_for_byte_what_it_was(server: OpenAIServer) -> None:
    # The protocol's dicts, as context.py builds them, and the same as wire messages.
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": 'Grüße, "quoted" 🙂\n'},
        {"role": "assistant", "content": ""},
        {"role": "user", "content": "Again"},
    ]
    params = Params(temperature=0.5, max_tokens=64)
    stream(server, ChatRequest("test-model", messages, params))
    typed = [WireMessage(m["role"], m["content"]) for m in messages]
    stream(server, ChatRequest("test-model", typed, params))
    expected = (
        '{"model":"test-model","messages":[{"role":"system","content":"Be brief."},'
        '{"role":"user","content":"Grüße, \\"quoted\\" 🙂\\n"},'
        '{"role":"assistant","content":""},{"role":"user","content":"Again"}],'
        '"stream":true,"stream_options":{"include_usage":true},'
        '"temperature":0.5,"max_tokens":64}'
    ).encode()
    assert [r["body"] for r in server.chat_requests()] == [expected, expected]


def test_text_parts_alone_go_as_a_string_to_a_server_that_takes_only_strings(
    server: OpenAIServer,
) -> None:
    server.strings_only = True
    message = WireMessage("user", (TextPart("Here is the file:"), TextPart("a, b\n1, 2")))
    result, _, _ = stream(server, ChatRequest("test-model", [message]))
    assert result.content == "echo[1]: Here is the file:\n\na, b\n1, 2"
    assert sent(server)["messages"] == [
        {"role": "user", "content": "Here is the file:\n\na, b\n1, 2"}
    ]
    image = WireMessage("user", (TextPart("What is it?"), ImagePart.from_bytes(PNG, "image/png")))
    with pytest.raises(BadRequestError, match="expected a string"):
        stream(server, ChatRequest("test-model", [image]))


def test_images_and_files_go_as_parts(server: OpenAIServer) -> None:
    message = WireMessage(
        "user",
        (
            TextPart("Compare these"),
            ImagePart.from_bytes(PNG, "image/png", detail="low"),
            ImagePart("https://example.com/cat.jpg"),
            FilePart.from_bytes(b"%PDF-1.7", "application/pdf", "report.pdf"),
            FilePart(file_id="file-abc123"),
        ),
    )
    result, _, _ = stream(server, ChatRequest("test-model", [message]))
    assert result.content == "echo[1]: Compare these"
    assert sent(server)["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Compare these"},
                {
                    "type": "image_url",
                    "image_url": {
                        "url": "data:image/png;base64,iVBORw0KGgoAAAAAAAAAAAAAAAAAAAAA",
                        "detail": "low",
                    },
                },
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
                {
                    "type": "file",
                    "file": {
                        "file_data": "data:application/pdf;base64,JVBERi0xLjc=",
                        "filename": "report.pdf",
                    },
                },
                {"type": "file", "file": {"file_id": "file-abc123"}},
            ],
        }
    ]


def test_two_tool_calls_streamed_in_pieces_are_assembled_and_reported_as_events(
    server: OpenAIServer,
) -> None:
    server.enqueue(Reply(text="Let me look.", chunk_size=4, tool_calls=CALLS, tool_call_chunk=3))
    request = ChatRequest("test-model", [{"role": "user", "content": "Weather?"}], tools=[WEATHER])
    result, deltas, events = stream(server, request)
    assert result.content == "Let me look." and result.finish_reason == "tool_calls"
    assert "".join(text for _, text in deltas) == "Let me look."
    calls = [
        ToolCall("call_a", "get_weather", '{"city": "Paris, France"}'),
        ToolCall("call_b", "get_weather", '{"city": "Zürich 🙂"}'),
    ]
    assert result.tool_calls == calls
    assert calls[1].parsed_arguments() == {"city": "Zürich 🙂"}
    pieces = [e for e in events if isinstance(e, ToolCallDelta)]
    assert len(pieces) > 10  # the arguments came three characters at a time
    assert [(p.index, p.id, p.name) for p in pieces if p.id] == [
        (0, "call_a", "get_weather"),
        (1, "call_b", "get_weather"),
    ]
    assert "".join(p.arguments for p in pieces if p.index == 1) == '{"city": "Zürich 🙂"}'
    # The text first, then the pieces, then the calls once the reply has ended.
    assert isinstance(events[0], TextDelta)
    assert events[-2:] == [ToolCallDone(0, calls[0]), ToolCallDone(1, calls[1])]
    assert sent(server)["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "The weather in a city now.",
                "parameters": WEATHER.parameters,
            },
        }
    ]


def test_a_reply_of_only_tool_calls_is_not_an_empty_reply(server: OpenAIServer) -> None:
    server.enqueue(Reply(text="", tool_calls=CALLS[:1]))
    result, deltas, _ = stream(
        server, ChatRequest("test-model", [{"role": "user", "content": "?"}])
    )
    assert deltas == [] and result.content == ""
    assert [c.id for c in result.tool_calls] == ["call_a"]
    server.enqueue(Reply(text="", tool_calls=CALLS))
    whole = complete(server, ChatRequest("test-model", [{"role": "user", "content": "?"}]))
    second = ToolCall("call_b", "get_weather", '{"city": "Zürich 🙂"}')
    assert whole.tool_calls == [*result.tool_calls, second]
    assert whole.finish_reason == "tool_calls"


def test_calls_sent_whole_without_an_index_are_told_apart_by_their_ids(
    server: OpenAIServer,
) -> None:
    server.enqueue(Reply(text="", tool_calls=CALLS, tool_calls_whole=True))
    result, _, _ = stream(server, ChatRequest("test-model", [{"role": "user", "content": "?"}]))
    assert [(c.id, c.arguments) for c in result.tool_calls] == [
        ("call_a", '{"city": "Paris, France"}'),
        ("call_b", '{"city": "Zürich 🙂"}'),
    ]


def test_tool_results_go_back_after_the_assistant_message_that_asked(
    server: OpenAIServer,
) -> None:
    server.enqueue(Reply(text="", tool_calls=CALLS))
    question = WireMessage("user", "Weather in Paris and Zürich?")
    first, _, _ = stream(server, ChatRequest("test-model", [question], tools=[WEATHER]))
    asked = WireMessage("assistant", first.content, tool_calls=tuple(first.tool_calls))
    results = [
        WireMessage.tool_result(ToolResult(call.id, f"sunny in {call.parsed_arguments()['city']}"))
        for call in first.tool_calls
    ]
    server.enqueue(Reply(text="Sunny in both."))
    request = ChatRequest(
        "test-model", [question, asked, *results], tools=[WEATHER], tool_choice="auto"
    )
    second, _, _ = stream(server, request)
    assert second.content == "Sunny in both." and second.tool_calls == []
    body = sent(server)
    assert body["tool_choice"] == "auto"
    assert body["messages"][1:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris, France"}'},
                },
                {
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Zürich 🙂"}'},
                },
            ],
        },
        {"role": "tool", "content": "sunny in Paris, France", "tool_call_id": "call_a"},
        {"role": "tool", "content": "sunny in Zürich 🙂", "tool_call_id": "call_b"},
    ]
    # A result that answers no call is refused by the server, as by OpenAI.
    stray = WireMessage.tool_result(ToolResult("call_zzz", "?"))
    with pytest.raises(BadRequestError, match="must be a response"):
        stream(server, ChatRequest("test-model", [question, asked, stray]))


def test_a_forced_tool_choice(server: OpenAIServer) -> None:
    request = ChatRequest(
        "test-model",
        [{"role": "user", "content": "Paris"}],
        tools=[WEATHER],
        tool_choice=ForcedTool("get_weather"),
    )
    stream(server, request)
    assert sent(server)["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}


def _tool_stream(deltas: list[dict[str, Any]], finish: str = "tool_calls") -> str:
    chunks = [{"choices": [{"index": 0, "delta": delta}]} for delta in deltas]
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    return "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"


def test_an_emoji_split_between_two_pieces_of_arguments_is_joined(server: OpenAIServer) -> None:
    start = {"index": 0, "id": "c1", "type": "function", "function": {"name": "f"}}
    pieces = ['{"x": "\ud83d', '\ude42"}']
    body = _tool_stream(
        [{"tool_calls": [start]}]
        + [{"tool_calls": [{"index": 0, "function": {"arguments": p}}]} for p in pieces]
    )
    server.enqueue(Reply(body=body))
    result, _, _ = stream(server, ChatRequest("test-model", [{"role": "user", "content": "?"}]))
    assert result.tool_calls == [ToolCall("c1", "f", '{"x": "🙂"}')]


def test_a_flood_of_tool_calls_is_cut_at_a_bound(server: OpenAIServer) -> None:
    flood = [
        {"tool_calls": [{"index": n, "id": f"c{n}", "function": {"name": "f", "arguments": "{}"}}]}
        for n in range(1000)
    ]
    server.enqueue(Reply(body=_tool_stream(flood)))
    result, _, events = stream(
        server, ChatRequest("test-model", [{"role": "user", "content": "?"}])
    )
    assert len(result.tool_calls) == 128
    assert result.tool_calls[-1].id == "c127"
    assert sum(isinstance(e, ToolCallDelta) for e in events) == 128
