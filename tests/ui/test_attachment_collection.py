"""The window as wired by app.py: a question sent with an image reaches the server as
content parts, and deleting its conversation for good (the trash dialog) removes the image
from the data folder once nothing uses it, while one another conversation shares stays."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from tests.support import attachment_files as files
from tests.ui.test_trash_and_versions import delete_from_sidebar, sidebar_titles


def _age(path: Path) -> None:
    """As if attached two days ago (past the collection's grace for fresh files)."""
    old = time.time() - 2 * 86400
    os.utime(path, (old, old))


def test_a_purged_conversations_image_is_removed_and_a_shared_one_kept(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    app = start_chat_app()
    app.conversations.collect_delay_ms = 0  # the event, not a wait of 2 s
    store = app.conversations.attachments
    own = store.add_bytes(files.png(300, 200), "own.png")
    shared = store.add_bytes(files.gif(), "shared.gif")
    for text, attached in (("first", [own, shared]), ("second", [shared])):
        app.window.new_conversation()
        conversation = app.conversations.current
        assert app.chat.service.send(conversation, text, attached)
        app.wait_idle()
    first = openai_server.chat_requests()[0]["json"]["messages"][-1]["content"]
    assert [part["type"] for part in first] == ["text", "image_url", "image_url"]
    for attachment in (own, shared):
        _age(store.path_of(attachment))
    target = next(s for s in app.conversations.summaries() if s.title == "first")
    delete_from_sidebar(app, target.id)
    qtbot.waitUntil(lambda: sidebar_titles(app) == ["second"])
    dialog = app.window.open_trash()
    dialog.list.setCurrentItem(dialog.list.topLevelItem(0))
    dialog.purge_button.click()
    next(b for b in dialog.purge_box.buttons() if b.text() == "Delete").click()
    # Collected after a burst of deletes (its timer), in the collector's thread.
    qtbot.waitUntil(lambda: app.conversations.collected is not None)
    app.conversations.wait_for_index()
    assert app.conversations.collected.result(timeout=10) in (0, 1)
    # The index may have dropped the row after the first collection looked: once more.
    assert app.conversations.collect_attachments().result(timeout=10) in (0, 1)
    assert not store.exists(own)
    assert store.exists(shared)
