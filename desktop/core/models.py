"""Conversation and message data types (DESIGN.md, format version 1).

Their JSON form, every key of it, is desktop/core/fileformat.py's (``to_dict``/``from_dict``
here only call it). Unknown fields found in a file are kept in ``extra`` and written back
untouched, so fields added within version 1 (or by the user's own tools) lose nothing when
saved here. A file of a higher version is read as far as it can be and marked ``read_only``:
storage never writes it back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from desktop.core.errors import INTERRUPTED as INTERRUPTED  # re-exported
from desktop.core.errors import OTHER, ConfabError, HttpStatusError, RequestTimeoutError
from desktop.core.errors import STOPPED as STOPPED  # re-exported

Clock = Callable[[], datetime]
_T = TypeVar("_T")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
        from desktop.core.fileformat import usage_to_dict

        return usage_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Usage:
        """Liberal (a file's or a server's usage): see fileformat.usage_from_dict."""
        from desktop.core.fileformat import usage_from_dict

        return usage_from_dict(data)


@dataclass
class Params:
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None

    def to_dict(self) -> dict[str, Any]:
        from desktop.core.fileformat import params_to_dict

        return params_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        from desktop.core.fileformat import params_from_dict

        return params_from_dict(data)


@dataclass(frozen=True)
class ReplyError:
    """Why a reply did not finish: ``kind`` is a stable name (an error class's ``KIND`` in
    desktop/core/errors.py, or "stopped", "interrupted", "other"), ``status`` the HTTP status
    when the server answered with one, ``detail`` the server's or system's own words (keys
    masked), ``timeout``/``seconds`` which timeout fired and its setting. ``text`` is the
    readable form, "<ErrorClass>: <detail>", "stopped" or "interrupted", that older Confabs
    read and write."""

    kind: str
    detail: str = ""
    status: int | None = None
    timeout: str | None = None
    seconds: float | None = None
    text: str = ""
    # Fields of error_info a newer Confab wrote.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def stopped(cls) -> ReplyError:
        return cls(kind=STOPPED, text=STOPPED)

    @classmethod
    def interrupted(cls) -> ReplyError:
        return cls(kind=INTERRUPTED, text=INTERRUPTED)

    @classmethod
    def of(cls, exc: BaseException, mask: Callable[[str], str] = str) -> ReplyError:
        """The error a failed request raised, its words passed through ``mask`` (which hides
        keys: desktop/core/logs.py's redact)."""
        if not isinstance(exc, ConfabError):
            detail = mask(str(exc))
            return cls(OTHER, detail, text=mask(f"{type(exc).__name__}: {exc}"))
        detail = mask(exc.detail)
        timeout = exc if isinstance(exc, RequestTimeoutError) else None
        return cls(
            kind=exc.KIND,
            detail=detail,
            status=exc.status if isinstance(exc, HttpStatusError) else None,
            timeout=(timeout.kind or None) if timeout is not None else None,
            seconds=timeout.seconds if timeout is not None else None,
            text=mask(f"{type(exc).__name__}: {exc.detail}".rstrip(": ")),
        )


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function the model asks to have run: ``arguments`` is the text it wrote (the JSON
    assembled from the pieces it streamed; for a tool imported from ChatGPT, the code it ran),
    kept as it came, valid or not. A reply's ``tool_calls`` hold these, and so does a request
    (desktop/core/wire.py re-exports it)."""

    id: str
    name: str
    arguments: str = ""
    type: str = "function"

    def parsed_arguments(self) -> Any:
        """The arguments as JSON values; raises WireValueError when they are not JSON."""
        import json

        from desktop.core.wire import WireValueError

        try:
            return json.loads(self.arguments) if self.arguments.strip() else {}
        except (ValueError, RecursionError) as exc:
            raise WireValueError(
                f"the arguments of {self.name!r} are not valid JSON ({exc})"
            ) from exc


@dataclass(frozen=True, slots=True)
class ToolSelection:
    """One MCP server whose tools a conversation offers the model (``Conversation.tools``):
    ``server`` its id (settings.json ``mcp_servers``), ``tools`` the names of the tools on,
    None: all the server has."""

    server: str
    tools: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ImportedFile:
    """A file (an image, a document) an imported message had, which Confab could not attach
    (attachments come later, issue 14): ``name`` is the file's name as shown (the content
    holds a placeholder "[Image: name]" / "[File: name]" where it was), ``kind`` "image" or
    "file", ``source`` the other app's reference to it (ChatGPT's asset pointer
    "file-service://file-…"), ``path`` the file's name inside the export when it was found
    there (None: not in the export)."""

    name: str
    kind: str = "image"
    source: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message (issue 14): stored once, content-addressed, as
    ``attachments/<sha256>.<ext>`` in the data folder (desktop/core/attachments/). ``sha256``
    is the stored file's digest (64 lower-case hex digits), ``name`` the file name the user
    sees, ``kind`` "image" or "document", ``mime`` its type as sniffed from its bytes, ``size``
    the stored file's bytes, ``ext`` the stored file's extension (lower case, no dot),
    ``width``/``height`` an image's pixels, ``excluded`` left out of what is sent."""

    sha256: str
    name: str
    kind: str
    mime: str
    size: int
    ext: str
    width: int | None = None
    height: int | None = None
    excluded: bool = False
    # Fields of the file's attachment a newer Confab wrote.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def file_name(self) -> str:
        """The stored file's name inside ``attachments/``."""
        return f"{self.sha256}.{self.ext}"

    @property
    def is_image(self) -> bool:
        return self.kind == "image"


