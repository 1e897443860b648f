"""``index.sqlite3``: what the sidebar (and, next, search) needs of every conversation, without
reading the conversation files.

The JSON files stay the source of truth; the index is a cache. It is rebuilt from the files
when it is missing, unreadable (a garbage file, a truncated one) or of another schema version,
and deleting it loses nothing. ``ConversationIndex.reconcile`` lists ``conversations/``
(``os.scandir`` and a stat of each file) against the rows: a file that is new or whose size or
modification time changed is read and its row replaced, and the row of a file that is gone is
dropped; the files that could not be read (a newer format, no permission) are remembered with
their size and time too, so they are not read again until they change.

A ``ConversationIndex`` is used in one thread only (its sqlite connection belongs to the thread
that opened it): ``Library`` owns that thread, and a second one that reads the conversations
the user opens, so that neither the index nor a big file ever blocks the UI thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Container, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple, TypeVar

from desktop.core.encoding import make_parts
from desktop.core.fileformat import conversation_folder
from desktop.core.models import Conversation
from desktop.core.storage import (
    CHANGED,
    COPY,
    NEWER,
    QUARANTINED,
    REPAIRED,
    UNMOVABLE,
    UNREADABLE,
    ConversationStore,
    OnDisk,
    is_conversation_name,
    is_safe_id,
)

log = logging.getLogger("confab.index")

INDEX_NAME = "index.sqlite3"
# Bumped whenever the tables change: an index of another version is rebuilt from the files.
SCHEMA_VERSION = 1
# "Cnfb": marks the file as Confab's index (PRAGMA application_id).
APPLICATION_ID = 0x436E6662

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

_SCHEMA = """
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL,
    provider TEXT,
    model TEXT,
    messages INTEGER NOT NULL,
    pinned INTEGER NOT NULL,
    tags TEXT NOT NULL,
    folder TEXT,
    read_only INTEGER NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
);
-- The list's query reads this index alone (no look-up of each row): 100,000 rows in ~120 ms.
CREATE INDEX conversations_listed ON conversations (updated_us DESC, id DESC, title, pinned);
CREATE TABLE skipped (
    name TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
);
"""

# How many files a reconcile reads between two reports (and commits).
BATCH = 500


class ListRow(NamedTuple):
    """One row of the sidebar: a tuple, so that 100,000 of them stay small and quick to make
    (the time as the index keeps it, microseconds since 1970: making a datetime of each took
    longer than the query), and sort (in C, no key function) oldest first by time, then id."""

    updated_us: int
    id: str
    title: str
    pinned: bool = False

    @property
    def updated_at(self) -> datetime:
        return _when(self.updated_us)


@dataclass(frozen=True)
class Record:
    """What the index keeps of one conversation: its file's fields without the messages."""

    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    provider: str | None = None
    model: str | None = None
    messages: int = 0
    pinned: bool = False
    tags: tuple[str, ...] = ()
    folder: str | None = None
    read_only: bool = False

    @classmethod
    def of(cls, conversation: Conversation) -> Record:
        return cls(
            id=conversation.id,
            title=conversation.title,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
            provider=conversation.provider,
            model=conversation.model,
            messages=len(conversation.messages),
            pinned=conversation.pinned,
            tags=tuple(conversation.tags),
            folder=conversation_folder(conversation),
            read_only=conversation.read_only,
        )

    def summary(self) -> ListRow:
        return ListRow(_us(self.updated_at), self.id, self.title, self.pinned)


def summary_of(conversation: Conversation) -> ListRow:
    return ListRow(
        _us(conversation.updated_at), conversation.id, conversation.title, conversation.pinned
    )


def _us(when: datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - EPOCH) // _MICROSECOND


