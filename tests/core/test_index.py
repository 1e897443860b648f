"""index.sqlite3 against real files and a real SQLite: built from the files, rebuilt when it is
damaged, never the only copy of anything, and following files that change behind Confab's
back (a sync tool) as well as Confab's own saves. No QApplication, no clock."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.core.index import (
    INDEX_NAME,
    SCHEMA_VERSION,
    ConversationIndex,
    Library,
    ListRow,
    Record,
)
from desktop.core.models import Conversation, Message
from desktop.core.storage import ConversationStore
from tests.core.test_versions_trash import conversation_data, write


def library_folder(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "conversations"
    for i in range(count):
        data = conversation_data(
            f"c{i:03d}",
            title=f"Title {i}",
            updated_at=f"2026-11-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
        )
        write(folder, f"c{i:03d}.json", data)
    return tmp_path


def expected(data_dir: Path) -> list[tuple[str, str, datetime]]:
    """(id, title, updated_at) of every conversation file, newest first, read by hand."""
    rows = []
    for path in (data_dir / "conversations").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        when = datetime.fromisoformat(data["updated_at"].replace("Z", "+00:00"))
        rows.append((data["id"], data["title"], when))
    return sorted(rows, key=lambda r: (r[2], r[0]), reverse=True)


def shown(summaries: list[ListRow]) -> list[tuple[str, str, datetime]]:
    return [(s.id, s.title, s.updated_at) for s in summaries]


def fresh(data_dir: Path) -> ConversationIndex:
    index = ConversationIndex(ConversationStore(data_dir))
    index.open()
    return index


def reopened(data_dir: Path) -> list[ListRow]:
    """The summaries a later start shows at once, from the index alone."""
    index = ConversationIndex(ConversationStore(data_dir))
    try:
        return index.open()
    finally:
        index.close()


def test_the_index_is_built_from_the_files_and_shown_at_the_next_start(tmp_path: Path) -> None:
    data_dir = library_folder(tmp_path, 40)
    index = fresh(data_dir)
    assert index.rebuilt == "missing"
    report = index.reconcile()
    assert report.finished and report.done == report.total == 40
    assert shown(index.summaries()) == expected(data_dir)
    record = index.record("c007")
    assert record is not None
    assert (record.title, record.messages, record.tags, record.folder) == ("Title 7", 2, (), None)
    index.close()
    assert shown(reopened(data_dir)) == expected(data_dir)


def test_an_unchanged_folder_reads_no_file_again(tmp_path: Path, monkeypatch: Any) -> None:
    data_dir = library_folder(tmp_path, 10)
    fresh(data_dir).reconcile()
    store = ConversationStore(data_dir)
    reads: list[Path] = []
    real = store.load_listed
    monkeypatch.setattr(store, "load_listed", lambda path: reads.append(path) or real(path))
    index = ConversationIndex(store)
    index.open()
    report = index.reconcile()
    assert (report.total, report.changed, report.removed, reads) == (0, [], [], [])


def damage_garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database at all\n" * 100)


def damage_truncated(path: Path) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 3])


def damage_wrong_version(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()


def damage_foreign(path: Path) -> None:
    path.unlink()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE conversations (id TEXT, something_else TEXT)")
    db.execute("INSERT INTO conversations VALUES ('c001', 'x')")
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "damage", [damage_garbage, damage_truncated, damage_wrong_version, damage_foreign, Path.unlink]
)
def test_a_damaged_or_missing_index_is_rebuilt_and_nothing_is_lost(
    tmp_path: Path, damage: Any
) -> None:
    data_dir = library_folder(tmp_path, 1200)  # several pages, so a cut loses some
    index = fresh(data_dir)
    index.reconcile()
    index.close()
    # No WAL left beside it: the damage is to the index as a later start finds it.
    assert not (data_dir / f"{INDEX_NAME}-wal").exists()
    damage(data_dir / INDEX_NAME)
    files_before = sorted(p.name for p in (data_dir / "conversations").iterdir())

    index = ConversationIndex(ConversationStore(data_dir))
    at_start = index.open()  # no exception: an empty index at worst
    assert index.rebuilt is not None
    assert at_start == []
    report = index.reconcile()
    assert report.finished
    assert shown(index.summaries()) == expected(data_dir)
    assert sorted(p.name for p in (data_dir / "conversations").iterdir()) == files_before
    assert not (data_dir / "quarantine").exists()
    index.close()
    assert shown(reopened(data_dir)) == expected(data_dir)


def test_files_added_changed_and_removed_behind_confabs_back_are_followed(
    tmp_path: Path,
) -> None:
    data_dir = library_folder(tmp_path, 5)
    folder = data_dir / "conversations"
    index = fresh(data_dir)
    index.reconcile()
    # A sync tool: one new file, one renamed into place over an old one, one removed.
    write(folder, "new1.json", conversation_data("new1", title="From the laptop"))
    changed = conversation_data("c001", title="Retitled elsewhere")
    write(folder, ".c001.json.part", changed)
    os.replace(folder / ".c001.json.part", folder / "c001.json")
    (folder / "c003.json").unlink()
    report = index.reconcile()
    assert sorted(s.id for s in report.changed) == ["c001", "new1"]
    assert report.removed == ["c003"]
    assert shown(index.summaries()) == expected(data_dir)
    assert {s.id: s.title for s in index.summaries()}["c001"] == "Retitled elsewhere"


def test_a_file_changed_to_the_same_size_is_read_again(tmp_path: Path) -> None:
    data_dir = library_folder(tmp_path, 2)
    path = data_dir / "conversations" / "c000.json"
    index = fresh(data_dir)
    index.reconcile()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["title"] = data["title"].replace("0", "9")  # same length
    size = path.stat().st_size
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert path.stat().st_size == size
    index.reconcile()
    assert {s.id: s.title for s in index.summaries()}["c000"] == "Title 9"


def test_hostile_files_keep_todays_handling(tmp_path: Path) -> None:
    folder = tmp_path / "conversations"
    write(folder, "good.json", conversation_data("good"))
    (folder / "garbage.json").write_bytes(b"{not json")
    write(folder, "good.sync-conflict-20261124-1.json", conversation_data("good", title="Copy"))
    write(folder, "later.json", conversation_data("later", version=99, unknown={"x": 1}))
    newer_unreadable = conversation_data("newer", version=99)
    newer_unreadable["messages"] = "a future shape"
    write(folder, "newer.json", newer_unreadable)
    index = fresh(tmp_path)
    report = index.reconcile(remind=True)
    assert report.quarantined == ["garbage.json"]
    assert report.copies == ["good.sync-conflict-20261124-1.json"]
    assert report.newer == ["newer.json"]
    assert sorted(os.listdir(tmp_path / "quarantine")) == [
        "garbage.json",
        "good.sync-conflict-20261124-1.json",
    ]
    titles = sorted(s.title for s in index.summaries())
    assert titles == ["Copy", "Sonnets", "Sonnets"]  # the copy under a new id, "later" read-only
    later = index.record("later")
    assert later is not None and later.read_only
    # The newer file is not read again while unchanged, but a start reminds of it.
    again = index.reconcile()
    assert (again.total, again.newer) == (0, [])
    assert index.reconcile(remind=True).newer == ["newer.json"]
    assert (folder / "newer.json").exists()


def test_the_apps_own_save_updates_its_row_without_reading_the_file(
    tmp_path: Path, monkeypatch: Any
) -> None:
    data_dir = library_folder(tmp_path, 3)
    store = ConversationStore(data_dir)
    library = Library(store)
    try:
        library.open().result()
        library.reconcile().result()
        conversation = store.load("c001")
        conversation.title = "Renamed here"
        conversation.append(
            Message("m3", "m2", "user", "one more", datetime(2026, 12, 1, tzinfo=UTC))
        )
        conversation.updated_at = datetime(2026, 12, 1, tzinfo=UTC)
        reads: list[Path] = []
        real = store.load_listed
        monkeypatch.setattr(store, "load_listed", lambda path: reads.append(path) or real(path))
        library.saving(Record.of(conversation), new_write=True)
        # Until the write has ended, a reconcile leaves the conversation alone.
        store.save(conversation)
        assert library.reconcile().result().changed == []
        library.written(conversation.id, True)
        library.wait()
        assert library.reconcile().result().changed == []
        assert reads == []
        assert shown(library.open().result().order)[-1] == (
            "c001",
            "Renamed here",
            datetime(2026, 12, 1, tzinfo=UTC),
        )
    finally:
        library.close()
    index = ConversationIndex(ConversationStore(data_dir))
    index.open()
    assert index.record("c001") == Record.of(ConversationStore(data_dir).load("c001"))
    assert index.reconcile().changed == []
    index.close()


def test_opening_loads_the_whole_conversation_in_the_loading_thread(tmp_path: Path) -> None:
    data_dir = library_folder(tmp_path, 2)
    library = Library(ConversationStore(data_dir))
    try:
        conversation = library.load("c001").result()
    finally:
        library.close()
    assert isinstance(conversation, Conversation)
    assert [m.content for m in conversation.thread()] == ["A sonnet, please", "Shall I compare…"]


def test_closing_during_a_build_stops_it_and_the_next_start_goes_on(tmp_path: Path) -> None:
    data_dir = library_folder(tmp_path, 30)
    store = ConversationStore(data_dir)
    index = ConversationIndex(store)
    index.open()
    read: list[Path] = []
    real = store.load_listed

    def counted(path: Path) -> Any:
        read.append(path)
        return real(path)

    store.load_listed = counted  # type: ignore[method-assign]
    report = index.reconcile(stop=lambda: len(read) >= 12)
    index.close()
    assert (report.done, report.total) == (12, 30)
    assert len(reopened(data_dir)) == 12
    index = ConversationIndex(ConversationStore(data_dir))
    index.open()
    assert index.reconcile().total == 18
    assert shown(index.summaries()) == expected(data_dir)
    index.close()


def test_a_change_only_confab_made_is_not_listed_again_but_anyone_elses_is(
    tmp_path: Path, monkeypatch: Any
) -> None:
    data_dir = library_folder(tmp_path, 3)
    store = ConversationStore(data_dir)
    library = Library(store)
    listings: list[int] = []
    real = library.index.reconcile

    def counted(*args: Any, **kwargs: Any) -> Any:
        listings.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(library.index, "reconcile", counted)
    try:
        library.open().result()
        library.reconcile().result()
        conversation = store.load("c001")
        conversation.title = "Saved by Confab"
        library.saving(Record.of(conversation), new_write=True)
        store.save(conversation)
        library.written(conversation.id, True)
        library.wait()
        # What the folder's watcher sets off after Confab's own write: nothing to list.
        assert library.reconcile(quick=True).result().changed == []
        assert len(listings) == 1
        # A sync tool's file: listed and read.
        write(data_dir / "conversations", "other.json", conversation_data("other"))
        found = library.reconcile(quick=True).result()
        assert [s.id for s in found.changed] == ["other"]
        assert len(listings) == 2
    finally:
        library.close()
