"""What the sidebar's list shows: one view of the rows (all conversations, a folder, a tag, the
archive), pinned ones on top, and the counts the navigation shows beside each entry.

Both are made from the whole list (100,000 rows) in the list's thread (``Library.in_list_thread``),
a step of ``STEP`` rows at a time with a ``Pace`` between them, never on the UI thread; a row
that changes afterwards (a save) is placed into the view by ``ListFilter.place`` (a bisect by
``view_key``), so a save costs the UI thread what it did.

A view is kept oldest first, as the controller's list is: the newest-first copy the sidebar
shows is one reversal (in C). Its order is ``view_key``: unpinned before pinned (so pinned
come first once reversed), each by time, then id.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from desktop.core.folders import ancestors, is_within

if TYPE_CHECKING:
    from desktop.core.index import ListRow

STEP = 1024

ALL = "all"  # every conversation not archived
FOLDER = "folder"  # those in a folder and its sub-folders (not archived)
TAG = "tag"  # those with a tag (not archived)
ARCHIVE = "archive"  # the archived ones


def view_key(row: ListRow) -> tuple[bool, int, str]:
    return (bool(row.pinned), row.updated_us, row.id)


# Not dataclasses: this module is on the way to the first paint, and dataclasses cost ~3 ms to
# import there (and each class made with it a little more).
class ListFilter(NamedTuple):
    """Which conversations the list shows: ``kind`` ALL, FOLDER (``value`` its path), TAG
    (``value`` the tag) or ARCHIVE."""

    kind: str = ALL
    value: str | None = None

    def matches(self, row: ListRow) -> bool:
        if self.kind == ARCHIVE:
            return bool(row.archived)
        if row.archived:
            return False
        if self.kind == FOLDER:
            return self.value is not None and is_within(row.folder, self.value)
        if self.kind == TAG:
            return self.value in row.tags
        return True

    def build(
        self, order: Sequence[ListRow], pace: Callable[[], None] = lambda: None
    ) -> list[ListRow]:
        """The view of ``order`` (sorted oldest first): its matching rows in ``view_key``
        order. ``order`` is already by time: the unpinned rows, then the pinned, keep it."""
        unpinned: list[ListRow] = []
        pinned: list[ListRow] = []
        kind, matches = self.kind, self.matches
        for start in range(0, len(order), STEP):
            part = order[start : start + STEP]
            # All and Archive without a call per row (100,000 rows: ~15 ms, not ~40).
            if kind == ALL:
                part = [row for row in part if not row.archived]
            elif kind == ARCHIVE:
                part = [row for row in part if row.archived]
            else:
                part = [row for row in part if matches(row)]
            pinned += [row for row in part if row.pinned]
            unpinned += [row for row in part if not row.pinned]
            pace()
        unpinned += pinned
        return unpinned

    def place(self, view: list[ListRow], old: ListRow | None, new: ListRow | None) -> bool:
        """Row ``old`` became ``new`` (None: it was not there / it is gone): ``view`` follows.
        True if it changed."""
        changed = False
        if old is not None and self.matches(old):
            # Keys are unique (the id is in them): the row is there or nowhere.
            at = bisect_left(view, view_key(old), key=view_key)
            if at < len(view) and view[at].id == old.id:
                del view[at]
                changed = True
        if new is not None and self.matches(new):
            insort(view, new, key=view_key)
            changed = True
        return changed


class Tally:
    """How many conversations each entry of the navigation holds (archived ones only under
    Archive): every folder with its sub-folders' conversations, every tag."""

    __slots__ = ("all", "archived", "folders", "tags")

    def __init__(
        self,
        all: int = 0,  # the entry "All conversations"
        archived: int = 0,
        folders: dict[str, int] | None = None,
        tags: dict[str, int] | None = None,
    ) -> None:
        self.all = all
        self.archived = archived
        self.folders: dict[str, int] = {} if folders is None else folders
        self.tags: dict[str, int] = {} if tags is None else tags

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tally):
            return NotImplemented
        return (self.all, self.archived, self.folders, self.tags) == (
            other.all,
            other.archived,
            other.folders,
            other.tags,
        )

    __hash__ = None  # type: ignore[assignment]  # (it holds dicts)

    def __repr__(self) -> str:
        return (
            f"Tally(all={self.all}, archived={self.archived}, folders={self.folders}, "
            f"tags={self.tags})"
        )


def tally(order: Sequence[ListRow], pace: Callable[[], None] = lambda: None) -> Tally:
    folders: Counter[str | None] = Counter()
    tags: Counter[str] = Counter()
    archived = 0
    for start in range(0, len(order), STEP):
        for row in order[start : start + STEP]:
            if row.archived:
                archived += 1
                continue
            folders[row.folder] += 1
            if row.tags_json is not None:
                tags.update(row.tags)
        pace()
    total = sum(folders.values())
    inclusive: Counter[str] = Counter()
    for path, count in folders.items():
        if path is not None:
            for folder in ancestors(path):
                inclusive[folder] += count
    return Tally(total, archived, dict(inclusive), dict(tags))


def ids_in_folder(
    order: Sequence[ListRow], folder: str, pace: Callable[[], None] = lambda: None
) -> list[str]:
    """The conversations in ``folder`` or its sub-folders, archived ones too (list thread)."""
    found: list[str] = []
    for start in range(0, len(order), STEP):
        found += [row.id for row in order[start : start + STEP] if is_within(row.folder, folder)]
        pace()
    return found
