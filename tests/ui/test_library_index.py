"""The real window on its index (index.sqlite3): files a sync tool adds, changes or removes
show in the running window's list and at the next start, Confab's own saves keep their rows
without the file being read again, a cold start builds the index with the window usable and
says so, only opened conversations are read in full and a closed one is released, and the
list holds many rows changing one at a time."""

from __future__ import annotations

import gc
import os
import threading
import weakref
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.core.index import INDEX_NAME, ConversationIndex
from desktop.core.storage import ConversationStore
from tests.conftest import write_settings
from tests.core.test_versions_trash import conversation_data, write
from tests.ui.test_sidebar import rows, write_conversations


def sync_tool_writes(folder: Path, conversation_id: str, **fields: Any) -> None:
    """As Syncthing and Dropbox do: a temporary file renamed into place."""
    write(
        folder,
        f".syncthing.{conversation_id}.json.tmp",
        conversation_data(conversation_id, **fields),
    )
    os.replace(
        folder / f".syncthing.{conversation_id}.json.tmp", folder / f"{conversation_id}.json"
    )


def change_behind_confabs_back(folder: Path) -> None:
    sync_tool_writes(folder, "laptop1", title="From the laptop", updated_at="2025-06-01T00:00:00Z")
    sync_tool_writes(
        folder, "c001", title="Renamed on the laptop", updated_at="2024-01-01T00:00:00Z"
    )
    (folder / "c002.json").unlink()


AFTER_CHANGES = [
    ("laptop1", "From the laptop"),
    ("c000", "Conversation 0"),
    ("c003", "Conversation 3"),
    ("c001", "Renamed on the laptop"),
]


