"""The JSON form of every data file, in one place: every key Confab writes or reads is here.

docs/format.md describes the result and resources/schema/ holds its JSON Schema; the model
types themselves (desktop/core/models.py, settings.py, providers.py, network.py, personas.py,
pricing.py) know nothing of keys, and their ``to_dict``/``from_dict`` methods come here.

Format version 1: fields may be added, none removed, renamed or retyped without a migration
(desktop/core/migrations.py). Reading is liberal: a field that cannot be read gets its default
and a line in ``notes`` (the caller keeps the file as it was before it is written over), and
fields this version does not know go to the object's ``extra``, written back after the known
ones, so that a newer Confab's fields and the user's own survive a save here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desktop.core.errors import OTHER, CorruptFileError, legacy_kind
from desktop.core.folders import clean_path
from desktop.core.models import (
    EPOCH,
    INTERRUPTED,
    STOPPED,
    Attachment,
    Budget,
    Conversation,
    ImportedFile,
    ImportedFrom,
    Message,
    MessageExtra,
    Params,
    ReplyError,
    Summary,
    ToolCall,
    ToolSelection,
    Usage,
    format_time,
    parse_time,
)
from desktop.core.preferences import (
    DEFAULT_QUICK_ASK_SHORTCUT,
    MAX_FONT_SIZE,
    MIN_FONT_SIZE,
    SEND_ENTER,
    SEND_KEYS,
    THEME_SYSTEM,
    THEMES,
)

if TYPE_CHECKING:
    from desktop.core.network import NetworkSettings
    from desktop.core.personas import Persona
    from desktop.core.pricing import Price
    from desktop.core.providers import Provider
    from desktop.core.settings import Settings
    from desktop.core.tools.config import McpServer

CONVERSATION_FORMAT = "confab.conversation"
CONVERSATION_VERSION = 1
SETTINGS_FORMAT = "confab.settings"
SETTINGS_VERSION = 1

# Fields a careless hand-edit might add to settings.json or a provider: never written back.
SECRET_FIELD_NAMES = frozenset(
    {"api_key", "apikey", "key", "token", "authorization", "password", "secret"}
)
# In "network", no unknown key containing one of these is kept either.
_SECRET_HINTS = ("password", "passwd", "secret", "token", "key")


def format_version(data: dict[str, Any]) -> int:
    """The ``version`` of a parsed file (1 when missing, as in files made by hand)."""
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise CorruptFileError(f"unknown format version {version!r}")
    return version


# ---- reading values liberally -------------------------------------------------------------


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


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, found {type(value).__name__}")
    return value


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected a time, found {type(value).__name__}")
    return parse_time(value)


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _count(value: Any) -> int:
    """A token count as found in a file or a server's answer; 0 unless it is one."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value < 10**15:
        return value
    return 0


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


def _unknown(data: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in known}


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


# ---- usage and params ---------------------------------------------------------------------


def usage_to_dict(usage: Usage) -> dict[str, Any]:
    data: dict[str, Any] = {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "estimated": usage.estimated,
    }
    if usage.cached_tokens:
        data["cached_tokens"] = usage.cached_tokens
    return data


def usage_from_dict(data: dict[str, Any]) -> Usage:
    """Liberal: a count that is not a whole, finite, non-negative number reads as 0 (a
    server's or a file's usage is only ever shown and summed, never trusted). The same form
    comes from servers, so their names for cached tokens are read too."""
    prompt = _count(data.get("prompt_tokens"))
    completion = _count(data.get("completion_tokens"))
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=_count(data.get("total_tokens")) or prompt + completion,
        estimated=data.get("estimated") is True,
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
        if _count(value) > 0:
            return _count(value)
    return 0


def params_to_dict(params: Params) -> dict[str, Any]:
    return {
        "temperature": params.temperature,
        "top_p": params.top_p,
        "max_tokens": params.max_tokens,
    }


def params_from_dict(data: dict[str, Any]) -> Params:
    def number(key: str) -> float | None:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        # NaN or infinity would be written back as JSON no other tool reads.
        return float(value) if math.isfinite(value) else None

    return Params(
        temperature=number("temperature"),
        top_p=number("top_p"),
        max_tokens=_positive(data.get("max_tokens")),
    )


# ---- a reply's error ----------------------------------------------------------------------

_ERROR_INFO = frozenset({"kind", "status", "detail", "timeout", "seconds"})
# How desktop/core/client.py words a timeout it can name (in the error's detail).
_TIMEOUT_DETAIL = re.compile(r"(connect|first-byte|silence) timeout \(([\d.]+) s\)")


def error_info_to_dict(error: ReplyError) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": error.kind}
    if error.status is not None:
        data["status"] = error.status
    if error.detail:
        data["detail"] = error.detail
    if error.timeout is not None:
        data["timeout"] = error.timeout
    if error.seconds is not None:
        data["seconds"] = _number(error.seconds)
    return data


