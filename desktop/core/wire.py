"""What goes to a chat server and comes back, as types: content parts, tool calls and their
results, the messages of a request, the events of a streamed reply and the finished reply.

Protocol-free: desktop/core/openai_wire.py, the one module that knows the OpenAI chat-completions
JSON, encodes these to it and decodes them from it. A message whose content is only text keeps
it as a ``str`` (what every message is today, and what servers that accept only strings get).

Conversation files do not hold these (desktop/core/models.py is their format): a request is
built from a conversation's messages when it is sent.
"""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from desktop.core.models import ToolCall as ToolCall  # re-exported: a message's type too
from desktop.core.models import Usage

log = logging.getLogger("confab.client")

# Odd things about one reply written to the log (malformed lines, usage without counts).
NOTES_PER_REPLY = 5

ImageDetail = Literal["auto", "low", "high"]
IMAGE_DETAILS: tuple[ImageDetail, ...] = ("auto", "low", "high")


class WireValueError(ValueError):
    """A part or a call that cannot be sent as given (an image address that is neither a
    data: nor an http(s): URL, a file with neither data nor id); the text says what."""


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An image, by address: a ``data:image/…;base64,…`` URL (the image itself) or an
    ``http(s)://`` URL the server fetches. ``detail`` asks for a resolution (None: the
    server's default)."""

    url: str
    detail: ImageDetail | None = None

    def __post_init__(self) -> None:
        scheme = self.url.split(":", 1)[0].lower() if ":" in self.url else ""
        if scheme not in ("data", "http", "https"):
            raise WireValueError(
                f"an image must be a data: or an http(s): address, not {self.url[:40]!r}"
            )
        if scheme == "data" and not self.url[5:].lower().startswith("image/"):
            raise WireValueError("an image's data: address must hold an image/… type")
        if self.detail is not None and self.detail not in IMAGE_DETAILS:
            raise WireValueError(f"an image's detail is auto, low or high, not {self.detail!r}")

    @classmethod
    def from_bytes(cls, data: bytes, mime: str, detail: ImageDetail | None = None) -> ImagePart:
        return cls(data_url(data, mime), detail)

    @property
    def inline(self) -> bool:
        """The image's bytes travel with the request (a data: URL)."""
        return self.url[:5].lower() == "data:"


@dataclass(frozen=True, slots=True)
class FilePart:
    """A document (a PDF, say) sent with the message: its bytes as a data: URL, or the id of
    a file uploaded to the provider before."""

    filename: str | None = None
    data_url: str | None = None
    file_id: str | None = None

    def __post_init__(self) -> None:
        if not self.data_url and not self.file_id:
            raise WireValueError("a file needs its data or an uploaded file's id")
        if self.data_url and not self.data_url[:5].lower() == "data:":
            raise WireValueError("a file's data must be a data: address")

    @classmethod
    def from_bytes(cls, data: bytes, mime: str, filename: str) -> FilePart:
        return cls(filename=filename, data_url=data_url(data, mime))


ContentPart = TextPart | ImagePart | FilePart
# A message's content: its text, or parts (text with images or files).
Content = str | tuple[ContentPart, ...]


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def content_text(content: Content) -> str:
    """The text of a content: a string as it is; of parts, the text parts joined by a blank
    line (as a file's list of parts reads, desktop/core/models.py)."""
    if isinstance(content, str):
        return content
    return "\n\n".join(part.text for part in content if isinstance(part, TextPart))


def text_only(content: Content) -> bool:
    return isinstance(content, str) or all(isinstance(part, TextPart) for part in content)


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What running a tool call gave, sent back after the assistant message carrying the
    call."""

    tool_call_id: str
    content: Content


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A function the model may call: ``parameters`` is a JSON Schema of its arguments."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    strict: bool | None = None


@dataclass(frozen=True, slots=True)
class ForcedTool:
    """``tool_choice`` that makes the model call this function."""

    name: str


ToolChoice = Literal["auto", "none", "required"] | ForcedTool


@dataclass(slots=True)
class WireMessage:
    """One message of a request. ``tool_calls`` only on an assistant message, ``tool_call_id``
    only on a tool result (role "tool"); ``name`` is the optional author name.

    Not frozen, unlike the parts: a request of 5,000 messages makes 5,000 of these on the UI
    thread, and a frozen dataclass's ``__init__`` costs three times as much."""

    role: str
    content: Content = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None

    @classmethod
    def tool_result(cls, result: ToolResult) -> WireMessage:
        return cls("tool", result.content, tool_call_id=result.tool_call_id)

    @property
    def text(self) -> str:
        return content_text(self.content)


