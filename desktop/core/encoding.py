"""A conversation file's bytes, re-encoding only the messages that changed since the last save.

The text is exactly ``json.dumps(conversation.to_dict(), ensure_ascii=False, indent=1)`` in
UTF-8 (docs/format.md, tests/core/test_encoding.py): each message's part of it is kept on the
message (``Message._encoded``, dropped by any change to the message, see models.py) and the
file is those parts joined, so that a save during a stream encodes the growing reply and the
conversation's few top-level fields, not the 5,000 messages before them (the whole of a 3.2 MB
conversation took ~90 ms, on the UI thread, every second).

Joining the parts into one ``bytes`` is left to whoever writes them (``EncodedFile.join``, in
the writer's thread): the UI thread only collects references.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop.core.models import Conversation, Message

# Between two messages, and around the list, at the depth messages have in the file (indent 1).
_MESSAGE_INDENT = "\n  "
_SEPARATOR = b",\n  "


@dataclass(frozen=True)
class EncodedFile:
    """A conversation file as parts to join: what comes before the messages, each message's
    encoding, what comes after. ``messages`` None: ``before`` is the whole file."""

    before: bytes
    messages: list[bytes] | None
    after: bytes = b""

    def join(self) -> bytes:
        if self.messages is None:
            return self.before
        if not self.messages:
            return self.before + b"[]" + self.after
        return b"".join(
            (self.before, b"[\n  ", _SEPARATOR.join(self.messages), b"\n ]", self.after)
        )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def encode_message(message: Message) -> bytes:
    """One message as it appears in the file's ``messages`` list (without the separators).
    Raises UnicodeEncodeError when it holds a lone surrogate, which UTF-8 cannot encode."""
    return _dumps(message.to_dict()).replace("\n", _MESSAGE_INDENT).encode("utf-8")


def _cached(message: Message, encode: Callable[[Message], bytes]) -> bytes:
    encoded = message.kept_encoding()
    if encoded is None:
        encoded = encode(message)
        message.keep_encoding(encoded)
    return encoded


def encode_conversation(
    conversation: Conversation, encode: Callable[[Message], bytes] = encode_message
) -> EncodedFile:
    """The file's parts, re-encoding only the messages that changed (``encode`` is the seam a
    test counts calls through). A lone surrogate anywhere (UTF-8 cannot encode it) gives the
    whole file with ``\\u`` escapes instead, as one part: still valid JSON that reads back the
    same, encoded in full at every save of such a conversation (it is rare)."""
    try:
        # The check inline: 5,000 calls to _cached alone cost ~1.5 ms a save.
        messages = [
            kept
            if (kept := m._encoded) is not None and m._encoded_extra == m.extra.changes
            else _cached(m, encode)
            for m in conversation.messages
        ]
        before, after = _shell(conversation)
    except UnicodeEncodeError:
        text = json.dumps(conversation.to_dict(), ensure_ascii=True, indent=1)
        return EncodedFile(text.encode("ascii"), None)
    return EncodedFile(before, messages, after)


def _shell(conversation: Conversation) -> tuple[bytes, bytes]:
    """The file's text before and after the messages list: the top-level fields, encoded
    afresh at each save (they are few and short)."""
    lines: list[str] = []
    split = 0
    for key, value in conversation.shell_dict().items():
        if key == "messages":
            lines.append(f" {json.dumps(key, ensure_ascii=False)}: ")
            split = len(lines)
            continue
        lines.append(f" {_dumps(key)}: {_dumps(value).replace(chr(10), chr(10) + ' ')}")
    # "{\n" + ",\n".join(lines) + "\n}", with the messages list spliced in after line `split`.
    before = "{\n" + ",\n".join(lines[:split])
    rest = lines[split:]
    after = (",\n" + ",\n".join(rest) if rest else "") + "\n}"
    return before.encode("utf-8"), after.encode("utf-8")
