"""Tool use as Markdown for the chat view: a call's arguments (JSON pretty-printed, code as
written) and a tool's output, fenced so that nothing in them is read as Markdown."""

from __future__ import annotations

import json
import re

from desktop.core.models import Message, ToolCall

# Arguments longer than this are shown as they came (pretty-printing a huge JSON costs).
_PRETTY_LIMIT = 100_000


def fenced(text: str, language: str = "") -> str:
    """``text`` in a code fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def arguments_text(call: ToolCall) -> tuple[str, str]:
    """The arguments to show and their language: JSON indented, anything else as written
    (ChatGPT's python tool: the code)."""
    text = call.arguments
    if len(text) <= _PRETTY_LIMIT and text.lstrip()[:1] in ("{", "["):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False, indent=2), "json"
        except (ValueError, RecursionError):
            pass
    return text, "python" if call.name == "python" else ""


def calls_markdown(calls: tuple[ToolCall, ...], heading: str) -> str:
    """The calls of a reply: ``heading`` (with "{name}" for the tool's name) above each
    call's arguments."""
    pieces = []
    for call in calls:
        text, language = arguments_text(call)
        title = heading.replace("{name}", call.name or "?")
        pieces.append(f"**{_escape(title)}**" + (f"\n\n{fenced(text, language)}" if text else ""))
    return "\n\n".join(pieces)


def output_markdown(message: Message) -> str:
    """A tool's output: a quote of sources (Markdown, as the importer wrote it) as it is,
    anything else fenced."""
    text = message.content
    if not text or text.startswith(">"):
        return text
    return fenced(text.rstrip("\n"))


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", text)
