"""The list of conversations, the ones loaded, the one on screen, and every write to disk.

The list comes from the index (desktop/core/index.py, ``index.sqlite3``): at start its rows
are shown as they are, then the index thread reconciles them with the folder, and again
whenever the folder changes while Confab runs (a sync tool adding, changing or removing
files: a QFileSystemWatcher on ``conversations/``). Only the conversations the user opens are
read in full, in the loading thread, and each is released again once nothing needs it (not on
screen, not streaming, no write pending): the controller keeps them in a WeakValueDictionary.

A save encodes what changed on the UI thread (a fraction of a millisecond, see
desktop/core/encoding.py) and hands the bytes to the store's writer thread
(desktop/core/writer.py), which writes and fsyncs them; the index's row follows from what was
saved, without the file being read again. No thread of ours touches a Qt object: their
outcomes (writes ended, conversations read, the index's reports) are appended to deques that
a timer, running only while such work is under way, takes in on the UI thread. A failed write
is reported there (``save_failed``) and retried every 5 s. ``written()`` lets a coroutine wait
for a conversation's writes (the question is on disk before the request leaves); ``flush()``
waits for all of them (quit).

A conversation loaded (on screen, streaming, held by a dialog) whose file a sync tool changes
or removes is looked at again in the loading thread (``ConversationStore.on_disk``, which
knows the version of the file the conversation in memory came from) and:

- changed, nothing of it unsaved here and no reply streaming into it: takes the new version
  in place (``conversation_reloaded``; the draft being typed is kept, and written into the
  new version when it differs);
- changed while a write of it is under way, has failed, or a reply streams into it: kept as
  it is; its next write sets the other version aside, and the listing opens that as a copy
  (``synced``: KEPT_BOTH, with the copy's id);
- removed, nothing unsaved: leaves memory and the list (``synced``: REMOVED); removed while
  unsaved or streaming: written back (``synced``: KEPT_REMOVED).

Confab's own writes set none of this off: the index's rows follow them, and ``on_disk``
compares the file with the version the writer itself wrote.

What the sidebar shows is a view of the list (``listed()``: all, a folder, a tag, the
archive, pinned on top; desktop/core/views.py), made in the list's thread and kept row by
row; ``change()`` pins, archives, moves or tags many conversations at once, those not loaded
read and changed in the loading thread and saved a few per tick (the last section below).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import weakref
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from desktop.controllers.blocking import Worker
from desktop.core.attachments.store import AttachmentStore
from desktop.core.encoding import make_parts
from desktop.core.errors import ConfabError, SearchIndexError, StorageError
from desktop.core.folders import Change
from desktop.core.index import Library, Listing, ListRow, Record, ScanReport, summary_of
from desktop.core.merge import Merged
from desktop.core.models import Attachment, Clock, Conversation, Params, utc_now
from desktop.core.pricing import Price
from desktop.core.search import SearchFilters
from desktop.core.services import sync
from desktop.core.storage import CHANGED, REMOVED, ConversationStore, OnDisk, TrashedConversation
from desktop.core.usage import UsageFigures, UsageTable
from desktop.core.views import ListFilter, Tally, tally
from desktop.core.views import ids_in_folder as _ids_in_folder

if TYPE_CHECKING:
    import asyncio
    from typing import Any

    from desktop.core.services.exporting import Exporter

log = logging.getLogger("confab.conversations")

RETRY_SAVE_MS = 5000


# How often the UI thread takes in the outcome of work under way in other threads (writes,
# loads, the index), only while there is any.
WRITE_POLL_MS = 5
# A change in conversations/ is looked at this long after it was noticed (one rescan for a
# burst of changes, and at most one a while Confab's own saves touch the folder each second).
RESCAN_DELAY_MS = 1500
# After a delete for good, attachments are collected once no other has come for this long.
COLLECT_DELAY_MS = 2000
# The reconcile at start begins this long after the list is shown (after its paint).
FIRST_SCAN_DELAY_MS = 200
# A reconcile's rows are taken into the list in one merge past this many (one by one below),
# made in the list's thread (desktop/core/merge.py), not on the UI thread.
BULK_ROWS = 64
# A change to many conversations saves at most this many per tick of the poll timer.
CHANGE_STEP = 16
# The navigation's counts are made again this long after a row's folder, tags or archive
# changed (once for a burst).
TALLY_DELAY_MS = 150
# search_models()' key among the searches' answers (a search's token is never below 1).
MODELS = -1

T = TypeVar("T")

# What became of a loaded conversation whose file another program changed or removed
# (SyncNote.kind).
RELOADED = "reloaded"  # the new version was taken in, in place
KEPT_BOTH = "kept_both"  # changed on both sides: the other version is a copy (copy_id)
REMOVED_ELSEWHERE = "removed"  # removed, nothing unsaved: it left memory and the list
KEPT_REMOVED = "kept_removed"  # removed while unsaved or streaming: written back
# One removal is told once, however many of Confab's paths notice it.
KEPT_REMOVED_ONCE = timedelta(seconds=10)


@dataclass(frozen=True)
class SyncNote:
    """A loaded conversation's file changed or went away behind Confab's back."""

    kind: str
    conversation_id: str
    title: str
    copy_id: str | None = None  # KEPT_BOTH: the other version's copy, and its title
    copy_title: str = ""
    conversation: Conversation | None = None  # REMOVED_ELSEWHERE (the one on screen): as it was


class ConversationsController(QObject):
    conversations_reset = Signal()  # many rows changed (the list came, a rescan, a view made)
    conversation_changed = Signal(str)  # title, date or messages changed
    conversation_removed = Signal(str)
    current_changed = Signal(object)  # Conversation | None
    save_failed = Signal(object)  # ConfabError
    save_recovered = Signal()
    settings_changed = Signal(str)  # system prompt, model or parameters of a conversation
    trash_changed = Signal(str)  # a conversation came back from the trash or left it for good
    indexing_changed = Signal()  # ``indexing`` changed: files being read into the index
    scan_finished = Signal()  # a reconcile ended; what it found is in quarantined, copies, …
    load_failed = Signal(object)  # ConfabError: a conversation being opened could not be read
    # A loaded conversation's file changed on disk and its new version was taken in (the
    # same object, new contents).
    conversation_reloaded = Signal(str)
    synced = Signal(object)  # SyncNote: what became of a loaded conversation changed elsewhere
    # The usage figures may have changed: the index's usage rows, or how far it has counted.
    usage_changed = Signal()
    # The navigation's counts (``tally``) changed: folders, tags, the archive.
    tally_changed = Signal()
    # A change to many conversations (``change``) ended: how many changed, how many could not
    # be read.
    changes_ended = Signal(int, int)
    # search(): (its token, list[Hit] or the ConfabError that stopped it), on the UI
    # thread, for the latest search only.
    search_answered = Signal(int, object)
    # search_models(): the models the library names (list[str]), on the UI thread.
    search_models_answered = Signal(object)
    # ``text_indexing`` changed: the messages of an older index being read for search.
    text_indexing_changed = Signal()

    def __init__(
        self,
        store: ConversationStore,
        clock: Clock = utc_now,
        parent: QObject | None = None,
        *,
        library: Library | None = None,
        rescan_delay_ms: int = RESCAN_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._kept_removed_at: dict[str, datetime] = {}  # when KEPT_REMOVED was said, by id
        self._library = library or Library(store)
        # The conversations read in full that something still holds (the window, a stream).
        self._loaded: weakref.WeakValueDictionary[str, Conversation] = weakref.WeakValueDictionary()
        # Held here until their writes are on disk (a failed one is retried from this object).
        self._held: dict[str, Conversation] = {}
        self._dirty: set[str] = set()
        # A reply still finishing must not bring a deleted conversation back from the trash.
        self._deleted: set[str] = set()
        # The objects of deleted conversations: a restore brings back this very object, so what
        # a task still holding it wrote meanwhile comes back too, and no stale copy exists.
        self._trashed: dict[str, Conversation] = {}
        self.current: Conversation | None = None
        self._wanted: str | None = None  # the conversation the user asked for last
        self.quarantined: list[str] = []
        self.copies: list[str] = []  # sync conflict copies opened as separate conversations
        self.newer: list[str] = []  # files of a newer format this Confab cannot read
        self.repaired: list[str] = []  # loaded with fields left at defaults (backups/ has them)
        self.unmovable: list[str] = []  # unreadable and could not be moved to quarantine/
        # The listed conversations (on disk, or being written): by id, and oldest first (the
        # sidebar's order reversed), kept sorted as rows change rather than sorted again.
        self._summaries: dict[str, ListRow] = {}
        self._order: list[ListRow] = []
        self._newest_first: list[ListRow] | None = None
        # A merge of many rows under way in the list's thread, from the list as it was then
        # (``_order`` and ``_summaries``, which the merge reads: ``_shared`` until this thread
        # has copied them to change them meanwhile), and what changed here since (replayed on
        # its outcome): see _merge.
        self._merging: Future[Merged] | None = None
        self._merge_report = ScanReport()  # the batch's removals, applied after the merge
        self._merged_report: ScanReport | None = None  # the report that started it
        self._merge_base: dict[str, ListRow] = {}
        self._merge_loaded: frozenset[str] = frozenset()
        self._shared = False
        self._journal: list[tuple[ListRow | None, str]] = []  # (row, id): row None, dropped
        self.indexed = False  # the first reconcile with the folder has ended
        self.indexing: tuple[int, int] | None = None  # (files read, to read) while a scan reads
        self._started = False
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_SAVE_MS)
        self._retry.timeout.connect(self._on_retry_timeout)
        # Writes handed to the writer thread whose outcome the UI thread has not taken in yet:
        # the latest per conversation, and the ended ones in the order they ended (appended
        # by the writer thread; deque's append and popleft are thread-safe).
        self._writing: dict[str, Future[None]] = {}
        self._ended: deque[tuple[str, Future[None]]] = deque()
        self._waiters: dict[Future[None], list[asyncio.Future[bool]]] = {}
        # Conversations being read in the loading thread, and what to do with each once read.
        self._loading: dict[str, list[Callable[[Conversation | None], None]]] = {}
        self._loads_ended: deque[tuple[str, Future[Conversation]]] = deque()
        # The index thread's results: the list at start, and each reconcile's reports.
        self._opening: Future[Listing] | None = None
        self._scan: Future[ScanReport] | None = None
        self._reports: deque[ScanReport | None] = deque()  # None: the list has come
        self._reports_merged: deque[None] = deque()  # a merge ended (the list's thread)
        self._unapplied = ScanReport()  # rows reported, not in the list yet
        self._scan_findings = ScanReport()
        self._rescan_again = False
        self._first_scan_due = False
        self._rescans_held = False  # an import under way: see hold_rescans
        self._closed = False
        self._usage_seen: tuple[object, ...] = ()
        # Searches asked for (the latest's token) and their answers from the search thread.
        self._search_token = 0
        self._searching = 0
        self._searches_ended: deque[tuple[int, Future[Any]]] = deque()
        # (conversations whose text is indexed, listed) while the index reads it; else None.
        self.text_indexing: tuple[int, int] | None = None
        # No thread of ours touches a Qt object (a signal emitted from the writer raced the
        # controller's deletion and crashed the process): they only append to the deques
        # above, and this timer, running while such work is under way, takes the outcomes in.
        self._poll = QTimer(self)
        self._poll.setInterval(WRITE_POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._rescan_timer = QTimer(self)
        self._rescan_timer.setSingleShot(True)
        self._rescan_timer.setInterval(rescan_delay_ms)
        self._rescan_timer.timeout.connect(self.rescan)
        self._watcher: QFileSystemWatcher | None = None
        # Loaded conversations whose file is being compared with the version in memory (the
        # loading thread), those to compare again once it has, and the outcomes.
        self._checking: set[str] = set()
        self._check_again: set[str] = set()
        self._checks_ended: deque[tuple[str, Future[OnDisk]]] = deque()
        # Versions set aside by a write (file name → the conversation's id and title), until
        # the listing has opened them as copies.
        self._set_aside: dict[str, tuple[str, str]] = {}
        # What the window's composer holds for a conversation, typed and not saved yet.
        self._typed: tuple[str, str] | None = None
        # The data folder's attachments (the chat and the composer attach through it), and
        # their collection after deletes for good: one after a burst of them (emptying the
        # trash), in a thread of its own (desktop/core/attachments/collect.py).
        self.attachments = AttachmentStore(store.data_dir)
        self._collector = Worker("confab-attachments-gc")
        self.collected: Future[int | None] | None = None  # the latest collection
        self._collect_timer = QTimer(self)
        self._collect_timer.setSingleShot(True)
        self._collect_timer.setInterval(COLLECT_DELAY_MS)
        self._collect_timer.timeout.connect(self.collect_attachments)
        self._init_views()

    # ---- the list ------------------------------------------------------------------

    @property
    def collect_delay_ms(self) -> int:
        """How long after the last delete for good the attachments are collected."""
        return self._collect_timer.interval()

    @collect_delay_ms.setter
    def collect_delay_ms(self, value: int) -> None:
        self._collect_timer.setInterval(value)

    @property
    def rescan_delay_ms(self) -> int:
        """How long after a change in the folder is noticed it is looked at."""
        return self._rescan_timer.interval()

    @rescan_delay_ms.setter
    def rescan_delay_ms(self, value: int) -> None:
        self._rescan_timer.setInterval(value)

    def load(self) -> None:
        """Start (after the first paint): the index's rows come from the index thread and
        are shown as they are (``conversations_reset``), then the index is reconciled with
        the folder (``indexing_changed`` while files are read, ``scan_finished`` at the end),
        and the folder is watched for changes from then on."""
        if self._started:
            return
        self._started = True
        self._opening = self._library.open()
        self._opening.add_done_callback(functools.partial(_appended, self._reports, None))
        self._start_poll()

    def rescan(self) -> None:
        """Reconcile the index with the folder now (or once the scan under way has ended)."""
        if self._rescans_held:
            return  # hold_rescans(False) rescans
        if self._scan is not None or self._opening is not None or self._first_scan_due:
            self._rescan_again = True
            return
        self._start_scan(remind=False)

    def _start_scan(self, *, remind: bool) -> None:
        if self._closed:
            return
        self._scan_findings = ScanReport()
        reports = self._reports
        # At start the whole listing; later (the watcher) only if not just Confab's writes.
        self._scan = self._library.reconcile(
            reports.append,
            remind=remind,
            tidy=remind,
            quick=not remind,
            watch=[] if remind else list(self._loaded.keys()),
        )
        self._scan.add_done_callback(functools.partial(_scan_ended, reports))
        self._start_poll()

    @property
    def store(self) -> ConversationStore:
        """The store of the conversation files (an import writes into its folder)."""
        return self._store

    def imported(self) -> None:
        """An import (desktop/controllers/importing.py) wrote files into the folder: the
        index reads them at a rescan that lists the folder (not a quick one: the folder's
        time may look as if only Confab's writer had changed it)."""
        self._library.folder_changed()
        self.rescan()

    def hold_rescans(self, held: bool) -> None:
        """While an import writes thousands of files, the folder is looked at once, at the
        end (``held`` False: now, as ``imported``): reconciling them as they arrived had the
        index and list threads fight the importing thread for the GIL, and the window stalled
        50-90 ms at a time. A change another program makes meanwhile is seen then too."""
        self._rescans_held = held
        if not held:
            self.imported()

    def _on_watcher_directory_changed(self, _path: str) -> None:
        if not self._rescan_timer.isActive():
            self._rescan_timer.start()

    def _take_reports(self) -> None:
        # Reports wait while a merge is under way: they apply to the list it makes.
        while self._reports and self._merging is None:
            report = self._reports.popleft()
            if report is None:
                self._took_opened_index()
                continue
            # Rows are taken in when they are a quarter of the list or more (each merge costs
            # the UI thread the length of the list: a cold start of 100,000 merges ~25 times,
            # not 200), and at the end.
            self._take_adopted(report)
            unapplied = self._unapplied
            unapplied.changed += report.changed
            unapplied.removed += report.removed
            if report.finished or len(unapplied.changed) >= len(self._summaries) // 4:
                self._unapplied = ScanReport()
                self._apply(unapplied)
            if self._merging is not None:
                self._merged_report = report  # said once its rows are in the list
            else:
                self._took_report(report)

    def _took_report(self, report: ScanReport) -> None:
        """What a report says besides its rows, once they are in the list."""
        findings = self._scan_findings
        findings.add(report)
        if report.finished:
            self._scan = None
            self.quarantined = findings.quarantined
            self.copies = findings.copies
            self.newer = findings.newer
            self.repaired = findings.repaired
            self.unmovable = findings.unmovable
            was_indexing = self.indexing is not None
            self.indexing = None
            self.indexed = True
            if was_indexing:
                self.indexing_changed.emit()
            self.scan_finished.emit()
            if self._rescan_again:
                self._rescan_again = False
                self._start_scan(remind=False)
        elif report.total:
            self.indexing = (report.done, report.total)
            self.indexing_changed.emit()

    def _took_opened_index(self) -> None:
        assert self._opening is not None
        future, self._opening = self._opening, None
        view: list[ListRow] | None = None
        try:
            order, by_id, view = future.result()
        except Exception:
            log.exception("the index could not be opened")
            order, by_id = [], {}
        if self._summaries:  # saved meanwhile (cannot happen before the list): theirs win
            by_id.update(self._summaries)
            order = sorted(by_id.values())
            view = None
        self._summaries, self._order = by_id, order
        self._newest_first = None
        _spare_the_collector()
        self._take_first_view(view)
        self.conversations_reset.emit()
        log.info("list shown: %d conversations from the index", len(self._summaries))
        self._watch()
        self._rescan_again = False
        # After the list has been painted: the scan holds the GIL much of the time, and the
        # paint, which takes it back a hundred times, waited a second for it (100,000 files).
        self._first_scan_due = True
        QTimer.singleShot(FIRST_SCAN_DELAY_MS, self, self._start_first_scan)

    def _start_first_scan(self) -> None:
        if self._first_scan_due:
            self._first_scan_due = False
            self._start_scan(remind=True)

    def _watch(self) -> None:
        if self._watcher is None:
            self._watcher = QFileSystemWatcher(self)
            self._watcher.addPath(str(self._store.folder))
            self._watcher.directoryChanged.connect(self._on_watcher_directory_changed)

    def _apply(self, report: ScanReport) -> None:
        """Rows the index found changed or gone in the folder."""
        if len(report.changed) > BULK_ROWS:
            self._merge(report)
            return
        accepted = []
        for summary in report.changed:
            if summary.id in self._deleted or summary.id in self._held:
                continue  # Confab's own copy is newer than what the scan read
            if summary.id in self._loaded:
                # In memory: its file is compared with the version there first (the row
                # follows what becomes of it).
                self._check_on_disk(summary.id)
                continue
            accepted.append(summary)
        for summary in accepted:
            self._set_summary(summary)
        self._remove_reported(report, changed=bool(accepted))

    def _merge(self, report: ScanReport) -> None:
        """Many rows (a cold start's batch): merged into the list in the list's thread
        (desktop/core/merge.py), the list shown as it is meanwhile. Each such merge cost the
        UI thread the length of the list (60-130 ms at 100,000 rows)."""
        loaded = frozenset(self._loaded.keys())
        self._merge_base = self._summaries
        self._merge_loaded = loaded
        self._merge_report = ScanReport(removed=report.removed)
        self._shared = True
        self._journal = []
        self._merging = self._library.merge(
            self._order,
            self._summaries,
            report.changed,
            skip=frozenset(self._deleted).union(self._held),
            loaded=loaded,
        )
        self._merging.add_done_callback(functools.partial(_appended, self._reports_merged, None))
        self._start_poll()

    def _take_merged(self) -> None:
        """The merge's outcome swapped in, and what changed here meanwhile replayed on it."""
        if not self._reports_merged:
            return
        self._reports_merged.clear()
        future, self._merging = self._merging, None
        assert future is not None
        journal, self._journal = self._journal, []
        base, self._merge_base = self._merge_base, {}
        report, self._merge_report = self._merge_report, ScanReport()
        self._shared = False
        try:
            merged = future.result()
        except Exception:
            log.exception("merging the index's rows into the list failed")
            merged = None
        if merged is not None and not self._closed:
            self._order, self._summaries = merged.order, merged.by_id
            self._newest_first = merged.newest_first
            _spare_the_collector()
            for row, conversation_id in journal:
                if row is None:
                    self._drop_summary(conversation_id)
                else:
                    self._set_summary(row)
            replayed = {conversation_id for _row, conversation_id in journal}
            for conversation_id in merged.loaded:
                self._check_on_disk(conversation_id)
            # Opened while the merge ran: compared with its file first, as above.
            for conversation_id in list(self._loaded.keys()):
                if (
                    conversation_id in merged.taken
                    and conversation_id not in self._merge_loaded
                    and conversation_id not in replayed
                ):
                    old = base.get(conversation_id)
                    if old is None:
                        self._drop_summary(conversation_id)
                    else:
                        self._set_summary(old)
                    self._check_on_disk(conversation_id)
        self._merge_loaded = frozenset()
        if merged is not None:
            self._rebuild_view()
        self._remove_reported(report, changed=merged is not None and bool(merged.taken))
        told, self._merged_report = self._merged_report, None
        if told is not None:
            self._took_report(told)
        self._take_reports()

    def _remove_reported(self, report: ScanReport, *, changed: bool) -> None:
        removed = []
        for conversation_id in report.removed:
            if conversation_id in self._deleted:
                continue
            if conversation_id in self._loaded:
                self._check_on_disk(conversation_id)
                continue
            if conversation_id in self._held:
                continue
            if self._drop_summary(conversation_id):
                removed.append(conversation_id)
        if changed or len(removed) > 1:
            self.conversations_reset.emit()
        elif removed:
            self.conversation_removed.emit(removed[0])

    def _take_adopted(self, report: ScanReport) -> None:
        """The copies a scan made of versions Confab set aside: said on their own, not among
        the sync conflicts the scan found."""
        if not self._set_aside or not report.adopted:
            return
        titles = {row.id: row.title for row in report.changed}
        for name, copy_id in report.adopted:
            kept = self._set_aside.pop(name, None)
            if kept is None:
                continue
            report.copies.remove(name)
            conversation_id, title = kept
            self.synced.emit(
                SyncNote(KEPT_BOTH, conversation_id, title, copy_id, titles.get(copy_id, title))
            )

    # ---- loaded conversations changed elsewhere ------------------------------------

    def set_other_version_title(self, pattern: str) -> None:
        """The title of the copy of a version another device wrote ({title}: the
        conversation's), in the user's language."""
        self._store.other_version_title = pattern

    def note_draft(self, conversation_id: str | None, text: str) -> None:
        """What the composer holds for ``conversation_id``, typed and not saved yet: kept, or
        written into the new version, should the file change meanwhile."""
        self._typed = (conversation_id, text) if conversation_id is not None else None

    def _typed_draft(self, conversation: Conversation) -> str:
        typed = self._typed
        if typed is not None and typed[0] == conversation.id:
            return typed[1]
        return conversation.draft

    def _check_on_disk(self, conversation_id: str) -> None:
        if conversation_id in self._checking:
            self._check_again.add(conversation_id)
            return
        self._checking.add(conversation_id)
        future = self._library.on_disk(conversation_id)
        future.add_done_callback(functools.partial(_appended, self._checks_ended, conversation_id))
        self._start_poll()

    def _busy(self, conversation: Conversation) -> bool:
        """Something of it is not on disk yet: a write under way or failed, a reply."""
        cid = conversation.id
        return (
            cid in self._held
            or cid in self._writing
            or cid in self._dirty
            or conversation.has_streaming_reply
        )

    def _take_checks(self) -> None:
        while self._checks_ended:
            conversation_id, future = self._checks_ended.popleft()
            self._checking.discard(conversation_id)
            try:
                found = future.result()
            except Exception:
                log.exception("comparing %s with its file failed", conversation_id)
                continue
            del future
            if conversation_id in self._check_again:
                self._check_again.discard(conversation_id)
                self._check_on_disk(conversation_id)
                continue
            if conversation_id in self._deleted or self._closed:
                continue
            conversation = self._loaded.get(conversation_id)
            if conversation is None:
                # Released meanwhile: the list takes the file as it is.
                if found.state == CHANGED and found.conversation is not None:
                    self._set_summary(summary_of(found.conversation))
                    self.conversation_changed.emit(conversation_id)
                elif found.state == REMOVED and self._drop_summary(conversation_id):
                    self.conversation_removed.emit(conversation_id)
                continue
            if found.state == CHANGED:
                self._changed_on_disk(conversation, found)
            elif found.state == REMOVED:
                self._removed_on_disk(conversation)

    def _changed_on_disk(self, conversation: Conversation, found: OnDisk) -> None:
        theirs = found.conversation
        assert theirs is not None and found.stamp is not None
        decision = sync.on_changed(
            conversation,
            theirs,
            busy=self._busy(conversation),
            typed=self._typed_draft(conversation),
        )
        if decision.action == sync.OURS_UNDER_WAY:
            # Its write (under way, due, or retried) sets the other version aside: both kept.
            log.info("%s changed on disk while unsaved here: both versions kept", theirs.id)
            return
        if decision.action == sync.KEEP_BOTH:
            # Ours is saved, and that write sets theirs aside, a copy.
            log.info("%s changed on disk, apart from ours: both versions kept", theirs.id)
            assert decision.draft is not None
            conversation.draft = decision.draft
            self.save(conversation, touch=False)
            return
        if not self._store.take_version(conversation.id, found.base, found.stamp):
            return  # written meanwhile: that write kept the other version
        log.info("%s changed on disk: its new version is taken in", conversation.id)
        attached = conversation.draft_attachments
        conversation.take_contents(theirs)
        # The composer's files outlive a reload as its text does.
        keep_files = bool(attached) and attached != conversation.draft_attachments
        if keep_files and not conversation.read_only:
            conversation.draft_attachments = attached
        if decision.draft is not None and decision.draft != conversation.draft:
            conversation.draft = decision.draft
            self.save(conversation, touch=False)
        elif keep_files and not conversation.read_only:
            self.save(conversation, touch=False)
        self._set_summary(summary_of(conversation))
        self.conversation_changed.emit(conversation.id)
        self.conversation_reloaded.emit(conversation.id)
        if conversation is self.current:
            self.synced.emit(SyncNote(RELOADED, conversation.id, conversation.title))

    def _removed_on_disk(self, conversation: Conversation) -> None:
        cid = conversation.id
        if sync.on_removed(conversation, busy=self._busy(conversation)) == sync.WRITE_BACK:
            log.info("%s was removed on disk while unsaved here: written back", cid)
            self._store.forget_version(cid)  # (its write is no news then: said here)
            self.save(conversation, touch=False)
            self._say_kept_removed(conversation)
            return
        log.info("%s was removed on disk: it leaves", cid)
        self._loaded.pop(cid, None)
        self._store.forget_version(cid)
        self._drop_summary(cid)
        was_current = conversation is self.current
        if was_current:
            self.current = None
        self.conversation_removed.emit(cid)
        if was_current:  # (another one leaves the list only)
            self.synced.emit(
                SyncNote(REMOVED_ELSEWHERE, cid, conversation.title, conversation=conversation)
            )
        if was_current and self.current is None:
            self.current_changed.emit(None)

    def _say_kept_removed(self, conversation: Conversation) -> None:
        """KEPT_REMOVED, once for one removal: the write that puts the file back and the
        rescan that finds it gone each see it, in either order."""
        now = self._clock()
        said = self._kept_removed_at.get(conversation.id)
        if said is not None and now - said < KEPT_REMOVED_ONCE:
            return
        self._kept_removed_at[conversation.id] = now
        self.synced.emit(SyncNote(KEPT_REMOVED, conversation.id, conversation.title))

    def keep(self, conversation: Conversation) -> None:
        """Write back a conversation removed elsewhere (REMOVED_ELSEWHERE) and show it."""
        if conversation.id in self._loaded or conversation.read_only:
            return
        self._loaded[conversation.id] = conversation
        self.save(conversation, touch=False)
        self.select(conversation.id)

    def summaries(self) -> list[ListRow]:
        """The listed conversations, newest first."""
        if self._newest_first is None:
            self._newest_first = self._order[::-1]
        return self._newest_first

    def summary(self, conversation_id: str) -> ListRow | None:
        return self._summaries.get(conversation_id)

    def is_listed(self, conversation_id: str) -> bool:
        """On disk (or being written), and in the list."""
        return conversation_id in self._summaries

    def _set_summary(self, summary: ListRow) -> None:
        old = self._summaries.get(summary.id)
        if old == summary:
            return
        self._changing((summary, summary.id))
        if old is not None:
            self._remove_from_order(old)
        self._summaries[summary.id] = summary
        insort(self._order, summary)
        self._newest_first = None
        self._place_in_view(old, summary)

    def _drop_summary(self, conversation_id: str) -> bool:
        if conversation_id not in self._summaries:
            return False
        self._changing((None, conversation_id))
        old = self._summaries.pop(conversation_id)
        self._remove_from_order(old)
        self._newest_first = None
        self._place_in_view(old, None)
        return True

    def _changing(self, change: tuple[ListRow | None, str]) -> None:
        """A row is about to change here: while a merge reads the list, the list is copied
        first (once: a save or a delete during a merge, in C) and the change kept, to be
        replayed on the merge's outcome."""
        if self._merging is None:
            return
        if self._shared:
            self._shared = False
            self._summaries = dict(self._summaries)
            self._order = list(self._order)
        self._journal.append(change)

    def _remove_from_order(self, summary: ListRow) -> None:
        order = self._order
        at = bisect_left(order, summary)
        while at < len(order) and order[at] is not summary:
            at += 1
        if at < len(order):
            del order[at]
        else:  # not found where it sorts (cannot happen): by equality
            order.remove(summary)

    # ---- conversations in full -----------------------------------------------------

    async def usage(
        self, by: str = "day", price_of: Callable[[str], Price | None] | None = None
    ) -> UsageTable:
        """The usage of every listed conversation, summed per day or month, provider and
        model, from the index, and priced by ``price_of`` (in a thread of its own; no file is
        read for it), with what is not counted yet: rows whose usage the index lacks (a
        migrated index being filled in) and the files the scan under way has still to read."""
        import asyncio

        if self._closed:  # quitting: the threads are stopping
            return UsageTable([], UsageFigures(readable=False))
        table = await asyncio.wrap_future(self._library.usage(by, price_of))
        unread = 0
        if self.indexing is not None:
            done, total = self.indexing
            unread = max(0, total - done)
        # Until the first look at the folder has ended, it may find more.
        figures = dataclasses.replace(table.figures, unread=unread, scanning=not self.indexed)
        return UsageTable(table.rows, figures)

    def search(self, query: str, filters: SearchFilters | None = None, limit: int = 50) -> int:
        """Search every message and title (desktop/core/search.py, newest first) in the
        search thread; the hits come with ``search_answered(token, hits)`` on the UI thread,
        for the latest search only (an earlier one still running is dropped); a search that
        failed answers with its error (a ConfabError: SearchIndexError when the index cannot
        be read). Returns the token; after ``close()`` nothing is asked and nothing answers.
        """
        self._search_token += 1
        token = self._search_token
        if self._closed:  # quitting: the search thread has stopped
            return token
        future = self._library.search(query, filters or SearchFilters(), limit)
        self._searching += 1
        future.add_done_callback(functools.partial(_appended, self._searches_ended, token))
        self._start_poll()
        return token

    def search_models(self) -> None:
        """Ask which models the library names (for the search's model filter); they come
        with ``search_models_answered(models)`` (none if the index cannot be read)."""
        if self._closed:
            return
        self._searching += 1
        future = self._library.search_models()
        future.add_done_callback(functools.partial(_appended, self._searches_ended, MODELS))
        self._start_poll()

    def _take_searches(self) -> None:
        while self._searches_ended:
            token, future = self._searches_ended.popleft()
            self._searching -= 1
            if token == MODELS:
                failed = future.exception()
                if failed is not None and not isinstance(failed, ConfabError):
                    log.error("listing the models failed", exc_info=failed)
                self.search_models_answered.emit([] if failed is not None else future.result())
                continue
            if token != self._search_token:
                continue  # superseded by a later search
            error = future.exception()
            if error is None:
                self.search_answered.emit(token, future.result())
                continue
            if not isinstance(error, ConfabError):
                log.error("search failed", exc_info=error)
                error = SearchIndexError(f"{type(error).__name__}: {error}")
            self.search_answered.emit(token, error)
        progress = self._library.text_progress
        if progress != self.text_indexing:
            self.text_indexing = progress
            self.text_indexing_changed.emit()

    def write_file(self, path: Path, data: bytes) -> Future[None]:
        """Write a file the user asked for (an export) atomically, off this thread."""
        return self._library.write_file(path, data)

    def exporter(self, **collaborators: Any) -> Exporter:
        """An Exporter of this data folder (desktop/core/services/exporting.py) whose thread
        first waits for the writes asked for so far: it reads what is on screen, saved."""
        from desktop.core.services.exporting import Exporter

        return Exporter(self._store.data_dir, wait=self._store.wait_for_writes, **collaborators)

    def get(self, conversation_id: str) -> Conversation | None:
        """The conversation if it is loaded (on screen, streaming, being saved…), else None:
        ``open`` reads one."""
        return self._loaded.get(conversation_id)

    def is_loaded(self, conversation_id: str) -> bool:
        """Also asked from the importing thread (a dict lookup: safe beside the UI thread)."""
        return conversation_id in self._loaded

    def take_imported(self, incoming: Conversation, now: datetime) -> tuple[bool, int] | None:
        """An import's version of a conversation loaded here (the importer leaves those to
        the UI thread: ``ImportReport.held``), merged into the object in memory, as a sync
        tool's change is taken in place, and saved: how many messages it brought, or None if
        the conversation is no longer loaded."""
        from desktop.core.services.importing import merge

        conversation = self._loaded.get(incoming.id)
        if conversation is None:
            return None
        merged = merge(conversation, incoming, now)
        if merged is None:
            return False, 0
        added = len(merged.messages) - len(conversation.messages)
        # The same message objects, and more: a reply streaming into it goes on unharmed.
        conversation.take_contents(merged)
        self.save(conversation, touch=False)
        self._set_summary(summary_of(conversation))
        self.conversation_changed.emit(conversation.id)
        if not conversation.has_streaming_reply:
            # Redrawn where the user was (the thread on screen is only longer or on the
            # source's branch); a streaming view is left to its stream.
            self.conversation_reloaded.emit(conversation.id)
        return True, added

    def open(self, conversation_id: str, then: Callable[[Conversation | None], None]) -> None:
        """Call ``then`` with the conversation in full: at once if it is loaded, else once
        the loading thread has read it (with None, after ``load_failed``, if it could not be
        read)."""
        conversation = self._loaded.get(conversation_id)
        if conversation is not None:
            then(conversation)
            return
        waiting = self._loading.get(conversation_id)
        if waiting is not None:
            waiting.append(then)
            return
        self._loading[conversation_id] = [then]
        future = self._library.load(conversation_id)
        future.add_done_callback(functools.partial(_appended, self._loads_ended, conversation_id))
        self._start_poll()

    def _take_loads(self) -> None:
        while self._loads_ended:
            conversation_id, future = self._loads_ended.popleft()
            callbacks = self._loading.pop(conversation_id, [])
            if conversation_id in self._deleted:
                continue
            error = future.exception()
            if error is not None:
                if not isinstance(error, ConfabError):
                    log.error("reading %s failed unexpectedly", conversation_id, exc_info=error)
                    error = StorageError(str(error))
                log.warning("cannot open %s: %s", conversation_id, error.detail)
                self.load_failed.emit(error)
                # The index learns what became of the file (quarantined, gone).
                self.rescan()
                for then in callbacks:
                    then(None)
                continue
            conversation = self._loaded.get(conversation_id)
            if conversation is None:
                conversation = future.result()
                # This process holds the data folder's lock: no reply can still be streaming.
                if not conversation.read_only and conversation.mark_interrupted():
                    log.info("a reply in %s was cut short by a crash", conversation_id)
                self._loaded[conversation_id] = conversation
            del future
            for then in callbacks:
                then(conversation)

    def new_conversation(
        self, provider: str | None, model: str | None, *, show: bool = True
    ) -> Conversation:
        """A fresh conversation on screen; it reaches disk and the sidebar with its first
        message. ``show=False``: not on the main window's screen (the quick-ask window's)."""
        conversation = Conversation.new(provider=provider, model=model, clock=self._clock)
        if not show:
            self._loaded[conversation.id] = conversation
            return conversation
        self._forget_empty_draft()
        self._loaded[conversation.id] = conversation
        self._wanted = conversation.id
        self.current = conversation
        self.current_changed.emit(conversation)
        return conversation

    def select(self, conversation_id: str) -> None:
        """Show a conversation: at once if it is loaded, else once it has been read (unless
        the user asked for another meanwhile)."""
        if conversation_id not in self._loaded and conversation_id not in self._summaries:
            return
        self._wanted = conversation_id
        self.open(conversation_id, self._show_if_wanted)

    def _show_if_wanted(self, conversation: Conversation | None) -> None:
        if conversation is None or conversation.id != self._wanted or conversation is self.current:
            return
        self._forget_empty_draft()
        self.current = conversation
        self.current_changed.emit(conversation)
        self._make_parts(conversation)

    def _make_parts(self, conversation: Conversation) -> None:
        """Ready the open conversation's file parts a step at a time between events, so that
        its first save costs what changed (see encoding.make_parts)."""
        if conversation is self.current and not make_parts(conversation):
            QTimer.singleShot(0, self, lambda: self._make_parts(conversation))

    def rename(self, conversation_id: str, title: str) -> None:
        title = " ".join(title.split())
        if title:
            self.open(conversation_id, lambda conversation: self._rename(conversation, title))

    async def opened(self, conversation_id: str) -> Conversation | None:
        """The conversation in full, once read (None if it could not be)."""
        import asyncio

        future: asyncio.Future[Conversation | None] = asyncio.get_running_loop().create_future()

        def then(conversation: Conversation | None) -> None:
            if not future.done():
                future.set_result(conversation)

        self.open(conversation_id, then)
        return await future

    def _rename(self, conversation: Conversation | None, title: str) -> None:
        if conversation is None or conversation.read_only or title == conversation.title:
            return
        conversation.title = title
        conversation.title_set_by_user = True
        self.save(conversation, touch=False)

    def title_of(self, conversation_id: str) -> str | None:
        """The title the list shows (None: not listed)."""
        summary = self._summaries.get(conversation_id)
        if summary is not None:
            return summary.title
        conversation = self._loaded.get(conversation_id)
        return conversation.title if conversation is not None else None

    def delete(self, conversation_id: str) -> None:
        conversation = self._loaded.get(conversation_id)
        listed = conversation_id in self._summaries
        if conversation is None and not listed:
            return
        if conversation is not None and listed and not conversation.read_only:
            # The trash gets the latest text (a reply in its last second, a failed write).
            try:
                self._store.save(conversation)
            except ConfabError as exc:
                log.warning("saving %s before the trash failed: %s", conversation_id, exc.detail)
        self._dirty.discard(conversation_id)
        try:
            self._store.delete(conversation_id)
        except StorageError as exc:
            self.save_failed.emit(exc)
            return
        self._deleted.add(conversation_id)
        if conversation is not None:
            self._trashed[conversation_id] = conversation
        self._loaded.pop(conversation_id, None)
        self._held.pop(conversation_id, None)
        self._drop_summary(conversation_id)
        self._library.dropped(conversation_id)
        self._start_poll()  # the usage hears of it once the row is gone
        was_current = conversation is not None and self.current is conversation
        if was_current:
            self.current = None
        if not self._deleting_many:
            self.conversation_removed.emit(conversation_id)
        if was_current and self.current is None:
            self.current_changed.emit(None)

    def trashed(self) -> list[TrashedConversation]:
        return self._store.trashed()

    def restore(self, conversation_id: str, *, show: bool = True) -> Conversation | None:
        """Bring a deleted conversation back from the trash and show it (``show``); None (and
        a save_failed) if that failed."""
        try:
            conversation = self._store.restore(conversation_id)
        except ConfabError as exc:
            self._restore_failed(conversation_id, exc)
            return None
        return self._restored(conversation_id, conversation, show=show)

    def _restore_failed(self, conversation_id: str, exc: ConfabError) -> None:
        log.error("restoring %s failed: %s", conversation_id, exc.detail)
        self.save_failed.emit(exc)

    def _restored(
        self, conversation_id: str, conversation: Conversation, *, show: bool
    ) -> Conversation:
        """The store brought ``conversation_id`` back as ``conversation``: list it again."""
        kept = self._trashed.pop(conversation_id, None)
        # Written again only when what comes back is not the file as it is: the object it had
        # in memory, or a copy under a new id (restore wrote that one already).
        rewrite = False
        if conversation.id == conversation_id:
            self._deleted.discard(conversation_id)
            if kept is not None and not kept.read_only:
                conversation = kept
                rewrite = True
        # Else it came back under a new id: the old id stays deleted, so that nothing still
        # holding the old object writes it over the conversation now under that id.
        self._loaded[conversation.id] = conversation
        if not rewrite or not self.save(conversation, touch=False, tell=show):
            # Not written again (the file as it was, or read-only): listed as the file is.
            self._library.saving(Record.of(conversation), new_write=True)
            self._library.written(conversation.id, True)
            self._set_summary(summary_of(conversation))
            if show:
                self.conversation_changed.emit(conversation.id)
        self.trash_changed.emit(conversation_id)
        if show:
            self.select(conversation.id)
        return conversation

    def purge(self, conversation_id: str) -> bool:
        """Delete a conversation from the trash for good."""
        try:
            self._store.purge(conversation_id)
        except ConfabError as exc:
            self.save_failed.emit(exc)
            return False
        self._trashed.pop(conversation_id, None)
        self.trash_changed.emit(conversation_id)
        self._collect_timer.start()
        return True

    def collect_attachments(self) -> Future[int | None]:
        """Remove, in the collector's thread, the attachments no conversation nor the trash
        uses (the job holds the store and a path: no Qt object)."""
        from desktop.core.attachments.collect import collect
        from desktop.core.index import INDEX_NAME

        index_path = self._store.data_dir / INDEX_NAME
        self.collected = self._collector.submit(collect, self.attachments, index_path)
        return self.collected

    def set_model(self, conversation: Conversation, provider_id: str | None, model: str) -> None:
        if conversation.read_only or (
            conversation.provider == provider_id and conversation.model == model
        ):
            return
        conversation.provider = provider_id
        conversation.model = model
        if conversation.id in self._summaries:
            self.save(conversation, touch=False)

    def update_settings(
        self,
        conversation: Conversation,
        *,
        system_prompt: str,
        provider_id: str | None,
        model: str | None,
        params: Params,
    ) -> None:
        """Apply the conversation settings dialog; the next request uses them."""
        if conversation.read_only:
            return
        conversation.system_prompt = system_prompt
        conversation.provider = provider_id
        conversation.model = model or None
        conversation.params = params
        if conversation.id in self._summaries:
            self.save(conversation, touch=False)
        self.settings_changed.emit(conversation.id)

    def set_draft(
        self,
        conversation: Conversation,
        text: str,
        attachments: tuple[Attachment, ...] | None = None,
    ) -> None:
        """Keep what the user typed but did not send (and, unless None, the files attached to
        it), with the conversation, across restarts."""
        if self._typed is not None and self._typed[0] == conversation.id:
            self._typed = None
        same_files = attachments is None or attachments == conversation.draft_attachments
        if conversation.draft == text and same_files:
            return
        conversation.draft = text
        if attachments is not None:
            conversation.draft_attachments = attachments
        if conversation.id in self._summaries:
            self.save(conversation, touch=False)

    def set_draft_attachments(
        self, conversation: Conversation, attachments: tuple[Attachment, ...]
    ) -> None:
        """Keep the files attached to the draft (added, removed, excluded), across restarts."""
        if conversation.read_only or attachments == conversation.draft_attachments:
            return
        conversation.draft_attachments = attachments
        if conversation.id in self._summaries:
            self.save(conversation, touch=False)

    def save(self, conversation: Conversation, *, touch: bool = True, tell: bool = True) -> bool:
        """Save ``conversation``: encoded now, written by the writer thread. A failure is
        reported when the write ends (``save_failed``); the conversation stays in memory and
        is retried. False when nothing is written: a conversation deleted, a stale copy, one
        written by a newer Confab, or one that could not even be encoded."""
        if conversation.id in self._deleted or conversation.read_only:
            return False
        if self._loaded.setdefault(conversation.id, conversation) is not conversation:
            log.warning("not saving a stale copy of %s", conversation.id)
            return False
        if touch:
            conversation.updated_at = self._clock()
        # Before the write is handed over: a reconcile leaves the file alone from now until
        # the index has its row from this save.
        self._library.saving(Record.of(conversation), new_write=True)
        try:
            future = self._store.save_soon(conversation)
        except ConfabError as exc:
            self._library.written(conversation.id, False)
            self._write_failed(conversation.id, exc)
            return False
        self._held[conversation.id] = conversation
        # Every save's callback: the index follows each (a write replacing one still waiting
        # shares its future, and is indexed from the latest record).
        future.add_done_callback(functools.partial(_indexed, self._library, conversation.id))
        if self._writing.get(conversation.id) is not future:
            # (The same future again: this save replaced one still waiting in the writer.)
            self._writing[conversation.id] = future
            # The callback runs in the writer thread and stays on the future: it must hold no
            # reference to this QObject, or the writer thread could drop the last one and
            # destroy the controller there (a segfault, seen after a failed test).
            future.add_done_callback(functools.partial(_ended, self._ended, conversation.id))
            self._start_poll()
        # The sidebar hears of it now; the file follows within milliseconds.
        self._set_summary(summary_of(conversation))
        if tell:  # (a change to many says so once: conversations_reset)
            self.conversation_changed.emit(conversation.id)
        return True

    def _start_poll(self) -> None:
        if not self._poll.isActive():
            self._poll.start()

    def _on_poll_timeout(self) -> None:
        # Asked first: work that ends after this has told the usage its news by the next
        # tick, which then still comes.
        working = self._library.busy
        self._take_ended_writes()
        self._take_loads()
        self._take_merged()
        self._take_reports()
        self._take_checks()
        self._take_list_jobs()
        self._take_changes()
        self._take_usage_news()
        self._take_found_archived()
        self._take_searches()
        if not (
            working
            or self._list_jobs
            or self._change_queue
            or self._searching
            or self._writing
            or self._ended
            or self._loading
            or self._loads_ended
            or self._checking
            or self._checks_ended
            or self._opening is not None
            or self._scan is not None
            or self._reports
            or self._merging is not None
        ):
            self._poll.stop()

    def _take_ended_writes(self) -> None:
        """The outcome of every write that ended, in the order they ended, on this thread."""
        aside = self._store.set_aside
        if aside:
            while aside:
                conversation_id, name = aside.popleft()
                self._set_aside[name] = (conversation_id, self.title_of(conversation_id) or "")
            # The listing opens them as copies (the writes that set them aside made the
            # folder look as if only Confab had changed it: the index knows better).
            self.rescan()
        back = self._store.written_back
        while back:
            # Removed elsewhere while a write of it was under way, which put it back: said as
            # when a rescan finds it removed while unsaved (_removed_on_disk).
            conversation_id = back.popleft()
            conversation = self._loaded.get(conversation_id)
            if conversation is not None and conversation_id not in self._deleted:
                self._say_kept_removed(conversation)
        while self._ended:
            conversation_id, future = self._ended.popleft()
            if self._writing.get(conversation_id) is future:
                del self._writing[conversation_id]
            error = future.exception()
            if error is None:
                if conversation_id not in self._writing:
                    # On disk: released unless something else holds it.
                    self._held.pop(conversation_id, None)
                if conversation_id in self._dirty:
                    self._dirty.discard(conversation_id)
                    if not self._dirty:
                        self._retry.stop()
                        self.save_recovered.emit()
            elif conversation_id not in self._deleted:
                if not isinstance(error, ConfabError):
                    log.error("saving %s failed unexpectedly", conversation_id, exc_info=error)
                    error = StorageError(str(error))
                self._write_failed(conversation_id, error)
            for waiter in self._waiters.pop(future, []):
                if not waiter.done():
                    waiter.set_result(error is None)

    def _take_found_archived(self) -> None:
        """Rows the index's text pass found archived in their file (a synced file archived
        elsewhere before this index was migrated): out of the list, as any archived one."""
        found = self._library.index.found_archived
        taken = 0
        while found:
            summary = self._summaries.get(found.popleft())
            if summary is not None and not summary.archived:
                self._set_summary(summary._replace(archived=True))
                taken += 1
        if taken:
            self.conversations_reset.emit()

    def _take_usage_news(self) -> None:
        """``usage_changed`` once the index's usage rows, or how far it has counted, moved."""
        seen = (self._library.usage_version, self.indexed, self.indexing)
        if seen != self._usage_seen:
            self._usage_seen = seen
            self.usage_changed.emit()

    def _write_failed(self, conversation_id: str, exc: ConfabError) -> None:
        log.error("saving %s failed: %s", conversation_id, exc.detail)
        self._dirty.add(conversation_id)
        self._retry.start()
        self.save_failed.emit(exc)

    async def written(self, conversation_id: str) -> bool:
        """Wait until the writes of ``conversation_id`` asked for so far have ended; True if
        the last one put it on disk."""
        future = self._writing.get(conversation_id)
        if future is None:
            return conversation_id not in self._dirty
        import asyncio

        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(future, []).append(waiter)
        return await waiter

    def wait_for_writes(self) -> None:
        """Block until every write asked for so far has ended, and take in their outcomes."""
        self._store.wait_for_writes()
        self._take_ended_writes()

    def flush(self) -> None:
        """Retry every write that failed and wait for all of them; used on quit."""
        self._retry_failed()
        self.wait_for_writes()
        if not self._dirty:
            self._retry.stop()

    def wait_for_index(self) -> None:
        """Block until the index and loading threads have done what was asked of them, and
        take in their results (tests and benchmarks; a scan may have asked for another)."""
        while True:
            self._store.wait_for_writes()
            self._library.wait()
            self._take_ended_writes()
            self._take_loads()
            self._take_merged()
            self._take_reports()
            self._take_checks()
            self._take_list_jobs()
            self._take_changes()
            self._start_first_scan()
            if (
                not self._list_jobs
                and not self._change_queue
                and self._opening is None
                and self._merging is None
                and self._scan is None
                and not self._loading
                and not self._checking
            ):
                self._take_usage_news()
                return

    def wait_for_usage(self) -> None:
        """wait_for_index, and the background pass that reads the usage a migrated index
        lacks (tests and benchmarks)."""
        self.wait_for_index()
        self._library.wait_for_usage()
        self._take_usage_news()

    def close(self) -> None:
        """Flush, and stop the writer, index and loading threads (at quit, after the last
        save)."""
        self._finish_changes()
        self._closed = True
        self._first_scan_due = False
        self._rescan_timer.stop()
        self._tally_timer.stop()
        if self._watcher is not None:
            self._watcher.removePaths(self._watcher.directories())
        self.flush()
        self._store.close()
        self._take_ended_writes()
        self._collect_timer.stop()
        self._collector.close()
        self._library.close()

    @property
    def has_unsaved(self) -> bool:
        """A write failed and no later one of that conversation has succeeded yet."""
        return bool(self._dirty)

    def _retry_failed(self) -> None:
        for conversation_id in list(self._dirty):
            conversation = self._held.get(conversation_id)
            if conversation is None:
                self._dirty.discard(conversation_id)
            elif conversation_id not in self._writing:
                self.save(conversation, touch=False)

    def _on_retry_timeout(self) -> None:
        # Outcomes arrive as the writes end: a success clears the banner (save_recovered).
        self._retry_failed()

    def _forget_empty_draft(self) -> None:
        draft = self.current
        if draft is not None and not draft.messages and draft.id not in self._summaries:
            self._loaded.pop(draft.id, None)

    # ---- folders, tags, archive: the list's views and changes to many --------------

    def _init_views(self) -> None:
        # What the sidebar shows (desktop/core/views.py): the filter, its view of the list
        # (oldest first, pinned after unpinned; made in the list's thread, then kept row by
        # row), and the navigation's counts.
        self.filter = ListFilter()
        self._view: list[ListRow] | None = None
        self._view_filter = self.filter  # the filter ``_view`` was made for
        self._view_newest: list[ListRow] | None = None
        self._view_job: Future[list[ListRow]] | None = None
        self._view_again = False  # the list changed in bulk meanwhile: make it again
        # Rows changed while a view is being made (old, new): placed into it once made.
        self._view_journal: list[tuple[ListRow | None, ListRow | None]] = []
        self.tally = Tally()
        self._tally_job: Future[Tally] | None = None
        self._tally_again = False
        self._tally_timer = QTimer(self)
        self._tally_timer.setSingleShot(True)
        self._tally_timer.setInterval(TALLY_DELAY_MS)
        self._tally_timer.timeout.connect(self._recount)
        # Work handed to the list's thread, what to do with each outcome, and those ended.
        self._list_jobs: dict[Future[object], Callable[[Future[object]], None]] = {}
        self._list_ended: deque[tuple[Future[object], Future[object]]] = deque()
        # Changes to conversations not loaded: those still to apply, by id (read and changed
        # in the loading thread, saved here), and the reads that ended.
        self._change_queue: dict[str, list[Change]] = {}
        self._changes_ended: deque[tuple[str, Future[tuple[Conversation, bool]]]] = deque()
        # The conversations changed and those that could not be read, since the queue was
        # last empty (``changes_ended`` says how many of each).
        self._changes_made: set[str] = set()
        self._changes_failed: set[str] = set()
        self._deleting_many = False

    def _take_first_view(self, view: list[ListRow] | None) -> None:
        """The view the index thread made with the list at start (all conversations), if it
        is still the one to show; else it is made now."""
        if view is not None and self.filter == ListFilter() and self._view_job is None:
            self._view, self._view_filter, self._view_newest = view, self.filter, None
            self._recount_soon()
        else:
            self._rebuild_view()

    def listed(self) -> list[ListRow] | None:
        """What the sidebar shows for ``filter``, newest first, pinned ones on top; None
        until the first view of the list is made."""
        if self._view is None:
            return None
        if self._view_newest is None:
            self._view_newest = self._view[::-1]
        return self._view_newest

    def set_filter(self, list_filter: ListFilter) -> None:
        """Show another view (``conversations_reset`` once it is made)."""
        if list_filter == self.filter:
            return
        self.filter = list_filter
        self._rebuild_view()

    def _in_list_thread(
        self, then: Callable[[Future[T]], None], fn: Callable[..., T], *args: object
    ) -> Future[T]:
        future = self._library.in_list_thread(fn, *args)
        self._list_jobs[future] = then  # type: ignore[index, assignment]
        # The callback holds no reference to this QObject (see save).
        future.add_done_callback(functools.partial(_appended, self._list_ended, future))
        self._start_poll()
        return future

    def _take_list_jobs(self) -> None:
        while self._list_ended:
            future, _same = self._list_ended.popleft()
            then = self._list_jobs.pop(future, None)
            if then is not None and not self._closed:
                then(future)

    def _rebuild_view(self) -> None:
        """Make the view of the whole list again, in the list's thread."""
        if self._closed:
            return
        if self._view_job is not None:
            self._view_again = True
            return
        self._view_again = False
        self._view_journal = []
        self._view_job = self._in_list_thread(
            functools.partial(self._took_view, self.filter), self.filter.build, list(self._order)
        )
        self._recount_soon()

    def _took_view(self, made_for: ListFilter, future: Future[list[ListRow]]) -> None:
        self._view_job = None
        if self._view_again or made_for != self.filter:
            self._rebuild_view()
            return
        try:
            view = future.result()
        except Exception:
            log.exception("making the list's view failed")
            return
        journal, self._view_journal = self._view_journal, []
        for old, new in journal:
            made_for.place(view, old, new)
        self._view, self._view_filter, self._view_newest = view, made_for, None
        self.conversations_reset.emit()

    def _place_in_view(self, old: ListRow | None, new: ListRow | None) -> None:
        """A row changed (``old`` → ``new``; None: none): the view and the counts follow."""
        if self._view_job is not None:
            self._view_journal.append((old, new))  # made from the list before this change
        elif self._view is not None and self._view_filter.place(self._view, old, new):
            self._view_newest = None
        if (
            old is None
            or new is None
            or (old.folder, old.tags_json, old.archived)
            != (new.folder, new.tags_json, new.archived)
        ):
            self._recount_soon()

    def _recount_soon(self) -> None:
        if not self._tally_timer.isActive():
            self._tally_timer.start()

    def _recount(self) -> None:
        if self._closed:
            return
        if self._tally_job is not None:
            self._tally_again = True
            return
        self._tally_again = False
        self._tally_job = self._in_list_thread(self._took_tally, tally, list(self._order))

    def _took_tally(self, future: Future[Tally]) -> None:
        self._tally_job = None
        if self._tally_again:
            self._recount()
            return
        try:
            counts = future.result()
        except Exception:
            log.exception("counting the list's folders and tags failed")
            return
        if counts != self.tally:
            self.tally = counts
            self.tally_changed.emit()

    def change(self, conversation_ids: Iterable[str], change: Change) -> None:
        """Apply ``change`` (pin, archive, move, tag…) to many conversations and save them
        (``updated_at`` unchanged). Loaded ones change at once; the others are read and
        changed in the loading thread and saved here a few at a time (``CHANGE_STEP`` per
        tick), so that 500 of them never freeze the window; the list says so once per tick
        (``conversations_reset``) and, once no change is left to make, ``changes_ended``
        with how many conversations changed and how many could not be read."""
        changed = 0
        for conversation_id in dict.fromkeys(conversation_ids):
            if conversation_id in self._deleted:
                continue
            conversation = self._loaded.get(conversation_id)
            if conversation is not None:
                if (
                    not conversation.read_only
                    and change.apply(conversation)
                    and self.save(conversation, touch=False, tell=False)
                ):
                    changed += 1
                    self._changes_made.add(conversation_id)
                continue
            queued = self._change_queue.get(conversation_id)
            if queued is not None:  # being read: applied after the change before it
                queued.append(change)
                continue
            if conversation_id not in self._summaries:
                continue
            self._change_queue[conversation_id] = [change]
            future = self._library.change(conversation_id, change)
            future.add_done_callback(
                functools.partial(_appended, self._changes_ended, conversation_id)
            )
        if changed:
            self.conversations_reset.emit()
        if self._change_queue:
            self._start_poll()
        elif changed:
            self._end_changes()

    def _take_changes(self) -> None:
        taken = 0
        while self._changes_ended and taken < CHANGE_STEP:
            taken += 1
            conversation_id, future = self._changes_ended.popleft()
            changes = self._change_queue.pop(conversation_id, [])
            if conversation_id in self._deleted or self._closed:
                continue
            error = future.exception()
            if error is not None:
                log.warning("cannot change %s: %s", conversation_id, error)
                self._changes_failed.add(conversation_id)
                continue
            read, changed = future.result()
            del future
            conversation = self._loaded.get(conversation_id)
            if conversation is None:
                # The first change is in what was read; the ones asked for since are not.
                conversation, changes = read, changes[1:]
                if not conversation.read_only:
                    # As an opened one (this process holds the folder's lock).
                    conversation.mark_interrupted()
                    self._loaded[conversation_id] = conversation
            else:
                changed = False  # opened meanwhile: that object is the one to change
            del read
            if conversation.read_only:
                continue
            for each in changes:
                changed = each.apply(conversation) or changed
            if changed and self.save(conversation, touch=False, tell=False):
                self._changes_made.add(conversation_id)
        if taken:
            self.conversations_reset.emit()
            if not self._change_queue:
                self._end_changes()

    def _finish_changes(self) -> None:
        """Quitting: the changes still being read are made and handed to the writer."""
        while self._change_queue and not self._closed:
            self._library.wait_for_loads()
            if not self._changes_ended:
                break  # (cannot happen: every read queued has ended)
            self._take_changes()

    def _end_changes(self) -> None:
        changed, failed = len(self._changes_made), len(self._changes_failed)
        self._changes_made, self._changes_failed = set(), set()
        self.changes_ended.emit(changed, failed)

    def folder_members(self, folder: str, then: Callable[[list[str]], None]) -> None:
        """Call ``then`` with the ids of the conversations in ``folder`` and its sub-folders
        (archived ones too), found in the list's thread."""

        def took(future: Future[list[str]]) -> None:
            try:
                then(future.result())
            except Exception:
                log.exception("finding the conversations of a folder failed")

        self._in_list_thread(took, _ids_in_folder, list(self._order), folder)

    def move_folder(self, old: str, new: str | None) -> None:
        """The folder ``old`` (and its sub-folders) renamed to ``new``, or deleted (None):
        its conversations follow (to no folder when deleted; never deleted themselves)."""
        self.folder_members(old, lambda ids: self.change(ids, Change(rename_folder=(old, new))))

    def delete_many(self, conversation_ids: Iterable[str]) -> list[str]:
        """Delete several conversations (to the trash); the list says so once. Returns the
        ids deleted."""
        deleted: list[str] = []
        self._deleting_many = True
        try:
            for conversation_id in conversation_ids:
                self.delete(conversation_id)
                if not self.is_listed(conversation_id) and conversation_id in self._deleted:
                    deleted.append(conversation_id)
        finally:
            self._deleting_many = False
        if deleted:
            self.conversations_reset.emit()
            self.conversation_removed.emit(deleted[-1])
        return deleted

    def restore_many(self, conversation_ids: Iterable[str]) -> None:
        """Bring several deleted conversations back (the Undo of ``delete_many``): their files
        are read and moved back in the list's thread (hundreds of them cost the UI thread
        nothing but their rows), and the list shows them at once when all are back."""
        self._in_list_thread(
            self._took_restored, _restore_each, self._store, list(conversation_ids)
        )

    def _took_restored(self, future: Future[list[tuple[str, Conversation | ConfabError]]]) -> None:
        try:
            results = future.result()
        except Exception:
            log.exception("restoring conversations failed")
            return
        restored = 0
        for conversation_id, found in results:
            if isinstance(found, ConfabError):
                self._restore_failed(conversation_id, found)
            else:
                self._restored(conversation_id, found, show=False)
                restored += 1
        if restored:
            self.conversations_reset.emit()


def _ended(
    ended: deque[tuple[str, Future[None]]], conversation_id: str, future: Future[None]
) -> None:
    """In the writer thread: a write of ``conversation_id`` ended (taken in on the UI thread)."""
    ended.append((conversation_id, future))


def _indexed(library: Library, conversation_id: str, future: Future[None]) -> None:
    """In the writer thread: the index's row follows the write (a plain object, no Qt)."""
    library.written(conversation_id, future.exception() is None)


def _spare_the_collector() -> None:
    """The rows live as long as the list: move them out of the cycle collector's way (a full
    collection walked 100,000 of them on the UI thread, up to half a second while a cold start
    built the index). Frozen objects are still freed when nothing refers to them."""
    import gc

    gc.freeze()


def _scan_ended(reports: deque[ScanReport | None], future: Future[ScanReport]) -> None:
    """In the index thread: a reconcile that failed still ends (its error is logged)."""
    error = future.exception()
    if error is not None:
        log.error("reconciling the index failed", exc_info=error)
        reports.append(ScanReport(finished=True))


def _restore_each(
    store: ConversationStore, conversation_ids: list[str], *, pace: Callable[[], None]
) -> list[tuple[str, Conversation | ConfabError]]:
    """In the list's thread: each conversation brought back from the trash, or why not."""
    results: list[tuple[str, Conversation | ConfabError]] = []
    for conversation_id in conversation_ids:
        pace()
        try:
            results.append((conversation_id, store.restore(conversation_id)))
        except ConfabError as exc:
            results.append((conversation_id, exc))
    return results


def _appended(into: deque, key: object, future: Future) -> None:  # type: ignore[type-arg]
    """In a thread of ours: hand ``future`` (or, with ``key`` None, nothing but the news that
    it ended) to the UI thread."""
    into.append(None if key is None else (key, future))
