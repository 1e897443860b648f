"""What search costs (desktop/core/search.py), on a library of --conversations conversations
(workload.search_library_folder: 100,000 hold about 1,000,000 messages), through Library as the
app uses it. Run by run.py as a child process:

    python tests/benchmarks/search_costs.py --out FILE [--conversations N] [--runs N]

- the index built from scratch (a cold start: the rows first, then the text of every message
  read again by the background text pass, in the index thread, paced) with a Qt event loop
  beside it whose worst stall is measured (a 1 ms timer, as run.py's stream_max_stall_ms),
  then the index's size (and the text tables' part);
- the text alone read again in the background after an index of schema 2 is migrated in
  place (what an upgrade costs), with its worst stall;
- queries: a varied set (English words common and rare, phrases, a word found in one
  conversation, CJK of 1, 2 and 3+ characters, short Latin words, no match, with and without
  filters), each --runs times in shuffled order, timed from Library.search to its answer:
  p50/p95/max over all, and each query's median;
- a save's cost to the UI thread (Record.of and Library.saving, what ConversationsController
  .save adds for the index) on a conversation of 5,000 messages and on a small one, and the
  index thread's time to bring the text up to date after a save while a reply grows.

Writes its figures as JSON to FILE (see run.py's docstring for what each means).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from desktop.core.index import INDEX_NAME, Library, Record  # noqa: E402
from desktop.core.models import Conversation, Message  # noqa: E402
from desktop.core.search import SearchFilters  # noqa: E402
from desktop.core.storage import ConversationStore  # noqa: E402
from tests.benchmarks import workload  # noqa: E402

perf = time.perf_counter

NEWEST = datetime(2025, 6, 1, tzinfo=UTC)
QUERIES: list[tuple[str, str, SearchFilters]] = [
    ("common word", "model", SearchFilters()),
    ("common 3 letters", "the", SearchFilters()),
    ("two words", "stream buffer", SearchFilters()),
    ("phrase", '"reply token"', SearchFilters()),
    ("rare word", "walrus", SearchFilters()),
    ("rare, typed so far", "pango", SearchFilters()),
    ("one conversation", "case042424", SearchFilters()),
    ("no match", "zzqxv", SearchFilters()),
    ("CJK 1", "模", SearchFilters()),
    ("CJK 1 rare", "熊", SearchFilters()),
    ("CJK 2", "模型", SearchFilters()),
    ("CJK 2 pair", "春光", SearchFilters()),
    ("CJK 3+", "鸭嘴兽", SearchFilters()),
    ("CJK 4", "北国风光", SearchFilters()),
    ("CJK + English", "模型 case", SearchFilters()),
    ("short word", "qt", SearchFilters()),
    ("short word 1", "a", SearchFilters()),
    ("common, folder", "model", SearchFilters(folder="Work")),
    ("common, sub-folder", "render", SearchFilters(folder="Work/Clients/Acme")),
    ("rare, folder", "walrus", SearchFilters(folder="Personal")),
    ("common, tag", "cache", SearchFilters(tag="travel")),
    ("rare, tag", "narwhal", SearchFilters(tag="家庭")),
    ("CJK, model", "模型", SearchFilters(model="deepseek-chat")),
    ("common, provider", "latency", SearchFilters(provider="openai")),
    ("common, replies", "index", SearchFilters(role="assistant")),
    ("CJK, mine", "春", SearchFilters(role="user")),
    (
        "common, a month",
        "token",
        SearchFilters(since=NEWEST - timedelta(days=400), until=NEWEST - timedelta(days=370)),
    ),
    ("rare, archived", "quokka", SearchFilters(archived=True)),
    ("common, not archived", "message", SearchFilters(archived=False)),
    ("all filters", "model", SearchFilters(folder="Work", tag="code", role="assistant")),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


class Stalls:
    """A Qt event loop beside the work: a 1 ms timer's longest gap, minus the 1 ms."""

    def __init__(self) -> None:
        from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer

        self.app = QCoreApplication.instance() or QCoreApplication([])
        self._loop_class = QEventLoop
        self._timer_class = QTimer
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(lambda: self.ticks.append(perf()))

    def during(self, done: Callable[[], bool]) -> list[float]:
        """Run the event loop until ``done()``; the stalls (ms) meanwhile."""
        loop = self._loop_class()
        check = self._timer_class()
        check.setInterval(20)
        check.timeout.connect(lambda: loop.quit() if done() else None)
        self.ticks = [perf()]
        self.timer.start()
        check.start()
        loop.exec()
        check.stop()
        self.timer.stop()
        self.ticks.append(perf())
        return [
            max(0.0, (b - a) * 1000 - 1) for a, b in zip(self.ticks, self.ticks[1:], strict=False)
        ]


