"""The usage figures from index.sqlite3, against the figures read from every file as Confab did
before the index held them: real files, a real SQLite, no QApplication, no clock.

The reference (``usage_from_files``) is the former ``usage.usage_rows`` over every conversation
read in full, kept here as the oracle the index's figures must equal."""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core.index import (
    INDEX_NAME,
    SCHEMA_VERSION,
    ConversationIndex,
    Library,
    Record,
    read_usage,
)
from desktop.core.models import Conversation, Message, Usage
from desktop.core.pricing import PriceTable
from desktop.core.storage import ConversationStore
from desktop.core.usage import UsageRow, usage_rows
from tests.support.old_index import downgrade_to_version_1

PRICES = PriceTable.load(Path(__file__).resolve().parents[2] / "resources/pricing/prices.json")
DAY0 = datetime(2026, 10, 30, 22, 0, tzinfo=UTC)  # months and days change within the library


def usage_from_files(data_dir: Path, by: str) -> list[UsageRow]:
    """What the Usage table showed before the index: every file read, every reply counted."""
    store = ConversationStore(data_dir)
    conversations = [store.load(p.stem) for p in sorted(store.folder.glob("*.json"))]
    rows: dict[tuple[str, str, str], UsageRow] = {}
    for conversation in conversations:
        for message in conversation.messages:
            if message.role != "assistant" or message.usage is None:
                continue
            model = message.model or conversation.model or ""
            period = message.created_at.strftime("%Y-%m-%d" if by == "day" else "%Y-%m")
            provider = message.provider or conversation.provider or ""
            key = (period, provider, model)
            row = rows.setdefault(key, UsageRow(*key, provider_name=provider.upper()))
            row.replies += 1
            row.prompt_tokens += message.usage.prompt_tokens
            row.completion_tokens += message.usage.completion_tokens
            row.estimated = row.estimated or message.usage.estimated
            price = PRICES.price(model)
            if price is not None:
                row.cost = (row.cost or 0.0) + price.cost(message.usage)
    return sorted(rows.values(), key=lambda r: (r.period, r.provider, r.model), reverse=True)


def usage_from_index(data_dir: Path, by: str) -> list[UsageRow]:
    figures = read_usage(data_dir / INDEX_NAME, by)
    assert figures.complete
    return usage_rows(figures.cells, PRICES.price, name_of=str.upper)


def comparable(rows: Iterable[UsageRow]) -> list[tuple[Any, ...]]:
    # Summing tokens before pricing differs from summing prices only in the last bits.
    return [
        (
            r.period,
            r.provider,
            r.provider_name,
            r.model,
            r.replies,
            r.prompt_tokens,
            r.completion_tokens,
            r.estimated,
            None if r.cost is None else pytest.approx(r.cost, rel=1e-9, abs=1e-12),
        )
        for r in rows
    ]


