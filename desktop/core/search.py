"""Full-text search over every message of every conversation (every branch) and every title,
in ``index.sqlite3`` (schema 3).

Tables (made by the index's schema, or added to a version-2 index by ``MIGRATION``):

- ``search_state``: one row per conversation whose text is indexed (``key``, the integer the
  other tables use; ``id``; ``archived``; ``text_known`` 0 while its text is still to be read,
  after a migration or a save that did not carry the messages).
- ``search_text``: one row per message (``message`` its id) and one per title (``message``
  NULL), keyed by a number made of the message's time (``time_key``: whole seconds since 1970
  times 16, plus its place among that second's rows), so that "newest first" is the rowid's
  order; for a title the conversation's last change. The text is kept here once (zlib-
  compressed from PACK_CHARS characters: ``packed``, ``unpacked``).
- ``search_fts``: a contentless FTS5 table (``content=''``) with the ``trigram`` tokenizer and
  ``detail=none`` (rowids only, no positions: ``detail=full`` was 2.8 times the text, this is
  0.75). Its document for a row (``document``) is the text and, after it, the row's *short
  keys*: trigram finds any substring of three characters or more but cannot match one or two,
  so each CJK character and each pair of adjacent ones, and each word of one or two letters or
  digits, is written once more as a trigram of its own between private-use marks (MARK, WORD).

A query (``parse``) is words, all of which must match, and "quoted phrases": a term of three
characters or more matches where it appears in the text (any case), found by the trigrams it
contains and confirmed in the text (detail=none keeps no positions); a term of one or two
characters matches a CJK character or pair, or a word that short ("AI", "C"). What a person
types is never FTS syntax: every piece goes to FTS5 as a quoted string.

Hits come newest first (the key's order, which FTS5 walks backwards and stops at the limit):
for a common word over 1,000,000 messages best-first (bm25) would rank every match before
answering, and in a chat history the recent conversation is the one usually looked for.

Keeping it current costs the UI thread nothing more than ``Record.of`` (a tuple of the
messages): the index thread compares the messages with what it indexed last (the strings
themselves, kept for the conversations saved lately: a reply streaming into 5,000 messages
re-indexes the one growing reply) and writes only what changed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from desktop.core.errors import SearchIndexError

if TYPE_CHECKING:
    from desktop.core.models import Message

log = logging.getLogger("confab.search")

# The tables of schema 3 that are search's (a self-contained step: the index's other
# additions of version 3 come in their own statements).
SCHEMA = """
CREATE TABLE search_state (
    key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    archived INTEGER NOT NULL DEFAULT 0,
    folder TEXT,
    text_known INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX search_state_folder ON search_state (folder);
CREATE TABLE search_tags (
    tag TEXT NOT NULL,
    conversation INTEGER NOT NULL,
    PRIMARY KEY (tag, conversation)
) WITHOUT ROWID;
CREATE TABLE search_text (
    key INTEGER PRIMARY KEY,
    conversation INTEGER NOT NULL,
    message TEXT,
    role TEXT,
    model TEXT,
    provider TEXT,
    text TEXT NOT NULL
);
CREATE INDEX search_text_conversation ON search_text (conversation);
CREATE VIRTUAL TABLE search_fts USING fts5(
    doc, content='', tokenize='trigram', detail='none'
);
"""
# From schema 2: the tables, empty; the index thread fills them in the background
# (Library's text pass), newest conversation first.
MIGRATION = SCHEMA

# The short keys are written after the text as runs of CJK characters with MARK between and
# around each (a CJK character c is the trigram MARK c MARK, a pair ab is a MARK b) and words
# of one or two letters or digits between WORD marks (a word w is WORD w WORD, or WORD w when
# two long): no trigram is spent on anything else.
MARK = "\ue000"
WORD = "\ue001"
# Kana, bopomofo, Hangul (Jamo, compatibility Jamo, syllables), CJK extension A, unified
# ideographs, compatibility ideographs, extension B and later.
_CJK = (
    "\u1100-\u11ff\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31bf\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_CJK_RUNS = re.compile(rf"[{_CJK}]+")
_SHORT_WORDS = re.compile(rf"(?<![^\W_{_CJK}])[^\W_{_CJK}]{{1,2}}(?![^\W_{_CJK}])")
_RUNS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")

# A term longer than this many trigrams is looked up by this many of them (spread over it),
# and confirmed in the text whole: a pasted paragraph must not make a query of hundreds.
MAX_TRIGRAMS = 12
MAX_TERMS = 16
SNIPPET_CHARS = 160
SNIPPET_BEFORE = 50
# A query whose folder or tag leaves conversations of this many messages at most reads their
# rows (a scan) rather than walk the matches of its words.
SCAN_MESSAGES = 4000
# No query takes longer than this: past it, the hits found so far (the newest) are the answer.
QUERY_BUDGET_S = 0.25
# Conversations whose indexed strings are kept (the ones saved lately, a reply streaming).
CACHED_CONVERSATIONS = 8

# A row's key: its time in whole seconds times _KEY_SPREAD, plus its place among the rows of
# that second. Dense keys keep the index small: FTS5 stores each row of a trigram as the
# distance from the one before, and microseconds times 1,024 made every distance 5 bytes or
# more (the index was 1.9 times the text; 0.7 with seconds).
_KEY_SPREAD = 16
# How many windows of 4 * _KEY_SPREAD keys a row's key is looked for in past its time's.
_KEY_WINDOWS = 16
_MAX_S = (2**63 - 1) // _KEY_SPREAD - 2**20
_MIN_S = -(2**63) // _KEY_SPREAD + 2**20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SearchFilters:
    folder: str | None = None  # this folder and its sub-folders
    tag: str | None = None
    model: str | None = None  # a reply's model, else the conversation's
    provider: str | None = None  # a reply's provider, else the conversation's
    since: datetime | None = None  # message time, inclusive
    until: datetime | None = None  # exclusive
    role: str | None = None  # "user" | "assistant" | None (both)
    archived: bool | None = None  # None: both; False: not archived; True: only archived


class Hit(NamedTuple):
    conversation_id: str
    message_id: str | None  # None: the title matched
    title: str
    # The message's time (to the second), or for a title the conversation's last change.
    when_us: int
    role: str | None
    snippet: str  # plain text around the match
    marks: tuple[tuple[int, int], ...]  # [start, end) of each match inside snippet


def time_key(us: int, *, up: bool = False) -> int:
    """The first key of a moment's second (microseconds since 1970; ``up``: of the next
    second unless it is a whole one): keys sort as the times do."""
    seconds = -(-us // 1_000_000) if up else us // 1_000_000
    return min(max(seconds, _MIN_S), _MAX_S) * _KEY_SPREAD


def key_time(key: int) -> int:
    """The time (microseconds since 1970, to the second) of a key."""
    return key // _KEY_SPREAD * 1_000_000


def micros(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


# ---- documents ---------------------------------------------------------------------------


def document(text: str) -> str:
    """What FTS5 indexes for ``text``: the text, then its short keys (deterministic: a
    contentless table's row is deleted by giving it the same document again)."""
    parts = [text]
    if not text.isascii():
        runs = sorted(set(_CJK_RUNS.findall(text)))
        if runs:
            parts.append("".join(MARK + MARK.join(run) + MARK for run in runs))
    words = sorted({word.lower() for word in _SHORT_WORDS.findall(text)})
    if words:
        parts.append("".join(WORD + word + WORD for word in words))
    return "\n".join(parts)


def _cjk_key(piece: str) -> str:
    return f"{MARK}{piece}{MARK}" if len(piece) == 1 else f"{piece[0]}{MARK}{piece[1]}"


def _word_key(word: str) -> str:
    return f"{WORD}{word.lower()}{WORD}" if len(word) == 1 else f"{WORD}{word.lower()}"


# ---- queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str
    tokens: tuple[str, ...]  # the FTS5 strings (trigrams or encoded short keys)
    pattern: re.Pattern[str]  # finds it in a text (the confirmation and the snippet's marks)
    confirm: bool  # the tokens alone may match where the term does not


_TERMS = re.compile(r'"([^"]*)"?|(\S+)')


def parse(query: str) -> list[Term]:
    """The terms of what a person typed: words and "phrases" (an unclosed quote runs to the
    end). Pieces that cannot be looked for (punctuation of one or two characters) are left
    out."""
    terms: list[Term] = []
    for phrase, word in _TERMS.findall(query):
        text = " ".join((phrase if phrase else word).split())
        if not text:
            continue
        term = _term(text)
        if term is not None and term not in terms:
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return terms


def _term(text: str) -> Term | None:
    if len(text) >= 3:
        grams = list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))
        if len(grams) > MAX_TRIGRAMS:
            step = (len(grams) - 1) / (MAX_TRIGRAMS - 1)
            grams = [grams[round(i * step)] for i in range(MAX_TRIGRAMS)]
        pattern = re.compile(r"\s+".join(map(re.escape, text.split(" "))), re.IGNORECASE)
        return Term(text, tuple(grams), pattern, confirm=len(text) > 3 or " " in text)
    runs = _RUNS.findall(text)
    if not runs:
        return None
    keys: list[str] = []
    parts: list[str] = []
    for run in runs:
        if _IS_CJK.match(run):
            keys.append(_cjk_key(run))  # one character or a pair: a key of its own
            parts.append(re.escape(run))
        else:
            keys.append(_word_key(run))
            parts.append(rf"(?<![^\W_{_CJK}]){re.escape(run)}(?![^\W_{_CJK}])")
    pattern = re.compile("|".join(parts), re.IGNORECASE)
    return Term(text, tuple(keys), pattern, confirm=False)


