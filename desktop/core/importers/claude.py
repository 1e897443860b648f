"""Claude's data export: ``conversations.json`` (a list), bare or in the export's .zip.

A conversation is ``{uuid, name, created_at, updated_at, chat_messages}``; a message
``{uuid, sender: "human" | "assistant", text, content: [blocks], attachments, files,
created_at, parent_message_uuid?}``. With ``parent_message_uuid`` the messages form a tree
(edits and retries are siblings) and all of it is imported; without, each message follows
the one before it in the list. ``head``: ``current_leaf_message_uuid`` when the export has it,
else the newest leaf.

The content blocks, in order: ``text`` is the message's text, ``thinking`` its reasoning;
a ``tool_use`` is a tool call (``arguments``: its ``input`` as JSON) and its ``tool_result``
a message of role "tool" answering it, so a reply that used tools becomes several messages,
one after the other: the text and calls before the result, the result, the text after it.
The last of them has the id derived from the Claude message's uuid (what its replies hang
under); the others' ids add the block's number. Without ``content``, ``text`` is the text.

Attachments with ``extracted_content`` (the text Claude read from a file) are added to the
message's text below a "[File: name]" line, and each is an ``ImportedFile``; ``files`` with
no content (images, mostly) leave a "[Image: name]" / "[File: name]" placeholder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.core.importers import CLAUDE, Cancelled, Event, Item
from desktop.core.importers.build import as_list as _list
from desktop.core.importers.build import conversation_of
from desktop.core.importers.build import text as _text
from desktop.core.importers.container import Container
from desktop.core.importers.ids import message_id
from desktop.core.importers.lists import ReadOne, read_lists
from desktop.core.importers.reasons import (
    BLOCK_WITHOUT_TEXT,
    CONVERSION_FAILED,
    MADE_ID,
    MESSAGE_NOT_AN_OBJECT,
    MESSAGES_NOT_A_LIST,
    Reason,
    error_text,
    reason,
)
from desktop.core.importers.tree import Converted, build_tree
from desktop.core.models import (
    EPOCH,
    Clock,
    ImportedFile,
    Message,
    ToolCall,
    parse_time,
)
from desktop.core.tooltext import fenced

_ROLES = {"human": "user", "user": "user", "assistant": "assistant"}
_IMAGE = re.compile(r"\.(png|jpe?g|gif|webp|bmp|heic|svg)$", re.IGNORECASE)


def read_claude(path: Path, cancelled: Cancelled, clock: Clock) -> Iterator[Event]:
    def prepare(_container: Container) -> ReadOne:
        return lambda data: read_conversation(data, clock)

    return read_lists(path, prepare, cancelled)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_time(value)
    except (ValueError, OverflowError):
        return None


def read_conversation(data: dict[str, Any], clock: Clock | None = None) -> Item:
    source_id = _text(data.get("uuid"))
    notes: list[Reason] = []
    if not source_id:
        source_id = f"untitled:{_text(data.get('created_at'))}:{_text(data.get('name'))}"
        notes.append(reason(MADE_ID))
    raw = data.get("chat_messages")
    if not isinstance(raw, list):
        if raw is not None:
            notes.append(
                reason(MESSAGES_NOT_A_LIST, field="chat_messages", type=type(raw).__name__)
            )
        raw = []
    created = _time(data.get("created_at"))
    # Keys: the message's uuid (a made-up one when it has none or a repeated one).
    keyed: dict[str, Any] = {}
    parents: dict[str, str | None] = {}
    tree_given = any(isinstance(m, dict) and "parent_message_uuid" in m for m in raw)
    previous: str | None = None
    for index, message in enumerate(raw):
        key = _text(message.get("uuid")) if isinstance(message, dict) else ""
        if not key or key in keyed:
            key = f"#{index}"
        keyed[key] = message
        parent = message.get("parent_message_uuid") if isinstance(message, dict) else None
        parents[key] = (parent if isinstance(parent, str) else None) if tree_given else previous
        previous = key
    reader = _MessageReader(source_id, created or EPOCH, _text(data.get("model")) or None)
    tree = build_tree(
        ((key, parents[key]) for key in keyed),
        lambda _key: [],
        lambda key, under: reader.convert(key, keyed[key], under),
    )
    current = data.get("current_leaf_message_uuid")
    conversation = conversation_of(
        CLAUDE,
        source_id,
        tree,
        head=current if isinstance(current, str) else None,
        title=_text(data.get("name")),
        created=created,
        updated=_time(data.get("updated_at")),
        clock=clock,
    )
    return Item(conversation, tree.skipped, notes + reader.notes)


class _MessageReader:
    def __init__(self, source_id: str, start: datetime, model: str | None) -> None:
        self.source_id = source_id
        self.start = start
        # The conversation's model (newer exports name it): each reply's.
        self.model = model
        self.notes: list[Reason] = []

    def convert(self, key: str, raw: Any, under: Message | None) -> Converted:
        if not isinstance(raw, dict):
            return Converted(None, skipped=reason(MESSAGE_NOT_AN_OBJECT, type=type(raw).__name__))
        try:
            return self._convert(key, raw, under)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
            return Converted(None, skipped=reason(CONVERSION_FAILED, error=error_text(exc)))

    def _convert(self, key: str, raw: dict[str, Any], under: Message | None) -> Converted:
        sender = _text(raw.get("sender"))
        role = _ROLES.get(sender, sender or "assistant")
        created = _time(raw.get("created_at"))
        if created is None:
            created = under.created_at if under is not None else self.start
        blocks = raw.get("content")
        if not isinstance(blocks, list) or not blocks:
            blocks = [{"type": "text", "text": _text(raw.get("text"))}]
        parts: list[Message] = []
        segment = _Segment()
        for number, block in enumerate(blocks):
            if not isinstance(block, dict):
                continue
            kind = _text(block.get("type"))
            if kind == "text":
                segment.text.append(_text(block.get("text")))
            elif kind == "thinking":
                segment.reasoning.append(_text(block.get("thinking")))
            elif kind == "tool_use":
                segment.calls.append(_tool_call(block, f"{key}#{number}"))
            elif kind == "tool_result":
                if not segment.empty:
                    parts.append(
                        segment.message(self._id(f"{key}#{number}a"), "assistant", created)
                    )
                call_id = _text(block.get("tool_use_id")) or (
                    segment.calls[-1].id if segment.calls else None
                )
                result = Message(
                    id=self._id(f"{key}#{number}"),
                    parent=None,
                    role="tool",
                    content=_result_text(block),
                    created_at=created,
                )
                result.tool_call_id = call_id or None
                result.tool_name = _text(block.get("name")) or None
                parts.append(result)
                segment = _Segment()
            elif _text(block.get("text")):
                segment.text.append(_text(block.get("text")))
            else:
                self.notes.append(reason(BLOCK_WITHOUT_TEXT, message=key, kind=repr(kind)))
        files = self._files(raw, segment)
        last = segment.message(self._id(key), role, created)
        if files:
            last.imported_files = tuple(files)
        if segment.empty and not files and not parts:
            return Converted(None)  # an empty message
        if segment.empty and not files and parts:
            # The reply ended with a tool's result: that result stands for the message.
            last = parts.pop()
            last.id = self._id(key)
        for part in (*parts, last):
            if part.role == "assistant":
                part.model = self.model
        return Converted(last, before=tuple(parts))

    def _id(self, key: str) -> str:
        return message_id(CLAUDE, self.source_id, key)

    def _files(self, raw: dict[str, Any], segment: _Segment) -> list[ImportedFile]:
        files: list[ImportedFile] = []
        for attachment in _list(raw.get("attachments")):
            if not isinstance(attachment, dict):
                continue
            name = _text(attachment.get("file_name")) or "attachment"
            files.append(ImportedFile(name=name, kind="file"))
            extracted = _text(attachment.get("extracted_content"))
            segment.text.append(
                f"[File: {name}]\n\n{fenced(extracted)}" if extracted else f"[File: {name}]"
            )
        for file in [*_list(raw.get("files")), *_list(raw.get("files_v2"))]:
            if not isinstance(file, dict):
                continue
            name = _text(file.get("file_name")) or "file"
            if any(f.name == name for f in files):
                continue
            kind = "image" if _IMAGE.search(name) or file.get("file_kind") == "image" else "file"
            source = _text(file.get("file_uuid")) or None
            files.append(ImportedFile(name=name, kind=kind, source=source))
            segment.text.append(f"[{'Image' if kind == 'image' else 'File'}: {name}]")
        return files


class _Segment:
    """Text, reasoning and tool calls of one reply between two tool results."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.calls: list[ToolCall] = []

    @property
    def empty(self) -> bool:
        return (
            not any(t.strip() for t in self.text)
            and not self.calls
            and not any(r.strip() for r in self.reasoning)
        )

    def message(self, message_id: str, role: str, created: datetime) -> Message:
        message = Message(
            id=message_id,
            parent=None,
            role=role,
            content="\n\n".join(t for t in self.text if t.strip()),
            created_at=created,
        )
        reasoning = "\n\n".join(r for r in self.reasoning if r.strip())
        if reasoning:
            message.reasoning = reasoning
        if self.calls:
            message.tool_calls = tuple(self.calls)
        return message


def _tool_call(block: dict[str, Any], fallback_id: str) -> ToolCall:
    arguments = block.get("input")
    try:
        text = json.dumps(arguments, ensure_ascii=False) if arguments is not None else ""
    except (TypeError, ValueError, RecursionError):
        text = ""
    return ToolCall(
        id=_text(block.get("id")) or fallback_id,
        name=_text(block.get("name")) or "tool",
        arguments=text,
    )


def _result_text(block: dict[str, Any]) -> str:
    content = block.get("content")
    if isinstance(content, str):
        text = content
    else:
        pieces = []
        for part in _list(content):
            if isinstance(part, dict):
                pieces.append(_text(part.get("text")) or _text(part.get("title")))
            elif isinstance(part, str):
                pieces.append(part)
        text = "\n\n".join(p for p in pieces if p)
    return f"(error) {text}" if block.get("is_error") is True else text