def _when(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


@dataclass
class ScanReport:
    """What one reconcile found (or, while it runs, found since its last report)."""

    changed: list[ListRow] = field(default_factory=list)  # rows added or replaced
    removed: list[str] = field(default_factory=list)  # ids whose file is gone
    quarantined: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    adopted: list[tuple[str, str]] = field(default_factory=list)  # (copy's file, its new id)
    newer: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    unmovable: list[str] = field(default_factory=list)
    done: int = 0  # files read so far
    total: int = 0  # files to read in this reconcile
    finished: bool = False

    def add(self, part: ScanReport) -> None:
        """Take in the findings of a later part of the same scan."""
        self.changed += part.changed
        self.removed += part.removed
        self.quarantined += part.quarantined
        self.copies += part.copies
        self.adopted += part.adopted
        self.newer += part.newer
        self.repaired += part.repaired
        self.unmovable += part.unmovable
        self.done, self.total, self.finished = part.done, part.total, part.finished


class ConversationIndex:
    """The index file of a data folder. Every method runs in the thread that called open()."""

    def __init__(self, store: ConversationStore) -> None:
        self._store = store
        self.path = store.data_dir / INDEX_NAME
        self._db: sqlite3.Connection | None = None
        # Why the last open() started from an empty index ("missing", "corrupt: …", …).
        self.rebuilt: str | None = None

    # ---- opening ---------------------------------------------------------------------

    def open(self) -> list[ListRow]:
        """Connect, and return every conversation's summary, newest first. An index that is
        missing, unreadable or of another version starts over empty (reconcile fills it)."""
        self.close()
        self.rebuilt = None if self.path.exists() else "missing"
        try:
            self._db = self._connect()
            return self.summaries()
        except sqlite3.DatabaseError as exc:
            self._start_over(f"unreadable: {exc}")
            return []

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            application = db.execute("PRAGMA application_id").fetchone()[0]
            if tables and (version != SCHEMA_VERSION or application != APPLICATION_ID):
                raise _WrongVersion(f"schema version {version}, application id {application}")
            db.execute("PRAGMA journal_mode=WAL")
            # A cache: a commit lost to a power cut is read again from the files.
            db.execute("PRAGMA synchronous=NORMAL")
            if not tables:
                db.executescript(
                    f"BEGIN; {_SCHEMA} PRAGMA application_id={APPLICATION_ID}; "
                    f"PRAGMA user_version={SCHEMA_VERSION}; COMMIT;"
                )
        except BaseException:
            db.close()
            raise
        return db

    def _start_over(self, why: str) -> None:
        """Delete the index file and begin an empty one."""
        log.warning("rebuilding %s (%s)", self.path.name, why)
        self.close()
        self.rebuilt = why
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.warning("could not remove %s%s: %s", self.path.name, suffix, exc)
        self._db = self._connect()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._connect()
        return self._db

    # ---- reading ---------------------------------------------------------------------

    def summaries(self) -> list[ListRow]:
        """Every conversation, newest first (ListRow's order, reversed)."""
        # From the cursor, not fetchall(): 100,000 rows held twice weighed 10 MB more.
        rows = self.db.execute(
            "SELECT updated_us, id, title, pinned = 1 FROM conversations "
            "ORDER BY updated_us DESC, id DESC"
        )
        return list(map(ListRow._make, rows))

    def record(self, conversation_id: str) -> Record | None:
        row = self.db.execute(
            "SELECT id, title, created_us, updated_us, provider, model, messages, pinned, "
            "tags, folder, read_only FROM conversations WHERE id = ?",
            (conversation_id,),
        ).fetchone()
        if row is None:
            return None
        tags = json.loads(row[8])
        return Record(
            row[0],
            row[1],
            _when(row[2]),
            _when(row[3]),
            row[4],
            row[5],
            row[6],
            row[7] == 1,
            tuple(tags),
            row[9],
            row[10] == 1,
        )

    def skipped(self) -> dict[str, str]:
        """File name → why it is not listed (storage's NEWER, UNREADABLE or UNMOVABLE)."""
        return dict(self.db.execute("SELECT name, reason FROM skipped ORDER BY name"))

    # ---- writing ---------------------------------------------------------------------

    def put(self, record: Record, stat: os.stat_result | None) -> None:
        """Replace ``record``'s row; ``stat`` is its file's (None: unknown, read it again at
        the next reconcile)."""
        self._put(record, stat)

    def _put(self, record: Record, stat: os.stat_result | None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO conversations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                record.id,
                record.title,
                _us(record.created_at),
                _us(record.updated_at),
                record.provider,
                record.model,
                record.messages,
                int(record.pinned),
                json.dumps(list(record.tags), ensure_ascii=False),
                record.folder,
                int(record.read_only),
                stat.st_size if stat else -1,
                stat.st_mtime_ns if stat else -1,
            ),
        )

    def drop(self, conversation_id: str) -> None:
        self.db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # ---- reconciling with the folder -------------------------------------------------

    def reconcile(
        self,
        busy: Container[str] = (),
        report: Callable[[ScanReport], None] | None = None,
        *,
        remind: bool = False,
        stop: Callable[[], bool] = lambda: False,
    ) -> ScanReport:
        """Bring the rows in line with the files of ``conversations/``: read the files that
        are new or changed (size or modification time), drop the rows of files that are gone.
        Conversations in ``busy`` (Confab is writing them: their rows follow each write) are
        left alone. ``report`` hears of the rows changed every ``BATCH`` files read. With
        ``remind``, the files known to be skipped (a newer format, unmovable) are reported
        again, as at start. ``stop`` is asked before each file: True ends the scan there (what
        was read is kept; the next scan reads the rest). Returns the whole scan's report
        (``finished``)."""
        try:
            return self._reconcile(busy, report, remind, stop)
        except sqlite3.DatabaseError as exc:
            # Damaged while open (a disk error, another process): start over from the files.
            self._start_over(f"damaged: {exc}")
            return self._reconcile(busy, report, remind, stop)

    def _reconcile(
        self,
        busy: Container[str],
        report: Callable[[ScanReport], None] | None,
        remind: bool,
        stop: Callable[[], bool],
    ) -> ScanReport:
        store = self._store
        db = self.db
        # The folder's listing goes into a temporary table and is compared with the rows in
        # SQL: for 100,000 files, Python dicts of both took ~60 MB and held the GIL throughout.
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS listing "
            "(stem TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL) "
            "WITHOUT ROWID"
        )
        db.execute("BEGIN")
        db.execute("DELETE FROM temp.listing")
        try:
            db.executemany("INSERT OR REPLACE INTO temp.listing VALUES (?,?,?)", _listing(store))
        except OSError as exc:
            # The folder itself is unreadable: keep the rows rather than drop them all.
            db.execute("ROLLBACK")
            log.error("cannot list %s: %s", store.folder, exc)
            whole = ScanReport(finished=True)
            if report is not None:
                report(whole)
            return whole
        whole = ScanReport()
        part = ScanReport()
        gone = db.execute(
            "SELECT id FROM conversations c WHERE NOT EXISTS "
            "(SELECT 1 FROM temp.listing l WHERE l.stem = c.id)"
        ).fetchall()
        for (conversation_id,) in gone:
            if conversation_id not in busy:
                db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
                part.removed.append(conversation_id)
        db.execute(
            "DELETE FROM skipped WHERE NOT EXISTS (SELECT 1 FROM temp.listing l "
            "WHERE l.stem = substr(skipped.name, 1, length(skipped.name) - 5))"
        )
        if remind:
            for name, reason in db.execute(
                "SELECT s.name, s.reason FROM skipped s JOIN temp.listing l "
                "ON l.stem = substr(s.name, 1, length(s.name) - 5) "
                "AND l.size = s.size AND l.mtime_ns = s.mtime_ns ORDER BY s.name"
            ):
                if reason == NEWER:
                    part.newer.append(name)
                elif reason == UNMOVABLE:
                    part.unmovable.append(name)
        # The few skipped files, compared here (joined in SQL they made the query 10× slower).
        skipped = {
            name[:-5]: (size, mtime)
            for name, size, mtime in db.execute("SELECT name, size, mtime_ns FROM skipped")
        }
        stems = [
            stem
            for stem, size, mtime in db.execute(
                "SELECT l.stem, l.size, l.mtime_ns FROM temp.listing l "
                "LEFT JOIN conversations c ON c.id = l.stem "
                "WHERE c.id IS NULL OR c.size != l.size OR c.mtime_ns != l.mtime_ns"
            )
            if skipped.get(stem) != (size, mtime) and stem not in busy
        ]
        db.execute("DELETE FROM temp.listing")
        db.execute("COMMIT")
        db.execute("BEGIN")
        to_read = [store.folder / f"{stem}.json" for stem in listing_stems_order(stems)]
        part.total = whole.total = len(to_read)
        for path in to_read:
            if stop():
                break
            self._read_into(path, part)
            part.done += 1
            if part.done % BATCH == 0 and part.done < part.total:
                db.execute("COMMIT")
                whole.add(part)
                if report is not None:
                    report(part)
                part = ScanReport(done=part.done, total=part.total)
                db.execute("BEGIN")
        db.execute("COMMIT")
        part.finished = True
        whole.add(part)
        if report is not None:
            report(part)
        return whole

    def _read_into(self, path: Path, part: ScanReport) -> None:
        store = self._store
        for _attempt in range(3):
            try:
                before = path.stat()
            except OSError:
                before = None
            listed = store.load_listed(path)
            conversation = listed.conversation
            outcome = listed.outcome
            if conversation is None:
                if outcome in (NEWER, UNREADABLE, UNMOVABLE):
                    self._skip(path.name, outcome, before)
                elif outcome == QUARANTINED:
                    part.quarantined.append(path.name)
                if outcome == NEWER:
                    part.newer.append(path.name)
                elif outcome == UNMOVABLE:
                    part.unmovable.append(path.name)
                self._forget(path.stem, part)
                return
            target = store.path_of(conversation.id)
            try:
                after = target.stat()
            except OSError:
                after = None
            if (
                outcome in (COPY, UNMOVABLE)
                or after is None
                or before is None
                or ((before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns))
            ):
                break
            # Changed while read (a sync tool, an upgrade written back): read it again.
        assert conversation is not None
        self.db.execute("DELETE FROM skipped WHERE name = ?", (target.name,))
        self._put(Record.of(conversation), after)
        part.changed.append(summary_of(conversation))
        if outcome == REPAIRED:
            part.repaired.append(path.name)
        elif outcome == COPY:
            part.copies.append(path.name)
            part.adopted.append((path.name, conversation.id))
            self._forget(path.stem, part)
        elif outcome == UNMOVABLE:
            part.copies.append(path.name)
            part.unmovable.append(path.name)
            self._skip(path.name, UNMOVABLE, before)

    def _skip(self, name: str, reason: str, stat: os.stat_result | None) -> None:
        """Remember a file that is not listed, so that it is read again only once changed."""
        self.db.execute(
            "INSERT OR REPLACE INTO skipped VALUES (?,?,?,?)",
            (name, reason, stat.st_size if stat else -1, stat.st_mtime_ns if stat else -1),
        )

    def _forget(self, conversation_id: str, part: ScanReport) -> None:
        """Drop the row of a file that no longer holds a listed conversation."""
        if self.db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount:
            part.removed.append(conversation_id)