def legacy_error(text: str) -> ReplyError:
    """A reply's ``error`` as Confab wrote it before ``error_info`` existed (and still writes
    it, for older Confabs): "stopped", "interrupted" or "<ErrorClass>: <detail>"."""
    if text in (STOPPED, INTERRUPTED):
        return ReplyError(kind=text, text=text)
    name, colon, rest = text.partition(":")
    kind = legacy_kind(name.strip()) if colon or " " not in text else None
    if kind is None:
        # Another class's "<Name>: <detail>" (a bug's, a newer Confab's), or any text.
        named = bool(colon) and name.strip().isidentifier()
        return ReplyError(kind=OTHER, detail=rest.strip() if named else text, text=text)
    detail = rest.strip()
    timeout = _TIMEOUT_DETAIL.fullmatch(detail) if kind == "timeout" else None
    if timeout is not None:
        return ReplyError(
            kind=kind,
            detail=detail,
            timeout=timeout[1].replace("-", "_"),
            seconds=float(timeout[2]),
            text=text,
        )
    return ReplyError(kind=kind, detail=detail, text=text)


def _reply_error(text: str, info: Any) -> ReplyError:
    """The error of a reply: ``error_info`` when it belongs to ``error`` (an older Confab that
    changed the error kept a stale ``error_info`` in its extra), else read from the text."""
    legacy = legacy_error(text)
    if not isinstance(info, dict) or not isinstance(info.get("kind"), str):
        return legacy
    detail = info.get("detail", "")
    status = info.get("status")
    seconds = info.get("seconds")
    timeout = info.get("timeout")
    if (
        not isinstance(detail, str)
        or detail != legacy.detail
        or legacy.kind not in (info["kind"], OTHER)
    ):
        return legacy
    return ReplyError(
        kind=info["kind"],
        detail=detail,
        status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        timeout=timeout if isinstance(timeout, str) else legacy.timeout,
        seconds=float(seconds)
        if isinstance(seconds, int | float)
        and not isinstance(seconds, bool)
        and math.isfinite(seconds)
        else legacy.seconds,
        text=text,
        extra=_unknown(info, _ERROR_INFO),
    )


# ---- messages -----------------------------------------------------------------------------

_MESSAGE_FIELDS = frozenset(
    {
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
        "error_info",
        "provider",
        "ttft_ms",
        "streaming",
        "pinned",
        "excluded",
        "tool_calls",
        "tool_call_id",
        "tool_name",
        "tool_server",
        "duration_ms",
        "tool_error",
        "tool_failure",
        "denied",
        "imported_files",
        "attachments",
    }
)


def message_to_dict(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message.id,
        "parent": message.parent,
        "role": message.role,
        "content": message.content,
        "created_at": format_time(message.created_at),
    }
    if message.role == "assistant":
        data["model"] = message.model
        data["finish_reason"] = message.finish_reason
        data["usage"] = usage_to_dict(message.usage) if message.usage else None
        if message.reasoning:
            data["reasoning"] = message.reasoning
        error = message.error
        data["error"] = error.text if error is not None else None
        if error is not None:
            data["error_info"] = {**error_info_to_dict(error), **error.extra}
        if message.provider:
            data["provider"] = message.provider
        if message.ttft_ms is not None:
            data["ttft_ms"] = message.ttft_ms
    if message.streaming:
        data["streaming"] = True
    if message.pinned:
        data["pinned"] = True
    if message.excluded:
        data["excluded"] = True
    if message.tool_calls:
        data["tool_calls"] = [tool_call_to_dict(call) for call in message.tool_calls]
    if message.tool_call_id is not None:
        data["tool_call_id"] = message.tool_call_id
    if message.tool_name is not None:
        data["tool_name"] = message.tool_name
    if message.tool_server is not None:
        data["tool_server"] = message.tool_server
    if message.duration_ms is not None:
        data["duration_ms"] = message.duration_ms
    if message.tool_error is not None:
        data["tool_error"] = message.tool_error
    if message.tool_failure is not None:
        data["tool_failure"] = message.tool_failure
    if message.denied:
        data["denied"] = True
    if message.imported_files:
        data["imported_files"] = [imported_file_to_dict(f) for f in message.imported_files]
    if message.attachments:
        data["attachments"] = [attachment_to_dict(a) for a in message.attachments]
    data.update({k: v for k, v in message.extra.items() if k not in data})
    return data


def tool_call_to_dict(call: ToolCall) -> dict[str, Any]:
    return {"id": call.id, "type": call.type, "name": call.name, "arguments": call.arguments}


def _objects(value: Any, what: str) -> list[dict[str, Any]]:
    """A list of objects (tool calls, files): TypeError when it is not one."""
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    for item in value:
        if not isinstance(item, dict):
            raise TypeError(f"a {what} is {type(item).__name__}, not an object")
    return value


def _tool_calls(value: Any) -> tuple[ToolCall, ...]:
    return tuple(
        ToolCall(
            id=_required_str(item, "id"),
            name=_required_str(item, "name"),
            arguments=_optional_str(item.get("arguments")) or "",
            type=_optional_str(item.get("type")) or "function",
        )
        for item in _objects(value, "tool call")
    )


def _legacy_tool_failure(error: str) -> str | None:
    if error == "stopped":
        return "stopped"
    if error.startswith("no result after "):
        return "timeout"
    return None


