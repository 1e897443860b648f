"""Changes to many conversations at once (move, tag, archive, a folder renamed or deleted): the
ones not loaded are read and changed in the loading thread, saved a few per tick, land in their
files (so they sync), and the list's view and counts follow."""

from __future__ import annotations

import gc
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.controllers.conversations import CHANGE_STEP, ConversationsController
from desktop.core.folders import Change
from desktop.core.storage import ConversationStore
from desktop.core.views import ARCHIVE, FOLDER, ListFilter
from tests.core.test_versions_trash import conversation_data, write

OLD = datetime(2025, 1, 1, tzinfo=UTC)


def _files(tmp_path: Path, count: int) -> list[str]:
    ids = []
    for i in range(count):
        when = (OLD - timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        data = conversation_data(f"c{i:03d}", title=f"Conversation {i}", updated_at=when)
        write(tmp_path / "conversations", f"c{i:03d}.json", data)
        ids.append(f"c{i:03d}")
    return ids


def _on_disk(tmp_path: Path, conversation_id: str) -> dict[str, Any]:
    path = tmp_path / "conversations" / f"{conversation_id}.json"
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


@pytest.fixture
def controller(tmp_path: Path, qtbot: Any) -> Any:
    made: list[ConversationsController] = []

    def make() -> ConversationsController:
        conversations = ConversationsController(ConversationStore(tmp_path))
        conversations.load()
        conversations.wait_for_index()
        made.append(conversations)
        return conversations

    yield make
    for conversations in made:
        conversations.close()


def test_moving_many_conversations_not_loaded_reads_them_elsewhere_and_writes_every_file(
    controller: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _files(tmp_path, 120)
    conversations = controller()
    opened: list[Any] = []
    conversations.open("c005", opened.append)  # one on screen, loaded
    qtbot.waitUntil(lambda: bool(opened))
    reads: list[str] = []
    store = conversations._store
    real_load = store.load

    def load(conversation_id: str) -> Any:
        reads.append(threading.current_thread().name)
        return real_load(conversation_id)

    monkeypatch.setattr(store, "load", load)
    saves_per_tick: list[int] = []
    real_take, real_save = conversations._take_changes, conversations.save

    def take() -> None:
        saves_per_tick.append(0)
        real_take()

    def save(conversation: Any, **how: Any) -> bool:
        if saves_per_tick:
            saves_per_tick[-1] += 1
        return real_save(conversation, **how)

    monkeypatch.setattr(conversations, "_take_changes", take)
    monkeypatch.setattr(conversations, "save", save)
    ended: list[tuple[int, int]] = []
    conversations.changes_ended.connect(lambda changed, failed: ended.append((changed, failed)))

    conversations.change(ids, Change(folder="Work/Acme"))
    # Asked for while the first is still being read: applied after it.
    conversations.change(ids[:10], Change(add_tags=("bill",)))
    assert opened[0].folder == "Work/Acme" and opened[0].tags == ["bill"]  # at once
    assert not conversations.is_loaded("c100")  # the others: read in the loading thread
    qtbot.waitUntil(lambda: bool(ended), timeout=20_000)
    conversations.wait_for_writes()

    assert ended == [(120, 0)]  # once, when every change is made
    assert reads and set(reads) == {"confab-load_0"}
    assert sum(saves_per_tick) == 119 and max(saves_per_tick) <= CHANGE_STEP  # a few a tick
    for i, conversation_id in enumerate(ids):
        data = _on_disk(tmp_path, conversation_id)
        assert data["folder"] == "Work/Acme", conversation_id
        assert data["tags"] == (["bill"] if i < 10 else [])
        # Filing away is no new activity: the list's order stays.
        assert data["updated_at"] == (OLD - timedelta(minutes=i)).strftime(
            "%Y-%m-%dT%H:%M:%S.000000Z"
        )
        assert conversations.summary(conversation_id).folder == "Work/Acme"
    gc.collect()
    assert sum(conversations.is_loaded(i) for i in ids) == 1  # released once written

    conversations.set_filter(ListFilter(FOLDER, "Work"))
    conversations.wait_for_index()
    assert [r.id for r in conversations.listed()] == ids
    qtbot.waitUntil(lambda: conversations.tally.folders.get("Work/Acme") == 120)
    assert conversations.tally.folders == {"Work": 120, "Work/Acme": 120}
    assert conversations.tally.tags == {"bill": 10}


def test_a_folder_deleted_leaves_its_conversations_in_no_folder_and_unreadable_ones_are_counted(
    controller: Any, qtbot: Any, tmp_path: Path
) -> None:
    ids = _files(tmp_path, 8)
    conversations = controller()
    ended: list[tuple[int, int]] = []
    conversations.changes_ended.connect(lambda changed, failed: ended.append((changed, failed)))
    conversations.change(ids[:6], Change(folder="Work/Acme"))
    conversations.change(ids[6:], Change(folder="Home"))
    qtbot.waitUntil(lambda: bool(ended), timeout=10_000)
    assert ended == [(8, 0)]
    conversations.wait_for_writes()
    (tmp_path / "conversations" / "c000.json").unlink()  # gone behind Confab's back

    conversations.move_folder("Work", None)
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=10_000)
    conversations.wait_for_writes()
    assert ended[1] == (5, 1)
    for conversation_id in ids[1:6]:
        data = _on_disk(tmp_path, conversation_id)
        assert "folder" not in data and data["messages"]  # kept, in no folder
    assert _on_disk(tmp_path, "c006")["folder"] == "Home"


def test_archived_conversations_leave_the_main_view_and_make_the_archive(
    controller: Any, qtbot: Any, tmp_path: Path
) -> None:
    ids = _files(tmp_path, 6)
    conversations = controller()
    assert [r.id for r in conversations.listed()] == ids
    ended: list[tuple[int, int]] = []
    conversations.changes_ended.connect(lambda changed, failed: ended.append((changed, failed)))
    conversations.change(["c001", "c003"], Change(archived=True))
    conversations.change(["c004"], Change(pinned=True))
    qtbot.waitUntil(lambda: bool(ended), timeout=10_000)
    assert ended == [(3, 0)]
    assert [r.id for r in conversations.listed()] == ["c004", "c000", "c002", "c005"]
    conversations.set_filter(ListFilter(ARCHIVE))
    conversations.wait_for_index()
    assert [r.id for r in conversations.listed()] == ["c001", "c003"]
    conversations.wait_for_writes()
    assert _on_disk(tmp_path, "c001")["archived"] is True
    assert _on_disk(tmp_path, "c004")["pinned"] is True
    # Still listed (searchable, openable): only the view leaves them out.
    assert conversations.is_listed("c001")


def test_a_row_changed_while_the_view_is_being_made_is_in_it_once_made(
    controller: Any, qtbot: Any, tmp_path: Path
) -> None:
    ids = _files(tmp_path, 5)
    conversations = controller()
    opened: list[Any] = []
    conversations.open("c003", opened.append)
    qtbot.waitUntil(lambda: bool(opened))
    conversations.set_filter(ListFilter(FOLDER, "Work"))  # made in the list's thread…
    conversations.change(["c003"], Change(folder="Work"))  # …while this one moves there
    assert [r.id for r in conversations.listed()] == ids  # the old view, until it is made
    conversations.wait_for_index()
    assert [r.id for r in conversations.listed()] == ["c003"]


def test_changes_still_being_read_at_quit_are_written(tmp_path: Path, qtbot: Any) -> None:
    ids = _files(tmp_path, 60)
    conversations = ConversationsController(ConversationStore(tmp_path))
    conversations.load()
    conversations.wait_for_index()
    conversations.change(ids, Change(archived=True))
    conversations.close()  # at once: most are still being read
    assert all(_on_disk(tmp_path, i).get("archived") is True for i in ids)
