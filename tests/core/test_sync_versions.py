"""The version of each file a conversation in memory came from, against real files: Confab's
writes never replace a version another program (a sync tool) put there unseen, that version is
kept as a copy by the next listing, and ``on_disk`` tells a loaded conversation's file changed
or removed from one Confab wrote itself. No QApplication, no clock."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop.core.index import Library, Record
from desktop.core.storage import (
    CHANGED,
    REMOVED,
    SAME,
    ConversationStore,
    is_set_aside,
)
from tests.core.test_versions_trash import conversation_data, write


@contextmanager
def loaded_library(tmp_path: Path) -> Iterator[tuple[ConversationStore, Library, Any]]:
    """A folder of one conversation (abc123), its index open and in line with it, and the
    conversation loaded as the window loads it; the library closed after."""
    store = ConversationStore(tmp_path)
    write(store.folder, "abc123.json", conversation_data())
    library = Library(store)
    try:
        library.open().result()
        library.reconcile().result()
        yield store, library, library.load("abc123").result()
    finally:
        library.close()


def sync_tool_replaces(store: ConversationStore, conversation_id: str, **fields: object) -> None:
    """A sync tool's newer version: a temporary file renamed into place."""
    tmp = store.folder / f".syncthing.{conversation_id}.json.tmp"
    write(store.folder, tmp.name, conversation_data(conversation_id, **fields))
    os.replace(tmp, store.folder / f"{conversation_id}.json")


def files(store: ConversationStore) -> dict[str, dict[str, object]]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in store.folder.glob("*.json")}


def saved_by_confab(library: Library, conversation: Any, title: str) -> None:
    """As the window saves: the index told before and after the write."""
    conversation.title = title
    library.saving(Record.of(conversation), new_write=True)
    library.store.save(conversation)
    library.written(conversation.id, True)
    library.wait()


def test_a_write_keeps_another_programs_version_beside_and_the_listing_makes_it_a_copy(
    tmp_path: Path,
) -> None:
    store = ConversationStore(tmp_path)
    write(store.folder, "abc123.json", conversation_data())
    conversation = store.load("abc123")
    sync_tool_replaces(store, "abc123", title="Renamed on the laptop")
    conversation.title = "Renamed here"

    store.save(conversation)

    found = files(store)
    assert found["abc123.json"]["title"] == "Renamed here"
    ((aside, theirs),) = [(n, d) for n, d in found.items() if n != "abc123.json"]
    assert is_set_aside(aside) and aside.startswith("abc123.other-device-")
    assert theirs["title"] == "Renamed on the laptop"
    assert list(store.set_aside) == [("abc123", aside)]
    # The listing opens it as a copy of its own, titled for what it is.
    store.other_version_title = "{title} (from another device)"
    listed = store.load_listed(store.folder / aside)
    assert listed.outcome == "copy" and listed.conversation is not None
    copy = listed.conversation
    assert copy.id != "abc123"
    assert copy.title == "Renamed on the laptop (from another device)"
    assert copy.copied_from == aside
    assert files(store)[f"{copy.id}.json"]["title"] == copy.title
    assert (store.quarantine / aside).exists()  # the file as the other program wrote it