def _milliseconds(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError(f"expected a number of milliseconds, found {value!r}")
    return max(0, int(value))


def imported_file_to_dict(file: ImportedFile) -> dict[str, Any]:
    data: dict[str, Any] = {"name": file.name, "kind": file.kind}
    if file.source is not None:
        data["source"] = file.source
    if file.path is not None:
        data["path"] = file.path
    return data


def _imported_files(value: Any) -> tuple[ImportedFile, ...]:
    return tuple(
        ImportedFile(
            name=_required_str(item, "name"),
            kind=_optional_str(item.get("kind")) or "file",
            source=_optional_str(item.get("source")),
            path=_optional_str(item.get("path")),
        )
        for item in _objects(value, "file")
    )


_ATTACHMENT_FIELDS = frozenset(
    {"sha256", "name", "kind", "mime", "size", "ext", "width", "height", "excluded"}
)
_SHA256 = re.compile(r"[0-9a-f]{64}")
# A stored file's extension: what names it inside attachments/ (no dot, no separator).
_EXT = re.compile(r"[a-z0-9]{1,10}")
ATTACHMENT_KINDS = ("image", "document")


def attachment_to_dict(attachment: Attachment) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sha256": attachment.sha256,
        "name": attachment.name,
        "kind": attachment.kind,
        "mime": attachment.mime,
        "size": attachment.size,
        "ext": attachment.ext,
    }
    if attachment.width is not None:
        data["width"] = attachment.width
    if attachment.height is not None:
        data["height"] = attachment.height
    if attachment.excluded:
        data["excluded"] = True
    data.update({k: v for k, v in attachment.extra.items() if k not in data})
    return data


def attachment_from_dict(item: dict[str, Any]) -> Attachment:
    """One attachment of a message's ``attachments``; ValueError/TypeError when its file
    cannot be named (a digest that is not 64 lower-case hex digits, an extension that is not
    a plain one: a hand-edited file must not point outside ``attachments/``)."""
    sha256 = _required_str(item, "sha256").lower()
    ext = _required_str(item, "ext").lower()
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"sha256 {sha256[:70]!r} is not 64 hex digits")
    if not _EXT.fullmatch(ext):
        raise ValueError(f"ext {ext[:20]!r} is not a plain file extension")
    size = item.get("size")
    return Attachment(
        sha256=sha256,
        name=_optional_str(item.get("name")) or f"{sha256[:12]}.{ext}",
        kind=_optional_str(item.get("kind")) or "document",
        mime=_optional_str(item.get("mime")) or "application/octet-stream",
        size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else 0,
        ext=ext,
        width=_positive(item.get("width")),
        height=_positive(item.get("height")),
        excluded=item.get("excluded") is True,
        extra=_unknown(item, _ATTACHMENT_FIELDS),
    )


def _attachments(value: Any) -> tuple[Attachment, ...]:
    try:
        return tuple(attachment_from_dict(item) for item in _objects(value, "attachment"))
    except KeyError as exc:  # a field the file does not have: the list cannot be read
        raise TypeError(f"an attachment has no {exc}") from exc


def _draft_attachments(value: Any, fix: _Fixer) -> tuple[Attachment, ...]:
    """A draft's attachments, read liberally: one that cannot be named is left out (with a
    note), the others kept; anything but a list reads as none."""
    if value is None:
        return ()
    if not isinstance(value, list):
        fix.note("draft_attachments", value)
        return ()
    kept: list[Attachment] = []
    for item in value:
        try:
            if not isinstance(item, dict):
                raise TypeError(f"an attachment is {type(item).__name__}, not an object")
            attachment = attachment_from_dict(item)
        except (KeyError, TypeError, ValueError):
            fix.note("draft_attachments", item)
            continue
        if all(a.sha256 != attachment.sha256 for a in kept):
            kept.append(attachment)
    return tuple(kept)


def imported_from_to_dict(origin: ImportedFrom) -> dict[str, Any]:
    return {"app": origin.app, "id": origin.id, "at": format_time(origin.at)}


def _imported_from(value: Any) -> ImportedFrom:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    return ImportedFrom(
        app=_required_str(value, "app"), id=_required_str(value, "id"), at=_time(value.get("at"))
    )


