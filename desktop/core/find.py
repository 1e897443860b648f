"""Finding text in the thread on screen (Ctrl+F) and the words of a search query to highlight
where a found message opens. Pure Python: the window marks what these count."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from desktop.core.models import Message


def query_terms(query: str) -> list[str]:
    """The pieces of a search query to mark in a found message: its terms as search reads
    them (desktop/core/search.py: words, "quoted phrases"), longest first (so that a longer
    piece wins where two overlap)."""
    from desktop.core.search import parse

    return sorted(dict.fromkeys(term.text for term in parse(query)), key=len, reverse=True)


class FoundIn(NamedTuple):
    """A message of the thread with ``matches`` matches, and where its first match is in the
    thread's numbering (0-based)."""

    message_id: str
    matches: int
    first: int


# What Markdown shows of a message's source and what it does not: the lines that open and
# close a code block (with their language), and a link's or an image's target.
_FENCE_LINE = re.compile(r"^[ \t]{0,3}(?:`{3,}|~{3,}).*$", re.MULTILINE)
_LINK_TARGET = re.compile(r"\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")


def shown_text(content: str) -> str:
    """``content`` (Markdown) without what its rendering never shows as text: the fences of
    code blocks and their language ("```python"), and links' targets ("](https://…)"). Not a
    rendering: the window corrects a message's count once it is drawn (Matches.correct)."""
    return _LINK_TARGET.sub("]", _FENCE_LINE.sub("", content))


class Matches:
    """The matches of ``needle`` in ``messages`` (their text as shown, case-insensitively,
    counted as a browser counts them: left to right, not overlapping), numbered through the
    thread."""

    def __init__(self, messages: Iterable[Message], needle: str) -> None:
        self.needle = needle
        self.found: list[FoundIn] = []
        total = 0
        lowered = needle.lower()
        if lowered:
            for message in messages:
                if lowered not in message.content.lower():
                    continue
                # The user's own messages are shown as typed; the others' Markdown rendered.
                text = message.content if message.role == "user" else shown_text(message.content)
                count = text.lower().count(lowered)
                if count:
                    self.found.append(FoundIn(message.id, count, total))
                    total += count
        self.total = total
        self._rows = {found.message_id: row for row, found in enumerate(self.found)}

    def correct(self, message_id: str, shown: int) -> int:
        """The window drew ``message_id`` and shows ``shown`` matches in it: that is its
        count from now on (the matches after it renumbered). Returns by how much its count
        changed (0: it was right)."""
        row = self._rows.get(message_id)
        before = self.found[row].matches if row is not None else 0
        change = shown - before
        if row is None or change == 0:
            return 0  # (a message not found in the text is not drawn with matches either)
        found = self.found[row]
        self.found[row] = found._replace(matches=shown)
        for later in range(row + 1, len(self.found)):
            self.found[later] = self.found[later]._replace(first=self.found[later].first + change)
        self.total += change
        if shown == 0:
            del self.found[row]
            self._rows = {f.message_id: r for r, f in enumerate(self.found)}
        return change

    def first_of(self, message_id: str) -> int:
        """The number of the first match of ``message_id`` through the thread (-1: none)."""
        row = self._rows.get(message_id)
        return self.found[row].first if row is not None else -1

    def locate(self, number: int) -> tuple[str, int]:
        """Match ``number`` (0-based, through the thread) as (message id, its number in that
        message)."""
        if not 0 <= number < self.total:
            raise IndexError(number)
        low, high = 0, len(self.found) - 1
        while low < high:  # the last message whose first match is at or before ``number``
            middle = (low + high + 1) // 2
            if self.found[middle].first <= number:
                low = middle
            else:
                high = middle - 1
        found = self.found[low]
        return found.message_id, number - found.first

    def count_in(self, message_id: str) -> int:
        row = self._rows.get(message_id)
        return self.found[row].matches if row is not None else 0

    def first_from(self, order: Sequence[str], start: int) -> int:
        """The number of the first match in the messages ``order[start:]`` (the thread's ids,
        in order), else of the last match before them; -1 when there is none."""
        for message_id in order[start:]:
            row = self._rows.get(message_id)
            if row is not None:
                return self.found[row].first
        return self.total - 1

    def step(self, number: int, forward: bool) -> int:
        """The next (or previous) match after ``number``, going round at the ends."""
        if not self.total:
            return -1
        return (number + (1 if forward else -1)) % self.total
