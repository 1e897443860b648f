"""Quick ask and the notification of a finished reply: the rules, without Qt.

- ``with_context``: the message a quick question sends when the clipboard's text goes along.
- ``clip_preview``: the clipboard's text as its chip shows it (one line, truncated).
- ``notice_body``: the start of a reply as a notification shows it.
- ``local_request``: what one Confab asks another over its local socket (``confab --quick``).
"""

from __future__ import annotations

import re

__all__ = [
    "ACTIVATE",
    "MAX_CONTEXT_CHARS",
    "QUICK",
    "clip_context",
    "clip_preview",
    "local_request",
    "notice_body",
    "with_context",
]

# The clipboard may hold megabytes (a copied log); a quick question takes this much of it, and
# its chip says when it was cut.
MAX_CONTEXT_CHARS = 100_000
NOTICE_CHARS = 140
PREVIEW_CHARS = 60

ACTIVATE = "activate"
QUICK = "quick"


def with_context(question: str, context: str) -> str:
    """The question, then the clipboard's text in a fence longer than any run of backticks in
    it, so that code pasted there cannot end the block early."""
    context = context.strip("\n")
    if not context.strip():
        return question
    longest = max((len(run) for run in re.findall(r"`+", context)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{question.rstrip()}\n\n{fence}\n{context}\n{fence}"


def clip_context(text: str) -> str:
    return text[:MAX_CONTEXT_CHARS]


def clip_preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """One line: whitespace runs (newlines included) as one space, cut with "…"."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def notice_body(text: str, limit: int = NOTICE_CHARS) -> str:
    """The start of a reply for a notification: plain words, without the Markdown marks that a
    notification would show as they are."""
    plain = re.sub(r"```[^\n]*", " ", text)
    plain = re.sub(r"[*_`#>]+", "", plain)
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", plain)
    return clip_preview(plain, limit)


def local_request(line: bytes) -> str:
    """What a second Confab asked: "quick" opens the quick-ask window, anything else (an older
    Confab says "activate", or nothing at all) brings the main window to the front."""
    word = line.strip().decode("ascii", "replace").lower()
    return QUICK if word == QUICK else ACTIVATE