def message_from_dict(
    data: Any, notes: list[str] | None = None, fallback_time: datetime | None = None
) -> Message:
    """A message as found in a file. Without an id or a role it cannot be placed in the tree
    (TypeError, KeyError); any other field that cannot be read gets its default and a line in
    ``notes``. ``content`` given as a list of parts keeps its text."""
    if not isinstance(data, dict):
        raise TypeError(f"a message is {type(data).__name__}, not an object")
    fix = _Fixer(notes if notes is not None else [], f"message {data.get('id')!r}: ")
    usage = data.get("usage")
    if usage is not None and not isinstance(usage, dict):
        fix.note("usage", usage)
        usage = None
    error_text = fix.field(data, "error", _optional_str, None)
    # Built without __init__: its assignments through __setattr__ cost a fifth of the time to
    # read a message (start-up reads every one).
    message = Message.__new__(Message)
    message.__dict__.update(
        id=_required_str(data, "id"),
        parent=fix.field(data, "parent", _optional_str, None),
        role=_required_str(data, "role"),
        content=fix.field(data, "content", _content_text, "") or "",
        created_at=fix.field(data, "created_at", _time, fallback_time or EPOCH, missing_note=True),
        model=fix.field(data, "model", _optional_str, None),
        finish_reason=fix.field(data, "finish_reason", _optional_str, None),
        usage=usage_from_dict(usage) if usage is not None else None,
        reasoning=fix.field(data, "reasoning", _optional_str, None),
        error=_reply_error(error_text, data.get("error_info")) if error_text is not None else None,
        extra=MessageExtra(_unknown(data, _MESSAGE_FIELDS)),
        provider=fix.field(data, "provider", _optional_str, None),
        streaming=_message_flag(data, "streaming", fix),
        pinned=_message_flag(data, "pinned", fix),
        excluded=_message_flag(data, "excluded", fix),
    )
    # Absent from nearly every message: looked up only when there (start-up reads them all).
    if "ttft_ms" in data:
        message.__dict__["ttft_ms"] = fix.field(data, "ttft_ms", _milliseconds, None)
    if "tool_calls" in data:
        message.__dict__["tool_calls"] = fix.field(data, "tool_calls", _tool_calls, ())
    if "tool_call_id" in data:
        message.__dict__["tool_call_id"] = fix.field(data, "tool_call_id", _optional_str, None)
    if "tool_name" in data:
        message.__dict__["tool_name"] = fix.field(data, "tool_name", _optional_str, None)
    if "tool_server" in data:
        message.__dict__["tool_server"] = fix.field(data, "tool_server", _optional_str, None)
    if "duration_ms" in data:
        message.__dict__["duration_ms"] = fix.field(data, "duration_ms", _milliseconds, None)
    if "tool_error" in data:
        message.__dict__["tool_error"] = fix.field(data, "tool_error", _optional_str, None)
    if "tool_failure" in data:
        message.__dict__["tool_failure"] = fix.field(data, "tool_failure", _optional_str, None)
    elif message.tool_error is not None and message.tool_server is not None:
        # Written before the kind was saved (a development build): the two it could tell.
        message.__dict__["tool_failure"] = _legacy_tool_failure(message.tool_error)
    if "denied" in data:
        message.__dict__["denied"] = _message_flag(data, "denied", fix)
    if "imported_files" in data:
        message.__dict__["imported_files"] = fix.field(data, "imported_files", _imported_files, ())
    if "attachments" in data:
        message.__dict__["attachments"] = fix.field(data, "attachments", _attachments, ())
    return message


def _message_flag(data: dict[str, Any], key: str, fix: _Fixer) -> bool:
    # Not fix.field: start-up reads three of these for every message, nearly always absent.
    value = data.get(key, False)
    if value is True or value is False:
        return value
    fix.note(key, value)
    return False


# ---- conversations ------------------------------------------------------------------------

_CONVERSATION_FIELDS = frozenset(
    {
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
        "context",
        "summary",
        "draft",
        "draft_attachments",
        "title_set_by_user",
        "title_generated",
        "copied_from",
        "folder",
        "archived",
        "imported_from",
        "tools",
    }
)
_BUDGET_FIELDS = frozenset({"max_messages", "max_tokens"})
_SUMMARY_FIELDS = frozenset({"text", "through", "created_at"})


def conversation_to_dict(conversation: Conversation) -> dict[str, Any]:
    data = conversation_shell(conversation)
    data["messages"] = [message_to_dict(m) for m in conversation.messages]
    return data


def conversation_shell(conversation: Conversation) -> dict[str, Any]:
    """``conversation_to_dict`` with an empty ``messages`` list in its place (encoding.py
    fills it from the messages' kept encodings)."""
    data: dict[str, Any] = {
        "format": CONVERSATION_FORMAT,
        "version": CONVERSATION_VERSION,
        "id": conversation.id,
        "title": conversation.title,
        "created_at": format_time(conversation.created_at),
        "updated_at": format_time(conversation.updated_at),
        "provider": conversation.provider,
        "model": conversation.model,
        "system_prompt": conversation.system_prompt,
        "params": params_to_dict(conversation.params),
        "pinned": conversation.pinned,
        "tags": list(conversation.tags),
        "head": conversation.head,
        "messages": [],
    }
    budget = conversation.context
    if budget.max_messages is not None or budget.max_tokens is not None or budget.extra:
        data["context"] = {
            "max_messages": budget.max_messages,
            "max_tokens": budget.max_tokens,
            **budget.extra,
        }
    summary = conversation.summary
    if summary is not None:
        data["summary"] = {"text": summary.text, "through": summary.through}
        if summary.created_at is not None:
            data["summary"]["created_at"] = format_time(summary.created_at)
        data["summary"].update(summary.extra)
    if conversation.draft:
        data["draft"] = conversation.draft
    if conversation.draft_attachments:
        data["draft_attachments"] = [attachment_to_dict(a) for a in conversation.draft_attachments]
    if conversation.title_set_by_user:
        data["title_set_by_user"] = True
    if conversation.title_generated:
        data["title_generated"] = True
    if conversation.copied_from is not None:
        data["copied_from"] = conversation.copied_from
    if conversation.folder is not None:
        data["folder"] = conversation.folder
    if conversation.archived:
        data["archived"] = True
    if conversation.imported_from is not None:
        data["imported_from"] = imported_from_to_dict(conversation.imported_from)
    if conversation.tools:
        data["tools"] = [tool_selection_to_dict(s) for s in conversation.tools]
    data.update({k: v for k, v in conversation.extra.items() if k not in data})
    return data


