"""Files from other format versions (newer: read-only; older: backed up, then upgraded) and
the trash (list, restore, delete for good)."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.core.errors import CorruptFileError, NewerFormatError
from desktop.core.models import Conversation, Message
from desktop.core.settings import SettingsStore
from desktop.core.storage import ConversationStore

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def conversation_data(conversation_id: str = "abc123", version: int = 1, **extra: Any) -> dict:
    return {
        "format": "confab.conversation",
        "version": version,
        "id": conversation_id,
        "title": "Sonnets",
        "created_at": "2026-11-24T09:00:00Z",
        "updated_at": "2026-11-24T09:05:00Z",
        "head": "m2",
        "messages": [
            {"id": "m1", "parent": None, "role": "user", "content": "A sonnet, please",
             "created_at": "2026-11-24T09:00:00Z"},
            {"id": "m2", "parent": "m1", "role": "assistant", "content": "Shall I compare…",
             "created_at": "2026-11-24T09:00:01Z"},
        ],
        **extra,
    }  # fmt: skip


def write(folder: Path, name: str, data: Any) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, indent=2).encode()
    (folder / name).write_bytes(raw)
    return raw


# --- a newer format: read-only, never overwritten ------------------------------------------


def test_a_newer_file_opens_read_only_and_is_never_overwritten(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    raw = write(store.folder, "abc123.json", conversation_data(version=2, reactions={"m2": "👍"}))

    conversations, quarantined = store.load_all()

    assert quarantined == [] and store.newer == []
    (conversation,) = conversations
    assert conversation.read_only and conversation.newer_version == 2
    assert [m.content for m in conversation.thread()] == ["A sonnet, please", "Shall I compare…"]
    conversation.title = "changed here"
    with pytest.raises(NewerFormatError) as raised:
        store.save(conversation)
    assert raised.value.version == 2
    assert (store.folder / "abc123.json").read_bytes() == raw


def test_a_newer_file_this_version_cannot_read_is_left_where_it_is(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    data = conversation_data(version=3)
    data["messages"] = {"tree": "a shape version 1 never had"}
    raw = write(store.folder, "abc123.json", data)

    conversations, quarantined = store.load_all()

    assert conversations == [] and quarantined == []
    assert store.newer == ["abc123.json"]
    assert (store.folder / "abc123.json").read_bytes() == raw
    assert not store.quarantine.exists()


def test_a_newer_settings_file_is_read_but_never_written(tmp_path: Path) -> None:
    raw = write(
        tmp_path,
        "settings.json",
        {
            "format": "confab.settings",
            "version": 2,
            "providers": [{"id": "local", "name": "Local", "base_url": "http://127.0.0.1:1/v1"}],
            "themes": {"new": "thing"},
        },
    )
    store = SettingsStore(tmp_path)
    settings = store.load()
    assert store.newer_version == 2
    assert [p.name for p in settings.providers] == ["Local"]
    with pytest.raises(NewerFormatError):
        store.save(settings)
    assert (tmp_path / "settings.json").read_bytes() == raw


def test_a_sync_conflict_copy_from_a_newer_confab_is_reported_and_left_alone(
    tmp_path: Path,
) -> None:
    store = ConversationStore(tmp_path)
    write(store.folder, "abc123.json", conversation_data(version=1))
    name = "abc123.sync-conflict-20261124.json"
    raw = write(store.folder, name, conversation_data(version=2, title="From the other machine"))
    conversations, quarantined = store.load_all()
    assert [c.id for c in conversations] == ["abc123"] and quarantined == []
    assert store.newer == [name]
    assert (store.folder / name).read_bytes() == raw


# --- an older format: backed up before the upgrade is written ---------------------------------


def upgrade_from_0(data: dict[str, Any]) -> dict[str, Any]:
    """A format-0 file kept its thread as a flat list of [role, text] turns."""
    messages, parent = [], None
    for number, (role, text) in enumerate(data.pop("turns")):
        message_id = f"t{number}"
        messages.append(
            {"id": message_id, "parent": parent, "role": role, "content": text,
             "created_at": data["created_at"]}
        )  # fmt: skip
        parent = message_id
    data["messages"], data["head"] = messages, parent
    return data


def test_an_older_file_is_backed_up_before_its_upgrade_is_written(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path, migrations={0: upgrade_from_0})
    old = conversation_data(version=0)
    del old["messages"], old["head"]
    old["turns"] = [["user", "Hello"], ["assistant", "Hi there"]]
    raw = write(store.folder, "abc123.json", old)

    conversations, quarantined = store.load_all()

    assert quarantined == []
    (conversation,) = conversations
    assert [(m.role, m.content) for m in conversation.thread()] == [
        ("user", "Hello"),
        ("assistant", "Hi there"),
    ]
    assert not conversation.read_only
    assert (store.backups / "abc123.v0.json").read_bytes() == raw
    upgraded = json.loads((store.folder / "abc123.json").read_text())
    assert upgraded["version"] == 1 and "turns" not in upgraded
    assert store.migrated == ["abc123.json"]
    # Loading again finds version 1: nothing more to upgrade, no second backup.
    ConversationStore(tmp_path, migrations={0: upgrade_from_0}).load_all()
    assert sorted(p.name for p in store.backups.iterdir()) == ["abc123.v0.json"]


def test_an_older_file_with_no_way_to_upgrade_is_quarantined_not_lost(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path, migrations={})
    raw = write(store.folder, "abc123.json", conversation_data(version=0))
    conversations, quarantined = store.load_all()
    assert conversations == [] and quarantined == ["abc123.json"]
    assert (store.quarantine / "abc123.json").read_bytes() == raw


@pytest.mark.parametrize("version", ["2", 1.5, True, -1, None])
def test_a_version_that_is_no_version_is_a_corrupt_file(tmp_path: Path, version: Any) -> None:
    store = ConversationStore(tmp_path)
    write(store.folder, "abc123.json", conversation_data(version=version))
    with pytest.raises(CorruptFileError):
        store.load("abc123")


# --- the trash --------------------------------------------------------------------------------


def saved(store: ConversationStore, conversation_id: str, title: str, n: int) -> Conversation:
    conversation = Conversation.new()
    conversation.id, conversation.title = conversation_id, title
    for i in range(n):
        conversation.append(Message(f"m{i}", conversation.head, "user", f"q{i}", T0))
    store.save(conversation)
    return conversation


def test_the_trash_lists_what_was_deleted_most_recent_first(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    saved(store, "first", "First", 2)
    saved(store, "second", "Second", 3)
    before = time.time()
    store.delete("first")
    os.utime(store.trash / "first.json", (before - 60, before - 60))  # deleted a minute ago
    store.delete("second")
    after = time.time()
    (store.trash / "notes.txt").write_text("not a conversation")

    items = store.trashed()

    assert [(i.id, i.title, i.messages) for i in items] == [
        ("second", "Second", 3),
        ("first", "First", 2),
    ]
    # Dated when it was deleted (the file's time, set by delete), whatever the machine's speed.
    assert before - 1 <= items[0].deleted_at.timestamp() <= after + 1


def test_restoring_never_overwrites_a_conversation_that_came_back(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    saved(store, "same", "Deleted one", 1)
    store.delete("same")
    saved(store, "same", "Synced back meanwhile", 2)

    restored = store.restore("same")

    assert restored.id != "same" and restored.title == "Deleted one"
    titles = {c.title for c in store.load_all()[0]}
    assert titles == {"Deleted one", "Synced back meanwhile"}
    assert store.trashed() == []


def test_a_restored_conversation_is_its_file_moved_back_and_saves_as_the_same_version(
    tmp_path: Path,
) -> None:
    store = ConversationStore(tmp_path)
    saved(store, "back", "Back again", 3)
    store.delete("back")
    in_trash = (store.trash / "back.json").stat()

    restored = store.restore("back")

    path = store.path_of("back")
    # Moved back, not written again (no encoding, no fsync: an Undo of hundreds is quick).
    assert path.stat().st_ino == in_trash.st_ino and not (store.trash / "back.json").exists()
    assert restored.title == "Back again" and len(restored.messages) == 3
    # The version in memory is the file's: its next save is no conflict with another device.
    assert store.on_disk("back").state == "same"
    restored.append(Message("m9", restored.head, "user", "one more", T0))
    store.save(restored)
    assert [p.name for p in store.folder.iterdir()] == ["back.json"]
    assert len(store.load("back").messages) == 4


def test_delete_for_good_empties_only_that_conversation(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    saved(store, "keep", "Keep", 1)
    saved(store, "drop", "Drop", 1)
    store.delete("keep")
    store.delete("drop")
    store.purge("drop")
    assert [i.id for i in store.trashed()] == ["keep"]
    assert store.restore("keep").title == "Keep"


def test_temporary_files_left_by_an_interrupted_write_are_removed(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    raw = write(store.folder, "abc123.json", conversation_data())
    (store.folder / ".abc123.json.x1y2z3.tmp").write_bytes(raw[:40])  # half a write
    (store.folder / "notes.tmp").write_text("not ours")
    conversations, quarantined = store.load_all()
    assert [c.id for c in conversations] == ["abc123"] and quarantined == []
    assert sorted(p.name for p in store.folder.iterdir()) == ["abc123.json", "notes.tmp"]
