"""ChatView under a flood: each tick renders at most FLUSH_CHARS new characters of a reply,
a reply that ended while behind catches up on its own and then gets its final form, and a
direct flush() once streaming is over still shows everything at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from desktop.core.models import Conversation, Message
from desktop.ui.chat_view import FLUSH_CHARS, ChatView

TEXT = "".join(f"Paragraph {i} with some words in it.\n\n" for i in range(400))  # ~15,000


def view_with_reply(qtbot: Any) -> tuple[ChatView, Conversation, Message]:
    now = datetime.now(UTC)
    conversation = Conversation.new(provider="p", model="m")
    question = Message(id="q", parent=None, role="user", content="Flood me", created_at=now)
    reply = Message(id="r", parent="q", role="assistant", content="", created_at=now)
    reply.streaming = True
    conversation.append(question)
    conversation.append(reply)
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    view.show_conversation(conversation)
    view.set_streaming(True)
    return view, conversation, reply


def shown(view: ChatView) -> str:
    widget = view.message_widget("r")
    assert widget is not None
    return widget.content


def test_each_tick_renders_at_most_its_share_of_a_flood(qtbot: Any) -> None:
    view, _, reply = view_with_reply(qtbot)
    reply.content = TEXT  # all of it in one delivery, as a flood brings it
    view.queue_delta(reply)
    before = ""
    ticks = 0
    while shown(view) != TEXT:
        view.flush()  # what the flush timer does, every 33 ms
        ticks += 1
        now = shown(view)
        assert now.startswith(before) and 0 < len(now) - len(before) <= FLUSH_CHARS
        assert now == TEXT or now.endswith("\n")  # whole lines while there are some
        before = now
    assert ticks >= len(TEXT) // FLUSH_CHARS


def test_a_reply_that_ended_behind_catches_up_then_is_final(qtbot: Any) -> None:
    view, _, reply = view_with_reply(qtbot)
    reply.content = TEXT
    view.queue_delta(reply)
    view.flush()
    assert len(shown(view)) <= FLUSH_CHARS
    reply.streaming = False
    reply.finish_reason = "stop"
    view.set_streaming(False)
    view.refresh_message(reply)  # the reply has ended, far behind on screen
    assert len(shown(view)) < len(TEXT)  # not all at once
    qtbot.waitUntil(lambda: shown(view) == TEXT, timeout=30_000)
    widget = view.message_widget("r")
    assert widget is not None and widget.actions_row.isVisibleTo(widget)  # its final form


def test_a_direct_flush_after_streaming_shows_everything(qtbot: Any) -> None:
    view, _, reply = view_with_reply(qtbot)
    reply.content = TEXT
    view.queue_delta(reply)
    view.flush()
    reply.streaming = False
    view.set_streaming(False)
    view.refresh_message(reply)
    view.flush()  # what a test (or anyone) reading the bubbles does
    assert shown(view) == TEXT
    widget = view.message_widget("r")
    assert widget is not None and widget.actions_row.isVisibleTo(widget)


def test_a_small_reply_is_final_at_once(qtbot: Any) -> None:
    view, _, reply = view_with_reply(qtbot)
    reply.content = "Short."
    view.queue_delta(reply)
    reply.streaming = False
    view.set_streaming(False)
    view.refresh_message(reply)
    assert shown(view) == "Short."


def test_switching_conversations_mid_catch_up_forgets_it(qtbot: Any) -> None:
    view, conversation, reply = view_with_reply(qtbot)
    reply.content = TEXT
    view.queue_delta(reply)
    view.flush()
    view.set_streaming(False)
    view.refresh_message(reply)
    view.show_conversation(Conversation.new())
    view.show_conversation(conversation)  # rebuilt from the message, whole
    assert shown(view) == TEXT