@dataclass(frozen=True)
class ImportedFrom:
    """Where an imported conversation came from: ``app`` "chatgpt", "claude" or "confab",
    ``id`` its id there, ``at`` when it was imported."""

    app: str
    id: str
    at: datetime


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
    # A reply that did not finish keeps its text and says why here.
    error: ReplyError | None = None
    extra: MessageExtra = field(default_factory=MessageExtra)
    # The id of the provider that wrote a reply (the conversation's may change later).
    provider: str | None = None
    # On a reply: milliseconds from its request leaving to the first token (text or
    # reasoning) coming back; None when no token came or the reply is older than the field.
    ttft_ms: int | None = None
    # Set on a reply while it streams (the periodic saves carry it), cleared when it ends: a
    # file that still has it was left by a Confab that died mid-reply.
    streaming: bool = False
    # Always sent, whatever the context budget / never sent (not both).
    pinned: bool = False
    excluded: bool = False
    # Tool use: the calls a reply made / on a message of role "tool", the call it answers
    # (None: the source did not say) and the tool's name.
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    tool_name: str | None = None
    # A tool run of Confab's own (an MCP server's tool, desktop/core/tools/): on the "tool"
    # message, the id of the server that ran it, how long it took, what went wrong (the
    # server's words: an error result, a timeout, a crash) or that the user denied it.
    tool_server: str | None = None
    duration_ms: int | None = None
    tool_error: str | None = None
    # What kind of failure ``tool_error`` is: one of desktop/core/tools/types.py's FAILURES
    # ("tool", "timeout", "server", "arguments", "unknown_tool", "stopped"); None when the
    # call did not fail, or for a file that did not say.
    tool_failure: str | None = None
    denied: bool = False
    # Files of an imported message not attached (yet): see ImportedFile.
    imported_files: tuple[ImportedFile, ...] = ()
    # Files attached to the message (images, documents): see Attachment.
    attachments: tuple[Attachment, ...] = ()

    # The message as encoded for the file at the last save (desktop/core/encoding.py), and
    # the change count of ``extra`` then; class-level defaults, not fields.
    _encoded: ClassVar[Any] = None
    _encoded_extra: ClassVar[int] = -1

    def __setattr__(self, name: str, value: Any) -> None:
        # Any assignment makes the kept encoding stale. Usage and ReplyError are frozen and
        # extra counts its own changes (MessageExtra), so no change to a message goes unseen.
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

    def to_dict(self) -> dict[str, Any]:
        from desktop.core.fileformat import message_to_dict

        return message_to_dict(self)

    @classmethod
    def from_dict(
        cls, data: Any, notes: list[str] | None = None, fallback_time: datetime | None = None
    ) -> Message:
        """A message as found in a file: see fileformat.message_from_dict."""
        from desktop.core.fileformat import message_from_dict

        return message_from_dict(data, notes, fallback_time)


@dataclass(frozen=True)
class Budget:
    """How much of the thread a request carries (desktop/core/context.py): the newest
    ``max_messages`` messages and at most ``max_tokens`` tokens; None: no such limit."""

    max_messages: int | None = None
    max_tokens: int | None = None
    # Fields of the file's "context" a newer Confab wrote.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, conversation: Conversation) -> Budget:
        return conversation.context

    def store(self, conversation: Conversation) -> None:
        conversation.context = self


