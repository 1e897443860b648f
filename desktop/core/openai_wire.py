"""The OpenAI chat-completions protocol: the one module that knows its JSON, both ways.

Encoding (``encode_request``, ``encode_message``): a message whose content is only text is sent
as a plain string, since several servers accept nothing else; with an image or a file, as a list
of parts (``{"type": "text", …}``, ``{"type": "image_url", "image_url": {"url", "detail"}}``,
``{"type": "file", "file": {"file_data" | "file_id", "filename"}}``). An assistant message
carries its ``tool_calls`` (``content`` null when it has no text); a tool's result is a message
of role ``tool`` with the ``tool_call_id`` it answers. ``tools`` and ``tool_choice`` appear only
when given: a request without them is byte for byte what it was before they existed.

Decoding, liberally (real servers differ): ``decode_message`` reads a message (a string or a
list of parts as its content, tool calls, a tool result); ``apply_chunk`` applies one chunk of
a stream (``delta``) or a whole completion (``message``) to a ``ChatResult``: text and reasoning
(``reasoning_content``, ``reasoning``, Mistral's thinking parts), the usage, the model, the
finish reason, and ``delta.tool_calls`` pieces, assembled by ``index`` (a server that sends no
index gets one: a new id starts a new call). What cannot be read is left out, never raised.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from desktop.core.models import Params, Usage
from desktop.core.wire import (
    IMAGE_DETAILS,
    ChatResult,
    Content,
    ContentPart,
    FilePart,
    ForcedTool,
    ImagePart,
    TextPart,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
    ToolSpec,
    WireMessage,
    WireValueError,
    content_text,
    text_only,
)

TextCallback = Callable[[str, str], None]
"""Called as ``on_text(kind, text)`` with kind ``"content"`` or ``"reasoning"``."""
CallCallback = Callable[[ToolCallDelta], None]

# ---- encoding --------------------------------------------------------------------------------


def encode_request(
    model: str,
    messages: Iterable[WireMessage],
    params: Params,
    *,
    tools: Iterable[ToolSpec] = (),
    tool_choice: ToolChoice | None = None,
    stream: bool = True,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": model,
        "messages": [encode_message(m) for m in messages],
        "stream": stream,
    }
    if stream:
        body["stream_options"] = {"include_usage": True}
    for key, value in params.to_dict().items():
        if value is not None:
            body[key] = value
    specs = [encode_tool(spec) for spec in tools]
    if specs:
        body["tools"] = specs
    if tool_choice is not None:
        body["tool_choice"] = encode_tool_choice(tool_choice)
    return body


def encode_message(message: WireMessage) -> dict[str, Any]:
    content = message.content
    data: dict[str, Any] = {"role": message.role}
    if message.tool_calls and not content:
        data["content"] = None
    else:
        data["content"] = content if isinstance(content, str) else encode_content(content)
    if message.name:
        data["name"] = message.name
    if message.tool_calls:
        data["tool_calls"] = [encode_tool_call(call) for call in message.tool_calls]
    if message.tool_call_id is not None:
        data["tool_call_id"] = message.tool_call_id
    return data


def encode_content(content: Content) -> str | list[dict[str, Any]]:
    """A plain string when the content is only text (parts of text joined by a blank line),
    else the list of parts."""
    if text_only(content):
        return content_text(content)
    assert not isinstance(content, str)
    return [encode_part(part) for part in content]


def encode_part(part: ContentPart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if isinstance(part, ImagePart):
        image: dict[str, Any] = {"url": part.url}
        if part.detail is not None:
            image["detail"] = part.detail
        return {"type": "image_url", "image_url": image}
    file: dict[str, Any] = {}
    if part.data_url:
        file["file_data"] = part.data_url
    if part.file_id:
        file["file_id"] = part.file_id
    if part.filename:
        file["filename"] = part.filename
    return {"type": "file", "file": file}


def encode_tool_call(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": call.type,
        "function": {"name": call.name, "arguments": call.arguments},
    }


def encode_tool(spec: ToolSpec) -> dict[str, Any]:
    function: dict[str, Any] = {"name": spec.name}
    if spec.description:
        function["description"] = spec.description
    function["parameters"] = spec.parameters
    if spec.strict is not None:
        function["strict"] = spec.strict
    return {"type": "function", "function": function}


def encode_tool_choice(choice: ToolChoice) -> str | dict[str, Any]:
    if isinstance(choice, ForcedTool):
        return {"type": "function", "function": {"name": choice.name}}
    return choice


# ---- decoding messages -----------------------------------------------------------------------


def decode_message(data: Mapping[str, Any]) -> WireMessage:
    """A message in the protocol's form. Raises WireValueError when it has no role; parts
    and calls that cannot be read are left out."""
    role = data.get("role")
    if not isinstance(role, str) or not role:
        raise WireValueError("a message needs a role")
    content = data.get("content")
    if isinstance(content, str) and len(data) == 2:  # {"role", "content"}: most messages
        return WireMessage(role, content)
    name = data.get("name")
    call_id = data.get("tool_call_id")
    return WireMessage(
        role,
        decode_content(content),
        tool_calls=decode_tool_calls(data.get("tool_calls")),
        tool_call_id=call_id if isinstance(call_id, str) else None,
        name=name if isinstance(name, str) and name else None,
    )


def decode_content(value: Any) -> Content:
    """A ``content``: a string as it is; a list of parts as parts (a list of only text parts
    becomes its text); null or anything else as no content."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return ""
    parts = tuple(part for part in map(decode_part, value) if part is not None)
    return content_text(parts) if text_only(parts) else parts


