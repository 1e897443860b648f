"""Conversation and message data types, and their JSON form (DESIGN.md, format version 1).

Unknown fields found in a file are kept in ``extra`` and written back untouched, so fields added
within version 1 (or by the user's own tools) lose nothing when saved here. A file of a higher
version is read as far as it can be and marked ``read_only``: storage never writes it back.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from desktop.core.errors import CorruptFileError

CONVERSATION_FORMAT = "confab.conversation"
CONVERSATION_VERSION = 1

Clock = Callable[[], datetime]
_T = TypeVar("_T")

# The ``error`` of a reply that was still streaming when Confab was killed or lost power.
INTERRUPTED = "interrupted"
# Set on a reply while it streams (the periodic saves carry it), removed when it ends.
STREAMING = "streaming"


def format_version(data: dict[str, Any]) -> int:
    """The ``version`` of a parsed file (1 when missing, as in files made by hand)."""
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise CorruptFileError(f"unknown format version {version!r}")
    return version


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    # isoformat, not strftime: strftime("%Y") does not zero-pad years before 1000 on glibc,
    # and fromisoformat cannot read what it would write.
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 time, as UTC. Raises ValueError or OverflowError when it cannot."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    # Converting here, not when saving, makes an out-of-range time fail at load (the file is
    # quarantined) rather than at every later save.
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _optional_str(value: Any) -> str | None:
    """A string field as found in a file: null stays None, numbers become text, and anything
    else (a list, an object) is malformed."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    raise TypeError(f"expected text, found {type(value).__name__}")


def _required_str(data: dict[str, Any], key: str) -> str:
    value = _optional_str(data[key])
    if value is None:
        raise TypeError(f"{key} is null")
    return value


def new_id() -> str:
    # 128 random bits as 32 hex digits, like uuid4().hex; importing uuid (and platform)
    # would cost start-up time before the first paint.
    return os.urandom(16).hex()


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    estimated: bool = False
    # Prompt tokens the provider served from its cache (billed cheaper); 0 when not reported.
    cached_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "estimated": self.estimated,
        }
        if self.cached_tokens:
            data["cached_tokens"] = self.cached_tokens
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Usage:
        """Liberal: a count that is not a whole, finite, non-negative number reads as 0 (a
        server's or a file's usage is only ever shown and summed, never trusted)."""
        prompt = _count(data.get("prompt_tokens"))
        completion = _count(data.get("completion_tokens"))
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=_count(data.get("total_tokens")) or prompt + completion,
            estimated=data.get("estimated") is True,
            cached_tokens=_cached_tokens(data),
        )


