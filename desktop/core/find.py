"""Finding text in the thread on screen (Ctrl+F) and the words of a search query to highlight
where a found message opens. Pure Python: the window marks what these count."""

from __future__ import annotations

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


class Matches:
    """The matches of ``needle`` in ``messages`` (their text, case-insensitively, counted as
    a browser counts them: left to right, not overlapping), numbered through the thread."""

    def __init__(self, messages: Iterable[Message], needle: str) -> None:
        self.needle = needle
        self.found: list[FoundIn] = []
        total = 0
        lowered = needle.lower()
        if lowered:
            for message in messages:
                count = message.content.lower().count(lowered)
                if count:
                    self.found.append(FoundIn(message.id, count, total))
                    total += count
        self.total = total
        self._rows = {found.message_id: row for row, found in enumerate(self.found)}

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
