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
    # The columns are built one per turn of the event loop.
    qtbot.waitUntil(lambda: len(window.compare_view.columns) == len(dialog.targets()))
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
    assert not fast.retry_button.isVisible()
    # Retry asks that model again, in its column; the other reply stays.
    slow_server.enqueue(Reply(text="Fine now."))
    assert slow.retry_button.isVisible()
    qtbot.mouseClick(slow.retry_button, Qt.MouseButton.LeftButton)
    app.wait_idle()
    qtbot.waitUntil(lambda: slow.widget.content == "Fine now.")
    assert not slow.retry_button.isVisible() and not slow.widget.status.isVisibleTo(slow)
    assert fast.widget.content == "Fine." and slow.keep_button.isEnabled()
    (saved,) = app.conversation_files()
    replies = [m for m in saved["messages"] if m["role"] == "assistant"]
    assert [(m["provider"], m["content"]) for m in replies] == [
        ("local", "Fine."),
        ("slow", "Fine now."),
    ]


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


def test_the_columns_come_back_to_a_conversation_left_while_they_stream(
    start_two: Any, openai_server: OpenAIServer, slow_server: OpenAIServer, qtbot: Any
) -> None:
    gate = threading.Event()
    openai_server.enqueue(Reply(text="Quick."))
    slow_server.enqueue(Reply(text="Slow and steady.", chunk_size=5, stall_after=1, gate=gate))
    app = start_two()
    view = compare(app, qtbot, "Race?")
    compared = app.conversations.current
    qtbot.waitUntil(lambda: view.columns[1].widget.content == "Slow ")
    app.window.new_conversation()  # elsewhere meanwhile: the thread of the new one
    qtbot.waitUntil(lambda: app.window.chat_view.isVisible() and not view.isVisible())
    gate.set()
    app.open(compared.id)
    qtbot.waitUntil(lambda: view.isVisible())
    qtbot.waitUntil(lambda: not app.chat.is_streaming(compared.id))
    fast, slow = view.columns
    qtbot.waitUntil(lambda: slow.widget.content == "Slow and steady.")
    assert fast.widget.content == "Quick." and slow.keep_button.isEnabled()