def test_confabs_own_writes_are_never_set_aside_nor_seen_as_changed(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    write(store.folder, "abc123.json", conversation_data())
    conversation = store.load("abc123")
    assert store.on_disk("abc123").state == SAME
    for title in ("one", "two", "three"):
        conversation.title = title
        store.save(conversation)
        assert store.on_disk("abc123").state == SAME
        assert not store.changed_behind(["abc123"])
    assert list(store.set_aside) == []
    assert sorted(files(store)) == ["abc123.json"]


def test_on_disk_reads_a_changed_file_and_notices_a_removed_one(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    write(store.folder, "abc123.json", conversation_data())
    store.load("abc123")
    sync_tool_replaces(store, "abc123", title="From the laptop")
    assert store.changed_behind(["abc123"])

    found = store.on_disk("abc123")

    assert found.state == CHANGED and found.conversation is not None
    assert found.conversation.title == "From the laptop"
    assert store.take_version("abc123", found.base, found.stamp or (0, 0, 0))
    assert store.on_disk("abc123").state == SAME  # the version in memory now
    (store.folder / "abc123.json").unlink()
    assert store.on_disk("abc123").state == REMOVED


def test_a_version_read_is_not_taken_when_confab_wrote_meanwhile(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    write(store.folder, "abc123.json", conversation_data())
    conversation = store.load("abc123")
    sync_tool_replaces(store, "abc123", title="From the laptop")
    found = store.on_disk("abc123")
    conversation.title = "Saved here meanwhile"
    store.save(conversation)  # sets the laptop's version aside

    assert not store.take_version("abc123", found.base, found.stamp or (0, 0, 0))
    titles = sorted(str(d["title"]) for d in files(store).values())
    assert titles == ["From the laptop", "Saved here meanwhile"]


def test_a_quick_rescan_still_finds_a_loaded_conversations_file_changed_in_the_same_tick(
    tmp_path: Path,
) -> None:
    with loaded_library(tmp_path) as (store, library, conversation):
        saved_by_confab(library, conversation, "Saved by Confab")
        sync_tool_replaces(store, "abc123", title="From the laptop")
        # As if within the same tick of the file system's clock as Confab's write.
        folder_time = store.folder.stat().st_mtime_ns
        os.utime(store.folder, ns=(folder_time, library._folder_clean or folder_time))
        assert library.reconcile(quick=True).result().changed == []  # not watched: missed
        found = library.reconcile(quick=True, watch=["abc123"]).result()
        assert [(s.id, s.title) for s in found.changed] == [("abc123", "From the laptop")]


def test_the_listing_says_which_copy_a_set_aside_version_became(tmp_path: Path) -> None:
    with loaded_library(tmp_path) as (store, library, conversation):
        sync_tool_replaces(store, "abc123", title="From the laptop")
        saved_by_confab(library, conversation, "Here")
        ((_, aside),) = store.set_aside
        # Confab's write renamed the file aside: a quick rescan lists the folder all the same.
        found = library.reconcile(quick=True).result()
        ((name, copy_id),) = found.adopted
        assert name == aside
        assert [(s.id, s.title) for s in found.changed] == [
            (copy_id, "From the laptop (from another device)")
        ]


def test_a_file_arriving_before_the_index_hears_of_confabs_write_is_listed(
    tmp_path: Path,
) -> None:
    """Another program's file that arrives between Confab's write and the index taking that
    write in: the folder's time read then took it in as Confab's own, and a quick rescan never
    listed the file (until the next change or start)."""
    import threading

    with loaded_library(tmp_path) as (store, library, conversation):
        conversation.title = "Saved by Confab"
        library.saving(Record.of(conversation), new_write=True)
        store.save(conversation)  # on disk; the index has not heard yet
        held = threading.Event()
        release = threading.Event()

        def hold() -> None:  # the index thread, busy with something else meanwhile
            held.set()
            release.wait(10)

        library._submit(hold)
        assert held.wait(10)
        library.written(conversation.id, True)  # queued behind it
        write(store.folder, "fresh1.json", conversation_data("fresh1", title="Synced"))
        # A later tick of the file system's clock than Confab's rename.
        after = store.folder_time_after(conversation.id)
        assert after is not None
        os.utime(store.folder, ns=(after + 10_000_000, after + 10_000_000))
        release.set()
        library.wait()
        found = library.reconcile(quick=True).result()
        assert [(s.id, s.title) for s in found.changed] == [("fresh1", "Synced")]


def test_a_write_that_puts_back_a_file_another_program_removed_says_so(tmp_path: Path) -> None:
    """The write under way when a sync tool removed the file recreates it: the window is told
    (it said nothing, and the user never learnt the file had been deleted elsewhere)."""
    with loaded_library(tmp_path) as (store, library, conversation):
        (store.folder / "abc123.json").unlink()  # deleted on the other computer
        saved_by_confab(library, conversation, "Still being written here")
        assert list(store.written_back) == ["abc123"]
        assert files(store)["abc123.json"]["title"] == "Still being written here"
        saved_by_confab(library, conversation, "Again")
        assert list(store.written_back) == ["abc123"]  # once: it was there this time
