"""What every export format shares: the words around the messages (``Labels``, translated
by the caller: core has no tr()), the thread as exported (``entries``), times, and file names
made from titles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from desktop.core.errors import INTERRUPTED, STOPPED
from desktop.core.models import Attachment, Conversation, Message


@dataclass(frozen=True)
class Labels:
    """The words an export writes besides the conversation's own (English here; the window
    passes its translations). Placeholders in braces are filled with ``str.format``."""

    you: str = "You"
    assistant: str = "Assistant"
    system: str = "System"
    thinking: str = "Thinking"
    system_prompt: str = "System prompt"
    model: str = "Model"
    created: str = "Created"
    tags: str = "Tags"
    untitled: str = "Untitled"
    exported: str = "Exported from Confab on {date}"
    version: str = "version {number} of {count}"
    stopped: str = "The reply was stopped."
    interrupted: str = "The reply was cut short."
    failed: str = "The reply failed: {error}"
    code: str = "code"
    # Tool use (imported from ChatGPT or Claude): the calls under a reply, a tool's output.
    tool_call: str = "Tool call: {name}"
    tool_output: str = "Tool output"
    tool_output_named: str = "Tool output: {name}"
    # Confab's own runs of an MCP server's tool: which server ran it, and how it ended.
    tool_output_server: str = "Tool output: {name} ({server})"
    tool_denied: str = "The user denied this tool call."
    tool_stopped: str = "The tool call was stopped."
    tool_failed: str = "The tool failed: {error}"


@dataclass(frozen=True)
class Style:
    """How an export is worded and dated: ``tz`` None is the computer's own time zone;
    ``provider_names`` turns a provider's id (the files keep ids) into the name the user gave
    it, ``tool_servers`` an MCP server's id into its name."""

    labels: Labels = field(default_factory=Labels)
    provider_names: Mapping[str, str] = field(default_factory=dict)
    tool_servers: Mapping[str, str] = field(default_factory=dict)
    tz: tzinfo | None = None
    language: str = "en"

    def time(self, moment: datetime) -> str:
        local = moment.astimezone(self.tz)
        # Not strftime: it does not zero-pad years before 1000 on glibc.
        return local.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")

    def provider(self, provider_id: str | None) -> str:
        if not provider_id:
            return ""
        return self.provider_names.get(provider_id, provider_id)

    def tool_server(self, server_id: str) -> str:
        return self.tool_servers.get(server_id, server_id)

    def title(self, conversation: Conversation) -> str:
        return " ".join(conversation.title.split()) or self.labels.untitled


@dataclass(frozen=True)
class Entry:
    """One message of the thread on screen, as an export shows it."""

    message: Message
    who: str  # "You", "Assistant · gpt-4o"…
    when: str
    version: str  # "version 2 of 3" when the message has siblings, else ""
    note: str  # why a reply did not finish, else ""


def entries(conversation: Conversation, style: Style) -> list[Entry]:
    """The thread on screen (root → head), each message with its words around it."""
    labels = style.labels
    siblings: dict[str | None, list[str]] = {}
    for message in conversation.messages:
        siblings.setdefault(message.parent, []).append(message.id)
    found: list[Entry] = []
    for message in conversation.thread():
        if message.role == "user":
            who = labels.you
        elif message.role == "assistant":
            who = labels.assistant
            if message.model:
                who = f"{who} · {message.model}"
        elif message.role == "system":
            who = labels.system
        elif message.role == "tool" and message.tool_server:
            who = labels.tool_output_server.format(
                name=message.tool_name or "?", server=style.tool_server(message.tool_server)
            )
        elif message.role == "tool":
            who = (
                labels.tool_output_named.format(name=message.tool_name)
                if message.tool_name
                else labels.tool_output
            )
        else:
            who = message.role
        group = siblings.get(message.parent, [])
        version = ""
        if len(group) > 1:
            version = labels.version.format(number=group.index(message.id) + 1, count=len(group))
        found.append(
            Entry(message, who, style.time(message.created_at), version, _note(message, labels))
        )
    return found


def body_markdown(message: Message, labels: Labels) -> str:
    """The Markdown an export shows for a message, as the chat view does: a tool's output
    fenced (a quote of sources as it is), and below a reply's text the tools it called with
    their arguments."""
    from desktop.core.tooltext import calls_markdown, output_markdown

    text = output_markdown(message) if message.role == "tool" else message.content
    if message.tool_calls:
        calls = calls_markdown(message.tool_calls, labels.tool_call)
        text = f"{text.rstrip(chr(10))}\n\n{calls}" if text.strip() else calls
    return text


def size_text(size: int) -> str:
    """A file's size as an export shows it: "812 KB", "3.4 MB"."""
    if size < 1000 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 2**20:.1f} MB"


def attachment_label(attachment: Attachment) -> str:
    """An attachment as a line of text: its name and size ("report.pdf, 210 KB")."""
    return f"{attachment.name}, {size_text(attachment.size)}"


def _note(message: Message, labels: Labels) -> str:
    if message.role == "tool":
        if message.denied:
            return labels.tool_denied
        if message.tool_failure == STOPPED or message.tool_error == STOPPED:
            return labels.tool_stopped
        if message.tool_error:
            return labels.tool_failed.format(error=message.tool_error)
    error = message.error
    if error is None:
        return ""
    if error.kind == STOPPED:
        return labels.stopped
    if error.kind == INTERRUPTED:
        return labels.interrupted
    return labels.failed.format(error=error.text or error.detail or error.kind)


def model_line(conversation: Conversation, style: Style) -> str:
    """ "gpt-4o-mini (OpenAI)", or what of it is known."""
    provider = style.provider(conversation.provider)
    model = conversation.model or ""
    if model and provider:
        return f"{model} ({provider})"
    return model or provider


# ---- file names ---------------------------------------------------------------------------

# Refused by Windows, macOS or Linux in a file name, or troublesome in a shell.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
# Most file systems take 255 bytes of a name; room is left for " (12345)" and the extension.
NAME_BYTES = 180


def safe_name(title: str, fallback: str) -> str:
    """A file name (without extension) made from ``title``: no separator, control or reserved
    character, no leading or trailing dot or space, not a Windows device name, at most
    NAME_BYTES bytes of UTF-8 (cut at a character)."""
    name = unicodedata.normalize("NFC", " ".join(_UNSAFE.sub(" ", title).split()))
    name = name.strip(". ")
    encoded = name.encode("utf-8")
    if len(encoded) > NAME_BYTES:
        name = encoded[:NAME_BYTES].decode("utf-8", "ignore").rstrip(". ")
    if not name:
        name = fallback
    if _RESERVED.match(name):
        name = f"_{name}"
    return name


class UniqueNames:
    """Names not yet handed out in one folder or archive, whatever the case (Windows and macOS
    fold it): "Title.md", "Title (2).md", …"""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, stem: str, extension: str) -> str:
        name = f"{stem}{extension}"
        number = 1
        while name.casefold() in self._taken:
            number += 1
            name = f"{stem} ({number}){extension}"
        self._taken.add(name.casefold())
        return name
