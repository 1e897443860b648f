"""A conversation file's bytes, re-encoding only the messages that changed since the last save.

The file is ``json.dumps(conversation.to_dict(), ensure_ascii=False, indent=1)`` in UTF-8,
byte for byte (tests/core/test_encoding.py). It is made of parts: the top-level fields, and
each message's part, which is kept on the message (``Message._encoded``, dropped by any change
to it, see models.py) from one save to the next. So a save during a stream makes a new part
for the growing reply only, not for the 5,000 messages before it (encoding all of a 3.2 MB
conversation took ~90 ms on the UI thread, every second).

Even that part's ``json.dumps`` is not done on the UI thread: there a changed message is only
turned into a dict (``fileformat.message_to_dict``, references to its immutable strings; a
50 MB reply is not copied), and the text is made when the writer thread joins the parts
(``EncodedFile.pieces``). The UI thread's work per save is thus a reference per message and a
dict per changed one, whatever their length.

A lone UTF-16 surrogate (which UTF-8 cannot encode) makes the part that holds it use ``\\u``
escapes throughout: still valid JSON that reads back the same.
"""

from __future__ import annotations

import codecs
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop.core.fileformat import conversation_shell, message_to_dict
from desktop.core.models import Conversation
from desktop.core.pacing import Pace

# Between two messages, and around the list, at the depth messages have in the file (indent 1).
_MESSAGE_INDENT = "\n  "
_SEPARATOR = b",\n  "
# Two writer threads (two stores) could join one part at once: it is made once.
_MAKING = threading.Lock()


# Strings longer than this (a reply of megabytes) are escaped and encoded a slice at a time:
# a C call holds the GIL throughout, and one json.dumps of a 50 MB reply in the writer thread
# (~0.2 s) would freeze the UI thread just the same. Between slices the UI thread gets its turn.
_SLICE = 1 << 18


# Leaves (strings, numbers, true/false/null) by the C encoder: see indented.
_LEAF = json.JSONEncoder(ensure_ascii=False)


class _NotPlain(Exception):
    """A value ``indented`` leaves to json.dumps (a key that is not a string)."""


