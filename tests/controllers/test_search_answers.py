"""ConversationsController.search: the hits come on the UI thread (``search_answered``), for
the latest search only, and the controller's threads keep no reference to it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.controllers.conversations import ConversationsController
from desktop.core.models import Message
from desktop.core.search import Hit, SearchFilters
from desktop.core.storage import ConversationStore


def test_hits_arrive_on_the_ui_thread_for_the_latest_search(tmp_path: Path, qtbot: Any) -> None:
    controller = ConversationsController(ConversationStore(tmp_path))
    try:
        conversation = controller.new_conversation("openai", "gpt-4o")
        when = datetime(2026, 5, 1, tzinfo=UTC)
        conversation.append(Message("q", None, "user", "北国的春光 and a walrus", when))
        assert controller.save(conversation)
        controller.wait_for_index()
        answers: list[tuple[int, list[Hit], str]] = []
        controller.search_answered.connect(
            lambda token, hits: answers.append((token, hits, threading.current_thread().name))
        )
        # Typed one after the other: only the last one's answer is told.
        first = controller.search("wal")
        second = controller.search("春光", SearchFilters(role="user"))
        qtbot.waitUntil(lambda: bool(answers), timeout=5000)
        token, hits, thread = answers[0]
        assert first not in [a[0] for a in answers]
        assert token == second
        assert [(h.conversation_id, h.message_id) for h in hits] == [(conversation.id, "q")]
        assert hits[0].snippet[hits[0].marks[0][0] : hits[0].marks[0][1]] == "春光"
        assert thread == threading.main_thread().name
    finally:
        controller.close()
