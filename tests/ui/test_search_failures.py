"""A search that fails reaches the user in the real window: a damaged index reads as "the
search failed", never as "No results"; and after the controller has closed, a search asks
nothing and answers nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from desktop.controllers.conversations import ConversationsController
from desktop.core.storage import ConversationStore
from tests.ui.test_open_at_and_find import _start_branched


def test_a_damaged_index_says_the_search_failed_and_a_later_search_recovers(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app, conversation_id = _start_branched(start_app, tmp_path)
    app.conversations.wait_for_index()
    with qtbot.waitSignal(app.conversations.search_models_answered):
        app.window.open_search()  # asks which models the library names too
    panel = app.window.search_panel
    # The search thread's connection now reads a damaged file (as a disk error would).
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database at all" * 200)
    library = app.conversations._library
    searcher = library._search

    def swap() -> None:  # in the search thread, whose connection it is
        real = searcher._connection()  # open on the real index, then swapped
        assert real is not None
        searcher._db = sqlite3.connect(damaged)
        real.close()

    library._searcher.submit(swap).result()
    panel.field.setText("zebra")
    status = panel.status_label
    qtbot.waitUntil(lambda: status.property("error") is True, timeout=10_000)
    assert "could not be run" in status.text()
    assert "search index could not be read" in status.text()
    assert "No results" not in status.text()
    assert "Traceback" not in status.text() and "sqlite" not in status.text().lower()
    assert not panel.results.isVisible()
    # The failed connection was dropped: the next query opens the index again and finds.
    panel.field.setText("zebra ")
    qtbot.waitUntil(lambda: panel.results.isVisible(), timeout=10_000)
    assert panel.model.hit(0).conversation_id == conversation_id
    assert status.property("error") is False


def test_a_search_after_close_answers_nothing_quietly(tmp_path: Path, qtbot: Any) -> None:
    controller = ConversationsController(ConversationStore(tmp_path))
    answers: list[object] = []
    controller.search_answered.connect(lambda _token, outcome: answers.append(outcome))
    controller.close()
    controller.search("anything")  # no RuntimeError from the stopped search thread
    QCoreApplication.processEvents()  # anything queued would be told now
    assert answers == []