def _budget(value: Any) -> Budget:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    budget = Budget(
        _positive(value.get("max_messages")),
        _positive(value.get("max_tokens")),
        extra=_unknown(value, _BUDGET_FIELDS),
    )
    for key in _BUDGET_FIELDS:
        if value.get(key) is not None and getattr(budget, key) is None:
            raise ValueError(f"{key} is not a positive whole number")
    return budget


def _summary(value: Any) -> Summary:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    created = value.get("created_at")
    return Summary(
        text=_text(value.get("text")),
        through=_text(value.get("through")),
        created_at=_time(created) if created is not None else None,
        extra=_unknown(value, _SUMMARY_FIELDS),
    )


def tool_selection_to_dict(selection: ToolSelection) -> dict[str, Any]:
    data: dict[str, Any] = {"server": selection.server}
    if selection.tools is not None:
        data["tools"] = list(selection.tools)
    return data


def _tool_selections(value: Any) -> tuple[ToolSelection, ...]:
    selections: list[ToolSelection] = []
    for item in _objects(value, "tool selection"):
        server = _required_str(item, "server")
        tools = item.get("tools")
        if tools is not None and not (
            isinstance(tools, list) and all(isinstance(t, str) for t in tools)
        ):
            raise TypeError("tools is not a list of names")
        if all(s.server != server for s in selections):
            selections.append(ToolSelection(server, tuple(tools) if tools is not None else None))
    return tuple(selections)


def conversation_folder(conversation: Conversation) -> str | None:
    """The conversation's folder (``Conversation.folder``; kept for the callers written when
    it was still read from ``extra``)."""
    return conversation.folder