def test_files_a_sync_tool_changes_show_in_the_running_window(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_conversations(data, 4)
    app = start_app(data)
    app.conversations.rescan_delay_ms = 0  # the watcher's event, at once
    assert [i for i, _ in rows(app)] == ["c000", "c001", "c002", "c003"]
    change_behind_confabs_back(data / "conversations")
    qtbot.waitUntil(lambda: rows(app) == AFTER_CHANGES)
    app.open("c001")
    assert app.window.title_label.text() == "Renamed on the laptop"


def test_files_changed_while_confab_was_closed_show_at_the_next_start(
    start_app: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_conversations(data, 4)
    start_app(data).quit()
    assert (data / INDEX_NAME).exists()
    change_behind_confabs_back(data / "conversations")
    assert rows(start_app(data)) == AFTER_CHANGES


def test_a_deleted_index_loses_nothing(start_chat_app: Any, tmp_path: Path) -> None:
    app = start_chat_app()
    app.type_and_send("Keep me")
    app.wait_idle()
    app.quit()
    before = sorted(p.name for p in (tmp_path / "data" / "conversations").iterdir())
    for name in os.listdir(tmp_path / "data"):
        if name.startswith(INDEX_NAME):
            os.unlink(tmp_path / "data" / name)
    again = start_chat_app()
    assert [title for _, title in rows(again)] == ["Keep me"]
    assert sorted(p.name for p in (tmp_path / "data" / "conversations").iterdir()) == before


def test_confabs_own_saves_keep_their_rows_without_reading_the_file_again(
    start_chat_app: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    app = start_chat_app()
    reads: list[str] = []
    real = ConversationStore.load_listed

    def counted(self: ConversationStore, path: Path, seen: Any = ()) -> Any:
        reads.append(path.name)
        return real(self, path, seen)

    monkeypatch.setattr(ConversationStore, "load_listed", counted)
    app.conversations.rescan_delay_ms = 0
    app.type_and_send("A question")
    app.wait_idle()
    conversation_id = app.conversations.current.id
    app.conversations.wait_for_index()
    app.quit()
    index = ConversationIndex(ConversationStore(tmp_path / "data"))
    index.open()
    record = index.record(conversation_id)
    assert record is not None
    assert (record.title, record.messages) == ("A question", 2)
    assert index.reconcile().total == 0  # its size and time are those of the file
    index.close()
    assert reads == []


def test_a_cold_start_builds_the_index_with_the_window_usable_and_says_so(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from desktop.app import build
    from desktop.core import index

    data = tmp_path / "data"
    write_settings(data, [])
    write_conversations(data, 30)
    monkeypatch.setattr(index, "BATCH", 10)
    # The index thread stops after its first report until the test has looked.
    looked = threading.Event()
    real = ConversationStore.load_listed
    read = []

    def gated(self: ConversationStore, path: Path, seen: Any = ()) -> Any:
        read.append(path)
        if len(read) == 11:
            looked.wait(30)
        return real(self, path, seen)

    monkeypatch.setattr(ConversationStore, "load_listed", gated)
    parts = build(data)
    window, conversations = parts.window, parts.conversations
    try:
        conversations.load()
        window.show()
        qtbot.waitExposed(window)
        window.start()
        status = window.sidebar.status_label
        qtbot.waitUntil(lambda: status.isVisible())
        assert status.text() == "Indexing 10 of 30 conversations…"
        assert len(rows_of(window)) == 10  # what is indexed already is listed
        # The window answers meanwhile.
        qtbot.keyClicks(window.composer.edit, "still typing")
        assert window.composer.text() == "still typing"
        looked.set()
        qtbot.waitUntil(lambda: not status.isVisible())
        assert len(rows_of(window)) == 30
    finally:
        looked.set()
        window.close()  # the close event: stashes the draft, flushes, asks to quit
        conversations.close()
        window.allow_close()
        window.close()
        window.deleteLater()


def rows_of(window: Any) -> list[str]:
    model = window.sidebar.view.model()
    return [model.index(row).data() for row in range(model.rowCount())]


def test_only_opened_conversations_are_read_and_a_closed_one_is_released(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_conversations(data, 50)
    app = start_app(data)
    assert not any(app.conversations.is_loaded(f"c{i:03d}") for i in range(50))
    first = weakref.ref(app.open("c010"))
    assert app.bubbles() == [("user", "A sonnet, please"), ("assistant", "Shall I compare…")]
    app.open("c020")
    app.conversations.wait_for_writes()
    gc.collect()
    assert first() is None
    assert not app.conversations.is_loaded("c010")
    assert [i for i in range(50) if app.conversations.is_loaded(f"c{i:03d}")] == [20]
    # Opened again, it is read again.
    assert app.open("c010").title == "Conversation 10"


class ModelEvents:
    def __init__(self, model: Any) -> None:
        self.resets = 0
        self.inserted: list[tuple[int, int]] = []
        self.removed: list[tuple[int, int]] = []
        model.modelReset.connect(self._reset)
        model.rowsInserted.connect(lambda _parent, first, last: self.inserted.append((first, last)))
        model.rowsRemoved.connect(lambda _parent, first, last: self.removed.append((first, last)))

    def _reset(self) -> None:
        self.resets += 1


def test_many_rows_change_one_at_a_time_without_resetting_the_list(
    start_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write_conversations(data, 2000)
    app = start_app(data)
    app.conversations.rescan_delay_ms = 0
    view = app.window.sidebar.view
    model = view.model()
    assert model.rowCount() == 2000
    events = ModelEvents(model)
    view.scrollTo(model.index(1500))
    first_shown = view.indexAt(view.viewport().rect().topLeft()).row()
    folder = data / "conversations"
    sync_tool_writes(folder, "c1999x", title="Arrived", updated_at="2030-01-01T00:00:00Z")
    qtbot.waitUntil(lambda: model.rowCount() == 2001)
    assert model.index(0).data() == "Arrived"
    (folder / "c500.json").unlink()
    qtbot.waitUntil(lambda: model.rowCount() == 2000)
    assert "Conversation 500" not in rows_of(app.window)
    # The list stayed where it was scrolled, shifted by the row added above (once the view
    # has laid its rows out again, which it does after the change, in a later event).
    top = view.viewport().rect().topLeft()
    qtbot.waitUntil(lambda: view.indexAt(top).isValid())
    assert abs(view.indexAt(top).row() - first_shown) <= 1
    app.open("c100")
    app.window.sidebar.model.rename_requested.emit("c100", "Renamed")
    qtbot.waitUntil(lambda: model.index(101).data() == "Renamed")
    assert events.resets == 0
    assert events.inserted == [(0, 0)] and events.removed == [(501, 501)]
    assert view.selectionModel().currentIndex().data(Qt.ItemDataRole.DisplayRole) == "Renamed"