def _count(value: Any) -> int:
    """A token count as found in a file or a server's answer; 0 unless it is one."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value < 10**15:
        return value
    return 0


def _cached_tokens(data: dict[str, Any]) -> int:
    """Our own field, OpenAI's prompt_tokens_details.cached_tokens or DeepSeek's
    prompt_cache_hit_tokens."""
    details = data.get("prompt_tokens_details")
    for value in (
        data.get("cached_tokens"),
        details.get("cached_tokens") if isinstance(details, dict) else None,
        data.get("prompt_cache_hit_tokens"),
    ):
        if _count(value) > 0:
            return _count(value)
    return 0


@dataclass
class Params:
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"temperature": self.temperature, "top_p": self.top_p, "max_tokens": self.max_tokens}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        def number(key: str) -> float | None:
            value = data.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            # NaN or infinity would be written back as JSON no other tool reads.
            return float(value) if math.isfinite(value) else None

        max_tokens = data.get("max_tokens")
        return cls(
            temperature=number("temperature"),
            top_p=number("top_p"),
            max_tokens=max_tokens
            if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) and max_tokens > 0
            else None,
        )


_MESSAGE_FIELDS = {
    "provider",
    "id",
    "parent",
    "role",
    "content",
    "created_at",
    "model",
    "finish_reason",
    "usage",
    "reasoning",
    "error",
}


class MessageExtra(dict[str, Any]):
    """A message's ``extra``: a dict that counts its changes, so that the encoded form of the
    message kept for the next save (desktop/core/encoding.py) knows when it is stale. Values
    are replaced, never changed in place (``extra["x"]["y"] = 1`` would not be seen)."""

    __slots__ = ("changes",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changes = 0

    def __setitem__(self, key: str, value: Any) -> None:
        self.changes += 1
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.changes += 1
        super().__delitem__(key)

    def __ior__(self, other: Any) -> MessageExtra:  # type: ignore[override,misc]
        self.changes += 1
        super().update(other)
        return self

    def pop(self, *args: Any) -> Any:
        self.changes += 1
        return super().pop(*args)

    def popitem(self) -> tuple[str, Any]:
        self.changes += 1
        return super().popitem()

    def clear(self) -> None:
        self.changes += 1
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.changes += 1
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.changes += 1
        return super().setdefault(key, default)


@dataclass
class Message:
    id: str
    parent: str | None
    role: str
    content: str
    created_at: datetime
    model: str | None = None
    finish_reason: str | None = None
    usage: Usage | None = None
    reasoning: str | None = None
    # A reply that did not finish keeps its text and says why here: "stopped", "interrupted"
    # or the error's text.
    error: str | None = None
    extra: MessageExtra = field(default_factory=MessageExtra)
    # The id of the provider that wrote a reply (the conversation's may change later).
    provider: str | None = None

    # The message as encoded for the file at the last save (desktop/core/encoding.py), and
    # the change count of ``extra`` then; class-level defaults, not fields.
    _encoded: ClassVar[Any] = None
    _encoded_extra: ClassVar[int] = -1

    def __setattr__(self, name: str, value: Any) -> None:
        # Any assignment makes the kept encoding stale. Usage is frozen and extra counts its
        # own changes (MessageExtra), so no change to a message goes unseen.
        if name == "extra" and type(value) is not MessageExtra:
            value = MessageExtra(value)
        state = self.__dict__
        state[name] = value
        state["_encoded"] = None

    def kept_encoding(self) -> Any:
        """What ``keep_encoding`` stored, if the message has not changed since; else None."""
        if self._encoded_extra == self.extra.changes:
            return self._encoded
        return None

    def keep_encoding(self, encoded: _T) -> _T:
        """Keep ``encoded`` (encoding.py's part of the file) until the message changes."""
        state = self.__dict__
        state["_encoded"] = encoded
        state["_encoded_extra"] = self.extra.changes
        return encoded

    @property
    def streaming(self) -> bool:
        """Saved while the reply was still coming in (``"streaming": true`` in the file)."""
        return self.extra.get(STREAMING) is True

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "parent": self.parent,
            "role": self.role,
            "content": self.content,
            "created_at": format_time(self.created_at),
        }
        if self.role == "assistant":
            data["model"] = self.model
            data["finish_reason"] = self.finish_reason
            data["usage"] = self.usage.to_dict() if self.usage else None
            if self.reasoning:
                data["reasoning"] = self.reasoning
            data["error"] = self.error
            if self.provider:
                data["provider"] = self.provider
        data.update({k: v for k, v in self.extra.items() if k not in data})
        return data

    @classmethod
    def from_dict(
        cls, data: Any, notes: list[str] | None = None, fallback_time: datetime | None = None
    ) -> Message:
        """A message as found in a file. Without an id or a role it cannot be placed in the
        tree (TypeError, KeyError); any other field that cannot be read gets its default and
        a line in ``notes``. ``content`` given as a list of parts keeps its text."""
        if not isinstance(data, dict):
            raise TypeError(f"a message is {type(data).__name__}, not an object")
        fix = _Fixer(notes if notes is not None else [], f"message {data.get('id')!r}: ")
        usage = data.get("usage")
        if usage is not None and not isinstance(usage, dict):
            fix.note("usage", usage)
            usage = None
        # Built without __init__: its thirteen assignments through __setattr__ cost a fifth
        # of the time to read a message (start-up reads every one).
        message = cls.__new__(cls)
        message.__dict__.update(
            id=_required_str(data, "id"),
            parent=fix.field(data, "parent", _optional_str, None),
            role=_required_str(data, "role"),
            content=fix.field(data, "content", _content_text, "") or "",
            created_at=fix.field(
                data, "created_at", _time, fallback_time or EPOCH, missing_note=True
            ),
            model=fix.field(data, "model", _optional_str, None),
            finish_reason=fix.field(data, "finish_reason", _optional_str, None),
            usage=Usage.from_dict(usage) if usage is not None else None,
            reasoning=fix.field(data, "reasoning", _optional_str, None),
            error=fix.field(data, "error", _optional_str, None),
            extra=MessageExtra({k: v for k, v in data.items() if k not in _MESSAGE_FIELDS}),
            provider=fix.field(data, "provider", _optional_str, None),
        )
        return message


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected a time, found {type(value).__name__}")
    return parse_time(value)


def _content_text(value: Any) -> str | None:
    """A message's text: a string, or the text parts of a list of content parts (the wire
    form, which other tools write too)."""
    if isinstance(value, list):
        texts = [
            part["text"]
            for part in value
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        ]
        if len(texts) != len(value):
            raise TypeError("content parts other than text")
        return "\n\n".join(texts)
    return _optional_str(value)


