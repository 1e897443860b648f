"""An index of schema 2 (before search) in the real window: the list shows from its rows at
once, the status line says how far the messages are read for search while the index thread
reads them, and the line goes once they are all in. A conversation archived by a newer Confab
elsewhere before the upgrade (its file says so, its old row could not) leaves the list when the
pass reads it."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from desktop.core.index import INDEX_NAME, ConversationIndex
from desktop.core.storage import ConversationStore
from tests.conftest import write_settings
from tests.support.old_index import downgrade_to_version_2
from tests.ui.test_library_index import rows_of
from tests.ui.test_sidebar import write_conversations


def test_the_text_of_an_older_index_is_read_behind_the_list_and_said(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from desktop.app import build

    data = tmp_path / "data"
    write_settings(data, [])
    write_conversations(data, 30)
    archived_elsewhere = data / "conversations" / "c003.json"
    synced = json.loads(archived_elsewhere.read_text("utf-8")) | {"archived": True}
    archived_elsewhere.write_text(json.dumps(synced), encoding="utf-8")
    index = ConversationIndex(ConversationStore(data))
    index.open()
    index.reconcile()
    index.close()
    downgrade_to_version_2(data / INDEX_NAME)
    looked = threading.Event()
    real = ConversationStore.read_as_is

    def gated(self: ConversationStore, path: Path) -> Any:
        looked.wait(30)
        return real(self, path)

    monkeypatch.setattr(ConversationStore, "read_as_is", gated)
    parts = build(data)
    window, conversations = parts.window, parts.conversations
    try:
        conversations.load()
        window.show()
        qtbot.waitExposed(window)
        window.start()
        status = window.sidebar.status_label
        qtbot.waitUntil(lambda: status.isVisible())
        assert status.text() == "Indexing messages for search: 0 of 30 conversations…"
        assert len(rows_of(window)) == 30  # the list from the old rows, at once
        looked.set()
        qtbot.waitUntil(lambda: not status.isVisible())
        qtbot.waitUntil(lambda: len(rows_of(window)) == 29)
        assert "Conversation 3" not in rows_of(window)
        hits: list[Any] = []
        conversations.search_answered.connect(lambda _token, found: hits.extend(found))
        conversations.search("Conversation 7")
        qtbot.waitUntil(lambda: bool(hits))
        assert hits[0].title == "Conversation 7" and hits[0].message_id is None
    finally:
        looked.set()
        window.close()
        conversations.close()
        window.allow_close()
        window.close()
        window.deleteLater()
