"""Conversation and message data types, and their JSON form (DESIGN.md, format version 1).

Unknown fields found in a file are kept in ``extra`` and written back untouched, so fields added
within version 1 (or by the user's own tools) lose nothing when saved here. A file of a higher
version is read as far as it can be and marked ``read_only``: storage never writes it back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from desktop.core.errors import CorruptFileError

CONVERSATION_FORMAT = "confab.conversation"
CONVERSATION_VERSION = 1

Clock = Callable[[], datetime]

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


@dataclass
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
        prompt = int(data.get("prompt_tokens") or 0)
        completion = int(data.get("completion_tokens") or 0)
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=int(data.get("total_tokens") or prompt + completion),
            estimated=bool(data.get("estimated", False)),
            cached_tokens=_cached_tokens(data),
        )


def _cached_tokens(data: dict[str, Any]) -> int:
    """Our own field, OpenAI's prompt_tokens_details.cached_tokens or DeepSeek's
    prompt_cache_hit_tokens."""
    details = data.get("prompt_tokens_details")
    for value in (
        data.get("cached_tokens"),
        details.get("cached_tokens") if isinstance(details, dict) else None,
        data.get("prompt_cache_hit_tokens"),
    ):
        if isinstance(value, int) and value > 0:
            return value
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
            return float(value) if isinstance(value, int | float) else None

        max_tokens = data.get("max_tokens")
        return cls(
            temperature=number("temperature"),
            top_p=number("top_p"),
            max_tokens=int(max_tokens) if isinstance(max_tokens, int) else None,
        )


_MESSAGE_FIELDS = {
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
    extra: dict[str, Any] = field(default_factory=dict)

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
        data.update({k: v for k, v in self.extra.items() if k not in data})
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        usage = data.get("usage")
        return cls(
            id=_required_str(data, "id"),
            parent=_optional_str(data.get("parent")),
            role=_required_str(data, "role"),
            content=_optional_str(data.get("content")) or "",
            created_at=parse_time(_required_str(data, "created_at")),
            model=_optional_str(data.get("model")),
            finish_reason=_optional_str(data.get("finish_reason")),
            usage=Usage.from_dict(usage) if isinstance(usage, dict) else None,
            reasoning=_optional_str(data.get("reasoning")),
            error=_optional_str(data.get("error")),
            extra={k: v for k, v in data.items() if k not in _MESSAGE_FIELDS},
        )


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
            "messages": [m.to_dict() for m in self.messages],
        }
        data.update({k: v for k, v in self.extra.items() if k not in data})
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Conversation:
        """Build a conversation from parsed JSON; anything malformed raises CorruptFileError."""
        if not isinstance(data, dict) or data.get("format") != CONVERSATION_FORMAT:
            raise CorruptFileError("not a Confab conversation")
        try:
            messages_data = data.get("messages") or []
            if not isinstance(messages_data, list):
                raise TypeError("messages is not a list")
            messages = [Message.from_dict(m) for m in messages_data]
            params = data.get("params")
            tags = data.get("tags") or []
            version = format_version(data)
            created_at = parse_time(_required_str(data, "created_at"))
            updated = _optional_str(data.get("updated_at"))
            return cls(
                id=_required_str(data, "id"),
                title=_optional_str(data.get("title")) or "",
                created_at=created_at,
                updated_at=parse_time(updated) if updated else created_at,
                provider=_optional_str(data.get("provider")),
                model=_optional_str(data.get("model")),
                system_prompt=_optional_str(data.get("system_prompt")) or "",
                params=Params.from_dict(params) if isinstance(params, dict) else Params(),
                pinned=bool(data.get("pinned", False)),
                tags=[t for t in map(_optional_str, tags) if t is not None]
                if isinstance(tags, list)
                else [],
                head=_optional_str(data.get("head")),
                messages=messages,
                extra={k: v for k, v in data.items() if k not in _CONVERSATION_FIELDS},
                newer_version=version if version > CONVERSATION_VERSION else None,
            )
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            OverflowError,
            RecursionError,
        ) as exc:
            # OverflowError: 1e400 reads as inf, int(inf) and years past 9999 overflow.
            raise CorruptFileError(f"malformed conversation: {exc}") from exc


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