def remove_index(data_dir: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{data_dir / INDEX_NAME}{suffix}").unlink(missing_ok=True)


def sizes(data_dir: Path) -> dict[str, float]:
    path = data_dir / INDEX_NAME
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        by_table = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
        messages = db.execute("SELECT count(*) FROM search_text WHERE message IS NOT NULL")
        count = messages.fetchone()[0]
    finally:
        db.close()
    text = sum(v for k, v in by_table.items() if k.startswith("search_text"))
    fts = sum(v for k, v in by_table.items() if k.startswith("search_fts"))
    return {
        "search_index_mb": path.stat().st_size / 2**20,
        "search_text_table_mb": text / 2**20,
        "search_fts_mb": fts / 2**20,
        "search_messages": float(count),
    }


def build(data_dir: Path, stalls: Stalls) -> dict[str, float]:
    """A cold start: no index; the list's rows and every message's text, in the index thread."""
    remove_index(data_dir)
    library = Library(ConversationStore(data_dir))
    try:
        t0 = perf()
        library.open().result()
        scan = library.reconcile(tidy=True, remind=True)
        rows: list[float] = []

        def done() -> bool:
            if scan.done() and not rows:
                rows.append(perf() - t0)
            return scan.done() and not library.busy

        gaps = stalls.during(done)
        built_s = perf() - t0
    finally:
        library.close()
    return {
        "search_build_rows_s": rows[0] if rows else built_s,
        "search_build_s": built_s,
        "search_build_max_stall_ms": max(gaps, default=0.0),
        "search_build_stalls_over_50ms": float(sum(1 for g in gaps if g > 50)),
    }


def refill(data_dir: Path, stalls: Stalls) -> dict[str, float]:
    """An index of schema 2 migrated in place: its text read in the background."""
    from tests.support.old_index import downgrade_to_version_2

    downgrade_to_version_2(data_dir / INDEX_NAME)
    library = Library(ConversationStore(data_dir))
    try:
        t0 = perf()
        listed = len(library.open().result().order)
        listed_ms = (perf() - t0) * 1000
        scan = library.reconcile(tidy=True, remind=True)
        seen: list[tuple[int, int]] = []

        def done() -> bool:
            progress = library.text_progress
            if progress is not None:
                seen.append(progress)
            return scan.done() and not library.busy

        gaps = stalls.during(done)
        filled_s = perf() - t0
        hits = library.search("case000000", SearchFilters()).result()
        if not hits:
            raise RuntimeError("the text pass left the first conversation unsearchable")
    finally:
        library.close()
    return {
        "search_migrated_list_ms": listed_ms,
        "search_migrated_listed": float(listed),
        "search_fill_s": filled_s,
        "search_fill_max_stall_ms": max(gaps, default=0.0),
        "search_fill_progress_reports": float(len(set(seen))),
    }


def queries(data_dir: Path, runs: int) -> dict[str, Any]:
    library = Library(ConversationStore(data_dir))
    times: dict[str, list[float]] = {label: [] for label, _q, _f in QUERIES}
    hits: dict[str, int] = {}
    try:
        library.open().result()
        for label, query, filters in QUERIES:  # warm the page cache once
            hits[label] = len(library.search(query, filters).result())
        order = [q for q in QUERIES for _ in range(runs)]
        random.Random(5).shuffle(order)
        for label, query, filters in order:
            t0 = perf()
            library.search(query, filters).result()
            times[label].append((perf() - t0) * 1000)
    finally:
        library.close()
    every = [t for ts in times.values() for t in ts]
    return {
        "search_query_p50_ms": percentile(every, 50),
        "search_query_p95_ms": percentile(every, 95),
        "search_query_max_ms": max(every),
        "search_queries": float(len(every)),
        "search_query_medians_ms": {k: statistics.median(v) for k, v in times.items()},
        "search_query_hits": hits,
    }


def big_conversation(messages: int, rng: random.Random) -> Conversation:
    conversation = Conversation.new(provider="openai", model="gpt-4o", clock=lambda: NEWEST)
    conversation.title = f"Benchmark {messages}"
    parent: str | None = None
    for i in range(messages):
        role = "user" if i % 2 == 0 else "assistant"
        text = workload.user_question(rng) if role == "user" else workload.assistant_reply(rng)
        message = Message(f"b{i:05d}", parent, role, text, NEWEST + timedelta(seconds=i))
        conversation.append(message)
        parent = message.id
    return conversation


def saves(data_dir: Path, runs: int) -> dict[str, float]:
    """The UI thread's part of keeping the index current after a save (Record.of, saving),
    and the index thread's part (the row and the text) while a reply grows, in a
    conversation of 5,000 messages and in one of 2."""
    library = Library(ConversationStore(data_dir))
    figures: dict[str, float] = {}
    rng = random.Random(7)
    try:
        library.open().result()
        for label, count in (("5000", 5000), ("small", 2)):
            conversation = big_conversation(count, rng)
            reply = Message("growing", conversation.head, "assistant", "", NEWEST)
            conversation.append(reply)
            ui: list[float] = []
            index: list[float] = []
            for step in range(runs + 1):
                reply.content += workload.assistant_reply(rng)[:400]  # a second of a reply
                conversation.updated_at = NEWEST + timedelta(seconds=step)
                t0 = perf()
                record = Record.of(conversation)
                library.saving(record, new_write=True)
                ui_ms = (perf() - t0) * 1000

                def put(record: Record = record) -> float:
                    t1 = perf()
                    library.index.put(record, None)
                    return (perf() - t1) * 1000

                index_ms = library._submit(put).result()
                library.written(conversation.id, False)
                library.wait()
                if step:  # the first save indexes every message; the later ones what grew
                    ui.append(ui_ms)
                    index.append(index_ms)
            figures[f"search_save_ui_{label}_ms"] = statistics.median(ui)
            figures[f"search_save_ui_{label}_max_ms"] = max(ui)
            figures[f"search_save_index_{label}_ms"] = statistics.median(index)
            library.dropped(conversation.id).result()
    finally:
        library.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-build", action="store_true", help="use the index as it is")
    args = parser.parse_args(argv)
    began = perf()
    data_dir = workload.search_library_folder(args.conversations)
    figures: dict[str, Any] = {"search_conversations": float(args.conversations)}
    figures["search_library_made_s"] = perf() - began
    stalls = Stalls()

    def log(text: str) -> None:
        print(f"[{perf() - began:6.1f} s] search: {text}", file=sys.stderr, flush=True)

    if not args.no_build or not (data_dir / INDEX_NAME).exists():
        log("building the index from scratch")
        figures.update(build(data_dir, stalls))
    figures.update(sizes(data_dir))
    log("queries")
    figures.update(queries(data_dir, args.runs))
    log("saves")
    figures.update(saves(data_dir, args.runs))
    if not args.no_build:
        log("the text pass after a migration from schema 2")
        figures.update(refill(data_dir, stalls))
    figures["search_runs"] = float(args.runs)
    figures["search_folder"] = str(data_dir)
    Path(args.out).write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