@dataclass(frozen=True)
class Summary:
    """A compaction: ``text`` (the summary the model wrote) is sent instead of the thread up
    to ``through`` (a message id); the messages themselves stay."""

    text: str
    through: str
    created_at: datetime | None = None
    # Fields of the file's "summary" a newer Confab wrote.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


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
    # The folder's path, names joined by "/" ("Work/Clients"); None: in no folder.
    folder: str | None = None
    # Out of the main list (still searchable, listed under Archive).
    archived: bool = False
    head: str | None = None
    messages: list[Message] = field(default_factory=list)
    # The context budget (no limit of its own: Budget()) and the latest compaction.
    context: Budget = field(default_factory=Budget)
    summary: Summary | None = None
    # What the user typed and did not send, and the files attached to it (stored in
    # attachments/ already; sent with the draft, never collected while the draft names them).
    draft: str = ""
    draft_attachments: tuple[Attachment, ...] = ()
    # The user renamed it (no generated title replaces that) / the model wrote the title.
    title_set_by_user: bool = False
    title_generated: bool = False
    # The file this was read from when that name was not its id (a sync tool's conflict copy).
    copied_from: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Imported from another app (or another Confab's export): see ImportedFrom.
    imported_from: ImportedFrom | None = None
    # The MCP servers (and their tools) offered to the model in this conversation; empty:
    # no tools (the request carries none).
    tools: tuple[ToolSelection, ...] = ()
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

    def on_thread(self, message_id: str) -> bool:
        """Whether ``message_id`` is on the thread on screen (the path from the root to
        ``head``)."""
        by_id = {m.id: m for m in self.messages}
        current = by_id.get(self.head) if self.head else None
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            if current.id == message_id:
                return True
            seen.add(current.id)
            current = by_id.get(current.parent) if current.parent else None
        return False

    def head_showing(self, message_id: str) -> str:
        """The ``head`` that puts ``message_id`` on screen: the current one when the message
        is on the thread already, else the newest leaf below it, following at each level the
        most recent child (by time; of children of the same time, the later in the file).
        Imported trees do not list children in the order they were written, so the file's
        order alone (``leaf_of``) could pick an older branch."""
        self.message(message_id)
        if self.on_thread(message_id):
            return self.head or message_id
        kids_of: dict[str | None, list[tuple[datetime, int, str]]] = {}
        for position, message in enumerate(self.messages):
            kids_of.setdefault(message.parent, []).append(
                (message.created_at, position, message.id)
            )
        current, seen = message_id, {message_id}
        while True:
            kids = [kid for kid in kids_of.get(current, []) if kid[2] not in seen]
            if not kids:
                return current
            current = max(kids)[2]
            seen.add(current)

    def show_message(self, message_id: str) -> bool:
        """Move ``head`` so that ``message_id`` is on the thread on screen (see
        ``head_showing``); True if ``head`` changed (the file is to be saved, as after any
        switch of branch)."""
        head = self.head_showing(message_id)
        if head == self.head:
            return False
        self.head = head
        return True

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
        return self.path_to(self.head)

    def path_to(self, message_id: str | None) -> list[Message]:
        """The path from the root to ``message_id`` (None, or not here: empty)."""
        by_id = {m.id: m for m in self.messages}
        path: list[Message] = []
        current = by_id.get(message_id) if message_id else None
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
                message.streaming = False
                message.error = message.error or ReplyError.interrupted()
                found = True
        return found

    @property
    def has_streaming_reply(self) -> bool:
        """A reply is still streaming into it (or a crash left one marked so)."""
        return any(message.streaming for message in self.messages)

    def take_contents(self, other: Conversation) -> None:
        """Become ``other`` (a newer version of this conversation read from its file), in
        place, so that everything holding this object sees the new version."""
        for f in fields(self):
            setattr(self, f.name, getattr(other, f.name))

    def append(self, message: Message) -> Message:
        """Add ``message`` below the current head and make it the head."""
        self.messages.append(message)
        self.head = message.id
        return message

    def to_dict(self) -> dict[str, Any]:
        from desktop.core.fileformat import conversation_to_dict

        return conversation_to_dict(self)

    @classmethod
    def from_dict(cls, data: Any, notes: list[str] | None = None) -> Conversation:
        """A conversation from parsed JSON: see fileformat.conversation_from_dict (not a
        Confab conversation: CorruptFileError; any field that cannot be read: its default and
        a line in ``notes``)."""
        from desktop.core.fileformat import conversation_from_dict

        return conversation_from_dict(data, notes)


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
