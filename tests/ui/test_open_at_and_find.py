"""Opening a conversation at a found message (on another branch, far up the thread) and
Find in conversation (Ctrl+F): what the user sees is the message in the middle of the pane
and the matched words highlighted."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt

from desktop.ui import marks
from desktop.ui.chat_view import AROUND_AFTER, AROUND_BEFORE
from tests.conftest import write_settings

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _branched(data: Path) -> str:
    """A conversation of 200 messages on screen (m0 … m199) and another branch from a
    regeneration of m9 (b10 … b129) that has "the zebra" in b15, far above its end; the
    words "needle" and "针" sit in a few messages of the branch on screen."""
    from desktop.core.models import Conversation, Message
    from desktop.core.storage import ConversationStore

    conversation = Conversation.new(model="m")
    conversation.title = "Branches"
    parent = None
    for i in range(200):
        role = "user" if i % 2 == 0 else "assistant"
        text = f"Message {i}: " + "some ordinary words to fill a line. " * 3
        if i in (20, 120, 180):
            text += "Here is the Needle, and another needle. 北国的针。"
        if i == 190:
            text += "**Needle** in bold."
        message = Message(f"m{i}", parent, role, text, T0 + timedelta(minutes=i))
        parent = conversation.append(message).id
    head = parent
    parent = "m8"
    for i in range(10, 130):
        role = "user" if i % 2 == 0 else "assistant"
        text = f"Branch {i}: other words on the other branch."
        if i == 15:
            text = "On this branch we met **the zebra** and 斑马 in the grass. A zebra again."
        message = Message(f"b{i}", parent, role, text, T0 + timedelta(hours=10, minutes=i))
        parent = conversation.append(message).id
    conversation.head = head
    store = ConversationStore(data)
    store.save(conversation)
    store.close()
    # A provider, so that the window opens on the conversation, not on the providers dialog.
    write_settings(data, [{"id": "local", "name": "Local", "base_url": "http://127.0.0.1:9/v1"}])
    return conversation.id


def _start_branched(
    start_app: Callable[..., Any], tmp_path: Path, provider: dict[str, Any] | None = None
) -> tuple[Any, str]:
    """The window on a data folder holding ``_branched``'s conversation (and ``provider``
    as the only one, if given), 1000×700; returns it and the conversation's id."""
    data = tmp_path / "data"
    conversation_id = _branched(data)
    if provider is not None:
        write_settings(data, [provider])
    app = start_app(data)
    app.window.resize(1000, 700)
    return app, conversation_id


def _in_view(view: Any, widget: Any, area: QRect | None = None) -> bool:
    rect = area if area is not None else widget.rect()
    top_left = widget.mapTo(view.viewport(), rect.topLeft())
    shown = QRect(top_left, rect.size())
    return view.viewport().rect().contains(shown)


def _settled(qtbot: Any, view: Any) -> None:
    # The initial window is built a message per turn of the loop: slow on a loaded machine.
    qtbot.waitUntil(lambda: not view.building, timeout=20_000)
    for _ in range(3):
        qtbot.wait(20)


def _opened_at(app: Any, qtbot: Any, conversation_id: str, message_id: str, query: str) -> Any:
    """open_at, as choosing a search result calls it; returns the message's widget once the
    view has settled."""
    view = app.window.chat_view
    app.window.open_at(conversation_id, message_id, query)
    qtbot.waitUntil(lambda: view.message_widget(message_id) is not None)
    _settled(qtbot, view)
    return view.message_widget(message_id)