def indented(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)``, character for character, without
    the reference cycles json's indenting encoder leaves behind: it is written in Python, and
    each call makes nested functions that refer to each other, ~30 objects only the cycle
    collector frees. Confab's collector runs on the UI thread (desktop/controllers/collector.py),
    so an import writing 100,000 messages piled up garbage it then walked in passes of 100 ms.
    Here the leaves are encoded by the C encoder, which leaves none."""
    try:
        return _indented(value, 0)
    except _NotPlain:
        return json.dumps(value, ensure_ascii=False, indent=1)


def _indented(value: Any, depth: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + " " * (depth + 1)
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotPlain()
            items.append(_LEAF.encode(key) + ": " + _indented(item, depth + 1))
        return "{" + inner + ("," + inner).join(items) + "\n" + " " * depth + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = "\n" + " " * (depth + 1)
        parts = [_indented(item, depth + 1) for item in value]
        return "[" + inner + ("," + inner).join(parts) + "\n" + " " * depth + "]"
    return _LEAF.encode(value)


def encode_message(data: dict[str, Any]) -> list[bytes]:
    """A message's dict as it appears in the file's ``messages`` list (without separators), in
    pieces to write one after the other."""
    try:
        big = {k: v for k, v in data.items() if isinstance(v, str) and len(v) > _SLICE}
        if not big:
            text = indented(data)
            return [text.replace("\n", _MESSAGE_INDENT).encode("utf-8")]
        text = indented({**data, **dict.fromkeys(big, "")})
        return _spliced(text.replace("\n", _MESSAGE_INDENT), big)
    except UnicodeEncodeError:  # a lone surrogate
        escaped = json.dumps(data, ensure_ascii=True, indent=1)
        return [escaped.replace("\n", _MESSAGE_INDENT).encode("ascii")]


def _spliced(text: str, big: dict[str, str]) -> list[bytes]:
    """``text`` (the message with each big string left empty) with those strings put back,
    escaped as json.dumps escapes them, a slice at a time."""
    pieces: list[bytes] = []
    rest = text
    for key, value in big.items():
        # A key of the message's own object starts a line at exactly this indent, and a
        # string in JSON holds no line end: the marker is found once, in its place.
        marker = f"{_MESSAGE_INDENT} {json.dumps(key, ensure_ascii=False)}: "
        at = rest.index(marker + '""') + len(marker)
        pieces.append(rest[:at].encode("utf-8") + b'"')
        for start in range(0, len(value), _SLICE):
            piece = _escape(value[start : start + _SLICE])[1:-1]
            pieces.append(piece.encode("utf-8"))
        pieces.append(b'"')
        rest = rest[at + 2 :]
    pieces.append(rest.encode("utf-8"))
    return pieces


_escape: Callable[[str], str] = json.encoder.encode_basestring


class MessagePart:
    """One message's part of the file: made from a snapshot of the message when first
    needed (in the writer thread), then kept."""

    __slots__ = ("_data", "_encode", "_encoded")

    def __init__(
        self, data: dict[str, Any], encode: Callable[[dict[str, Any]], list[bytes]]
    ) -> None:
        self._data: dict[str, Any] | None = data
        self._encode = encode
        self._encoded: list[bytes] | None = None

    def pieces(self) -> list[bytes]:
        encoded = self._encoded
        if encoded is None:
            with _MAKING:
                encoded = self._encoded
                if encoded is None:
                    assert self._data is not None
                    encoded = self._encoded = self._encode(self._data)
                    self._data = None  # the snapshot is not needed again
        return encoded


@dataclass(frozen=True)
class EncodedFile:
    """A conversation file as parts to write: the text before the messages, each message's
    part, the text after them."""

    before: bytes
    messages: list[MessagePart]
    after: bytes

    def pieces(self) -> list[bytes]:
        """The file's bytes in pieces, to be written one after the other (called in the writer
        thread: this is where the changed messages' text is made). Not joined into one: a
        copy of 50 MB holds the GIL too."""
        if not self.messages:
            return [self.before, b"[]", self.after]
        pieces = [self.before, b"[\n  "]
        pace = Pace()  # encoding 5,000 new parts is ~0.1 s of Python (desktop/core/pacing.py)
        for index, part in enumerate(self.messages):
            if index:
                pieces.append(_SEPARATOR)
            pieces += part.pieces()
            pace()
        pieces += [b"\n ]", self.after]
        return pieces

    def join(self) -> bytes:
        return b"".join(self.pieces())


# Messages given their part per step of ``make_parts``: ~3 ms here, well under a frame.
PARTS_PER_STEP = 500


def make_parts(conversation: Conversation, limit: int = PARTS_PER_STEP) -> bool:
    """Give up to ``limit`` messages that have none their part of the file, ahead of the next
    save; True once every message has one. A conversation just opened has none, and its first
    save would make them all at once (5,000 messages: ~30 ms on the UI thread): done a step at
    a time while the window is idle, the first save costs what changed, like the others."""
    made = 0
    for message in conversation.messages:
        if message._encoded is not None and message._encoded_extra == message.extra.changes:
            continue
        if made == limit:
            return False
        message.keep_encoding(MessagePart(message.to_dict(), encode_message))
        made += 1
    return True


def encode_conversation(
    conversation: Conversation, encode: Callable[[dict[str, Any]], list[bytes]] = encode_message
) -> EncodedFile:
    """The file's parts, with a new part only for each message that changed since its part
    was made (``encode`` is the seam a test counts calls through)."""
    # The check inline: 5,000 calls of a function per save would cost more than the rest.
    messages = [
        kept
        if (kept := m._encoded) is not None and m._encoded_extra == m.extra.changes
        else m.keep_encoding(MessagePart(message_to_dict(m), encode))
        for m in conversation.messages
    ]
    before, after = _shell(conversation)
    return EncodedFile(before, messages, after)


def _dumps(value: Any) -> bytes:
    """A top-level field's value, indented as it is in the file."""
    try:
        text = indented(value)
        return text.replace("\n", "\n ").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return json.dumps(value, ensure_ascii=True, indent=1).replace("\n", "\n ").encode()