def test_the_dialog_takes_two_to_four_models_and_says_what_they_cannot_do(qtbot: Any) -> None:
    from desktop.controllers.chat import Target
    from desktop.ui.compare_view import CompareDialog, ProviderChoice

    choices = [
        ProviderChoice("a", "Alpha", ["vision-1", "text-only"], "vision-1"),
        ProviderChoice("b", "Beta", [], "beta-large"),
    ]
    dialog = CompareDialog(
        choices,
        [Target("a", "vision-1"), Target("a", "text-only")],
        tools_on=True,
        images=True,
        cannot_see=lambda _provider, model: model == "text-only",
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.tools_note.isVisible()
    assert dialog.vision_note.isVisible() and dialog.vision_note.text().startswith("text-only ")
    assert not dialog.rows[0].remove.isEnabled()  # two at least
    dialog.rows[1].model.setEditText("vision-1")
    assert not dialog.vision_note.isVisible()
    for _ in range(3):
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert len(dialog.rows) == 4 and not dialog.add_button.isEnabled()  # four at most
    # Each added row offers a model not chosen yet.
    assert [r.target() for r in dialog.rows[2:]] == [
        Target("a", "text-only"),
        Target("b", "beta-large"),
    ]
    assert dialog.send_button.text() == "Send to 4 Models" and dialog.send_button.isEnabled()
    dialog.rows[3].model.setEditText("")
    assert not dialog.send_button.isEnabled()  # a row without a model
    qtbot.mouseClick(dialog.rows[3].remove, Qt.MouseButton.LeftButton)
    assert len(dialog.targets()) == 3 and dialog.send_button.isEnabled()


def test_every_control_of_compare_has_a_name_and_keep_is_reached_by_tab(
    start_two: Any, openai_server: OpenAIServer, slow_server: OpenAIServer, qtbot: Any
) -> None:
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox

    def names(root: Any) -> list[str]:
        controls = [
            w
            for w in root.findChildren(QAbstractButton) + root.findChildren(QComboBox)
            if w.isVisible()
        ]
        assert controls
        return [
            QAccessible.queryAccessibleInterface(w).text(QAccessible.Text.Name).strip()
            for w in controls
        ]

    openai_server.enqueue(Reply(text="A."))
    slow_server.enqueue(Reply(text="B."))
    app = start_two()
    window = app.window
    window.composer.edit.setPlainText("Names?")
    dialog = window.compare_flow.open_dialog()
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert all(names(dialog))
    remove = dialog.rows[0].remove
    assert QAccessible.queryAccessibleInterface(remove).text(QAccessible.Text.Name) == (
        "Remove this model"
    )
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    view = window.compare_view
    qtbot.waitUntil(view.isVisible)
    app.wait_idle()
    qtbot.waitUntil(lambda: view.columns[0].keep_button.isEnabled())
    assert all(names(view))
    keep = view.columns[0].keep_button
    assert QAccessible.queryAccessibleInterface(keep).text(QAccessible.Text.Name) == (
        "Keep the reply of Fast · gpt-4o-mini"
    )
    # The keyboard reaches Keep This One, and Space keeps it.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    view.close_button.setFocus()
    for _ in range(20):
        if QApplication.focusWidget() is keep:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is keep
    qtbot.keyClick(keep, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.chat_view.isVisible())
    assert app.bubbles()[-1] == ("assistant", "A.")


def test_back_to_the_thread_and_a_message_sent_go_on_from_the_first_models_reply(
    start_two: Any, openai_server: OpenAIServer, slow_server: OpenAIServer, qtbot: Any
) -> None:
    openai_server.enqueue(Reply(text="First."), Reply(text="Going on."))
    slow_server.enqueue(Reply(text="Second."))
    app = start_two()
    window = app.window
    view = compare(app, qtbot, "Which?")
    app.wait_idle()
    qtbot.waitUntil(view.close_button.isEnabled)
    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.chat_view.isVisible)
    assert not view.isVisible()
    assert app.bubbles() == [("user", "Which?"), ("assistant", "First.")]
    assert window.chat_view.message_widgets()[-1].switcher.label.text() == "1 / 2"
    app.type_and_send("More?")
    app.wait_idle()
    assert app.bubbles()[-2:] == [("user", "More?"), ("assistant", "Going on.")]
    sent = openai_server.chat_requests()[-1]["json"]["messages"]
    assert [m["content"] for m in sent] == ["Which?", "First.", "More?"]


def test_the_columns_are_built_one_per_turn_and_each_shows_its_whole_reply(qtbot: Any) -> None:
    from datetime import UTC, datetime

    from desktop.core.models import Message
    from desktop.ui.compare_view import CompareView

    def reply(index: int) -> Message:
        return Message(f"r{index}", "q", "assistant", "", datetime.now(UTC), streaming=True)

    view = CompareView()
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    question = Message("q", None, "user", "Which?", datetime.now(UTC))
    replies = [reply(i) for i in range(3)]
    view.show_compare("c", question, replies, ["A · a", "B · b", "C · c"], streaming=True)
    # One column now, the others at the next turns of the event loop.
    assert [c.title.text() for c in view.columns] == ["A · a"]
    assert all(view.has("c", r.id) for r in replies) and view.drawing
    # Replies grow before their columns exist: their columns show them as they are by then.
    long = "\n\n".join(f"Paragraph {n} of the **third** reply." for n in range(400))
    for index, message in enumerate(replies):
        message.content = long if index == 2 else f"Reply {index}."
        view.queue_delta(message)
    qtbot.waitUntil(lambda: len(view.columns) == 3)
    assert [c.title.text() for c in view.columns] == ["A · a", "B · b", "C · c"]
    for message in replies:
        message.streaming = False
        view.refresh(message)
    view.set_streaming(False)
    qtbot.waitUntil(lambda: not view.drawing)
    assert [c.widget.content for c in view.columns] == ["Reply 0.", "Reply 1.", long]
    assert "<strong>third</strong>" in _html(view.columns[2].widget)
    assert all(c.keep_button.isEnabled() for c in view.columns)
