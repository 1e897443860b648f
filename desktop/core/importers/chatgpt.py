"""ChatGPT's data export: the .zip as downloaded (conversations.json, or the newer split
``conversations-000.json …``, beside the images), a bare conversations.json, the split files,
or a folder of them.

A conversation is ``{title, create_time, update_time, mapping, current_node, id /
conversation_id, default_model_slug, …}``; ``mapping`` is a tree of nodes ``{id, message,
parent, children}``. All of it is imported (desktop/core/importers/tree.py), every branch,
with ``head`` at ``current_node``, the branch the user was on (when that is missing: the
newest leaf); never by sorting on time.

Left out, their children hanging under their nearest kept ancestor:
- the root without a message, nodes hidden in ChatGPT (``metadata.
  is_visually_hidden_from_conversation``, the custom instructions, memory contexts), empty
  messages (a system message with no text, most often): not reported;
- ``thoughts`` and ``reasoning_recap`` nodes: folded into the ``reasoning`` of the next reply
  below them (the thoughts' summaries and text, then the recap, "Thought for 12 seconds");
- a node that cannot be read, and a content type with no text Confab knows: reported in
  ``Item.skipped_messages``.

Content types: ``text``; ``multimodal_text`` (strings, images as "[Image: name]" with an
``ImportedFile`` naming the file, found in the zip by its file id, audio transcriptions as
text); ``code`` sent to a tool (``recipient`` not "all": python, the browser, DALL·E, memory)
is a tool call on the assistant message (``arguments``: the code as written), and the tool's
reply (``execution_output`` or any message of role tool) a message of role "tool" with the
call's id; ``tether_quote`` / ``tether_browsing_display`` (quoted sources) a Markdown quote
with the title and address; any other type with text: the text.

Kept: the model slug on each reply (``metadata.model_slug``, else the conversation's
``default_model_slug``; the conversation's own ``model`` is left unset, build.py says why),
the times (``create_time``, seconds since 1970, may be null: the parent's time then) and the
title.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from desktop.core.importers import CHATGPT, Cancelled, Event, Item
from desktop.core.importers.build import as_dict as _dict
from desktop.core.importers.build import as_list as _list
from desktop.core.importers.build import conversation_of
from desktop.core.importers.build import join as _join
from desktop.core.importers.build import text as _text
from desktop.core.importers.container import Container
from desktop.core.importers.ids import message_id
from desktop.core.importers.lists import ReadOne, read_lists
from desktop.core.importers.reasons import (
    CONTENT_WITHOUT_TEXT,
    CONVERSION_FAILED,
    IMAGE_NOT_IN_EXPORT,
    MADE_ID,
    MESSAGE_NOT_AN_OBJECT,
    MESSAGES_MISSING,
    MESSAGES_NOT_AN_OBJECT,
    NODE_NOT_AN_OBJECT,
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
)

ROLES = ("user", "assistant", "system", "tool")
# Content types that hold what a person in ChatGPT never sees.
_HIDDEN_TYPES = frozenset({"user_editable_context", "model_editable_context"})
_FOLDED_TYPES = frozenset({"thoughts", "reasoning_recap"})
_FINISH = {"stop": "stop", "max_tokens": "length"}
# An image's file id as the export names its file: "file-AbC123-photo.png",
# "file_00000000abcd….png", "dalle-generations/file-XyZ-….webp".
_FILE_ID = re.compile(r"(file[-_][A-Za-z0-9]+)")
_NOT_IMAGES = (".json", ".html")


def read_chatgpt(path: Path, cancelled: Cancelled, clock: Clock) -> Iterator[Event]:
    def prepare(container: Container) -> ReadOne:
        images = image_index(container)
        return lambda data: read_conversation(data, images, clock)

    return read_lists(path, prepare, cancelled)


def image_index(container: Container) -> dict[str, str]:
    """File id -> the image's name in the export."""
    index: dict[str, str] = {}
    for name in container.names():
        base = PurePosixPath(name).name
        if base.lower().endswith(_NOT_IMAGES):
            continue
        found = _FILE_ID.match(base)
        if found is not None:
            index.setdefault(found[1], name)
    return index