def conversation_from_dict(data: Any, notes: list[str] | None = None) -> Conversation:
    """Build a conversation from parsed JSON.

    Not a Confab conversation at all (no object, another format, an unknown version, no id):
    CorruptFileError. Any other field that cannot be read, and any message that cannot be
    placed (no id or role), is left at its default, with a line in ``notes``: one bad
    timestamp must not hide a whole conversation.
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
            message = message_from_dict(item, notes, fallback_time=previous)
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
    return Conversation(
        id=conversation_id,
        title=fix.field(data, "title", _optional_str, "") or "",
        created_at=created_at,
        updated_at=updated_at or created_at,
        provider=fix.field(data, "provider", _optional_str, None),
        model=fix.field(data, "model", _optional_str, None),
        system_prompt=fix.field(data, "system_prompt", _optional_str, "") or "",
        params=params_from_dict(params) if isinstance(params, dict) else Params(),
        pinned=fix.field(data, "pinned", _flag, False),
        tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
        head=fix.field(data, "head", _optional_str, None),
        messages=messages,
        context=fix.field(data, "context", _budget, Budget()),
        summary=fix.field(data, "summary", _summary, None),
        draft=fix.field(data, "draft", _text, ""),
        draft_attachments=_draft_attachments(data.get("draft_attachments"), fix),
        title_set_by_user=fix.field(data, "title_set_by_user", _flag, False),
        title_generated=fix.field(data, "title_generated", _flag, False),
        copied_from=fix.field(data, "copied_from", _text, None),
        folder=fix.field(data, "folder", clean_path, None),
        archived=fix.field(data, "archived", _flag, False),
        extra=_unknown(data, _CONVERSATION_FIELDS),
        imported_from=fix.field(data, "imported_from", _imported_from, None),
        tools=fix.field(data, "tools", _tool_selections, ()),
        newer_version=version if version > CONVERSATION_VERSION else None,
    )


# ---- settings.json ------------------------------------------------------------------------

_SETTINGS_FIELDS = frozenset(
    {
        "format",
        "version",
        "providers",
        "default_provider",
        "window",
        "auto_title",
        "prices",
        "personas",
        "folders",
        "mcp_servers",
        "tool_approvals",
        "theme",
        "language",
        "thread_font_size",
        "send_key",
        "default_model",
        "start_on_login",
        "shortcuts",
        "quick_ask_shortcut",
        "tray_icon",
        "notify_when_done",
    }
)


def _not_secret(key: str) -> bool:
    return key.lower() not in SECRET_FIELD_NAMES


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": SETTINGS_FORMAT,
        "version": SETTINGS_VERSION,
        "providers": [provider_to_dict(p) for p in settings.providers],
        "default_provider": settings.default_provider,
        "window": dict(settings.window),
    }
    if not settings.auto_title:
        data["auto_title"] = False
    if settings.prices:
        data["prices"] = {model: price_to_dict(p) for model, p in settings.prices.items()}
    if settings.personas:
        data["personas"] = [persona_to_dict(p) for p in settings.personas]
    if settings.folders:
        data["folders"] = list(settings.folders)
    if settings.mcp_servers:
        data["mcp_servers"] = [mcp_server_to_dict(s) for s in settings.mcp_servers]
    if settings.tool_approvals:
        data["tool_approvals"] = [
            {"server": server, "tool": tool} for server, tool in settings.tool_approvals
        ]
    data.update(_preferences_to_dict(settings))
    for key, value in settings.extra.items():
        if key not in data and _not_secret(key):
            data[key] = value
    return data


def settings_from_dict(data: dict[str, Any], notes: list[str] | None = None) -> Settings:
    """Liberal: what cannot be read is left out, with a line in ``notes`` (the caller keeps
    the file as it was before anything is written over it)."""
    from desktop.core.settings import Settings

    notes = notes if notes is not None else []
    fix = _Fixer(notes, "")
    providers: list[Provider] = []
    raw_providers = data.get("providers")
    if raw_providers is not None and not isinstance(raw_providers, list):
        notes.append(f"providers is {type(raw_providers).__name__}, not a list")
        raw_providers = []
    for index, item in enumerate(raw_providers or []):
        if (
            isinstance(item, dict)
            and isinstance(item.get("id"), str)
            and item["id"].strip()
            and all(p.id != item["id"] for p in providers)
        ):
            providers.append(provider_from_dict(item))
        else:
            notes.append(f"provider {index + 1} has no usable id (or a repeated one)")
    window = data.get("window")
    if window is not None and not isinstance(window, dict):
        notes.append("window is not an object")
    default_provider = data.get("default_provider")
    if default_provider is not None and not isinstance(default_provider, str):
        notes.append("default_provider is not text")
        default_provider = None
    return Settings(
        providers=providers,
        default_provider=default_provider,
        window=window if isinstance(window, dict) else {},
        auto_title=fix.field(data, "auto_title", _flag, True),
        prices=fix.field(data, "prices", lambda v: _prices(v, fix), {}),
        personas=fix.field(data, "personas", lambda v: _personas(v, fix), []),
        folders=fix.field(data, "folders", lambda v: _folders(v, fix), []),
        mcp_servers=fix.field(data, "mcp_servers", lambda v: _mcp_servers(v, fix), []),
        tool_approvals=fix.field(data, "tool_approvals", _tool_approvals, []),
        theme=fix.field(data, "theme", _theme, THEME_SYSTEM),
        language=fix.field(data, "language", _language, None),
        thread_font_size=fix.field(data, "thread_font_size", _font_size, None),
        send_key=fix.field(data, "send_key", _send_key, SEND_ENTER),
        default_model=fix.field(data, "default_model", _model_name, None),
        start_on_login=fix.field(data, "start_on_login", _flag, False),
        shortcuts=fix.field(data, "shortcuts", lambda v: _shortcuts(v, fix), {}),
        quick_ask_shortcut=fix.field(data, "quick_ask_shortcut", _text, DEFAULT_QUICK_ASK_SHORTCUT),
        tray_icon=fix.field(data, "tray_icon", _flag, True),
        notify_when_done=fix.field(data, "notify_when_done", _flag, True),
        extra={k: v for k, v in data.items() if k not in _SETTINGS_FIELDS and _not_secret(k)},
    )


def _preferences_to_dict(settings: Settings) -> dict[str, Any]:
    """The preferences that differ from their defaults (a better default reaches everyone)."""
    data: dict[str, Any] = {}
    if settings.theme != THEME_SYSTEM:
        data["theme"] = settings.theme
    if settings.language is not None:
        data["language"] = settings.language
    if settings.thread_font_size is not None:
        data["thread_font_size"] = settings.thread_font_size
    if settings.send_key != SEND_ENTER:
        data["send_key"] = settings.send_key
    if settings.default_model is not None:
        data["default_model"] = settings.default_model
    if settings.start_on_login:
        data["start_on_login"] = True
    if settings.shortcuts:
        data["shortcuts"] = dict(sorted(settings.shortcuts.items()))
    if settings.quick_ask_shortcut != DEFAULT_QUICK_ASK_SHORTCUT:
        data["quick_ask_shortcut"] = settings.quick_ask_shortcut
    if not settings.tray_icon:
        data["tray_icon"] = False
    if not settings.notify_when_done:
        data["notify_when_done"] = False
    return data


def _one_of(value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise ValueError(f"expected one of {', '.join(choices)}")
    return value.strip().lower()


def _theme(value: Any) -> str:
    return _one_of(value, THEMES)


def _send_key(value: Any) -> str:
    return _one_of(value, SEND_KEYS)


_LANGUAGE = re.compile(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*")


def _language(value: Any) -> str | None:
    """A locale name such as "en", "zh_CN" or "pt-BR"; null = the system's."""
    if value is None:
        return None
    if not isinstance(value, str) or not _LANGUAGE.fullmatch(value.strip()):
        raise ValueError("expected a language such as en or zh_CN")
    return value.strip()


def _font_size(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not MIN_FONT_SIZE <= value <= MAX_FONT_SIZE
    ):
        raise ValueError(f"expected points from {MIN_FONT_SIZE} to {MAX_FONT_SIZE}")
    return value


def _model_name(value: Any) -> str | None:
    text = _optional_str(value)
    return text.strip() or None if text is not None else None


def _shortcuts(value: Any, fix: _Fixer) -> dict[str, str]:
    """Action id -> key sequence; an entry that is not text to text is left out (and said)."""
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    shortcuts: dict[str, str] = {}
    for action, keys in value.items():
        if isinstance(keys, str) and action.strip():
            shortcuts[action] = keys
        else:
            fix.note(f"shortcuts.{action}", keys)
    return shortcuts


def _prices(value: Any, fix: _Fixer) -> dict[str, Price]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    prices: dict[str, Price] = {}
    for model, entry in value.items():
        price = price_from_dict(entry)
        if price is None:
            fix.note(f"prices.{model}", entry)
        else:
            prices[str(model).lower()] = price
    return prices


