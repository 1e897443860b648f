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
import functools
import json
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Container, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple, TypeVar

from desktop.core.atomic import write_bytes_atomic
from desktop.core.encoding import make_parts
from desktop.core.errors import StorageError
from desktop.core.folders import Change
from desktop.core.merge import Merged, merge_rows
from desktop.core.models import Attachment, Conversation, Message
from desktop.core.pacing import Pace
from desktop.core.pricing import Price
from desktop.core.search import MIGRATION as _SEARCH_MIGRATION
from desktop.core.search import SCHEMA as _SEARCH_SCHEMA
from desktop.core.search import Hit, Searcher, SearchFilters, SearchIndex
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
from desktop.core.usage import UsageCell, UsageFigures, UsageTable, cells_of, usage_rows
from desktop.core.views import ListFilter

log = logging.getLogger("confab.index")

INDEX_NAME = "index.sqlite3"
# Bumped whenever the tables change: an index of another version is rebuilt from the files,
# except one _MIGRATIONS brings up to date in place.
SCHEMA_VERSION = 4
# "Cnfb": marks the file as Confab's index (PRAGMA application_id).
APPLICATION_ID = 0x436E6662

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# Version 2: each conversation's replies summed per (day, provider, model), written with its
# row (usage_known = 1) and dropped with it; costs are priced when asked for.
_USAGE_SCHEMA = """
CREATE TABLE usage (
    conversation TEXT NOT NULL,
    day TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    replies INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    estimated INTEGER NOT NULL,
    PRIMARY KEY (conversation, day, provider, model)
) WITHOUT ROWID;
-- The rows whose usage is not read yet (none, but after a migration), newest first.
CREATE INDEX conversations_usage_unknown ON conversations (updated_us DESC, id DESC)
    WHERE usage_known = 0;
"""

# Version 3: what the sidebar filters on (folder, tags, archived) is in each list row.
# The list's query reads this index alone (no look-up of each row): 100,000 rows in ~120 ms.
_LISTED_SCHEMA = """
CREATE INDEX conversations_listed ON conversations
    (updated_us DESC, id DESC, title, pinned, folder, tags, archived);
"""

# Version 4: which conversation names which attachment (attachments/<sha256>.<ext>), so that
# deleting conversations for good finds the attachments nothing uses any more without reading
# 100,000 files (desktop/core/attachments/collect.py). Written with the row's usage, dropped
# with it.
_ATTACHMENTS_SCHEMA = """
CREATE TABLE attachments (
    conversation TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (conversation, sha256)
) WITHOUT ROWID;
CREATE INDEX attachments_by_digest ON attachments (sha256);
"""

_SCHEMA = (
    """
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
    mtime_ns INTEGER NOT NULL,
    usage_known INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE skipped (
    name TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
);
"""
    + _USAGE_SCHEMA
    + _LISTED_SCHEMA
    # Version 3: the text of every message and title (desktop/core/search.py).
    + _SEARCH_SCHEMA
    + _ATTACHMENTS_SCHEMA
)

# From an index of the key's version to the next, in place: the list shows from the old rows
# at once. Version 1 had no usage: its rows are marked unknown (the column's default) and
# filled in by Library's background pass, newest first.
_MIGRATIONS = {
    1: "ALTER TABLE conversations ADD COLUMN usage_known INTEGER NOT NULL DEFAULT 0;"
    + _USAGE_SCHEMA,
    # Version 2 had no archived column (files before it had no "archived"), its list index
    # did not cover the folder and tags, and it had no text: search's tables, empty, filled by
    # Library's background text pass (newest first) while the list shows from the old rows.
    2: "ALTER TABLE conversations ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;"
    "DROP INDEX conversations_listed;" + _LISTED_SCHEMA + _SEARCH_MIGRATION,
    # Version 3 had no attachments table. A file may name attachments even so (written by a
    # Confab of version 4, then indexed by one of version 3): every row's file is read again
    # by a background pass, which fills the table too (the usage pass; the text pass for the
    # rows whose text is still to read, coming from version 2); until both are done, nothing
    # is collected (read_attachment_refs says None).
    3: _ATTACHMENTS_SCHEMA + "UPDATE conversations SET usage_known = 0 "
    "WHERE id IN (SELECT id FROM search_state WHERE text_known = 1);",
}

