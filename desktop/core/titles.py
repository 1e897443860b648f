"""Short conversation titles written by the model after the first reply."""

from __future__ import annotations

import re

from desktop.core.models import Conversation

TITLE_PROMPT = (
    "Write a title of at most six words for the conversation below. Use the language of the "
    "conversation. Reply with the title only: no quotes, no punctuation at the end."
)
MAX_TITLE = 60
_EXCERPT = 1500
# A title is shown as plain text everywhere: Markdown a model puts in it would show as such.
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"(\*\*|__|~~|`|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")


def title_request(conversation: Conversation) -> list[dict[str, str]] | None:
    """The messages of the title request, or None when the thread has no first exchange yet."""
    thread = conversation.thread()
    if len(thread) < 2 or thread[0].role != "user" or not thread[1].content:
        return None
    excerpt = f"User: {thread[0].content[:_EXCERPT]}\n\nAssistant: {thread[1].content[:_EXCERPT]}"
    return [{"role": "system", "content": TITLE_PROMPT}, {"role": "user", "content": excerpt}]


def clean_title(text: str) -> str:
    """First line, without wrapping quotes, "Title:" prefixes, Markdown (emphasis, code,
    links, a heading's #) or trailing dots; shortened."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = line.lstrip("#> ").strip()
    for prefix in ("title:", "标题：", "标题:"):
        if line.lower().startswith(prefix):
            line = line[len(prefix) :].strip()
    line = _MARKUP.sub("", _LINK.sub(r"\1", line))
    for _ in range(2):  # "Quoted title". : the dot, then the quotes, then any dot inside
        line = line.rstrip(".。!！").strip("\"'“”‘’「」《》*#` ")
    line = " ".join(line.split())
    if len(line) > MAX_TITLE:
        line = line[: MAX_TITLE - 1].rstrip() + "…"
    return line