def _folders(value: Any, fix: _Fixer) -> list[str]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    folders: list[str] = []
    for index, entry in enumerate(value):
        try:
            path = clean_path(entry)
        except TypeError:
            fix.note(f"folders[{index}]", entry)
            continue
        if path is not None and path not in folders:
            folders.append(path)
    return folders


def _personas(value: Any, fix: _Fixer) -> list[Persona]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    personas: list[Persona] = []
    for index, entry in enumerate(value):
        persona = persona_from_dict(entry)
        if persona is None:
            fix.note(f"personas[{index}]", entry)
        else:
            personas.append(persona)
    return personas


_MCP_SERVER_FIELDS = frozenset(
    {
        "id",
        "name",
        "transport",
        "command",
        "args",
        "env",
        "secret_env",
        "url",
        "headers",
        "secret_headers",
        "enabled",
        "call_timeout",
    }
)


def mcp_server_to_dict(server: McpServer) -> dict[str, Any]:
    """Only what the transport uses (a stdio server has no ``url``), and never the value of
    a secret: an env variable or header named in ``secret_env``/``secret_headers`` is left
    out even if it got into ``env``/``headers``."""
    data: dict[str, Any] = {"id": server.id, "name": server.name, "transport": server.transport}
    if server.transport == "http":
        data["url"] = server.url
        data["headers"] = {
            k: v for k, v in server.headers.items() if k not in server.secret_headers
        }
        data["secret_headers"] = list(server.secret_headers)
    else:
        data["command"] = server.command
        data["args"] = list(server.args)
        data["env"] = {k: v for k, v in server.env.items() if k not in server.secret_env}
        data["secret_env"] = list(server.secret_env)
    data["enabled"] = server.enabled
    if server.call_timeout is not None:
        data["call_timeout"] = _number(server.call_timeout)
    for key, value in server.extra.items():
        if key not in data and _not_secret(key):
            data[key] = value
    return data


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of names")
    return tuple(dict.fromkeys(value))


