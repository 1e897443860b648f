"""A conversation file's bytes, re-encoding only the messages that changed since the last save.

The file is ``json.dumps(conversation.to_dict(), ensure_ascii=False, indent=1)`` in UTF-8,
byte for byte (tests/core/test_encoding.py). It is made of parts: the top-level fields, and
each message's part, which is kept on the message (``Message._encoded``, dropped by any change
to it, see models.py) from one save to the next. So a save during a stream makes a new part
for the growing reply only, not for the 5,000 messages before it (encoding all of a 3.2 MB
conversation took ~90 ms on the UI thread, every second).

Even that part's ``json.dumps`` is not done on the UI thread: there a changed message is only
turned into a dict (``Message.to_dict``, references to its immutable strings; a 50 MB reply is
not copied), and the text is made when the writer thread joins the parts
(``EncodedFile.join``). The UI thread's work per save is thus a reference per message and a
dict per changed one, whatever their length.

A lone UTF-16 surrogate (which UTF-8 cannot encode) makes the part that holds it use ``\\u``
escapes throughout: still valid JSON that reads back the same.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop.core.models import Conversation

# Between two messages, and around the list, at the depth messages have in the file (indent 1).
_MESSAGE_INDENT = "\n  "
_SEPARATOR = b",\n  "
# Two writer threads (two stores) could join one part at once: it is made once.
_MAKING = threading.Lock()


def encode_message(data: dict[str, Any]) -> bytes:
    """A message's dict as it appears in the file's ``messages`` list (without separators)."""
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("\n", _MESSAGE_INDENT)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        escaped = json.dumps(data, ensure_ascii=True, indent=1)
        return escaped.replace("\n", _MESSAGE_INDENT).encode("ascii")


class MessagePart:
    """One message's part of the file: made from a snapshot of the message when first
    needed (in the writer thread), then kept."""

    __slots__ = ("_data", "_encode", "_encoded")

    def __init__(self, data: dict[str, Any], encode: Callable[[dict[str, Any]], bytes]) -> None:
        self._data: dict[str, Any] | None = data
        self._encode = encode
        self._encoded: bytes | None = None

    def bytes(self) -> bytes:
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
    """A conversation file as parts to join: the text before the messages, each message's
    part, the text after them."""

    before: bytes
    messages: list[MessagePart]
    after: bytes

    def join(self) -> bytes:
        """The file's bytes (called in the writer thread: this is where text is made)."""
        if not self.messages:
            return self.before + b"[]" + self.after
        parts = _SEPARATOR.join([part.bytes() for part in self.messages])
        return b"".join((self.before, b"[\n  ", parts, b"\n ]", self.after))


def encode_conversation(
    conversation: Conversation, encode: Callable[[dict[str, Any]], bytes] = encode_message
) -> EncodedFile:
    """The file's parts, with a new part only for each message that changed since its part
    was made (``encode`` is the seam a test counts calls through)."""
    # The check inline: 5,000 calls of a function per save would cost more than the rest.
    messages = [
        kept
        if (kept := m._encoded) is not None and m._encoded_extra == m.extra.changes
        else m.keep_encoding(MessagePart(m.to_dict(), encode))
        for m in conversation.messages
    ]
    before, after = _shell(conversation)
    return EncodedFile(before, messages, after)


def _dumps(value: Any) -> bytes:
    """A top-level field's value, indented as it is in the file."""
    try:
        text = json.dumps(value, ensure_ascii=False, indent=1)
        return text.replace("\n", "\n ").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return json.dumps(value, ensure_ascii=True, indent=1).replace("\n", "\n ").encode()


def _shell(conversation: Conversation) -> tuple[bytes, bytes]:
    """The file's text before and after the messages list: the top-level fields, encoded
    afresh at each save (they are few and short)."""
    lines: list[bytes] = []
    split = 0
    for key, value in conversation.shell_dict().items():
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