def _shell(conversation: Conversation) -> tuple[bytes, bytes]:
    """The file's text before and after the messages list: the top-level fields, encoded
    afresh at each save (they are few and short)."""
    lines: list[bytes] = []
    split = 0
    for key, value in conversation_shell(conversation).items():
        if key == "messages":
            lines.append(b' "messages": ')
            split = len(lines)
        else:
            lines.append(b" " + _dumps(key) + b": " + _dumps(value))
    # "{\n" + ",\n".join(lines) + "\n}", with the messages list spliced in after `split`.
    rest = lines[split:]
    before = b"{\n" + b",\n".join(lines[:split])
    after = (b",\n" + b",\n".join(rest) if rest else b"") + b"\n}"
    return before, after


# ---- reading ---------------------------------------------------------------------------------

# A file at least this long is decoded and parsed a piece at a time (see read_file).
PIECEWISE_CHARS = 1 << 18
_DECODE_SLICE = 1 << 20
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as json.decoder skips it


def read_file(raw: bytes, *, pace: Callable[[], None] | None = None) -> Any:
    """A conversation file's bytes (UTF-8, a byte-order mark allowed) as JSON, exactly as
    ``json.loads(raw.decode("utf-8-sig"))`` reads them, and raising what it raises.

    ``json.loads`` of a whole file is one C call that holds the GIL throughout: 25-95 ms for
    the 7.5 MB of 5,000 messages, and the UI thread waits for the loading thread that long. So
    a big file is decoded a megabyte at a time, and its top-level object and its ``messages``
    list are walked here, each key and each value (a message) parsed by the C scanner on its
    own, with ``pace`` (desktop/core/pacing.py) called between them. Any text the walk does not
    take (another shape, an error) is read again by ``json.loads``, which raises its own
    error."""
    if len(raw) < PIECEWISE_CHARS:
        return json.loads(raw.decode("utf-8-sig"))
    pace = pace or Pace()
    text = _decode(raw, pace)
    try:
        return _walk(text, pace)
    except (ValueError, IndexError):
        return json.loads(text)  # the same result, or json's own error


def _decode(raw: bytes, pace: Callable[[], None]) -> str:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    view = memoryview(raw)
    pieces: list[str] = []
    try:
        for start in range(0, len(view), _DECODE_SLICE):
            pieces.append(decoder.decode(view[start : start + _DECODE_SLICE]))
            pace()
        pieces.append(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        return raw.decode("utf-8-sig")  # raises the error with its place in the whole file
    return "".join(pieces)


def _skip(text: str, at: int) -> int:
    """Past the whitespace at ``text[at]``."""
    found = _SPACE.match(text, at)
    return found.end() if found else at


def _walk(text: str, pace: Callable[[], None]) -> dict[str, Any]:
    """The top-level object of ``text``, a member at a time (the ``messages`` list an item at
    a time); ValueError for anything else, or anything json.loads would not take."""
    scan = _DECODER.raw_decode
    at = _skip(text, 0)
    if text[at] != "{":
        raise ValueError("not an object")
    at = _skip(text, at + 1)
    data: dict[str, Any] = {}
    if text[at] == "}":
        at += 1
    else:
        while True:
            if text[at] != '"':
                raise ValueError("a key expected")
            key, at = scan(text, at)
            at = _skip(text, at)
            if text[at] != ":":
                raise ValueError("a colon expected")
            at = _skip(text, at + 1)
            if key == "messages" and text[at] == "[":
                data[key], at = _walk_list(text, at, pace)
            else:
                data[key], at = scan(text, at)
            pace()
            at = _skip(text, at)
            if text[at] == "}":
                at += 1
                break
            if text[at] != ",":
                raise ValueError("a comma expected")
            at = _skip(text, at + 1)
    if _skip(text, at) != len(text):
        raise ValueError("extra data")
    return data


def _walk_list(text: str, at: int, pace: Callable[[], None]) -> tuple[list[Any], int]:
    """The list that opens at ``text[at]``, an item at a time, and where it ends."""
    scan = _DECODER.raw_decode
    items: list[Any] = []
    at = _skip(text, at + 1)
    if text[at] == "]":
        return items, at + 1
    while True:
        item, at = scan(text, at)
        items.append(item)
        pace()
        at = _skip(text, at)
        if text[at] == "]":
            return items, at + 1
        if text[at] != ",":
            raise ValueError("a comma expected")
        at = _skip(text, at + 1)
