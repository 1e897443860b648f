"""The list's big merges, made off the UI thread.

A reconcile that reads many files (a cold start of 100,000, a sync tool bringing thousands)
hands the controller its rows in batches; each batch taken into the list is a merge of the
list (sorted, oldest first) with the batch. Made on the UI thread, each such merge cost the
length of the list there: a list comprehension over every row, a sort of 100,000 tuples, the
order reversed for the sidebar, 60-130 ms at each of the last merges of a cold start (while
the index thread fought it for the GIL). ``merge_rows`` makes the new list, its newest-first
copy and the new map by id in a background thread (``Library.merge``), from the list as the
controller held it; the controller swaps the result in and replays what it changed itself
meanwhile (a save, a delete), so the UI thread's part does not grow with the list.

The work is Python, run in steps of ``STEP`` rows with a ``Pace`` between them
(desktop/core/pacing.py): the UI thread never waits long for the GIL meanwhile. No single C
call here touches more than ``STEP`` rows (a sort of 100,000 rows, one C call, held the GIL
for ~30 ms).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from desktop.core.index import ListRow

STEP = 1024


class Merged(NamedTuple):
    """A merge's outcome: the whole list (oldest first, and newest first) and by id, the rows
    of the batch that were taken, and the ids of the batch left out because they are loaded
    (their files are compared with the version in memory first)."""

    order: list[ListRow]
    newest_first: list[ListRow]
    by_id: dict[str, ListRow]
    taken: dict[str, ListRow]
    loaded: list[str]


def merge_rows(
    order: Sequence[ListRow],
    by_id: Mapping[str, ListRow],
    rows: Iterable[ListRow],
    *,
    skip: Collection[str] = (),
    loaded: Collection[str] = (),
    pace: Callable[[], None] = lambda: None,
) -> Merged:
    """``order`` (sorted, oldest first) and ``by_id`` (the same rows by id) with ``rows``
    taken in: a row replaces the one of its id (the last of an id in ``rows`` wins); ids in
    ``skip`` are left as they are, and so are those in ``loaded`` (returned in
    ``Merged.loaded``). Neither input is changed."""
    taken: dict[str, ListRow] = {}
    held: list[str] = []
    batch = list(rows)
    for start in range(0, len(batch), STEP):
        for row in batch[start : start + STEP]:
            cid = row.id
            if cid in skip:
                continue
            if cid in loaded:
                held.append(cid)
                continue
            taken[cid] = row
        pace()
    # The list without the rows the batch replaces.
    kept: list[ListRow] = []
    for start in range(0, len(order), STEP):
        kept += [row for row in order[start : start + STEP] if row.id not in taken]
        pace()
    # The batch sorted a step at a time, then every run merged (heapq.merge: one row per
    # step of Python, never a long C call).
    runs: list[list[ListRow]] = [kept]
    fresh = list(taken.values())
    for start in range(0, len(fresh), STEP):
        runs.append(sorted(fresh[start : start + STEP]))
        pace()
    merged: list[ListRow] = []
    rows_in_order = heapq.merge(*runs)
    while piece := list(islice(rows_in_order, STEP)):
        merged += piece
        pace()
    newest_first: list[ListRow] = []
    for end in range(len(merged), 0, -STEP):
        newest_first += merged[max(0, end - STEP) : end][::-1]
        pace()
    new_by_id: dict[str, ListRow] = {}
    items = iter(by_id.items())
    while pairs := list(islice(items, STEP)):
        new_by_id.update(pairs)
        pace()
    new_by_id.update(taken)
    return Merged(merged, newest_first, new_by_id, taken, list(dict.fromkeys(held)))