# How many files a reconcile reads between two reports (and commits).
BATCH = 500
# A reconcile that reads more files than this leaves their text to the background text pass.
TEXT_INLINE_FILES = 200
# The index thread's reconcile, in the window, rests 1 ms (pacing.REST_S) once it has read
# files this long: a cold start of 100,000 with 2 ms took ~60 s instead of 39 (4 ms: 43-48 s),
# the worst stall the same (28-39 ms, was 138).
RECONCILE_BURST_S = 0.004
# How many files the background usage pass reads in one step of the index thread.
FILL_BATCH = 200
# And the background text pass (paced within the step, as a reconcile).
TEXT_FILL_BATCH = 200
USAGE_PASS = "usage"
TEXT_PASS = "text"


class _Changed:
    """A file that is no longer the one its row was made from."""


STALE = _Changed()


class ListRow(NamedTuple):
    """One row of the sidebar: a tuple, so that 100,000 of them stay small and quick to make
    (the time as the index keeps it, microseconds since 1970: making a datetime of each took
    longer than the query), and sort (in C, no key function) oldest first by time, then id.

    What the sidebar filters on comes along: the folder (None: none), the tags as the index
    keeps them, their JSON text (None: no tags; a tuple per row weighed more, and most rows
    have none: None costs nothing), and whether it is archived."""

    updated_us: int
    id: str
    title: str
    pinned: bool = False
    folder: str | None = None
    tags_json: str | None = None
    archived: bool = False

    @property
    def updated_at(self) -> datetime:
        return _when(self.updated_us)

    @property
    def tags(self) -> tuple[str, ...]:
        return _tags_of(self.tags_json)


@functools.lru_cache(maxsize=4096)
def _tags_of(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    try:
        tags = json.loads(text)
    except ValueError:
        return ()
    return tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ()


def tags_json(tags: Sequence[str]) -> str | None:
    """Tags as the index keeps them (ListRow.tags_json)."""
    return json.dumps(list(tags), ensure_ascii=False) if tags else None


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
    archived: bool = False
    # The conversation's messages, for its usage and its text (summed and indexed in the
    # index's thread, not on the UI thread at each save); None: not known (the row is marked
    # so, and its file read later).
    messages_of_usage: tuple[Message, ...] | None = field(default=None, compare=False, repr=False)
    # The draft's attachments: named by the conversation as its messages' are (never collected).
    draft_attachments: tuple[Attachment, ...] = field(default=(), compare=False, repr=False)

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
            folder=conversation.folder,
            read_only=conversation.read_only,
            archived=conversation.archived,
            # A copy of the list (in C, microseconds for 5,000): the UI thread may append to
            # it while the index thread reads it.
            messages_of_usage=tuple(conversation.messages),
            draft_attachments=conversation.draft_attachments,
        )

    def usage(self) -> list[UsageCell] | None:
        if self.messages_of_usage is None:
            return None
        return cells_of(self.messages_of_usage, self.provider, self.model)

    def summary(self) -> ListRow:
        return ListRow(
            _us(self.updated_at),
            self.id,
            self.title,
            self.pinned,
            self.folder,
            tags_json(self.tags),
            self.archived,
        )