def varied_conversation(rng: random.Random, number: int) -> Conversation:
    """Branches, replies by another provider, older replies with no provider or model of
    their own, estimated counts, cached prompt tokens (some reported above the prompt), models
    with and without a price, replies without usage (failed, stopped), around midnight UTC."""
    provider = rng.choice(["openai", "deepseek", None])
    model = rng.choice(["gpt-4o-mini", "gpt-4o", "deepseek-chat", "mystery-model", None])
    start = DAY0 + timedelta(hours=rng.randint(0, 24 * 40), minutes=rng.randint(0, 59))
    conversation = Conversation.new(provider=provider, model=model, clock=lambda: start)
    conversation.title = f"Conversation {number}"
    parent: str | None = None
    when = start
    for turn in range(rng.randint(0, 7)):
        when += timedelta(minutes=rng.randint(1, 400))
        question = Message(f"q{turn}", parent, "user", "question", when)
        conversation.append(question)
        for version in range(rng.choice([1, 1, 1, 2, 3])):  # regenerated: branches
            prompt = rng.randint(0, 5000)
            usage = (
                None
                if rng.random() < 0.15
                else Usage(
                    prompt,
                    rng.randint(0, 3000),
                    0,
                    estimated=rng.random() < 0.2,
                    cached_tokens=rng.choice([0, 0, prompt // 2, prompt + 10]),
                )
            )
            reply = Message(
                f"a{turn}v{version}",
                question.id,
                "assistant",
                "answer",
                when + timedelta(seconds=version * 3000),
                model=rng.choice([None, None, "gpt-4o-mini", "llama3.2", "gpt-4o-2024-08-06"]),
                usage=usage,
                provider=rng.choice([None, None, "openai", "ollama"]),
            )
            conversation.append(reply)
        parent = conversation.messages[-1].id
    conversation.updated_at = when
    return conversation


def varied_library(data_dir: Path, count: int, seed: int = 5) -> ConversationStore:
    store = ConversationStore(data_dir)
    rng = random.Random(seed)
    for number in range(count):
        store.save(varied_conversation(rng, number))
    return store


def built(data_dir: Path) -> None:
    index = ConversationIndex(ConversationStore(data_dir))
    index.open()
    index.reconcile()
    index.close()


@pytest.mark.parametrize("by", ["day", "month"])
def test_the_index_gives_the_figures_read_from_every_file(tmp_path: Path, by: str) -> None:
    varied_library(tmp_path, 120)
    built(tmp_path)
    from_files = usage_from_files(tmp_path, by)
    assert len(from_files) > 20  # varied enough to mean something
    assert any(r.cost is None for r in from_files) and any(r.estimated for r in from_files)
    assert {r.provider for r in from_files} >= {"", "openai", "ollama"}
    assert comparable(usage_from_index(tmp_path, by)) == comparable(from_files)


def test_prices_are_those_of_today_not_those_when_indexed(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    conversation = Conversation.new(provider="openai", model="gpt-4o-mini")
    when = datetime(2026, 11, 2, tzinfo=UTC)
    conversation.append(Message("q", None, "user", "q", when))
    conversation.append(Message("a", "q", "assistant", "a", when, usage=Usage(10**6, 0, 10**6)))
    store.save(conversation)
    built(tmp_path)
    cells = read_usage(tmp_path / INDEX_NAME).cells
    assert [r.cost for r in usage_rows(cells, PRICES.price)] == [pytest.approx(0.15)]
    price = PRICES.price("gpt-4o-mini")
    assert price is not None
    dearer = PriceTable.load(Path("/nonexistent"), {"gpt-4o-mini": replace(price, input=2.0)})
    assert [r.cost for r in usage_rows(cells, dearer.price)] == [pytest.approx(2.0)]
    unknown = PriceTable.load(Path("/nonexistent"), {})
    assert [r.cost for r in usage_rows(cells, unknown.price)] == [None]  # no price known now


def test_confabs_own_saves_and_other_programs_files_move_the_figures(tmp_path: Path) -> None:
    store = varied_library(tmp_path, 30)
    library = Library(store)
    try:
        library.open().result()
        library.reconcile().result()
        library.wait()
        version = library.usage_version
        # A reply saved by Confab: its row and usage follow from what was saved.
        conversation = store.load(sorted(p.stem for p in store.folder.glob("*.json"))[0])
        when = datetime(2026, 12, 24, 23, 59, tzinfo=UTC)
        conversation.append(Message("nq", None, "user", "q", when))
        conversation.append(
            Message("na", "nq", "assistant", "a", when, model="gpt-4o", usage=Usage(7, 9, 16))
        )
        library.saving(Record.of(conversation), new_write=True)
        store.save(conversation)
        library.written(conversation.id, True)
        library.wait()
        assert library.usage_version > version
        figures = library.usage("day").result().figures
        assert figures.complete
        assert comparable(usage_rows(figures.cells, PRICES.price, name_of=str.upper)) == (
            comparable(usage_from_files(tmp_path, "day"))
        )
        assert any(c.period == "2026-12-24" and c.model == "gpt-4o" for c in figures.cells)
        # A save that changes no usage (a reply still streaming text) does not count as news.
        version = library.usage_version
        conversation.title = "Renamed"
        library.saving(Record.of(conversation), new_write=True)
        store.save(conversation)
        library.written(conversation.id, True)
        library.wait()
        assert library.usage_version == version
        # Another program removes one file and brings one: the figures follow the folder.
        gone = sorted(store.folder.glob("*.json"))[3]
        gone.unlink()
        other = ConversationStore(tmp_path / "elsewhere")
        other.save(varied_conversation(random.Random(99), 99))
        (brought,) = other.folder.glob("*.json")
        os.replace(brought, store.folder / brought.name)
        library.reconcile().result()
        library.wait()
        assert library.usage_version > version
        figures = library.usage("month").result().figures
        assert figures.complete and figures.conversations == 30
        assert comparable(usage_rows(figures.cells, PRICES.price, name_of=str.upper)) == (
            comparable(usage_from_files(tmp_path, "month"))
        )
        # Moved to the trash by Confab: dropped with its row.
        dropped = sorted(store.folder.glob("*.json"))[0].stem
        store.delete(dropped)
        library.dropped(dropped).result()
        assert comparable(
            usage_rows(library.usage("day").result().figures.cells, PRICES.price, name_of=str.upper)
        ) == comparable(usage_from_files(tmp_path, "day"))
    finally:
        library.close()


def test_an_index_of_version_1_lists_at_once_and_its_usage_is_filled_in_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = varied_library(tmp_path, 450)
    built(tmp_path)
    downgrade_to_version_1(tmp_path / INDEX_NAME)
    assert SCHEMA_VERSION == 4
    reads: list[tuple[str, str]] = []  # (file, thread) of every conversation file read
    from desktop.core import storage

    real_read = storage.read_regular_file

    def recorded(path: Path, *args: Any) -> bytes:
        reads.append((path.name, threading.current_thread().name))
        return real_read(path, *args)

    monkeypatch.setattr(storage, "read_regular_file", recorded)
    gate = threading.Event()
    real_as_is = store.read_as_is

    def held(path: Path) -> Conversation | None:
        gate.wait(10)
        return real_as_is(path)

    monkeypatch.setattr(store, "read_as_is", held)
    library = Library(store)
    try:
        listing = library.open().result()
        assert len(listing.order) == 450 and reads == []  # the list, from the old rows
        assert library.index.migrated
        library.reconcile().result()  # nothing changed: no file read, the pass starts
        assert reads == []
        figures = library.usage("day").result().figures
        assert not figures.complete
        assert (figures.counted, figures.conversations, figures.cells) == (0, 450, ())
        gate.set()
        library.wait_for_usage()
        figures = library.usage("day").result().figures
        assert figures.complete and figures.counted == 450
        assert len(reads) == 450
        assert {thread for _name, thread in reads} == {"confab-index_0"}
        # Newest first: the figures a person looks for first come first.
        newest = [s.id for s in listing.order[::-1][:5]]
        assert [name[:-5] for name, _thread in reads[:5]] == newest
        assert comparable(usage_rows(figures.cells, PRICES.price, name_of=str.upper)) == (
            comparable(usage_from_files(tmp_path, "day"))
        )
    finally:
        library.close()
    # The next start has nothing left to fill.
    reads.clear()
    library = Library(ConversationStore(tmp_path))
    try:
        library.open().result()
        library.reconcile().result()
        library.wait_for_usage()
        assert library.usage("day").result().figures.complete
        assert reads == []
    finally:
        library.close()


def test_a_file_changed_or_unreadable_while_filling_in_is_left_to_the_reconcile(
    tmp_path: Path,
) -> None:
    store = varied_library(tmp_path, 6)
    built(tmp_path)
    downgrade_to_version_1(tmp_path / INDEX_NAME)
    paths = sorted(store.folder.glob("*.json"))
    # One changed by a sync tool (same size, later time), one made unreadable, after indexing.
    os.utime(paths[0], ns=(paths[0].stat().st_atime_ns, paths[0].stat().st_mtime_ns + 10**9))
    indexed = paths[1].stat()
    paths[1].write_bytes(b"{" + b" " * (indexed.st_size - 1))
    os.utime(paths[1], ns=(indexed.st_atime_ns, indexed.st_mtime_ns))  # unchanged to a stat
    index = ConversationIndex(store)
    index.open()
    after = None
    while True:
        after = index.fill_usage(after, 2)
        if after is None:
            break
    figures = read_usage(index.path)
    assert (figures.counted, figures.conversations) == (5, 6)  # the changed one waits
    report = index.reconcile()  # reads the changed one, quarantines the unreadable one
    assert report.quarantined == [paths[1].name]
    figures = read_usage(index.path)
    assert figures.complete and figures.conversations == 5
    index.close()
    assert comparable(usage_from_index(tmp_path, "day")) == comparable(
        usage_from_files(tmp_path, "day")
    )


def test_an_index_that_cannot_be_read_gives_no_figures_as_final(tmp_path: Path) -> None:
    assert not read_usage(tmp_path / INDEX_NAME).readable  # missing
    (tmp_path / INDEX_NAME).write_bytes(b"not a database" * 100)
    figures = read_usage(tmp_path / INDEX_NAME)
    assert not figures.readable and not figures.complete