def timestamp(value: Any) -> datetime | None:
    """ChatGPT's times: seconds since 1970, a float; None when null or not a usable time."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        if not math.isfinite(value):
            return None
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def read_conversation(
    data: dict[str, Any], images: dict[str, str] | None = None, clock: Clock | None = None
) -> Item:
    """One conversation of the export (its JSON object) as an Item."""
    images = images or {}
    source_id = _text(data.get("conversation_id")) or _text(data.get("id"))
    notes: list[Reason] = []
    created = timestamp(data.get("create_time"))
    if not source_id:
        # No id to derive one from: the title and time still give the same id each time.
        source_id = f"untitled:{data.get('create_time')!r}:{_text(data.get('title'))}"
        notes.append(reason(MADE_ID))
    mapping = data.get("mapping")
    if not isinstance(mapping, dict):
        if mapping is None:
            notes.append(reason(MESSAGES_MISSING, field="mapping"))
        else:
            notes.append(
                reason(MESSAGES_NOT_AN_OBJECT, field="mapping", type=type(mapping).__name__)
            )
        mapping = {}
    files: list[str] = []
    reader = _NodeReader(source_id, images, files, created or EPOCH)
    reader.model = _text(data.get("default_model_slug")) or None

    def parent_of(key: str) -> str | None:
        node = mapping[key]
        parent = node.get("parent") if isinstance(node, dict) else None
        return parent if isinstance(parent, str) else None

    def order(key: str) -> list[str]:
        node = mapping.get(key)
        kids = node.get("children") if isinstance(node, dict) else None
        return [k for k in kids if isinstance(k, str)] if isinstance(kids, list) else []

    tree = build_tree(
        ((str(key), parent_of(key)) for key in mapping),
        order,
        lambda key, under: reader.convert(key, mapping[key], under),
    )
    current = data.get("current_node")
    conversation = conversation_of(
        CHATGPT,
        source_id,
        tree,
        head=current if isinstance(current, str) else None,
        title=_text(data.get("title")),
        created=created,
        updated=timestamp(data.get("update_time")),
        clock=clock,
    )
    # The export's conversation-level flags (missing or null: not set). On a re-import of a
    # conversation already in the library, the library's own flags stay (importing.merge).
    conversation.archived = data.get("is_archived") is True
    # Older exports star a conversation; newer ones (2025) pin it, with the time it was pinned.
    pinned_time = data.get("pinned_time")
    conversation.pinned = data.get("is_starred") is True or (
        isinstance(pinned_time, (int, float, str))
        and not isinstance(pinned_time, bool)
        and bool(pinned_time)
    )
    notes.extend(reader.notes)
    return Item(conversation, tree.skipped, notes, files)


class _NodeReader:
    """Makes one node's message (desktop/core/importers/tree.py calls it for each)."""

    def __init__(self, source_id: str, images: dict[str, str], files: list[str], start: datetime):
        self.source_id = source_id
        self.images = images
        self.files = files
        self.start = start
        self.notes: list[Reason] = []
        # The conversation's model: a reply without a model_slug of its own.
        self.model: str | None = None

    def convert(self, key: str, node: Any, under: Message | None) -> Converted:
        if not isinstance(node, dict):
            return Converted(None, skipped=reason(NODE_NOT_AN_OBJECT, type=type(node).__name__))
        raw = node.get("message")
        if raw is None:
            return Converted(None)  # the root
        if not isinstance(raw, dict):
            return Converted(None, skipped=reason(MESSAGE_NOT_AN_OBJECT, type=type(raw).__name__))
        try:
            return self._message(key, raw, under)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
            return Converted(None, skipped=reason(CONVERSION_FAILED, error=error_text(exc)))

    def _message(self, key: str, raw: dict[str, Any], under: Message | None) -> Converted:
        author = _dict(raw.get("author"))
        role = _text(author.get("role")) or "assistant"
        metadata = _dict(raw.get("metadata"))
        content = _dict(raw.get("content"))
        kind = _text(content.get("content_type")) or "text"
        if metadata.get("is_visually_hidden_from_conversation") is True or kind in _HIDDEN_TYPES:
            return Converted(None)
        if kind in _FOLDED_TYPES:
            return Converted(None, reasoning=_reasoning(content))
        recipient = _text(raw.get("recipient")) or "all"
        text, files = self._content(kind, content, metadata)
        if text is None:
            return Converted(None, skipped=reason(CONTENT_WITHOUT_TEXT, kind=repr(kind)))
        calls: tuple[ToolCall, ...] = ()
        if role == "assistant" and recipient != "all":
            calls = (ToolCall(id=key, name=recipient, arguments=text),)
            text = ""
        elif kind == "code" and text:
            text = f"```{_text(content.get('language'))}\n{text}\n```"
        if not text.strip() and not calls and not files:
            return Converted(None)  # an empty message (a system prompt's placeholder, mostly)
        created = timestamp(raw.get("create_time"))
        if created is None:
            created = under.created_at if under is not None else self.start
        message = Message(
            id=message_id(CHATGPT, self.source_id, key),
            parent=None,
            role=role,
            content=text,
            created_at=created,
        )
        if role == "assistant":
            message.model = _text(metadata.get("model_slug")) or self.model
            finish = _text(_dict(metadata.get("finish_details")).get("type"))
            message.finish_reason = _FINISH.get(finish, finish or None)
        if calls:
            message.tool_calls = calls
        if role == "tool":
            message.tool_name = _text(author.get("name")) or None
            if under is not None and under.tool_calls:
                message.tool_call_id = under.tool_calls[-1].id
        if files:
            message.imported_files = tuple(files)
        return Converted(message)

    def _content(
        self, kind: str, content: dict[str, Any], metadata: dict[str, Any]
    ) -> tuple[str | None, list[ImportedFile]]:
        """The text of a content (None: none Confab can read) and its files."""
        files: list[ImportedFile] = []
        if kind in ("text", "multimodal_text"):
            parts = content.get("parts", [])
            if not isinstance(parts, list):
                raise TypeError(f"its parts are {type(parts).__name__}, not a list")
            pieces = [self._part(p, files) for p in parts]
            return "\n\n".join(p for p in pieces if p), files
        if kind == "code":
            return _text(content.get("text")), files
        if kind == "execution_output":
            text = _text(content.get("text"))
            for output in _list(_dict(metadata.get("aggregate_result")).get("messages")):
                output = _dict(output)
                if output.get("message_type") == "image":
                    pointer = _text(output.get("image_url"))
                    text = _join(text, self._image(pointer, files))
            return text, files
        if kind == "tether_quote":
            return _quote(
                _text(content.get("text")),
                _text(content.get("title")) or _text(content.get("domain")),
                _text(content.get("url")),
            ), files
        if kind == "tether_browsing_display":
            return _quote(
                _text(content.get("result")) or _text(content.get("summary")), "", ""
            ), files
        for name in ("text", "result", "content"):
            if _text(content.get(name)).strip():
                return _text(content[name]), files
        parts = content.get("parts")
        if isinstance(parts, list):
            pieces = [self._part(p, files) for p in parts]
            if any(pieces):
                return "\n\n".join(p for p in pieces if p), files
        return None, files

    def _part(self, part: Any, files: list[ImportedFile]) -> str:
        if isinstance(part, str):
            return part
        if not isinstance(part, dict):
            return ""
        kind = _text(part.get("content_type"))
        if kind == "image_asset_pointer":
            return self._image(_text(part.get("asset_pointer")), files)
        if kind == "audio_asset_pointer" or kind.endswith("_asset_pointer"):
            pointer = _text(part.get("asset_pointer"))
            name = pointer.rsplit("/", 1)[-1] or "audio"
            files.append(ImportedFile(name=name, kind="file", source=pointer or None))
            return f"[File: {name}]"
        return _text(part.get("text"))

    def _image(self, pointer: str, files: list[ImportedFile]) -> str:
        found = _FILE_ID.match(pointer.rsplit("://", 1)[-1])
        path = self.images.get(found[1]) if found is not None else None
        if path is not None:
            name = PurePosixPath(path).name
            self.files.append(path)
        else:
            name = found[1] if found is not None else (pointer.rsplit("/", 1)[-1] or "image")
            self.notes.append(reason(IMAGE_NOT_IN_EXPORT, name=repr(pointer)))
        files.append(ImportedFile(name=name, kind="image", source=pointer or None, path=path))
        return f"[Image: {name}]"


def _reasoning(content: dict[str, Any]) -> str:
    if content.get("content_type") == "reasoning_recap":
        return _text(content.get("content")).strip()
    pieces = []
    for thought in _list(content.get("thoughts")):
        thought = _dict(thought)
        summary = _text(thought.get("summary")).strip()
        body = _text(thought.get("content")).strip()
        pieces.append(f"**{summary}**\n\n{body}" if summary and body else summary or body)
    return "\n\n".join(p for p in pieces if p)


def _quote(text: str, title: str, url: str) -> str:
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())
    if url:
        label = title or url
        source = f"[{_escape(label)}]({url.replace(')', '%29').replace(' ', '%20')})"
    else:
        source = _escape(title)
    return _join(quoted, f"— {source}" if source else "")


def _escape(text: str) -> str:
    return re.sub(r"([\[\]\\])", r"\\\1", text)