def summary_of(conversation: Conversation) -> ListRow:
    return ListRow(
        _us(conversation.updated_at),
        conversation.id,
        conversation.title,
        conversation.pinned,
        conversation.folder,
        tags_json(conversation.tags),
        conversation.archived,
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
        self.migrated = False  # the last open() brought an older index up to date
        # The usage rows changed since the owner last looked (Library tells the UI thread).
        self.usage_changed = False
        # Conversations the text pass found archived in their file though not in their row
        # (archived elsewhere before this index was migrated): the index thread appends, the
        # UI thread takes them (the list hides them as it does any archived one).
        self.found_archived: deque[str] = deque()
        self.search = SearchIndex(lambda: self.db)

    # ---- opening ---------------------------------------------------------------------

    def open(self) -> list[ListRow]:
        """Connect, and return every conversation's summary, newest first. An index that is
        missing, unreadable or of another version starts over empty (reconcile fills it)."""
        self.close()
        self.rebuilt = None if self.path.exists() else "missing"
        self.migrated = False
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
            if tables and application != APPLICATION_ID:
                raise _WrongVersion(f"application id {application}")
            if tables and version != SCHEMA_VERSION:
                self._migrate(db, version)
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

    def _migrate(self, db: sqlite3.Connection, version: int) -> None:
        """Bring an index of an older version up to date in place (raises _WrongVersion when
        there is no way: a newer version, or one too old, is rebuilt from the files)."""
        if version not in _MIGRATIONS and version != SCHEMA_VERSION:
            raise _WrongVersion(f"schema version {version}")
        db.execute("BEGIN")
        try:
            while version != SCHEMA_VERSION:
                step = _MIGRATIONS.get(version)
                if step is None:
                    raise _WrongVersion(f"schema version {version}")
                for statement in step.split(";"):
                    if statement.strip():
                        db.execute(statement)
                version += 1
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        log.info("index migrated in place to schema version %d", SCHEMA_VERSION)
        self.migrated = True

    def _start_over(self, why: str) -> None:
        """Delete the index file and begin an empty one."""
        log.warning("rebuilding %s (%s)", self.path.name, why)
        self.close()
        self.search.forget()
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
        self.search.forget()
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
            "SELECT updated_us, id, title, pinned = 1, folder, "
            "CASE WHEN tags = '[]' THEN NULL ELSE tags END, archived = 1 FROM conversations "
            "ORDER BY updated_us DESC, id DESC"
        )
        return list(map(ListRow._make, rows))

    def record(self, conversation_id: str) -> Record | None:
        row = self.db.execute(
            "SELECT id, title, created_us, updated_us, provider, model, messages, pinned, "
            "tags, folder, read_only, archived FROM conversations WHERE id = ?",
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
            row[11] == 1,
        )

    def skipped(self) -> dict[str, str]:
        """File name → why it is not listed (storage's NEWER, UNREADABLE or UNMOVABLE)."""
        return dict(self.db.execute("SELECT name, reason FROM skipped ORDER BY name"))

    # ---- writing ---------------------------------------------------------------------

    def put(self, record: Record, stat: os.stat_result | None) -> None:
        """Replace ``record``'s row and its usage; ``stat`` is its file's (None: unknown, read
        it again at the next reconcile)."""
        with self._transaction():
            self._put(record, stat)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction (unless one is open): a reader in another thread never sees a
        conversation's usage half replaced."""
        db = self.db
        if db.in_transaction:
            yield
            return
        db.execute("BEGIN")
        try:
            yield
            self.search.flush()
        except BaseException:
            self.search.forget()
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _put(self, record: Record, stat: os.stat_result | None, *, text: bool = True) -> None:
        """The row, its usage and (``text``; else it is marked to be read by the background
        text pass) its text."""
        cells = record.usage()
        self._put_usage(record.id, cells)
        if record.messages_of_usage is not None:
            self._put_attachments(record.id, record.messages_of_usage, record.draft_attachments)
        self.db.execute(
            "INSERT OR REPLACE INTO conversations (id, title, created_us, updated_us, "
            "provider, model, messages, pinned, tags, folder, read_only, size, mtime_ns, "
            "usage_known, archived) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                int(cells is not None),
                int(record.archived),
            ),
        )
        self.search.put(
            record.id,
            record.title,
            _us(record.updated_at),
            record.messages_of_usage if text else None,
            archived=record.archived,
            folder=record.folder,
            tags=record.tags,
        )

    def _put_usage(self, conversation_id: str, cells: list[UsageCell] | None) -> None:
        """Replace the conversation's usage rows with ``cells`` (None: not known), unless
        they are the same (a save while a reply streams changes none)."""
        db = self.db
        known = db.execute(
            "SELECT usage_known FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        stored = [
            _cell(row)
            for row in db.execute(
                "SELECT day, provider, model, replies, prompt_tokens, completion_tokens, "
                "cached_tokens, estimated FROM usage WHERE conversation = ? "
                "ORDER BY day, provider, model",
                (conversation_id,),
            )
        ]
        if known is not None and known[0] == (cells is not None) and stored == (cells or []):
            return
        db.execute("DELETE FROM usage WHERE conversation = ?", (conversation_id,))
        db.executemany(
            "INSERT INTO usage VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    conversation_id,
                    c.period,
                    c.provider,
                    c.model,
                    c.replies,
                    c.prompt_tokens,
                    c.completion_tokens,
                    c.cached_tokens,
                    int(c.estimated),
                )
                for c in cells or ()
            ],
        )
        self.usage_changed = True

    def _put_attachments(
        self,
        conversation_id: str,
        messages: Sequence[Message],
        draft: Sequence[Attachment] = (),
    ) -> None:
        """Replace the digests of the attachments the conversation names (its messages' and
        its draft's), unless the same."""
        named = {a.sha256 for m in messages if m.attachments for a in m.attachments}
        named.update(a.sha256 for a in draft)
        db = self.db
        stored = {
            row[0]
            for row in db.execute(
                "SELECT sha256 FROM attachments WHERE conversation = ?", (conversation_id,)
            )
        }
        if stored == named:
            return
        db.execute("DELETE FROM attachments WHERE conversation = ?", (conversation_id,))
        db.executemany(
            "INSERT INTO attachments VALUES (?, ?)", [(conversation_id, d) for d in named]
        )

    def drop(self, conversation_id: str) -> None:
        with self._transaction():
            self._delete_row(conversation_id)

    def _delete_row(self, conversation_id: str) -> bool:
        """Drop a conversation's row, its usage and its attachments; False if it had none."""
        db = self.db
        db.execute("DELETE FROM attachments WHERE conversation = ?", (conversation_id,))
        if db.execute("DELETE FROM usage WHERE conversation = ?", (conversation_id,)).rowcount:
            self.usage_changed = True
        gone = db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount
        self.search.drop(conversation_id)
        if gone:
            self.usage_changed = True  # one fewer to count
        return bool(gone)

    # ---- reconciling with the folder -------------------------------------------------

    def reconcile(
        self,
        busy: Container[str] = (),
        report: Callable[[ScanReport], None] | None = None,
        *,
        remind: bool = False,
        stop: Callable[[], bool] = lambda: False,
        pace: Callable[[], None] = lambda: None,
    ) -> ScanReport:
        """Bring the rows in line with the files of ``conversations/``: read the files that
        are new or changed (size or modification time), drop the rows of files that are gone.
        Conversations in ``busy`` (Confab is writing them: their rows follow each write) are
        left alone. ``report`` hears of the rows changed every ``BATCH`` files read. With
        ``remind``, the files known to be skipped (a newer format, unmovable) are reported
        again, as at start. ``stop`` is asked before each file: True ends the scan there (what
        was read is kept; the next scan reads the rest). ``pace`` is called after each file
        read (Library's: a ``Pace``, so that the UI thread gets the GIL in
        turns). Returns the whole scan's report (``finished``)."""
        try:
            return self._reconcile(busy, report, remind, stop, pace)
        except sqlite3.DatabaseError as exc:
            # Damaged while open (a disk error, another process): start over from the files.
            self._start_over(f"damaged: {exc}")
            return self._reconcile(busy, report, remind, stop, pace)

    def _reconcile(
        self,
        busy: Container[str],
        report: Callable[[ScanReport], None] | None,
        remind: bool,
        stop: Callable[[], bool],
        pace: Callable[[], None],
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
                self._delete_row(conversation_id)
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
        self.search.flush()
        db.execute("COMMIT")
        db.execute("BEGIN")
        to_read = [store.folder / f"{stem}.json" for stem in listing_stems_order(stems)]
        part.total = whole.total = len(to_read)
        # Many files (a cold start, a big sync): their rows first, their text after, read
        # again by the background text pass (with the text of every message indexed as each
        # file was read, the list of 100,000 took 958 s to fill on a busy machine, not ~35).
        text = len(to_read) <= TEXT_INLINE_FILES
        for path in to_read:
            if stop():
                break
            self._read_into(path, part, text=text)
            pace()
            part.done += 1
            if part.done % BATCH == 0 and part.done < part.total:
                self.search.flush()
                db.execute("COMMIT")
                whole.add(part)
                if report is not None:
                    report(part)
                part = ScanReport(done=part.done, total=part.total)
                db.execute("BEGIN")
        self.search.flush()
        db.execute("COMMIT")
        part.finished = True
        whole.add(part)
        if report is not None:
            report(part)
        return whole

    def _read_into(self, path: Path, part: ScanReport, *, text: bool = True) -> None:
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
        self._put(Record.of(conversation), after, text=text)
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
        if self._delete_row(conversation_id):
            part.removed.append(conversation_id)

    # ---- usage not known yet (an index migrated from version 1) ---------------------

    def fill_usage(
        self,
        after: tuple[int, str] | None,
        limit: int,
        busy: Container[str] = (),
    ) -> tuple[int, str] | None:
        """Read the usage of up to ``limit`` conversations whose row has none, newest first
        from just past ``after`` (the (updated_us, id) this returned last time; None: from
        the newest), from their files; the rows themselves stay as they are. A file changed
        since its row was written, or one that cannot be read now, is left to the next
        reconcile (which reads it whole and fills its usage then). Returns where to go on
        from, or None when there is no more."""
        db = self.db
        query = "SELECT updated_us, id, size, mtime_ns FROM conversations WHERE usage_known = 0"
        if after is not None:
            query += " AND (updated_us, id) < (?, ?)"
        query += " ORDER BY updated_us DESC, id DESC LIMIT ?"
        rows = db.execute(query, (*after, limit) if after is not None else (limit,)).fetchall()
        if not rows:
            return None
        with self._transaction():
            for _updated, conversation_id, size, mtime_ns in rows:
                if conversation_id in busy:
                    continue  # its write's record brings its usage
                self._fill_one(conversation_id, size, mtime_ns)
        return rows[-1][0], rows[-1][1]

    def _read_as_listed(
        self, conversation_id: str, size: int, mtime_ns: int
    ) -> Conversation | _Changed | None:
        """The file of a row, if it is still the file the row was made from (its size and
        time, before and after the read): the conversation, None when it cannot be read now,
        or STALE (the reconcile its change sets off reads it)."""
        try:
            path = self._store.path_of(conversation_id)
            before = path.stat()
        except (OSError, StorageError):
            return STALE
        if (before.st_size, before.st_mtime_ns) != (size, mtime_ns):
            return STALE
        conversation = self._store.read_as_is(path)
        try:
            after = path.stat()
        except OSError:
            return STALE
        if (after.st_size, after.st_mtime_ns) != (size, mtime_ns):
            return STALE
        if conversation is None or conversation.id != conversation_id:
            return None
        return conversation

    def _fill_one(self, conversation_id: str, size: int, mtime_ns: int) -> None:
        conversation = self._read_as_listed(conversation_id, size, mtime_ns)
        if isinstance(conversation, _Changed):
            return
        if conversation is None:
            # Unreadable now: counted as nothing (as a file that cannot be read always was),
            # and read again by the next reconcile, which says what became of it.
            self._put_usage(conversation_id, [])
            self.db.execute(
                "UPDATE conversations SET usage_known = 1, size = -1 WHERE id = ?",
                (conversation_id,),
            )
            return
        self._put_usage(conversation_id, Record.of(conversation).usage())
        self._put_attachments(
            conversation_id, conversation.messages, conversation.draft_attachments
        )
        self.db.execute("UPDATE conversations SET usage_known = 1 WHERE id = ?", (conversation_id,))
        if not self.search.known(conversation_id):  # read now: not again by the text pass
            self._put_text(conversation)

    def _put_text(self, conversation: Conversation) -> None:
        self.search.put(
            conversation.id,
            conversation.title,
            _us(conversation.updated_at),
            conversation.messages,
            archived=conversation.archived,
            folder=conversation.folder,
            tags=conversation.tags,
        )

    # ---- text not indexed yet (an index migrated from version 2) --------------------

    def fill_text(
        self,
        after: tuple[int, str] | None,
        limit: int,
        busy: Container[str] = (),
        pace: Callable[[], None] = lambda: None,
    ) -> tuple[int, str] | None:
        """Read into the search tables the text of up to ``limit`` conversations that have
        none, newest first from just past ``after`` (as fill_usage; ``pace`` after each
        file). Returns where to go on from, or None when there is no more."""
        rows = self.search.unknown(after, limit)
        if not rows:
            return None
        with self._transaction():
            for _updated, conversation_id, size, mtime_ns in rows:
                if conversation_id not in busy:  # its write's record brings its text
                    self._fill_text_one(conversation_id, size, mtime_ns)
                    pace()
        return rows[-1][0], rows[-1][1]

    def _fill_text_one(self, conversation_id: str, size: int, mtime_ns: int) -> None:
        conversation = self._read_as_listed(conversation_id, size, mtime_ns)
        if isinstance(conversation, _Changed):
            return
        if conversation is None:
            # Unreadable now: nothing to find in it (the next reconcile reads it again).
            row = self.record(conversation_id)
            if row is not None:
                self.search.put(
                    row.id,
                    row.title,
                    _us(row.updated_at),
                    (),
                    archived=row.archived,
                    folder=row.folder,
                    tags=row.tags,
                )
            return
        self._put_text(conversation)
        self._put_attachments(
            conversation.id, conversation.messages, conversation.draft_attachments
        )
        if conversation.archived:
            # Archived by a Confab of schema 3 elsewhere (a synced file) before this index was
            # migrated: its row had no archived column then. The search filters see it now,
            # the list once the controller takes ``found_archived``.
            changed = self.db.execute(
                "UPDATE conversations SET archived = 1 WHERE id = ? AND archived = 0",
                (conversation_id,),
            )
            if changed.rowcount:
                self.found_archived.append(conversation_id)


def read_attachment_refs(path: Path) -> set[str] | None:
    """The digests of every attachment a listed conversation names, from the index at
    ``path`` (a connection of its own, any thread); None when the index cannot tell: it is
    missing or unreadable, some rows are still to be read (after a migration), or some files
    could not be read at all (``skipped``: they may name any)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        log.info("attachments: %s cannot be opened: %s", path.name, exc)
        return None
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return None
        db.execute("BEGIN")  # one snapshot: the index thread may be writing meanwhile
        for still_to_read in (
            "SELECT count(*) FROM conversations WHERE usage_known = 0",
            "SELECT count(*) FROM conversations c WHERE NOT EXISTS (SELECT 1 FROM search_state"
            " s WHERE s.id = c.id AND s.text_known = 1)",
            "SELECT count(*) FROM skipped",
        ):
            if db.execute(still_to_read).fetchone()[0]:
                return None
        return {row[0] for row in db.execute("SELECT DISTINCT sha256 FROM attachments")}
    except sqlite3.Error as exc:
        log.info("attachments: %s cannot be read: %s", path.name, exc)
        return None
    finally:
        db.close()


def read_usage(path: Path, by: str = "day") -> UsageFigures:
    """The usage the index at ``path`` holds, summed per day (``by`` "day") or month, provider
    and model, and how many conversations it counts of how many: one snapshot, read on a
    connection of its own (any thread; the index's own thread may be writing meanwhile).
    An index that cannot be read (missing, being rebuilt, an older version) gives figures
    marked not ``readable``."""
    width = 10 if by == "day" else 7
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        log.info("usage: %s cannot be opened: %s", path.name, exc)
        return UsageFigures(readable=False)
    try:
        db.execute("BEGIN")  # one snapshot for the counts and the sums
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            return UsageFigures(readable=False)
        conversations = db.execute("SELECT count(*) FROM conversations").fetchone()[0]
        unknown = db.execute("SELECT count(*) FROM conversations WHERE usage_known = 0").fetchone()[
            0
        ]
        cells = tuple(
            _cell(row)
            for row in db.execute(
                "SELECT substr(day, 1, ?) AS period, provider, model, sum(replies), "
                "sum(prompt_tokens), sum(completion_tokens), sum(cached_tokens), "
                "max(estimated) FROM usage GROUP BY period, provider, model",
                (width,),
            )
        )
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        log.info("usage: %s cannot be read: %s", path.name, exc)
        return UsageFigures(readable=False)
    finally:
        db.close()
    return UsageFigures(cells, conversations - unknown, conversations)


def _cell(row: tuple[str, str, str, int, int, int, int, int]) -> UsageCell:
    period, provider, model, replies, prompt, completion, cached, estimated = row
    return UsageCell(period, provider, model, replies, prompt, completion, cached, estimated == 1)


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
    """The list as the index holds it: oldest first, and by id; and the sidebar's first view
    of it (desktop/core/views.py: all but the archived, pinned on top), made in the same
    thread so that the list shows without another hand-over (None: not made)."""

    order: list[ListRow]
    by_id: dict[str, ListRow]
    view: list[ListRow] | None = None


# The newest messages of an opened conversation whose code blocks' lexers the loading thread
# readies (the chat view builds its newest 30 first: ui/chat_view.py INITIAL_WINDOW).
WARM_MESSAGES = 30


def _warm_lexers(conversation: Conversation) -> None:
    """Compile, here, the lexers the chat view is about to need for the conversation's newest
    messages (desktop/core/markdown.py warm_lexers), not on the UI thread as it renders them."""
    from desktop.core.markdown import warm_lexers  # markdown-it and Pygments: after the paint

    try:
        warm_lexers(m.content for m in conversation.thread()[-WARM_MESSAGES:])
    except Exception:  # a lexer that fails is compiled, and fails, where it is used
        log.exception("could not ready the lexers of %s", conversation.id)


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
        # The usage table's queries: a connection of their own, so that they need not wait
        # for a reconcile of the index thread (minutes, on a cold start of 100,000 files).
        self._querier = ThreadPoolExecutor(1, thread_name_prefix="confab-usage")
        # The list's big merges (desktop/core/merge.py): not behind a reconcile of minutes.
        self._merger = ThreadPoolExecutor(1, thread_name_prefix="confab-list")
        # Search queries (desktop/core/search.py): a read-only connection each, not behind
        # the index thread; a query superseded before it starts is not run.
        self._searcher = ThreadPoolExecutor(1, thread_name_prefix="confab-search")
        self._search = Searcher(self.index.path)  # used in that thread only
        self._searches = 0
        # (conversations with text, listed) while the text pass runs; None otherwise.
        self._text_progress: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._jobs = 0  # handed to the index thread, not ended
        self._usage_version = 0  # counts the commits that changed the usage rows
        # The background passes under way (USAGE_PASS: rows of unknown usage; TEXT_PASS:
        # rows without text).
        self._passes: set[str] = set()
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
        with self._lock:
            self._jobs += 1

        def job() -> T:
            try:
                return fn()
            finally:
                self._note_usage()
                with self._lock:
                    self._jobs -= 1

        try:
            return self._executor.submit(job)
        except BaseException:
            with self._lock:
                self._jobs -= 1
            raise

    def _note_usage(self) -> None:
        """Index thread, after a commit: count it if it changed the usage rows."""
        if self.index.usage_changed:
            self.index.usage_changed = False
            with self._lock:
                self._usage_version += 1

    @property
    def busy(self) -> bool:
        """Work handed to the index thread has not ended (the background usage pass
        included): ``usage_version`` may still change."""
        with self._lock:
            return self._jobs > 0

    @property
    def usage_version(self) -> int:
        """Goes up after each commit that changed the usage rows (any thread may read it)."""
        with self._lock:
            return self._usage_version

    def usage(
        self, by: str = "day", price_of: Callable[[str], Price | None] | None = None
    ) -> Future[UsageTable]:
        """The usage figures (index.read_usage) and, priced by ``price_of`` (an immutable
        table's: it is called in that thread), the table's rows, made in the usage thread:
        12,500 rows (30 years by day) cost ~40 ms, not for the UI thread to spend."""

        def run() -> UsageTable:
            figures = read_usage(self.index.path, by)
            rows = usage_rows(figures.cells, price_of) if price_of is not None else []
            return UsageTable(rows, figures)

        return self._querier.submit(run)

    def write_file(self, path: Path, data: bytes) -> Future[None]:
        """Write ``data`` to ``path`` atomically in the usage thread (an export the user
        asked for; a WriteFailedError in the future if it could not be)."""
        return self._querier.submit(write_bytes_atomic, path, data)

    def merge(
        self,
        order: Sequence[ListRow],
        by_id: Mapping[str, ListRow],
        rows: Sequence[ListRow],
        *,
        skip: Collection[str] = (),
        loaded: Collection[str] = (),
    ) -> Future[Merged]:
        """``merge_rows`` in the list's thread, paced. The caller changes none of the
        arguments until the future is done (the controller copies its list before changing it
        meanwhile)."""
        return self._merger.submit(
            merge_rows, order, by_id, rows, skip=skip, loaded=loaded, pace=Pace()
        )

    def in_list_thread(self, fn: Callable[..., T], *args: object) -> Future[T]:
        """``fn(*args, pace=…)`` in the list's thread (the sidebar's views and counts,
        desktop/core/views.py), paced as the merges are. The caller hands it copies (or
        lists it does not change until the future is done)."""
        return self._merger.submit(lambda: fn(*args, pace=Pace()))

    def change(self, conversation_id: str, change: Change) -> Future[tuple[Conversation, bool]]:
        """A conversation that is not loaded read in the loading thread and ``change``
        applied to it there (nothing else holds it yet; not to a read-only one), its file's
        parts made, so that the save that follows on the UI thread costs what changed: the
        conversation, and whether the change changed anything in it."""

        def run() -> tuple[Conversation, bool]:
            conversation = self.store.load(conversation_id)
            if conversation.read_only or not change.apply(conversation):
                return conversation, False
            make_parts(conversation, limit=len(conversation.messages))
            return conversation, True

        return self._loader.submit(run)

    def open(self) -> Future[Listing]:
        """The summaries the index holds (none when it had to start over), oldest first and
        by id: made here, so that the UI thread only takes them."""

        def run() -> Listing:
            newest_first = self.index.open()
            order = newest_first[::-1]
            by_id = {s.id: s for s in newest_first}
            return Listing(order, by_id, ListFilter().build(order, Pace()))

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

            def reported(part: ScanReport) -> None:
                self._note_usage()  # each report follows a commit
                if report is not None:
                    report(part)

            try:
                # In short turns at the GIL: a cold start reads files for a minute while the
                # window is in use (unpaced, each of the window's calls into Qt waited up to
                # the 5 ms switch interval: a repaint of the list took 100 ms).
                return self.index.reconcile(
                    _Busy(self),
                    reported,
                    remind=remind,
                    stop=lambda: self._closed,
                    pace=Pace(RECONCILE_BURST_S),
                )
            finally:
                # The text pass follows the usage pass (which fills the text of the files
                # it reads: an index of version 1 has neither), not beside it.
                self._fill_usage_soon()

        return self._submit(run)

    def _fill_usage_soon(self) -> None:
        """Index thread, after a reconcile: start the pass that reads the usage the rows do
        not have yet (an index of version 1), unless it is under way; the text pass follows
        it."""
        self._start_pass(USAGE_PASS)

    def _start_pass(self, name: str) -> None:
        with self._lock:
            if name in self._passes or self._closed:
                return
            self._passes.add(name)
        try:
            self._submit(lambda: self._pass_step(name, None))
        except RuntimeError:  # shut down meanwhile
            with self._lock:
                self._passes.discard(name)

    def _pass_step(self, name: str, after: tuple[int, str] | None) -> None:
        """One step of a background pass: FILL_BATCH files (the usage pass) or TEXT_FILL_BATCH
        (the text pass, paced), then the next step queued behind whatever was asked for
        meanwhile (a save's row, a reconcile, the list), so that those wait for one step at
        most, not for the whole pass."""
        going_on: tuple[int, str] | None = None
        try:
            if not self._closed:
                going_on = self._step(name, after)
        except sqlite3.DatabaseError as exc:
            log.warning("could not read the %s into the index: %s", name, exc)
        if going_on is not None:
            try:
                self._submit(lambda: self._pass_step(name, going_on))
                return
            except RuntimeError:  # shut down meanwhile
                pass
        with self._lock:
            self._passes.discard(name)
            if name == TEXT_PASS:
                self._text_progress = None
        if name == USAGE_PASS:
            self._start_pass(TEXT_PASS)

    def _step(self, name: str, after: tuple[int, str] | None) -> tuple[int, str] | None:
        if name == USAGE_PASS:
            return self.index.fill_usage(after, FILL_BATCH, _Busy(self))
        done, total = self.index.search.progress()
        with self._lock:
            self._text_progress = (done, total) if done < total else None
        return self.index.fill_text(after, TEXT_FILL_BATCH, _Busy(self), Pace(RECONCILE_BURST_S))

    def search(self, query: str, filters: SearchFilters, limit: int = 50) -> Future[list[Hit]]:
        """The hits of ``query`` (desktop/core/search.py: newest first), in the search thread
        on a connection of its own. A query asked for while an older one waits makes that one
        answer [] at once (typing a word asks for each of its prefixes)."""
        with self._lock:
            self._searches += 1
            mine = self._searches

        def run() -> list[Hit]:
            with self._lock:
                if mine != self._searches:
                    return []
            return self._search.search(query, filters, limit)

        return self._searcher.submit(run)

    def search_models(self) -> Future[list[str]]:
        """The models the library names (``Searcher.models``), in the search thread."""
        return self._searcher.submit(self._search.models)

    @property
    def text_progress(self) -> tuple[int, int] | None:
        """(conversations whose text is indexed, conversations listed) while the background
        text pass (an index migrated from version 2) runs; None when there is none."""
        with self._lock:
            return self._text_progress

    def load(self, conversation_id: str) -> Future[Conversation]:
        """Read one conversation in full (upgraded or repaired as storage does)."""

        def run() -> Conversation:
            conversation = self.store.load(conversation_id)
            # Its messages' parts of the file, here rather than a step at a time on the UI
            # thread (encoding.make_parts): nothing else holds the object yet.
            make_parts(conversation, limit=len(conversation.messages))
            _warm_lexers(conversation)
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
            after = self.store.folder_time_after(conversation_id) if ok else None
            if after is None:
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

    def folder_changed(self) -> None:
        """Any thread: something other than Confab's writer changed the folder (an import):
        the next rescan lists it."""
        with self._lock:
            self._folder_dirty = True

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
        """Until the work asked for so far has ended (tests, quitting); the background usage
        pass may go on."""
        self._submit(lambda: None).result()
        self._loader.submit(lambda: None).result()
        self._querier.submit(lambda: None).result()
        self._merger.submit(lambda: None).result()
        self._searcher.submit(lambda: None).result()

    def wait_for_loads(self) -> None:
        """Until the loading thread has done what it was asked (quitting with a change to
        many still being read: not behind a reconcile of minutes in the index thread)."""
        self._loader.submit(lambda: None).result()

    def wait_for_usage(self) -> None:
        """Until the background passes (usage, text) have ended too (tests, benchmarks)."""
        while True:
            self.wait()
            with self._lock:
                if not self._passes and self._jobs == 0:
                    return

    def close(self) -> None:
        """Finish what was asked for, close the index and stop the threads."""
        self._closed = True
        self._loader.shutdown(wait=True)
        self._querier.shutdown(wait=True)
        self._merger.shutdown(wait=True)
        with contextlib.suppress(RuntimeError):
            self._searcher.submit(self._search.close)
        self._searcher.shutdown(wait=True)
        with contextlib.suppress(RuntimeError):
            self._executor.submit(self.index.close)
        self._executor.shutdown(wait=True)


class _Busy:
    """``in`` answers whether Confab is writing a conversation (read by the index thread)."""

    def __init__(self, library: Library) -> None:
        self._library = library

    def __contains__(self, conversation_id: object) -> bool:
        return isinstance(conversation_id, str) and self._library.is_busy(conversation_id)