# ---- a streamed reply, as events -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextDelta:
    """Text of the reply (``kind`` "content") or of its reasoning ("reasoning"): what one
    network read brought, joined."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A piece of the ``index``-th tool call of the turn: its id and name come once, its
    arguments in pieces."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True, slots=True)
class ToolCallDone:
    """A tool call assembled, once the reply has ended."""

    index: int
    call: ToolCall


StreamEvent = TextDelta | ToolCallDelta | ToolCallDone


# ---- the finished reply ----------------------------------------------------------------------


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


_SURROGATE = re.compile("[\ud800-\udfff]")
# Tool calls kept of one turn: a model asks for a handful; a hostile stream may number
# millions of them.
MAX_TOOL_CALLS = 128


class _CallBuilder:
    __slots__ = ("arguments", "id", "name", "type")

    def __init__(self) -> None:
        self.id = ""
        self.name = ""
        self.type = "function"
        self.arguments: list[str] = []


@dataclass
class ChatResult:
    content: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    model: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    joiner: SurrogateJoiner = field(default_factory=SurrogateJoiner, repr=False, compare=False)
    # The text as it arrives, joined once at the end: ``content += piece`` copies the whole
    # reply at every delta, quadratic in a long reply streamed in small pieces.
    _pieces: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)
    _calls: dict[int, _CallBuilder] = field(default_factory=dict, repr=False, compare=False)
    _notes: int = field(default=0, repr=False, compare=False)

    @property
    def started(self) -> bool:
        """Something of the reply (text, reasoning, a tool call) has arrived."""
        return bool(
            self.content or self.reasoning or self._pieces or self._calls or self.tool_calls
        )

    def note(self, message: str, *args: object) -> None:
        """Log something odd about the reply: the first few times only (a hostile stream may
        repeat it millions of times, and each would be a line in the log file)."""
        self._notes += 1
        if self._notes <= NOTES_PER_REPLY:
            log.warning(message, *args)
        elif self._notes == NOTES_PER_REPLY + 1:
            log.warning("more of the same in this reply: not logged")

    def add(self, kind: str, text: str) -> None:
        self._pieces.setdefault(kind, []).append(text)

    def add_call(self, delta: ToolCallDelta) -> bool:
        """Take a piece of a tool call in; False (and a note) when it is one too many."""
        builder = self._calls.get(delta.index)
        if builder is None:
            if len(self._calls) >= MAX_TOOL_CALLS:
                self.note("ignoring tool calls past %d in one reply", MAX_TOOL_CALLS)
                return False
            builder = self._calls[delta.index] = _CallBuilder()
        if delta.id and not builder.id:
            builder.id = delta.id
        if delta.name and not builder.name:
            builder.name = delta.name
        if delta.arguments:
            builder.arguments.append(delta.arguments)
        return True

    def last_call(self) -> tuple[int, str, str] | None:
        """The index, id and name of the latest tool call begun (for servers that send no
        index)."""
        if not self._calls:
            return None
        index = max(self._calls)
        return index, self._calls[index].id, self._calls[index].name

    def settle(self) -> list[ToolCallDone]:
        """Join the pieces that arrived into ``content``, ``reasoning`` and ``tool_calls``;
        returns the tool calls completed now, in their order."""
        for kind, pieces in self._pieces.items():
            joined = "".join(pieces)
            if kind == "reasoning":
                self.reasoning += joined
            else:
                self.content += joined
        self._pieces.clear()
        done: list[ToolCallDone] = []
        for index in sorted(self._calls):
            builder = self._calls[index]
            arguments = "".join(builder.arguments)
            if _SURROGATE.search(arguments):  # split pieces are joined again by now
                arguments = arguments.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            # A server that sends no id (some local ones) still gets its results paired back.
            call = ToolCall(builder.id or f"call_{index}", builder.name, arguments, builder.type)
            self.tool_calls.append(call)
            done.append(ToolCallDone(index, call))
        self._calls.clear()
        return done