def test_open_at_a_message_on_another_branch_puts_it_in_view_highlighted(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app, conversation_id = _start_branched(start_app, tmp_path)
    view = app.window.chat_view
    widget = _opened_at(app, qtbot, conversation_id, "b15", "zebra")
    conversation = app.conversations.current
    assert conversation.id == conversation_id
    assert conversation.head == "b129"  # the found branch's end is on screen
    assert _in_view(view, widget)
    # In the middle of the pane, not at an edge.
    middle = widget.mapTo(view.viewport(), widget.rect().center()).y()
    assert abs(middle - view.viewport().height() // 2) < view.viewport().height() // 4
    # Both matches of the word are marked, the first as the current one.
    assert marks.marked_text(widget) == [("zebra", True), ("zebra", False)]
    area = marks.match_rect(widget, 0)
    assert area is not None and _in_view(view, widget, area)
    # The other branch's messages are not on screen; the head change is in the file.
    assert view.message_widget("m150") is None
    app.conversations.wait_for_writes()
    path = app.data_dir / "conversations" / f"{conversation_id}.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["head"] == "b129"


def test_open_at_a_message_on_screen_keeps_the_branch(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app, conversation_id = _start_branched(start_app, tmp_path)
    view = app.window.chat_view
    widget = _opened_at(app, qtbot, conversation_id, "m20", "北国")
    assert app.conversations.current.head == "m199"
    assert _in_view(view, widget)
    assert marks.marked_text(widget) == [("北国", True)]


def test_open_at_the_last_message_of_its_branch_offers_no_jump_to_latest(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    # The found message is the branch's end: the view stands at the bottom, and a "Jump to
    # latest" button there would only cover the message's buttons.
    app, conversation_id = _start_branched(start_app, tmp_path)
    view = app.window.chat_view
    widget = _opened_at(app, qtbot, conversation_id, "m199", "Message 199")
    bar = view.verticalScrollBar()
    assert _in_view(view, widget)
    assert bar.value() == bar.maximum()
    assert not view.jump_button.isVisible()


def test_find_in_conversation_steps_through_every_match_of_the_thread(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app, conversation_id = _start_branched(start_app, tmp_path)
    view = app.window.chat_view
    app.open(conversation_id)
    _settled(qtbot, view)
    assert view.message_widget("m20") is None  # far above what is built
    qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = app.window.find_bar
    qtbot.waitUntil(bar.isVisible)
    assert bar.field.hasFocus()
    qtbot.keyClicks(bar.field, "needle")
    # Counted in the whole thread: three messages with two, one with one.
    qtbot.waitUntil(lambda: bar.total == 7)
    # From the view (at the end) on: the only match below the top of the view is m190's.
    assert bar.count_label.text() == "7 of 7"
    current = view.message_widget("m190")
    assert marks.marked_text(current) == [("Needle", True)]
    assert _in_view(view, current, marks.match_rect(current, 0))

    qtbot.keyClick(bar.field, Qt.Key.Key_Return)  # next: round to the first, far up
    assert bar.count_label.text() == "1 of 7"
    first = view.message_widget("m20")
    assert first is not None
    _settled(qtbot, view)
    assert _in_view(view, first, marks.match_rect(first, 0))
    assert marks.marked_text(first) == [("Needle", True), ("needle", False)]
    # Only the messages around it are built, not the 170 between it and the end; "Jump to
    # latest" is there to go back.
    assert len(view.message_widgets()) <= AROUND_BEFORE + AROUND_AFTER + 1
    assert view.message_widget("m190") is None and view.hidden_later > 0
    assert view.jump_button.isVisible()

    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.count_label.text() == "2 of 7"
    assert marks.marked_text(first) == [("Needle", False), ("needle", True)]
    qtbot.keyClick(bar.field, Qt.Key.Key_F3)  # F3: next as well
    assert bar.count_label.text() == "3 of 7"
    second = view.message_widget("m120")
    _settled(qtbot, view)
    assert _in_view(view, second, marks.match_rect(second, 0))
    assert marks.marked_text(second)[0] == ("Needle", True)
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == "2 of 7"
    first = view.message_widget("m20")
    _settled(qtbot, view)
    assert _in_view(view, first, marks.match_rect(first, 1))
    assert marks.marked_text(first) == [("Needle", False), ("needle", True)]
    qtbot.keyClick(bar.field, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == "1 of 7"

    # Chinese, and nothing found.
    bar.field.setText("针")  # one character: found once the next key has not come
    qtbot.waitUntil(lambda: bar.total == 3)
    assert ("针", True) in marks.marked_text(view.message_widget("m20"))
    bar.field.setText("no such thing")
    qtbot.waitUntil(lambda: bar.count_label.text() == "No matches")
    assert marks.marked_text(view.message_widget("m20")) == []

    # Escape closes the bar and takes the marks away.
    bar.field.setText("needle")
    qtbot.waitUntil(lambda: any(marks.marked_text(w) for w in view.message_widgets()))
    shown = view.message_widgets()
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert not any(marks.marked_text(widget) for widget in shown)
    assert app.window.composer.edit.hasFocus()


def test_jump_to_latest_after_going_far_up_builds_the_end_again(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    app, conversation_id = _start_branched(start_app, tmp_path)
    view = app.window.chat_view
    _opened_at(app, qtbot, conversation_id, "m20", "needle")
    assert view.hidden_later > 0
    # Scrolled to the bottom of what is built, the next newer batch comes.
    before = len(view.message_widgets())
    bar = view.verticalScrollBar()
    bar.triggerAction(bar.SliderAction.SliderToMaximum)
    qtbot.waitUntil(lambda: len(view.message_widgets()) > before)
    assert view.message_widget("m20") is not None
    qtbot.mouseClick(view.jump_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.message_widget("m199") is not None)
    assert view.hidden_later == 0 and view.following


def test_sending_from_a_stretch_far_up_goes_back_to_the_end(
    start_app: Callable[..., Any],
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    app, conversation_id = _start_branched(start_app, tmp_path, server_provider)
    view = app.window.chat_view
    _opened_at(app, qtbot, conversation_id, "m20", "needle")
    assert view.hidden_later > 0
    app.type_and_send("a new question")
    app.wait_idle()
    bubbles = app.bubbles()
    # The end of the thread is built again, the question and its reply below m199.
    assert view.hidden_later == 0
    assert bubbles[-2] == ("user", "a new question")
    assert bubbles[-1][0] == "assistant" and bubbles[-1][1]
    assert bubbles[-3][1].startswith("Message 199:")


def test_find_counts_what_the_markdown_shows_and_the_highlights_agree(
    start_app: Callable[..., Any], qtbot: Any, tmp_path: Path
) -> None:
    from tests.core.test_versions_trash import conversation_data, write

    data = conversation_data("md", title="Markdown")
    data["head"] = "m3"
    data["messages"] = [
        {"id": "m1", "parent": None, "role": "user", "created_at": "2026-11-24T09:00:00Z",
         "content": "Which python? I typed **bold** as is."},
        {"id": "m2", "parent": "m1", "role": "assistant", "created_at": "2026-11-24T09:00:01Z",
         "content": "```python\nprint('python')\n```\n\nSee [the docs](https://docs.python.org)"
                    ", in **bold**."},
        {"id": "m3", "parent": "m2", "role": "user", "created_at": "2026-11-24T09:00:02Z",
         "content": "Thanks."},
    ]  # fmt: skip
    write(tmp_path / "data" / "conversations", "md.json", data)
    write_settings(
        tmp_path / "data", [{"id": "local", "name": "Local", "base_url": "http://127.0.0.1:9/v1"}]
    )
    app = start_app(tmp_path / "data")
    app.window.resize(1000, 700)
    view = app.window.chat_view
    app.open("md")
    _settled(qtbot, view)
    qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = app.window.find_bar
    qtbot.waitUntil(bar.isVisible)

    def highlighted() -> dict[str, int]:
        return {m: len(marks.marked_text(view.message_widget(m))) for m in ("m1", "m2", "m3")}

    # The reply's "python" is also in its code block's language and its link's target, which
    # are not shown: counted as the highlights are, once in each message.
    bar.field.setText("python")
    qtbot.waitUntil(lambda: bar.total == 2)
    assert highlighted() == {"m1": 1, "m2": 1, "m3": 0}
    assert bar.count_label.text() in ("1 of 2", "2 of 2")

    # "**bold**" is shown as typed in the question and as bold (no stars) in the reply: the
    # reply, once drawn, counts none, and the count is the one highlight.
    bar.field.setText("**bold**")
    qtbot.waitUntil(lambda: bar.count_label.text() == "1 of 1")
    assert highlighted() == {"m1": 1, "m2": 0, "m3": 0}
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)  # round to the same one, not a hidden one
    assert bar.count_label.text() == "1 of 1"
    assert marks.marked_text(view.message_widget("m1")) == [("**bold**", True)]
    bar.field.setText("bold")
    qtbot.waitUntil(lambda: bar.total == 2)
    assert highlighted() == {"m1": 1, "m2": 1, "m3": 0}