class _WrongVersion(sqlite3.DatabaseError):
    pass


def _listing(store: ConversationStore) -> Iterator[tuple[str, int, int]]:
    """(stem, size, mtime_ns) of every ``*.json`` in conversations/, as os.scandir finds them
    (raises OSError if the folder cannot be listed)."""
    with os.scandir(store.folder) as entries:
        for entry in entries:
            name = entry.name
            if not is_conversation_name(name):
                continue
            try:
                st = entry.stat()
            except OSError:
                yield name[:-5], -2, -2  # a dangling link: read, to say so
                continue
            yield name[:-5], st.st_size, st.st_mtime_ns


def listing_stems_order(stems: list[str]) -> list[str]:
    """The files named after an id first (they are the real ones), as storage lists them."""
    return sorted(stems, key=lambda stem: (not is_safe_id(stem), stem))


T = TypeVar("T")


class Listing(NamedTuple):
    """The list as the index holds it: oldest first, and by id."""

    order: list[ListRow]
    by_id: dict[str, ListRow]


class Library:
    """The index's thread and the loading thread, for a ConversationStore.

    Every call returns at once; the work runs in the index's one thread (the sqlite connection
    never leaves it) or, for opening a conversation, in a thread of its own (a big file must
    not wait behind an index being built). Results come back as futures: their callbacks run
    in those threads and must not touch a Qt object (the controller takes them in on the UI
    thread).

    Confab's own saves update their row without the file being read again: ``saving`` (UI
    thread, as the write is handed to the writer) and ``written`` (the writer's thread, once
    the file is on disk) bracket each write, and a reconcile leaves a conversation alone
    while one of its writes is between the two.
    """

    def __init__(self, store: ConversationStore, index: ConversationIndex | None = None) -> None:
        self.store = store
        self.index = index or ConversationIndex(store)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="confab-index")
        self._loader = ThreadPoolExecutor(1, thread_name_prefix="confab-load")
        self._lock = threading.Lock()
        self._writes: dict[str, int] = {}  # id → writes handed to the writer, not yet indexed
        self._latest: dict[str, Record] = {}  # id → the record of its latest save
        # The folder's modification time when only Confab had changed it since it was listed,
        # and whether something else may have changed it since (see reconcile's ``quick``).
        self._folder_clean: int | None = None
        self._folder_dirty = True
        self._set_aside_seen = 0  # the store's set_aside_count when last looked at
        self._closed = False
        # Temporary files older than this are a past process's (file times run on a coarser
        # clock than time_ns: a second of margin).
        self._started_ns = time.time_ns() - 1_000_000_000

    def _submit(self, fn: Callable[[], T]) -> Future[T]:
        return self._executor.submit(fn)

    def open(self) -> Future[Listing]:
        """The summaries the index holds (none when it had to start over), oldest first and
        by id: made here, so that the UI thread only takes them."""

        def run() -> Listing:
            newest_first = self.index.open()
            return Listing(newest_first[::-1], {s.id: s for s in newest_first})

        return self._submit(run)

    def reconcile(
        self,
        report: Callable[[ScanReport], None] | None = None,
        *,
        remind: bool = False,
        tidy: bool = False,
        quick: bool = False,
        watch: Collection[str] = (),
    ) -> Future[ScanReport]:
        """Reconcile the index with the folder (see ConversationIndex.reconcile); ``report``
        is called in the index's thread. ``tidy`` (at start, under the data folder's lock)
        first removes the temporary files a crash left behind. ``quick`` (a change noticed by
        the folder's watcher) skips the listing when only Confab's own writes changed the
        folder since it was last listed (its modification time says so): each second of a
        streaming reply renames a file into place, and listing 100,000 files costs a second
        of this thread. The folder's time misses a change made within the same tick of the
        file system's clock as Confab's own: the files of the conversations in ``watch`` (the
        loaded ones, whose next write would otherwise meet the change) are looked at too."""

        def run() -> ScanReport:
            if tidy:
                # Not this process's: its writer may be writing one right now.
                self.store.remove_stale_temp_files(before_ns=self._started_ns)
            listed = self._folder_time()
            with self._lock:
                unchanged = (
                    quick
                    and not self._folder_dirty
                    and listed is not None
                    and listed == self._folder_clean
                )
                self._folder_clean, self._folder_dirty = listed, False
            if unchanged and self.store.changed_behind(watch):
                unchanged = False
            if unchanged:
                whole = ScanReport(finished=True)
                if report is not None:
                    report(whole)
                return whole
            return self.index.reconcile(
                _Busy(self), report, remind=remind, stop=lambda: self._closed
            )

        return self._submit(run)

    def load(self, conversation_id: str) -> Future[Conversation]:
        """Read one conversation in full (upgraded or repaired as storage does)."""

        def run() -> Conversation:
            conversation = self.store.load(conversation_id)
            # Its messages' parts of the file, here rather than a step at a time on the UI
            # thread (encoding.make_parts): nothing else holds the object yet.
            make_parts(conversation, limit=len(conversation.messages))
            return conversation

        return self._loader.submit(run)

    def on_disk(self, conversation_id: str) -> Future[OnDisk]:
        """Whether a loaded conversation's file is still the version in memory (see
        ConversationStore.on_disk), in the loading thread."""

        def run() -> OnDisk:
            found = self.store.on_disk(conversation_id)
            if found.state == CHANGED and found.conversation is not None:
                make_parts(found.conversation, limit=len(found.conversation.messages))
            return found

        return self._loader.submit(run)

    def saving(self, record: Record, *, new_write: bool) -> None:
        """UI thread: a save of ``record`` was handed to the writer (``new_write``: a write of
        its own, rather than one replacing a write still waiting)."""
        before = self._folder_time()
        with self._lock:
            self._latest[record.id] = record
            if new_write:
                self._writes[record.id] = self._writes.get(record.id, 0) + 1
            if before != self._folder_clean:
                self._folder_dirty = True  # something else changed the folder first

    def written(self, conversation_id: str, ok: bool) -> None:
        """Any thread: a write of ``conversation_id`` ended; its row follows, from the latest
        record (the file is not read again)."""
        if self._closed:
            return
        with contextlib.suppress(RuntimeError):  # shut down meanwhile
            self._submit(lambda: self._index_write(conversation_id, ok))

    def _index_write(self, conversation_id: str, ok: bool) -> None:
        with self._lock:
            record = self._latest.get(conversation_id)
        try:
            if record is not None:
                stat = None
                if ok:
                    # What the writer put there, not what is there now: a sync tool's version
                    # renamed over it since must still look changed to the next reconcile.
                    stat = self.store.written_stat(conversation_id)
                    if stat is None:
                        try:
                            stat = self.store.path_of(conversation_id).stat()
                        except OSError:
                            stat = None
                self.index.put(record, stat)
        except sqlite3.DatabaseError as exc:
            log.warning("could not index %s: %s", conversation_id, exc)
        finally:
            after = self._folder_time()
            with self._lock:
                if self.store.set_aside_count != self._set_aside_seen:
                    # A write set another program's version aside: a file the listing must
                    # see, though Confab itself renamed it there.
                    self._set_aside_seen = self.store.set_aside_count
                    self._folder_dirty = True
                if not self._folder_dirty:
                    # Nothing but Confab's own writes changed the folder since it was last
                    # listed: a rescan this change sets off has nothing to find.
                    self._folder_clean = after
                left = self._writes.get(conversation_id, 1) - 1
                if left > 0:
                    self._writes[conversation_id] = left
                else:
                    self._writes.pop(conversation_id, None)
                    if self._latest.get(conversation_id) is record:
                        self._latest.pop(conversation_id, None)

    def _folder_time(self) -> int | None:
        try:
            return self.store.folder.stat().st_mtime_ns
        except OSError:
            return None

    def dropped(self, conversation_id: str) -> Future[None]:
        """The conversation left the folder (the trash): drop its row."""

        def drop() -> None:
            try:
                self.index.drop(conversation_id)
            except sqlite3.DatabaseError as exc:
                log.warning("could not drop %s from the index: %s", conversation_id, exc)

        return self._submit(drop)

    def is_busy(self, conversation_id: str) -> bool:
        with self._lock:
            return conversation_id in self._writes

    def wait(self) -> None:
        """Until the work asked for so far has ended (tests, quitting)."""
        self._submit(lambda: None).result()
        self._loader.submit(lambda: None).result()

    def close(self) -> None:
        """Finish what was asked for, close the index and stop the threads."""
        self._closed = True
        self._loader.shutdown(wait=True)
        with contextlib.suppress(RuntimeError):
            self._executor.submit(self.index.close)
        self._executor.shutdown(wait=True)


class _Busy:
    """``in`` answers whether Confab is writing a conversation (read by the index thread)."""

    def __init__(self, library: Library) -> None:
        self._library = library

    def __contains__(self, conversation_id: object) -> bool:
        return isinstance(conversation_id, str) and self._library.is_busy(conversation_id)