def decode_part(data: Any) -> ContentPart | None:
    if isinstance(data, str):
        return TextPart(data)
    if not isinstance(data, dict):
        return None
    kind = data.get("type", "text")
    try:
        if kind in _TEXT_PARTS and isinstance(data.get("text"), str):
            return TextPart(data["text"])
        if kind == "image_url":
            image = data.get("image_url")
            image = {"url": image} if isinstance(image, str) else image
            if isinstance(image, dict) and isinstance(image.get("url"), str):
                detail = image.get("detail")
                return ImagePart(image["url"], detail if detail in IMAGE_DETAILS else None)
        if kind == "file" and isinstance(data.get("file"), dict):
            file = data["file"]
            return FilePart(
                filename=_str_or_none(file.get("filename")),
                data_url=_str_or_none(file.get("file_data")),
                file_id=_str_or_none(file.get("file_id")),
            )
    except WireValueError:
        return None
    return None


def decode_tool_calls(value: Any) -> tuple[ToolCall, ...]:
    """The ``tool_calls`` of a whole message (a request's, a non-streamed completion's)."""
    if not isinstance(value, list):
        return ()
    result = ChatResult()
    for item in value:
        piece = _call_delta(item, result)
        if piece is not None:
            result.add_call(piece)
    return tuple(done.call for done in result.settle())


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# ---- decoding replies ------------------------------------------------------------------------


def apply_chunk(
    event: dict[str, Any],
    result: ChatResult,
    on_text: TextCallback,
    on_call: CallCallback,
    delta_key: str,
) -> None:
    """Apply one chunk (``delta_key`` "delta") or a whole completion ("message") to
    ``result``; the text goes on to ``on_text``, each tool-call piece to ``on_call``."""
    if isinstance(event.get("model"), str) and event["model"]:
        result.model = event["model"]
    usage = event.get("usage")
    if isinstance(usage, dict) and usage:
        counted = usage_of(usage)
        if counted is not None:
            result.usage = counted
        else:
            result.note("ignoring a usage without counts: %.200r", usage)
    choices = event.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return
    choice = choices[0]
    delta = choice.get(delta_key)
    if isinstance(delta, dict):
        content, thinking = parts_text(delta.get("content"))
        reasoning = parts_text(delta.get("reasoning_content") or delta.get("reasoning"))[0]
        for kind, text in (("reasoning", reasoning + thinking), ("content", content)):
            text = result.joiner(kind, text) if text else ""
            if text:
                result.add(kind, text)
                on_text(kind, text)
        calls = delta.get("tool_calls")
        if isinstance(calls, list):
            for item in calls:
                piece = _call_delta(item, result)
                if piece is not None and result.add_call(piece):
                    on_call(piece)
    if choice.get("finish_reason"):
        result.finish_reason = str(choice["finish_reason"])


def _call_delta(item: Any, result: ChatResult) -> ToolCallDelta | None:
    """One entry of ``tool_calls`` as a piece of the call it belongs to."""
    if not isinstance(item, dict):
        return None
    function = item.get("function")
    function = function if isinstance(function, dict) else {}
    call_id = _str_or_none(item.get("id"))
    name = _str_or_none(function.get("name"))
    arguments = function.get("arguments")
    if isinstance(arguments, dict | list):  # some servers send the arguments as JSON values
        arguments = json.dumps(arguments, ensure_ascii=False)
    elif not isinstance(arguments, str):
        arguments = ""
    index = item.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        # No index (servers that send each call whole): a new id, or a second name, starts
        # the next call; anything else goes on with the last one.
        last = result.last_call()
        if last is None:
            index = 0
        else:
            index, last_id, last_name = last
            if (call_id and last_id and call_id != last_id) or (name and last_name):
                index += 1
    return ToolCallDelta(index, call_id, name, arguments)


def usage_of(data: dict[str, Any]) -> Usage | None:
    """A server's usage, liberally: counts sent as text ("12") are read; anything else that
    is not a count reads as 0 (Usage.from_dict). None when nothing usable is left (strings,
    infinities, negatives...): the reply then counts as having no usage, and is estimated
    and marked so rather than shown as costing nothing."""
    cleaned = {key: _count_text(value) for key, value in data.items()}
    usage = Usage.from_dict(cleaned)
    if not usage.prompt_tokens and not usage.completion_tokens:
        return None
    return usage


def _count_text(value: Any) -> Any:
    """ "12" → 12; anything else as it is (int() of "²" or of 5,000 digits would raise)."""
    if isinstance(value, str):
        digits = value.strip()
        if digits.isascii() and digits.isdigit() and len(digits) <= 15:
            return int(digits)
    return value


_TEXT_PARTS = ("text", "output_text", "input_text")
_THINKING_PARTS = ("thinking", "reasoning")


def parts_text(value: Any, depth: int = 0) -> tuple[str, str]:
    """The text of a ``content`` (or reasoning) value and the thinking in it: a string, or a
    list of parts (``{"type": "text", "text": …}``; Mistral's ``{"type": "thinking",
    "thinking": [parts]}``). Parts that are not text (images, audio) are left out."""
    if isinstance(value, str):
        return value, ""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or depth > 4:
        return "", ""
    text: list[str] = []
    thinking: list[str] = []
    for part in value:
        if isinstance(part, str):
            text.append(part)
            continue
        if not isinstance(part, dict):
            continue
        kind = part.get("type", "text")
        if kind in _TEXT_PARTS and isinstance(part.get("text"), str):
            text.append(part["text"])
        elif kind in _THINKING_PARTS:
            inner = part.get(kind) if part.get(kind) is not None else part.get("text")
            thinking.append("".join(parts_text(inner, depth + 1)))
    return "".join(text), "".join(thinking)