def match_expression(terms: Sequence[Term]) -> str:
    """An FTS5 query that only ever holds quoted strings (all of them must match)."""
    tokens = dict.fromkeys(token for term in terms for token in term.tokens)
    return " ".join('"' + token.replace('"', '""') + '"' for token in tokens)


def snippet(text: str, terms: Sequence[Term]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Up to SNIPPET_CHARS of ``text`` around its first match, on one line, with the matches
    in it marked ([start, end) in the snippet)."""
    first = None
    for term in terms:
        found = term.pattern.search(text)
        if found is not None and (first is None or found.start() < first):
            first = found.start()
    start = 0
    if first is not None and first > SNIPPET_BEFORE:
        start = first - SNIPPET_BEFORE
        space = text.rfind(" ", start - 15, start)
        if space >= 0:
            start = space + 1
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", end - 20, end)
        if space > start:
            end = space
    piece = text[start:end]
    # One line, and each character where it was (the marks keep their places).
    piece = piece.translate(_FLAT)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    spans: list[tuple[int, int]] = []
    for term in terms:
        for found in term.pattern.finditer(piece):
            if found.end() > found.start():
                spans.append((found.start() + shift, found.end() + shift))
    spans.sort()
    marks: list[tuple[int, int]] = []
    for s, e in spans:
        if marks and s <= marks[-1][1]:
            marks[-1] = (marks[-1][0], max(marks[-1][1], e))
        else:
            marks.append((s, e))
    return prefix + piece + suffix, tuple(marks)


_FLAT = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


def search(
    path: Path,
    query: str,
    filters: SearchFilters,
    limit: int = 50,
    *,
    scan_messages: int = SCAN_MESSAGES,
    clock: Callable[[], float] | None = None,
) -> list[Hit]:
    """The hits of ``query`` in the index at ``path``, newest first, at most ``limit``, on a
    read-only connection opened for this one query (``Searcher`` keeps one)."""
    searcher = Searcher(path)
    try:
        return searcher.search(query, filters, limit, scan_messages=scan_messages, clock=clock)
    finally:
        searcher.close()


# The search connection's page cache and memory map: a query reads the FTS5 pages of its
# terms and the rows it returns; a connection per query started cold each time.
CACHE_KIB = 16 * 1024
MMAP_BYTES = 256 * 2**20


class Searcher:
    """Queries of the index at ``path`` on one read-only connection (any one thread; the
    index thread may write meanwhile), kept open between queries and opened again when the
    file is replaced (the index rebuilt) or cannot be read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._file: tuple[int, int] | None = None
        self._terms: list[Term] = []

    def search(
        self,
        query: str,
        filters: SearchFilters,
        limit: int = 50,
        *,
        scan_messages: int = SCAN_MESSAGES,
        clock: Callable[[], float] | None = None,
    ) -> list[Hit]:
        """The hits of ``query``, newest first, at most ``limit``. An index not there yet or
        of another version (being built or migrated) gives none; one that is there but cannot
        be read (damaged, no permission) raises SearchIndexError (the next query opens it
        again)."""
        terms = parse(query)
        if not terms or limit <= 0:
            return []
        db = self._connection()
        if db is None:
            return []
        self._terms = terms
        try:
            return _search(db, terms, filters, limit, scan_messages, clock)
        except sqlite3.Error as exc:
            log.warning("search: %s cannot be read: %s", self.path.name, exc)
            self.close()
            raise SearchIndexError(str(exc)) from exc

    def models(self) -> list[str]:
        """The models the library names, for the model filter: the conversations' own and
        those of the replies the usage counts (both columns the index keeps; no message text
        is read), sorted. None known or no index yet: []."""
        db = self._connection()
        if db is None:
            return []
        try:
            rows = db.execute(
                "SELECT model FROM conversations WHERE model IS NOT NULL AND model != '' "
                "UNION SELECT model FROM usage WHERE model != ''"
            ).fetchall()
        except sqlite3.Error as exc:
            log.warning("search: %s cannot be read: %s", self.path.name, exc)
            self.close()
            raise SearchIndexError(str(exc)) from exc
        return sorted((str(model) for (model,) in rows), key=lambda m: (m.casefold(), m))

    def _connection(self) -> sqlite3.Connection | None:
        try:
            st = os.stat(self.path)
        except OSError:
            self.close()
            return None
        if self._db is not None and self._file == (st.st_dev, st.st_ino):
            return self._db
        self.close()
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
        except sqlite3.Error as exc:
            log.warning("search: %s cannot be opened: %s", self.path.name, exc)
            raise SearchIndexError(str(exc)) from exc
        try:
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        except sqlite3.Error as exc:
            log.warning("search: %s cannot be read: %s", self.path.name, exc)
            db.close()
            raise SearchIndexError(str(exc)) from exc
        db.create_function(
            "confab_has",
            2,
            lambda text, i: self._terms[i].pattern.search(unpacked(text)) is not None,
            deterministic=True,
        )
        self._db, self._file = db, (st.st_dev, st.st_ino)
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
            self._file = None


_COLUMNS = "t.key, t.message, t.role, s.id, c.title, c.updated_us, t.text"


def _search(
    db: sqlite3.Connection,
    terms: list[Term],
    filters: SearchFilters,
    limit: int,
    scan_messages: int,
    clock: Callable[[], float] | None,
) -> list[Hit]:
    from desktop.core.index import SCHEMA_VERSION

    if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        return []
    now = clock or time.perf_counter
    end = now() + QUERY_BUDGET_S
    where, args = _filters(filters)
    lo, hi = _key_range(filters)
    few = _few_conversations(db, filters, scan_messages)
    if few is not None:
        # The filters leave few conversations: their rows, each term looked for in the text
        # once every other filter has let it through (walking the words' matches newest
        # first would pass by almost all of them).
        checks, bounds = _bounds("t.key", lo, hi)
        found = " AND ".join(f"confab_has(t.text, {i})" for i in range(len(terms)))
        checks.append(f"CASE WHEN {' AND '.join(where) or '1'} THEN {found} ELSE 0 END")
        sql = (
            f"SELECT {_COLUMNS} FROM search_text t "
            "CROSS JOIN search_state s ON s.key = t.conversation "
            "CROSS JOIN conversations c ON c.id = s.id "
            "WHERE t.conversation IN (SELECT value FROM json_each(?)) "
            f"{_and(checks)}ORDER BY t.key DESC LIMIT ?"
        )
        params: list[object] = [json.dumps(few), *bounds, *args, limit]
    else:
        # The words' matches, newest first (FTS5 walks them backwards and stops at the limit).
        confirms = [f"confab_has(t.text, {i})" for i, term in enumerate(terms) if term.confirm]
        if confirms:
            # The text (unpacked, searched) only for a row every filter lets through: in one
            # CASE, which SQLite evaluates in order (it may reorder the terms of a WHERE).
            cheap = " AND ".join(where) or "1"
            where = [f"CASE WHEN {cheap} THEN {' AND '.join(confirms)} ELSE 0 END"]
        checks, bounds = _bounds("f.rowid", lo, hi)
        sql = (
            f"SELECT {_COLUMNS} FROM search_fts f CROSS JOIN search_text t ON t.key = f.rowid "
            "CROSS JOIN search_state s ON s.key = t.conversation "
            "CROSS JOIN conversations c ON c.id = s.id "
            f"WHERE search_fts MATCH ? {_and(checks + where)}"
            "ORDER BY f.rowid DESC LIMIT ?"
        )
        params = [match_expression(terms), *bounds, *args, limit]
    rows, _complete = _rows(db, sql, params, end, now)
    return [_hit(row, terms) for row in rows]


def _few_conversations(
    db: sqlite3.Connection, filters: SearchFilters, scan_messages: int
) -> list[int] | None:
    """The keys of the conversations a folder or tag filter leaves, when they hold no more
    than ``scan_messages`` messages in all (found by the folder's and the tags' indexes);
    None otherwise, or when there is no such filter."""
    if filters.folder is None and filters.tag is None:
        return None
    where, args = _conversation_filters(filters, tag=False)
    if filters.tag is not None:  # from the tag's rows
        source = "search_tags g CROSS JOIN search_state s ON s.key = g.conversation"
        where.insert(0, "g.tag = ?")
        args.insert(0, filters.tag)
    else:  # from the folder's index
        source = "search_state s"
    keys: list[int] = []
    total = 0
    for key, messages in db.execute(
        f"SELECT s.key, c.messages FROM {source} CROSS JOIN conversations c ON c.id = s.id "
        f"WHERE 1 {_and(where)}",
        args,
    ):
        keys.append(key)
        total += messages + 1  # and the title
        if total > scan_messages:
            return None
    return keys


_Found = tuple[int, str | None, str | None, str, str, int, str]


def _rows(
    db: sqlite3.Connection,
    sql: str,
    params: Sequence[object],
    deadline: float,
    now: Callable[[], float],
) -> tuple[list[_Found], bool]:
    """The query's rows, and whether it ran to its end: past ``deadline`` it is interrupted,
    and the rows it gave so far (newest first: the newest of the hits) are kept."""
    rows: list[_Found] = []
    db.set_progress_handler(lambda: now() > deadline, 1000)
    try:
        rows.extend(db.execute(sql, params))
    except sqlite3.OperationalError as exc:
        if "interrupt" not in str(exc):
            raise
        return rows, False
    finally:
        db.set_progress_handler(None, 0)
    return rows, True


def _bounds(column: str, lo: int | None, hi: int | None) -> tuple[list[str], list[object]]:
    """The conditions (and their arguments) that keep ``column`` within [lo, hi)."""
    conditions: list[str] = []
    args: list[object] = []
    if lo is not None:
        conditions.append(f"{column} >= ?")
        args.append(lo)
    if hi is not None:
        conditions.append(f"{column} < ?")
        args.append(hi)
    return conditions, args


def _and(conditions: Iterable[str]) -> str:
    return "".join(f"AND {c} " for c in conditions)


def _conversation_filters(
    filters: SearchFilters, *, tag: bool = True
) -> tuple[list[str], list[object]]:
    """The conditions on the conversation (``s``, its search_state row; ``tag``: its tag
    too)."""
    where: list[str] = []
    args: list[object] = []
    if tag and filters.tag is not None:
        where.append(
            "EXISTS (SELECT 1 FROM search_tags g WHERE g.tag = ? AND g.conversation = s.key)"
        )
        args.append(filters.tag)
    if filters.folder is not None:
        folder = filters.folder.strip("/")
        # The folder itself, and the paths below it ("/" sorts just before "0").
        where.append("(s.folder = ? OR (s.folder >= ? AND s.folder < ?))")
        args += [folder, folder + "/", folder + "0"]
    if filters.archived is not None:
        where.append("s.archived = ?")
        args.append(int(filters.archived))
    return where, args


def _filters(filters: SearchFilters) -> tuple[list[str], list[object]]:
    """Every condition of ``filters`` on a row (``t``, its conversation ``s`` and ``c``)."""
    where, args = _conversation_filters(filters)
    if filters.model is not None:
        where.append("coalesce(t.model, c.model) = ?")
        args.append(filters.model)
    if filters.provider is not None:
        where.append("coalesce(t.provider, c.provider) = ?")
        args.append(filters.provider)
    if filters.role is not None:
        where.append("t.role = ?")
        args.append(filters.role)
    return where, args


def _key_range(filters: SearchFilters) -> tuple[int | None, int | None]:
    lo = time_key(micros(filters.since)) if filters.since is not None else None
    hi = time_key(micros(filters.until), up=True) if filters.until is not None else None
    return lo, hi


def _hit(row: tuple[int, str | None, str | None, str, str, int, str], terms: list[Term]) -> Hit:
    key, message, role, conversation_id, title, updated_us, stored = row
    text = unpacked(stored)
    shown, marks = snippet(text, terms)
    when = updated_us if message is None else key_time(key)
    return Hit(conversation_id, message, title, when, role, shown, marks)


# ---- keeping it current (the index thread) -----------------------------------------------

# A text this long or longer is kept compressed (zlib: ~a third of its size in the benchmark's
# library); a shorter one as it is (zlib's header would outweigh the saving).
PACK_CHARS = 200


def packed(text: str) -> str | bytes:
    """``text`` as search_text keeps it."""
    return zlib.compress(text.encode("utf-8"), 6) if len(text) >= PACK_CHARS else text


def unpacked(value: str | bytes) -> str:
    """A search_text ``text`` as the text it is."""
    return value if isinstance(value, str) else zlib.decompress(value).decode("utf-8")


class _Row(NamedTuple):
    key: int
    text: str
    role: str | None
    model: str | None
    provider: str | None


class SearchIndex:
    """The text of the conversations in the index's connection (its thread only)."""

    def __init__(self, db: Callable[[], sqlite3.Connection]) -> None:
        self._db = db
        # id → (the title row, the message rows by id): what was indexed last, for the
        # conversations saved lately (their strings are the conversation's own).
        self._cache: OrderedDict[str, tuple[_Row | None, dict[str, _Row]]] = OrderedDict()
        # The FTS5 writes of the open transaction, made in order of rowid at its end: FTS5
        # writes out what it holds in memory whenever a rowid is lower than the last one,
        # and a reconcile reads the newest conversations first (written as they came, a
        # build of 22,000 messages took 28 s instead of 9).
        self._writes: list[tuple[int, int, str]] = []  # (rowid, 0 delete / 1 insert, doc)

    def forget(self) -> None:
        """The index started over, closed, or rolled back: nothing cached holds."""
        self._cache.clear()
        self._writes.clear()

    def flush(self) -> None:
        """Before the transaction commits: the FTS5 writes held back, in order of rowid
        (a row's delete before its insert again)."""
        if not self._writes:
            return
        writes = sorted(self._writes, key=lambda w: w[0])  # stable: a row's own order kept
        self._writes = []
        db = self._db()
        for rowid, insert, doc in writes:
            if insert:
                db.execute("INSERT INTO search_fts (rowid, doc) VALUES (?, ?)", (rowid, doc))
            else:
                db.execute(
                    "INSERT INTO search_fts (search_fts, rowid, doc) VALUES ('delete', ?, ?)",
                    (rowid, doc),
                )

    def put(
        self,
        conversation_id: str,
        title: str,
        updated_us: int,
        messages: Sequence[Message] | None,
        *,
        archived: bool,
        folder: str | None = None,
        tags: Sequence[str] = (),
    ) -> None:
        """Index a conversation's title and messages (None: not known; its text is read by
        the background pass), writing only what changed since it was indexed, and what its
        filters need (archived, folder, tags)."""
        db = self._db()
        found = db.execute(
            "SELECT key, text_known FROM search_state WHERE id = ?", (conversation_id,)
        ).fetchone()
        if found is None:
            cursor = db.execute(
                "INSERT INTO search_state (id, archived, folder, text_known) VALUES (?, ?, ?, 0)",
                (conversation_id, int(archived), folder),
            )
            key = cursor.lastrowid
            assert key is not None
            cached: tuple[_Row | None, dict[str, _Row]] = (None, {})
        else:
            key = found[0]
            held = self._cache.pop(conversation_id, None)
            cached = held if held is not None else self._stored(key)
        self._put_tags(key, tags)
        if messages is None:
            db.execute(
                "UPDATE search_state SET archived = ?, folder = ?, text_known = 0 WHERE key = ?",
                (int(archived), folder, key),
            )
            return
        old_title, old_rows = cached
        title_row = self._put_title(key, old_title, title, updated_us)
        rows: dict[str, _Row] = {}
        for message in messages:
            text = message.content
            if not text or text.isspace():
                continue
            old = old_rows.pop(message.id, None)
            role, model, provider = message.role, message.model, message.provider
            if old is not None and old.text == text and old.role == role:
                if old.model != model or old.provider != provider:
                    db.execute(
                        "UPDATE search_text SET model = ?, provider = ? WHERE key = ?",
                        (model, provider, old.key),
                    )
                    old = old._replace(model=model, provider=provider)
                rows[message.id] = old
                continue
            if old is not None:
                self._unindex(old.key, old.text)
                row_key = old.key
                db.execute(
                    "UPDATE search_text SET role = ?, model = ?, provider = ?, text = ? "
                    "WHERE key = ?",
                    (role, model, provider, packed(text), row_key),
                )
            else:
                row_key = self._free_key(micros(message.created_at))
                db.execute(
                    "INSERT INTO search_text VALUES (?,?,?,?,?,?,?)",
                    (row_key, key, message.id, role, model, provider, packed(text)),
                )
            self._writes.append((row_key, 1, document(text)))
            rows[message.id] = _Row(row_key, text, role, model, provider)
        for gone in old_rows.values():  # messages deleted (a branch removed)
            self._unindex(gone.key, gone.text)
            db.execute("DELETE FROM search_text WHERE key = ?", (gone.key,))
        db.execute(
            "UPDATE search_state SET archived = ?, folder = ?, text_known = 1 WHERE key = ?",
            (int(archived), folder, key),
        )
        self._cache[conversation_id] = (title_row, rows)
        while len(self._cache) > CACHED_CONVERSATIONS:
            self._cache.popitem(last=False)

    def _put_tags(self, key: int, tags: Sequence[str]) -> None:
        db = self._db()
        stored = {
            tag
            for (tag,) in db.execute("SELECT tag FROM search_tags WHERE conversation = ?", (key,))
        }
        wanted = set(tags)
        if stored != wanted:
            db.execute("DELETE FROM search_tags WHERE conversation = ?", (key,))
            db.executemany("INSERT INTO search_tags VALUES (?, ?)", [(t, key) for t in wanted])

    def _put_title(self, key: int, old: _Row | None, title: str, updated_us: int) -> _Row | None:
        db = self._db()
        wanted = time_key(updated_us)
        if old is not None:
            if old.text == title and wanted <= old.key < wanted + _KEY_SPREAD:
                return old
            self._unindex(old.key, old.text)
            db.execute("DELETE FROM search_text WHERE key = ?", (old.key,))
        if not title.strip():
            return None
        row_key = self._free_key(updated_us)
        db.execute(
            "INSERT INTO search_text VALUES (?,?,NULL,NULL,NULL,NULL,?)",
            (row_key, key, packed(title)),
        )
        self._writes.append((row_key, 1, document(title)))
        return _Row(row_key, title, None, None, None)

    def _stored(self, key: int) -> tuple[_Row | None, dict[str, _Row]]:
        title: _Row | None = None
        rows: dict[str, _Row] = {}
        for row_key, message, role, model, provider, text in self._db().execute(
            "SELECT key, message, role, model, provider, text FROM search_text "
            "WHERE conversation = ?",
            (key,),
        ):
            row = _Row(row_key, unpacked(text), role, model, provider)
            if message is None:
                title = row
            else:
                rows[message] = row
        return title, rows

    def _free_key(self, us: int) -> int:
        db = self._db()
        base = time_key(us)
        # The next free one from there (more than _KEY_SPREAD rows in a second, from an
        # import say, go on into the next seconds).
        # Up to _KEY_WINDOWS windows on, so that a hit's date stays within about a minute
        # of its message's (imported messages without a time of their own share their
        # parent's); past them the newest key of all (its date then is the newest).
        candidate = base
        for _window in range(_KEY_WINDOWS):
            end = candidate + 4 * _KEY_SPREAD
            taken = db.execute(
                "SELECT key FROM search_text WHERE key >= ? AND key < ? ORDER BY key",
                (candidate, end),
            ).fetchall()
            for (key,) in taken:
                if key != candidate:
                    break
                candidate += 1
            if candidate < end:
                return candidate
        found = db.execute("SELECT max(key) FROM search_text").fetchone()[0]
        return int(found) + 1

    def _unindex(self, row_key: int, text: str) -> None:
        self._writes.append((row_key, 0, document(text)))

    def drop(self, conversation_id: str) -> None:
        """The conversation is gone: its text leaves the index."""
        db = self._db()
        self._cache.pop(conversation_id, None)
        found = db.execute(
            "SELECT key FROM search_state WHERE id = ?", (conversation_id,)
        ).fetchone()
        if found is None:
            return
        for row_key, text in db.execute(
            "SELECT key, text FROM search_text WHERE conversation = ?", (found[0],)
        ).fetchall():
            self._unindex(row_key, unpacked(text))
        db.execute("DELETE FROM search_text WHERE conversation = ?", (found[0],))
        db.execute("DELETE FROM search_tags WHERE conversation = ?", (found[0],))
        db.execute("DELETE FROM search_state WHERE key = ?", (found[0],))

    # ---- the background pass ------------------------------------------------------------

    def unknown(self, after: tuple[int, str] | None, limit: int) -> list[tuple[int, str, int, int]]:
        """(updated_us, id, size, mtime_ns) of up to ``limit`` conversations whose text is not
        indexed, newest first from just past ``after``."""
        query = (
            "SELECT c.updated_us, c.id, c.size, c.mtime_ns FROM conversations c "
            "WHERE NOT EXISTS (SELECT 1 FROM search_state s WHERE s.id = c.id "
            "AND s.text_known = 1)"
        )
        if after is not None:
            query += " AND (c.updated_us, c.id) < (?, ?)"
        query += " ORDER BY c.updated_us DESC, c.id DESC LIMIT ?"
        params = (*after, limit) if after is not None else (limit,)
        return self._db().execute(query, params).fetchall()

    def known(self, conversation_id: str) -> bool:
        """The conversation's text is indexed."""
        found = (
            self._db()
            .execute("SELECT text_known FROM search_state WHERE id = ?", (conversation_id,))
            .fetchone()
        )
        return found is not None and found[0] == 1

    def progress(self) -> tuple[int, int]:
        """(conversations whose text is indexed, conversations listed)."""
        db = self._db()
        known = db.execute("SELECT count(*) FROM search_state WHERE text_known = 1").fetchone()[0]
        total = db.execute("SELECT count(*) FROM conversations").fetchone()[0]
        return min(known, total), total
