"""Wire types (desktop/core/wire.py) and the OpenAI codec's liberal reading
(desktop/core/openai_wire.py); the client's use of them is in test_client_tools.py."""

from __future__ import annotations

import pytest

from desktop.core.openai_wire import decode_message, encode_content, encode_message
from desktop.core.wire import (
    FilePart,
    ImagePart,
    TextPart,
    ToolCall,
    WireMessage,
    WireValueError,
)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "data: or an http(s): address"),
        ("C:\\pictures\\cat.png", "data: or an http(s): address"),
        ("data:text/html;base64,PGh0bWw+", "image/"),
    ],
)
def test_an_image_must_be_a_data_or_web_address(url: str, words: str) -> None:
    with pytest.raises(WireValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        ImagePart(url)


def test_an_image_detail_and_a_file_are_checked() -> None:
    with pytest.raises(WireValueError, match="auto, low or high"):
        ImagePart("https://example.com/a.png", detail="huge")  # type: ignore[arg-type]
    with pytest.raises(WireValueError, match="data or an uploaded file's id"):
        FilePart(filename="a.pdf")
    with pytest.raises(WireValueError, match="data: address"):
        FilePart(data_url="https://example.com/a.pdf")
    assert ImagePart.from_bytes(b"GIF89a", "image/gif").inline
    assert not ImagePart("HTTPS://example.com/a.png").inline


def test_tool_arguments_that_are_not_json_say_so() -> None:
    assert ToolCall("c", "f", "").parsed_arguments() == {}
    assert ToolCall("c", "f", '{"a": [1, 2]}').parsed_arguments() == {"a": [1, 2]}
    with pytest.raises(WireValueError, match="'f' are not valid JSON"):
        ToolCall("c", "f", '{"a": ').parsed_arguments()


def test_messages_are_read_liberally() -> None:
    assert decode_message({"role": "user", "content": "hi"}) == WireMessage("user", "hi")
    # Parts of only text read as text; unknown or broken parts are left out.
    parts = [
        {"type": "text", "text": "a"},
        "b",
        {"type": "input_audio", "input_audio": {"data": "…"}},
        {"type": "image_url", "image_url": {"url": "javascript:alert(1)"}},
        {"type": "image_url", "image_url": "https://example.com/x.png"},
        {"type": "image_url", "image_url": {"url": "https://example.com/y.png", "detail": "odd"}},
    ]
    message = decode_message({"role": "user", "content": parts})
    assert message.content == (
        TextPart("a"),
        TextPart("b"),
        ImagePart("https://example.com/x.png"),
        ImagePart("https://example.com/y.png"),
    )
    assert message.text == "a\n\nb"
    assert (
        decode_message({"role": "user", "content": [{"type": "text", "text": "a"}]}).content == "a"
    )
    assert decode_message({"role": "assistant", "content": None}).content == ""
    with pytest.raises(WireValueError, match="role"):
        decode_message({"content": "orphan"})
    calls = decode_message(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}},
                "junk",
                {"id": "c2", "function": {"name": "g"}},
            ],
        }
    ).tool_calls
    assert calls == (ToolCall("c1", "f", '{"x": 1}'), ToolCall("c2", "g", ""))


def test_text_goes_as_a_string_and_anything_else_as_parts() -> None:
    assert encode_content("plain") == "plain"
    assert encode_content(()) == ""
    assert encode_content((TextPart("a"), TextPart("b"))) == "a\n\nb"
    image = ImagePart("https://example.com/x.png")
    assert encode_content((image,)) == [
        {"type": "image_url", "image_url": {"url": "https://example.com/x.png"}}
    ]
    assert encode_message(WireMessage("user", "hi")) == {"role": "user", "content": "hi"}