def _string_map(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    return {str(k): _required_str(value, k) for k in value}


def mcp_server_from_dict(data: Any) -> McpServer:
    """A server as settings.json has it; TypeError/KeyError/ValueError when it cannot be
    used at all (no id, an unknown transport)."""
    from desktop.core.tools.config import TRANSPORTS, McpServer

    if not isinstance(data, dict):
        raise TypeError(f"a server is {type(data).__name__}, not an object")
    server_id = _required_str(data, "id").strip()
    transport = _optional_str(data.get("transport")) or "stdio"
    if not server_id or transport not in TRANSPORTS:
        raise ValueError(f"server {server_id!r}: no id, or unknown transport {transport!r}")
    timeout = data.get("call_timeout")
    return McpServer(
        id=server_id,
        name=_optional_str(data.get("name")) or server_id,
        transport=transport,
        command=_optional_str(data.get("command")) or "",
        args=tuple(str(a) for a in data.get("args") or () if isinstance(a, str | int | float)),
        env=_string_map(data.get("env")),
        secret_env=_names(data.get("secret_env")),
        url=_optional_str(data.get("url")) or "",
        headers=_string_map(data.get("headers")),
        secret_headers=_names(data.get("secret_headers")),
        enabled=data.get("enabled") is not False,
        call_timeout=float(timeout)
        if isinstance(timeout, int | float)
        and not isinstance(timeout, bool)
        and math.isfinite(timeout)
        and timeout > 0
        else None,
        extra={k: v for k, v in data.items() if k not in _MCP_SERVER_FIELDS and _not_secret(k)},
    )


def _mcp_servers(value: Any, fix: _Fixer) -> list[McpServer]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    servers: list[McpServer] = []
    for index, entry in enumerate(value):
        try:
            server = mcp_server_from_dict(entry)
        except (TypeError, KeyError, ValueError, AttributeError):
            fix.note(f"mcp_servers[{index}]", entry)
            continue
        if any(s.id == server.id for s in servers):
            fix.note(f"mcp_servers[{index}]", entry)
            continue
        servers.append(server)
    return servers


def _tool_approvals(value: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for item in _objects(value, "tool approval"):
        pair = (_required_str(item, "server"), _required_str(item, "tool"))
        if pair not in pairs:
            pairs.append(pair)
    return pairs


_PROVIDER_FIELDS = frozenset({"id", "name", "base_url", "default_model", "models", "network"})


def provider_to_dict(provider: Provider) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": provider.id,
        "name": provider.name,
        "base_url": provider.base_url,
        "default_model": provider.default_model,
        "models": list(provider.models),
    }
    if not provider.network.is_default():
        data["network"] = network_to_dict(provider.network)
    for key, value in provider.extra.items():
        if key not in data and _not_secret(key):
            data[key] = value
    return data


def provider_from_dict(data: dict[str, Any]) -> Provider:
    from desktop.core.providers import Provider

    models = data.get("models")
    return Provider(
        id=str(data["id"]),
        name=str(data.get("name") or data["id"]),
        base_url=str(data.get("base_url") or ""),
        default_model=str(data.get("default_model") or ""),
        models=[str(m) for m in models] if isinstance(models, list) else [],
        network=network_from_dict(data.get("network")),
        extra={k: v for k, v in data.items() if k not in _PROVIDER_FIELDS and _not_secret(k)},
    )


_NETWORK_FIELDS = frozenset(
    {"proxy", "proxy_url", "proxy_user", "ca_bundle", "verify_tls", "timeouts"}
)


def network_to_dict(network: NetworkSettings) -> dict[str, Any]:
    """Only what differs from the defaults, so a better default reaches every user."""
    from desktop.core.network import (
        DEFAULT_TIMEOUTS,
        TIMEOUT_NAMES,
        NetworkSettings,
        strip_credentials,
    )

    data: dict[str, Any] = {}
    default = NetworkSettings()
    if network.proxy != default.proxy:
        data["proxy"] = network.proxy
    if network.proxy_url != default.proxy_url:
        data["proxy_url"] = strip_credentials(network.proxy_url)
    if network.proxy_user != default.proxy_user:
        data["proxy_user"] = network.proxy_user
    if network.ca_bundle != default.ca_bundle:
        data["ca_bundle"] = network.ca_bundle
    if network.verify_tls != default.verify_tls:
        data["verify_tls"] = network.verify_tls
    timeouts = {
        name: _number(getattr(network.timeouts, name))
        for name in TIMEOUT_NAMES
        if getattr(network.timeouts, name) != getattr(DEFAULT_TIMEOUTS, name)
    }
    if timeouts:
        data["timeouts"] = timeouts
    for key, value in network.extra.items():
        if key not in data and key not in _NETWORK_FIELDS and key != "extra":
            data[key] = value
    return data


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def network_from_dict(data: Any) -> NetworkSettings:
    """Liberal: a wrong value falls back to its default (and is logged), never fails."""
    from desktop.core.network import (
        DEFAULT_TIMEOUTS,
        PROXY_MODES,
        PROXY_SYSTEM,
        TIMEOUT_NAMES,
        NetworkSettings,
        Timeouts,
        log,
        strip_credentials,
        timeout_seconds,
    )

    if not isinstance(data, dict):
        if data is not None:
            log.warning("ignoring network settings that are not an object")
        return NetworkSettings()
    proxy = data.get("proxy", PROXY_SYSTEM)
    if proxy not in PROXY_MODES:
        log.warning("unknown proxy mode %r; using the system proxy", proxy)
        proxy = PROXY_SYSTEM
    raw = data.get("timeouts")
    raw = raw if isinstance(raw, dict) else {}
    timeouts = Timeouts(
        **{
            name: timeout_seconds(raw.get(name), getattr(DEFAULT_TIMEOUTS, name))
            for name in TIMEOUT_NAMES
        }
    )
    verify = data.get("verify_tls", True)

    def text(key: str) -> str:
        value = data.get(key)
        return value.strip() if isinstance(value, str) else ""

    return NetworkSettings(
        proxy=proxy,
        # A hand-edited address may carry a password: never keep it in memory or the file.
        proxy_url=strip_credentials(text("proxy_url")),
        proxy_user=text("proxy_user"),
        ca_bundle=text("ca_bundle"),
        verify_tls=verify if isinstance(verify, bool) else True,
        timeouts=timeouts,
        extra={
            k: v
            for k, v in data.items()
            if k not in _NETWORK_FIELDS
            and k != "extra"
            and not any(hint in k.lower() for hint in _SECRET_HINTS)
        },
    )


_PERSONA_FIELDS = frozenset({"id", "name", "prompt"})


def persona_to_dict(persona: Persona) -> dict[str, Any]:
    data: dict[str, Any] = {"id": persona.id, "name": persona.name, "prompt": persona.prompt}
    data.update({k: v for k, v in persona.extra.items() if k not in data})
    return data


def persona_from_dict(data: Any) -> Persona | None:
    from desktop.core.personas import Persona

    if not isinstance(data, dict):
        return None
    name, prompt = data.get("name"), data.get("prompt")
    if not isinstance(name, str) or not isinstance(prompt, str) or not name.strip():
        return None
    return Persona(
        id=str(data.get("id") or name),
        name=name.strip(),
        prompt=prompt,
        extra=_unknown(data, _PERSONA_FIELDS),
    )


_PRICE_FIELDS = frozenset({"input", "cached_input", "output", "checked", "context"})


def price_to_dict(price: Price) -> dict[str, Any]:
    data: dict[str, Any] = {
        "input": price.input,
        "cached_input": price.cached_input,
        "output": price.output,
    }
    if price.checked:
        data["checked"] = price.checked
    if price.context:
        data["context"] = price.context
    data.update({k: v for k, v in price.extra.items() if k not in data})
    return data


def price_from_dict(data: Any) -> Price | None:
    """A price per million tokens (settings.json's "prices", resources/pricing/prices.json);
    None when it has no input and output price."""
    from desktop.core.pricing import Price

    if not isinstance(data, dict):
        return None
    try:
        input_price = float(data["input"])
        output_price = float(data["output"])
        cached = float(data.get("cached_input", input_price))
    except (KeyError, TypeError, ValueError):
        return None
    if not all(map(math.isfinite, (input_price, output_price, cached))):
        return None
    context = data.get("context")
    return Price(
        input_price,
        output_price,
        cached,
        context if isinstance(context, int) and not isinstance(context, bool) else None,
        str(data.get("checked") or ""),
        extra=_unknown(data, _PRICE_FIELDS),
    )