class _Fixer:
    """Reads fields liberally: what cannot be read gets its default and a note that says so."""

    def __init__(self, notes: list[str], where: str) -> None:
        self.notes = notes
        self.where = where

    def note(self, key: str, value: Any) -> None:
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        self.notes.append(f"{self.where}{key} {shown} could not be read; left out")

    def field(
        self,
        data: dict[str, Any],
        key: str,
        parse: Callable[[Any], Any],
        default: Any,
        *,
        missing_note: bool = False,
    ) -> Any:
        if key not in data:
            if missing_note:
                self.notes.append(f"{self.where}{key} is missing")
            return default
        try:
            return parse(data[key])
        except (TypeError, ValueError, OverflowError, AttributeError, RecursionError):
            self.note(key, data[key])
            return default


_CONVERSATION_FIELDS = {
    "format",
    "version",
    "id",
    "title",
    "created_at",
    "updated_at",
    "provider",
    "model",
    "system_prompt",
    "params",
    "pinned",
    "tags",
    "head",
    "messages",
}


@dataclass
class Conversation:
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    provider: str | None = None
    model: str | None = None
    system_prompt: str = ""
    params: Params = field(default_factory=Params)
    pinned: bool = False
    tags: list[str] = field(default_factory=list)
    head: str | None = None
    messages: list[Message] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # The format version of the file when it is newer than this Confab's; never written.
    newer_version: int | None = field(default=None, compare=False)
    _index: dict[str, Message] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def read_only(self) -> bool:
        """Written by a newer Confab: shown, never changed or saved by this one."""
        return self.newer_version is not None

    @classmethod
    def new(
        cls, *, provider: str | None = None, model: str | None = None, clock: Clock = utc_now
    ) -> Conversation:
        now = clock()
        return cls(
            id=new_id(), title="", created_at=now, updated_at=now, provider=provider, model=model
        )

    def message(self, message_id: str) -> Message:
        # Streaming looks a message up on every delta: keep an index, rebuilt when stale
        # (remove_branch clears it; anything else only ever appends).
        found = self._index.get(message_id) if len(self._index) == len(self.messages) else None
        if found is None:
            self._index = {m.id: m for m in self.messages}
            found = self._index.get(message_id)
            if found is None:
                raise KeyError(message_id)
        return found

    def has_message(self, message_id: str) -> bool:
        try:
            self.message(message_id)
        except KeyError:
            return False
        return True

    def children(self, parent_id: str | None) -> list[Message]:
        """Direct replies to ``parent_id`` (None: the roots), oldest first."""
        return [m for m in self.messages if m.parent == parent_id]

    def siblings(self, message_id: str) -> list[Message]:
        """The alternatives at one point of the tree: ``message_id`` and every other child of
        its parent (edits of a question, regenerations of a reply), oldest first."""
        return self.children(self.message(message_id).parent)

    def leaf_of(self, message_id: str) -> str:
        """The end of the branch below ``message_id``, following the newest child each time."""
        current = message_id
        seen = {current}
        while True:
            kids = self.children(current)
            if not kids or kids[-1].id in seen:
                return current
            current = kids[-1].id
            seen.add(current)

    def switch_to(self, message_id: str) -> None:
        """Show the branch through ``message_id``: the thread below it follows."""
        self.message(message_id)
        self.head = self.leaf_of(message_id)

    def remove_branch(self, message_id: str) -> list[str]:
        """Delete ``message_id`` and everything below it; returns the removed ids. The thread
        moves to a remaining sibling, else to the parent."""
        target = self.message(message_id)
        removed = {message_id}
        changed = True
        while changed:
            changed = False
            for message in self.messages:
                if message.parent in removed and message.id not in removed:
                    removed.add(message.id)
                    changed = True
        siblings = [m for m in self.siblings(message_id) if m.id != message_id]
        on_thread = self.head in removed
        self.messages = [m for m in self.messages if m.id not in removed]
        self._index.clear()
        if on_thread:
            if siblings:
                self.head = self.leaf_of(siblings[-1].id)
            else:
                self.head = target.parent
        return sorted(removed)

    def thread(self) -> list[Message]:
        """The messages on screen: the path from the root to ``head``."""
        by_id = {m.id: m for m in self.messages}
        path: list[Message] = []
        current = by_id.get(self.head) if self.head else None
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            seen.add(current.id)
            path.append(current)
            current = by_id.get(current.parent) if current.parent else None
        path.reverse()
        return path

    def mark_interrupted(self) -> bool:
        """Replies saved mid-stream by a Confab that then died: say so, keep their text.
        True if any was found."""
        found = False
        for message in self.messages:
            if message.streaming:
                del message.extra[STREAMING]
                message.error = message.error or INTERRUPTED
                found = True
        return found

    def append(self, message: Message) -> Message:
        """Add ``message`` below the current head and make it the head."""
        self.messages.append(message)
        self.head = message.id
        return message

    def to_dict(self) -> dict[str, Any]:
        data = self.shell_dict()
        data["messages"] = [m.to_dict() for m in self.messages]
        return data

    def shell_dict(self) -> dict[str, Any]:
        """``to_dict()`` with an empty ``messages`` list in its place (encoding.py fills it
        from the messages' cached encodings)."""
        data: dict[str, Any] = {
            "format": CONVERSATION_FORMAT,
            "version": CONVERSATION_VERSION,
            "id": self.id,
            "title": self.title,
            "created_at": format_time(self.created_at),
            "updated_at": format_time(self.updated_at),
            "provider": self.provider,
            "model": self.model,
            "system_prompt": self.system_prompt,
            "params": self.params.to_dict(),
            "pinned": self.pinned,
            "tags": list(self.tags),
            "head": self.head,
            "messages": [],
        }
        data.update({k: v for k, v in self.extra.items() if k not in data})
        return data

    @classmethod
    def from_dict(cls, data: Any, notes: list[str] | None = None) -> Conversation:
        """Build a conversation from parsed JSON.

        Not a Confab conversation at all (no object, another format, an unknown version, no
        id): CorruptFileError. Any other field that cannot be read, and any message that
        cannot be placed (no id or role), is left at its default, with a line in ``notes``:
        one bad timestamp must not hide a whole conversation.
        """
        if not isinstance(data, dict) or data.get("format") != CONVERSATION_FORMAT:
            raise CorruptFileError("not a Confab conversation")
        notes = notes if notes is not None else []
        fix = _Fixer(notes, "")
        version = format_version(data)
        try:
            conversation_id = _required_str(data, "id")
        except (KeyError, TypeError) as exc:
            raise CorruptFileError(f"malformed conversation: no id ({exc})") from exc
        messages_data = data.get("messages")
        if messages_data is None:
            messages_data = []
        elif not isinstance(messages_data, list):
            fix.note("messages", messages_data)
            messages_data = []
        created_at = fix.field(data, "created_at", _time, None, missing_note=True)
        updated_at = fix.field(data, "updated_at", _time, None)
        messages: list[Message] = []
        previous = created_at or updated_at or EPOCH
        for index, item in enumerate(messages_data):
            try:
                message = Message.from_dict(item, notes, fallback_time=previous)
            except (KeyError, TypeError, ValueError, OverflowError, RecursionError) as exc:
                notes.append(f"message {index + 1} could not be read ({exc}); left out")
                continue
            messages.append(message)
            previous = message.created_at
        if created_at is None:
            created_at = messages[0].created_at if messages else updated_at or EPOCH
        params = data.get("params")
        tags = data.get("tags")
        if tags is not None and not isinstance(tags, list):
            fix.note("tags", tags)
        pinned = data.get("pinned", False)
        if not isinstance(pinned, bool):
            fix.note("pinned", pinned)
        return cls(
            id=conversation_id,
            title=fix.field(data, "title", _optional_str, "") or "",
            created_at=created_at,
            updated_at=updated_at or created_at,
            provider=fix.field(data, "provider", _optional_str, None),
            model=fix.field(data, "model", _optional_str, None),
            system_prompt=fix.field(data, "system_prompt", _optional_str, "") or "",
            params=Params.from_dict(params) if isinstance(params, dict) else Params(),
            pinned=pinned is True,
            tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
            head=fix.field(data, "head", _optional_str, None),
            messages=messages,
            extra={k: v for k, v in data.items() if k not in _CONVERSATION_FIELDS},
            newer_version=version if version > CONVERSATION_VERSION else None,
        )


@dataclass(frozen=True)
class ConversationSummary:
    """What the sidebar needs, without the messages."""

    id: str
    title: str
    updated_at: datetime
    pinned: bool = False

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationSummary:
        return cls(
            conversation.id, conversation.title, conversation.updated_at, conversation.pinned
        )


def title_from_text(text: str, limit: int = 60) -> str:
    """A provisional title: the first non-empty line of the question, shortened."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


def sort_newest_first(items: Iterable[ConversationSummary]) -> list[ConversationSummary]:
    return sorted(items, key=lambda s: s.updated_at, reverse=True)
