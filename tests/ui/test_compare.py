"""Compare in the real main window: one question to two providers, each a loopback server of its
own, one held back by a gate (no test waits on the clock); the columns stream side by side with
their figures, Keep This One continues the thread from the reply chosen, the others its
versions, and a restart shows them as branches."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.conftest import write_settings
from tests.support.openai_server import OpenAIServer, Reply

# Models of the shipped price table: each column has a cost.
FAST_MODEL, SLOW_MODEL = "gpt-4o-mini", "gpt-4o"
FAST_TEXT = (
    "**Paris**, on the Seine. " + "The seat of government for most of a thousand years. " * 4
)


@pytest.fixture
def start_two(
    start_app: Any, openai_server: OpenAIServer, slow_server: OpenAIServer, tmp_path: Path
) -> Any:
    def start(data_dir: Path | None = None) -> Any:
        folder = data_dir or tmp_path / "data"
        if not (folder / "settings.json").exists():
            write_settings(
                folder,
                [
                    {
                        "id": "local",
                        "name": "Fast",
                        "base_url": openai_server.base_url,
                        "default_model": FAST_MODEL,
                    },
                    {
                        "id": "slow",
                        "name": "Slow",
                        "base_url": slow_server.base_url,
                        "default_model": SLOW_MODEL,
                    },
                ],
            )
        return start_app(folder)

    return start


def compare(app: Any, qtbot: Any, question: str) -> Any:
    """Type the question, open Compare (its shortcut), send to the models it offers."""
    window = app.window
    window.activateWindow()  # its shortcuts work in the active window
    qtbot.waitUntil(window.isActiveWindow)
    window.composer.edit.setFocus()
    qtbot.keyClicks(window.composer.edit, question)
    qtbot.keyClick(
        window.composer.edit,
        Qt.Key.Key_M,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.compare_flow.dialog
    assert dialog is not None and dialog.isVisible()
    assert [(t.provider, t.model) for t in dialog.targets()] == [
        ("local", FAST_MODEL),
        ("slow", SLOW_MODEL),
    ]
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.compare_view.isVisible())
    return window.compare_view


def test_the_columns_stream_side_by_side_and_keep_continues_from_one(
    start_two: Any, openai_server: OpenAIServer, slow_server: OpenAIServer, qtbot: Any
) -> None:
    gate = threading.Event()
    openai_server.enqueue(Reply(text=FAST_TEXT, chunk_size=9))
    slow_server.enqueue(
        Reply(text="Paris. Capital since 987.", chunk_size=6, stall_after=1, gate=gate)
    )
    app = start_two()
    view = compare(app, qtbot, "Capital of France?")
    window = app.window
    assert not window.chat_view.isVisible()
    assert view.question.text() == "Capital of France?"
    fast, slow = view.columns
    assert (
        fast.title.text() == f"Fast · {FAST_MODEL}" and slow.title.text() == f"Slow · {SLOW_MODEL}"
    )
    # The fast one streams to its end while the slow one is held after its first piece.
    qtbot.waitUntil(lambda: "tokens" not in fast.stats.text() and "$" in fast.stats.text())
    qtbot.waitUntil(lambda: slow.widget.content == "Paris.")
    assert fast.widget.content == FAST_TEXT
    assert fast.widget.markdown is not None and "<strong>Paris</strong>" in _html(
        fast.widget
    )  # Markdown
    assert " in · " in fast.stats.text() and "first token" in fast.stats.text()
    assert "≈" in slow.stats.text() and "out" in slow.stats.text()  # live, while it streams
    assert "first token" in slow.stats.text()
    assert not fast.keep_button.isEnabled()  # until every reply has ended
    assert window.composer.send_button.text() == "Stop"
    gate.set()
    app.wait_idle()
    qtbot.waitUntil(lambda: slow.keep_button.isEnabled())
    assert slow.widget.content == "Paris. Capital since 987."
    assert "$" in slow.stats.text() and "first token" in slow.stats.text()
    # A narrow window: the columns scroll sideways, each reply whole at its column's width.
    width = window.width()
    window.resize(600, window.height())
    qtbot.waitUntil(lambda: view.area.horizontalScrollBar().maximum() > 0)
    qtbot.waitUntil(lambda: all(_whole(c.widget) for c in view.columns))
    assert all(c.width() >= 300 for c in view.columns)
    window.resize(width, window.height())
    qtbot.mouseClick(slow.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.chat_view.isVisible())
    assert not view.isVisible()
    assert app.bubbles() == [
        ("user", "Capital of France?"),
        ("assistant", "Paris. Capital since 987."),
    ]
    kept = window.chat_view.message_widgets()[-1]
    assert kept.switcher.isVisible() and kept.switcher.label.text() == "2 / 2"
    (saved,) = app.conversation_files()
    by_id = {m["id"]: m for m in saved["messages"]}
    head = by_id[saved["head"]]
    assert head["content"] == "Paris. Capital since 987." and head["provider"] == "slow"
    assert isinstance(head["ttft_ms"], int)
    siblings = [m for m in saved["messages"] if m["parent"] == head["parent"]]
    assert [m["content"] for m in siblings] == [FAST_TEXT, head["content"]]
    # The thread goes on from the kept reply, with the conversation's own model.
    app.type_and_send("And Germany?")
    app.wait_idle()
    sent = openai_server.chat_requests()[-1]["json"]["messages"]
    assert [m["content"] for m in sent[:2]] == ["Capital of France?", "Paris. Capital since 987."]


def test_stop_stops_every_column(
    start_two: Any, openai_server: OpenAIServer, slow_server: OpenAIServer, qtbot: Any
) -> None:
    gates = threading.Event(), threading.Event()
    openai_server.enqueue(Reply(text="one two three", chunk_size=4, stall_after=1, gate=gates[0]))
    slow_server.enqueue(Reply(text="uno dos tres", chunk_size=4, stall_after=1, gate=gates[1]))
    app = start_two()
    view = compare(app, qtbot, "Count")
    qtbot.waitUntil(lambda: all(c.widget.content for c in view.columns))
    stop = app.window.composer.send_button
    assert stop.text() == "Stop"
    qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
    app.wait_idle()
    for gate in gates:
        gate.set()
    assert [c.widget.content for c in view.columns] == ["one ", "uno "]
    assert all(c.widget.status.text() for c in view.columns)  # each says it was stopped
    assert all(c.keep_button.isEnabled() for c in view.columns)
    assert app.window.composer.send_button.text() == "Send"


def test_a_failing_model_fails_in_its_own_column(
    start_two: Any, openai_server: OpenAIServer, slow_server: OpenAIServer, qtbot: Any
) -> None:
    openai_server.enqueue(Reply(text="Fine."))
    slow_server.enqueue(Reply(status=401))
    app = start_two()
    view = compare(app, qtbot, "Hello?")
    app.wait_idle()
    fast, slow = view.columns
    qtbot.waitUntil(lambda: slow.widget.status.isVisibleTo(slow))
    assert fast.widget.content == "Fine." and not fast.widget.status.isVisibleTo(fast)
    assert slow.widget.status.property("error") is True
    assert not app.window.banner.isVisible()  # the error is the column's, not the window's


def test_a_restart_shows_the_compared_replies_as_branches(
    start_two: Any,
    openai_server: OpenAIServer,
    slow_server: OpenAIServer,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    openai_server.enqueue(Reply(text="From the fast one."))
    slow_server.enqueue(Reply(text="From the slow one."))
    app = start_two()
    compare(app, qtbot, "Two views, please")
    app.wait_idle()
    conversation_id = app.conversations.current.id
    app.quit()
    again = start_two(tmp_path / "data")
    again.open(conversation_id)
    window = again.window
    assert window.chat_view.isVisible() and not window.compare_view.isVisible()
    assert again.bubbles() == [
        ("user", "Two views, please"),
        ("assistant", "From the fast one."),  # the first model's, the others its versions
    ]
    reply = window.chat_view.message_widgets()[-1]
    assert reply.switcher.label.text() == "1 / 2"
    qtbot.mouseClick(reply.switcher.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.bubbles()[-1] == ("assistant", "From the slow one."))


def _whole(widget: Any) -> bool:
    """Not clipped: as tall as its text needs at its width."""
    return bool(widget.height() >= widget.heightForWidth(widget.width()))


def _html(widget: Any) -> str:
    return "".join(label.text() for label in widget.markdown.blocks())
