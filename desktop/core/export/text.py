"""A conversation as Markdown: the title as heading, the model and provider, then the thread
on screen (root → head), each message under a heading with its role and time. The messages
are Markdown already and are kept as they are, with one repair: a fence a reply left open
(stopped mid-code) is closed, or it would swallow every message after it. Reasoning and the
system prompt are collapsible ``<details>`` sections (GitHub, GitLab and most editors'
previews fold them)."""

from __future__ import annotations

import re
from collections.abc import Callable

from desktop.core.export.common import (
    Style,
    attachment_label,
    body_markdown,
    entries,
    model_line,
)
from desktop.core.models import Attachment, Conversation

# Where an attachment is beside the Markdown file (a path relative to it), or None.
AttachmentLink = Callable[[Attachment], str | None]

# An opening fence at the top level: up to three spaces, three or more backticks or tildes.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
# Characters that could make a title or a model name into Markdown.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def close_fences(text: str) -> str:
    """``text`` with a closing fence added if it ends inside a fenced code block."""
    opened: str | None = None
    for line in text.split("\n"):
        found = _FENCE.match(line)
        if opened is None:
            # A backtick fence's info string may not hold a backtick (CommonMark).
            if found and not (found[1][0] == "`" and "`" in found[2]):
                opened = found[1]
        elif (
            found
            and found[1][0] == opened[0]
            and len(found[1]) >= len(opened)
            and not found[2].strip()
        ):
            opened = None
    if opened is None:
        return text
    return f"{text.rstrip(chr(10))}\n{opened}"


def inline(text: str) -> str:
    """Text shown as it is inside a line of Markdown (a title, a model name)."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _details(summary: str, body: str) -> list[str]:
    # The blank lines make the body Markdown again inside the HTML block.
    return [
        "<details>",
        f"<summary>{inline(summary)}</summary>",
        "",
        close_fences(body),
        "",
        "</details>",
        "",
    ]


def _link_target(path: str) -> str:
    # CommonMark's <…> destination takes spaces and parentheses; only < > and line ends not.
    return "<" + path.replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"


def attachments_markdown(attachments: tuple[Attachment, ...], link: AttachmentLink) -> list[str]:
    """A message's attachments: an image embedded (``![name](path)``), a document linked,
    both from the folder beside the file (``link``); one not exported named with its size."""
    lines: list[str] = []
    for attachment in attachments:
        target = link(attachment)
        label = inline(attachment_label(attachment))
        if target is None:
            lines.append(f"- 📎 {label}")
        elif attachment.kind == "image":
            lines.append(f"![{inline(attachment.name)}]({_link_target(target)})")
        else:
            lines.append(f"- 📎 [{label}]({_link_target(target)})")
    return [*lines, ""] if lines else []


def conversation_markdown(
    conversation: Conversation,
    style: Style,
    exported: str,
    link: AttachmentLink | None = None,
) -> str:
    """The Markdown document of ``conversation``; ``exported`` is the export's date, ``link``
    where each attachment was written beside it (None: none was, they are named)."""
    labels = style.labels
    lines = [f"# {inline(style.title(conversation))}", ""]
    model = model_line(conversation, style)
    if model:
        lines.append(f"- {labels.model}: {inline(model)}")
    lines.append(f"- {labels.created}: {style.time(conversation.created_at)}")
    if conversation.tags:
        lines.append(f"- {labels.tags}: {inline(', '.join(conversation.tags))}")
    lines.append(f"- {inline(labels.exported.format(date=exported))}")
    lines.append("")
    if conversation.system_prompt.strip():
        lines += _details(labels.system_prompt, conversation.system_prompt)
    for entry in entries(conversation, style):
        heading = " · ".join(part for part in (entry.who, entry.when, entry.version) if part)
        lines += ["---", "", f"### {inline(heading)}", ""]
        message = entry.message
        if message.reasoning:
            lines += _details(labels.thinking, message.reasoning)
        body = body_markdown(message, labels)
        if body:
            lines += [close_fences(body.rstrip("\n")), ""]
        if message.attachments:
            lines += attachments_markdown(message.attachments, link or (lambda _a: None))
        if entry.note:
            lines += [f"> *{inline(entry.note)}*", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
