"""The chat pane as a reader uses it: Markdown, code blocks, hostile output, branches,
Continue, following a stream, long threads built lazily."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox

from desktop.core.models import Conversation, Message
from desktop.core.storage import ConversationStore
from desktop.ui import message_view
from desktop.ui.message_view import CodeBlockWidget
from tests.conftest import write_settings
from tests.support.openai_server import Reply

CODE_REPLY = """Here is a function:

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```

Call it with `greet("Ada")`.
"""


@pytest.fixture
def app(start_chat_app: Any) -> Any:
    return start_chat_app()


def _last(app: Any) -> Any:
    return app.window.chat_view.message_widgets()[-1]


def test_a_reply_renders_markdown_with_a_labelled_code_block_and_copy(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    openai_server.enqueue(Reply(text=CODE_REPLY, chunk_size=7))
    app.type_and_send("show me code")
    app.wait_idle()
    widget = _last(app)
    codes = widget.findChildren(CodeBlockWidget)
    assert len(codes) == 1
    code = codes[0]
    assert code.language_label.text() == "python"
    assert code.source == 'def greet(name: str) -> str:\n    return f"Hello, {name}!"'
    qtbot.mouseClick(code.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == code.source
    assert code.copy_button.text() == "Copied"
    html = "".join(
        label.text()
        for label in widget.markdown.findChildren(QLabel)
        if label.objectName() == "markdownBlock"
    )
    # Inline code is styled as code, its quotes escaped (shown, not interpreted).
    assert re.search(r"<code[^>]*>greet\(&quot;Ada&quot;\)</code>", html)
    # Copy the whole message as Markdown.
    qtbot.mouseClick(widget.action_buttons["copy"], Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == CODE_REPLY


def test_html_and_script_in_a_reply_are_shown_as_text_and_links_are_filtered(
    app: Any, openai_server: Any, qtbot: Any, monkeypatch: Any
) -> None:
    hostile = (
        '<script>alert("x")</script> <img src=x onerror=alert(1)> '
        "[click](javascript:alert(1)) [file](file:///etc/passwd) "
        "[site](https://example.com/docs)"
    )
    openai_server.enqueue(Reply(text=hostile))
    app.type_and_send("be evil")
    app.wait_idle()
    labels = [
        lab
        for lab in _last(app).markdown.findChildren(QLabel)
        if lab.objectName() == "markdownBlock"
    ]
    html = "".join(label.text() for label in labels)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://example.com/docs"' in html
    assert 'href="javascript' not in html and 'href="file' not in html
    opened: list[str] = []
    monkeypatch.setattr(
        message_view.QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True
    )
    for label in labels:
        label.linkActivated.emit("javascript:alert(1)")
        label.linkActivated.emit("file:///etc/passwd")
    assert opened == []
    labels[0].linkActivated.emit("https://example.com/docs")
    assert opened == ["https://example.com/docs"]


def test_regenerate_and_the_switcher_move_between_replies(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    openai_server.enqueue(Reply(text="first answer"), Reply(text="second answer"))
    app.type_and_send("question")
    app.wait_idle()
    qtbot.mouseClick(_last(app).action_buttons["regenerate"], Qt.MouseButton.LeftButton)
    app.wait_idle()
    assert app.bubbles() == [("user", "question"), ("assistant", "second answer")]
    switcher = _last(app).switcher
    assert switcher.isVisible() and switcher.label.text() == "2 / 2"
    qtbot.mouseClick(switcher.previous_button, Qt.MouseButton.LeftButton)
    assert app.bubbles() == [("user", "question"), ("assistant", "first answer")]
    assert _last(app).switcher.label.text() == "1 / 2"
    saved = app.conversation_files()[0]
    assert len(saved["messages"]) == 3
    assert saved["head"] == next(
        m["id"] for m in saved["messages"] if m["content"] == "first answer"
    )


def test_editing_a_question_branches_and_the_thread_below_follows(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    app.type_and_send("one")
    app.wait_idle()
    app.type_and_send("two")
    app.wait_idle()
    first_question = app.window.chat_view.message_widgets()[0]
    qtbot.mouseClick(first_question.action_buttons["edit"], Qt.MouseButton.LeftButton)
    editor = first_question.editor
    assert editor is not None and editor.toPlainText() == "one"
    editor.setPlainText("uno")
    send = next(
        b
        for b in first_question.edit_row.findChildren(message_view.QPushButton)
        if b.text() == "Send"
    )
    qtbot.mouseClick(send, Qt.MouseButton.LeftButton)
    app.wait_idle()
    assert app.bubbles() == [("user", "uno"), ("assistant", "echo[1]: uno")]
    switcher = app.window.chat_view.message_widgets()[0].switcher
    assert switcher.label.text() == "2 / 2"
    qtbot.mouseClick(switcher.previous_button, Qt.MouseButton.LeftButton)
    assert [text for _, text in app.bubbles()] == ["one", "echo[1]: one", "two", "echo[3]: two"]
    assert len(app.conversation_files()[0]["messages"]) == 6


def test_continue_appears_for_a_reply_cut_at_its_length_limit(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    openai_server.enqueue(
        Reply(text="It was the best of times,", finish_reason="length"),
        Reply(text=" it was the worst of times."),
    )
    app.type_and_send("start a novel")
    app.wait_idle()
    button = _last(app).action_buttons["continue"]
    assert button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    app.wait_idle()
    assert app.bubbles()[-1] == (
        "assistant",
        "It was the best of times, it was the worst of times.",
    )
    assert not _last(app).action_buttons["continue"].isVisible()


def test_deleting_a_message_asks_and_removes_its_branch(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    app.type_and_send("keep")
    app.wait_idle()
    app.type_and_send("drop")
    app.wait_idle()
    third = app.window.chat_view.message_widgets()[2]
    qtbot.mouseClick(third.action_buttons["delete"], Qt.MouseButton.LeftButton)
    box = app.window.delete_message_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    next(b for b in box.buttons() if b.text() == "Delete").click()
    qtbot.waitUntil(lambda: len(app.bubbles()) == 2)
    assert app.bubbles() == [("user", "keep"), ("assistant", "echo[1]: keep")]
    assert len(app.conversation_files()[0]["messages"]) == 2


def test_thinking_is_shown_collapsed_above_the_answer_and_saved(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    openai_server.enqueue(Reply(text="42.", reasoning="Let me count the towels first."))
    app.type_and_send("meaning of life?")
    app.wait_idle()
    widget = _last(app)
    assert widget.thinking_toggle.isVisible() and not widget.thinking.isVisible()
    qtbot.mouseClick(widget.thinking_toggle, Qt.MouseButton.LeftButton)
    assert widget.thinking.isVisible()
    assert widget.thinking.text() == "Let me count the towels first."
    assert app.conversation_files()[0]["messages"][1]["reasoning"] == (
        "Let me count the towels first."
    )


def test_the_view_follows_a_stream_until_the_user_scrolls_up(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    app.window.resize(700, 420)
    long_text = "\n\n".join(f"Paragraph {i}: " + "words " * 30 for i in range(60))
    openai_server.enqueue(Reply(text=long_text, chunk_size=40, delay=0.01))
    app.type_and_send("write a lot")
    view = app.window.chat_view
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 400, timeout=10000)
    qtbot.wait(100)
    assert view.following and bar.value() >= bar.maximum() - 30
    assert not view.jump_button.isVisible()
    # The user scrolls up with the wheel: the view stops following and offers a way back.
    bar.setValue(bar.maximum() // 3)
    bar.triggerAction(bar.SliderAction.SliderSingleStepSub)
    qtbot.wait(50)
    assert not view.following
    assert view.jump_button.isVisible()
    held = bar.value()
    qtbot.waitUntil(lambda: bar.maximum() > held + 600, timeout=10000)
    assert abs(bar.value() - held) <= 2  # not dragged down by the stream
    qtbot.mouseClick(view.jump_button, Qt.MouseButton.LeftButton)
    assert view.following and not view.jump_button.isVisible()
    app.wait_idle()
    qtbot.wait(100)
    assert bar.value() >= bar.maximum() - 30


def test_a_long_conversation_opens_with_few_widgets_and_loads_more_on_scroll(
    start_app: Any, server_provider: dict[str, Any], tmp_path: Path, qtbot: Any
) -> None:
    data = tmp_path / "data"
    write_settings(data, [server_provider])
    conversation = Conversation.new(provider="local", model="test-model")
    conversation.title = "Long"
    start = datetime(2026, 1, 1, tzinfo=UTC)
    parent = None
    for i in range(1000):
        role = "user" if i % 2 == 0 else "assistant"
        message = Message(
            id=f"m{i:04d}",
            parent=parent,
            role=role,
            content=f"**msg {i}**",
            created_at=start + timedelta(seconds=i),
        )
        conversation.append(message)
        parent = message.id
    ConversationStore(data).save(conversation)
    app = start_app(data)
    app.open(conversation.id)
    view = app.window.chat_view
    widgets = view.message_widgets()
    assert 0 < len(widgets) <= 40
    assert widgets[-1].content == "**msg 999**"
    assert view.hidden_earlier == 1000 - len(widgets)
    before = len(widgets)
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > 0)
    view.scroll_to_bottom()
    bar = view.verticalScrollBar()
    bar.triggerAction(bar.SliderAction.SliderToMinimum)
    qtbot.waitUntil(lambda: len(view.message_widgets()) > before)
    assert view.message_widgets()[0].content == f"**msg {view.hidden_earlier}**"


def test_dark_theme_renders_replies_in_dark_colours(qtbot: Any) -> None:
    from desktop.ui.message_view import MessageWidget

    message = Message(
        id="m",
        parent=None,
        role="assistant",
        content=CODE_REPLY,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    light = MessageWidget(message, "model", dark=False)
    dark = MessageWidget(message, "model", dark=True)
    qtbot.addWidget(light)
    qtbot.addWidget(dark)
    light_code = light.findChildren(CodeBlockWidget)[0].code.text()
    dark_code = dark.findChildren(CodeBlockWidget)[0].code.text()
    assert light_code != dark_code
    assert "#161b22" in dark_code and "#161b22" not in light_code


def test_code_blocks_are_sized_like_qt_lays_them_out(qtbot: Any) -> None:
    """The computed size of a code block (no layout pass while streaming) matches Qt's own
    measurement closely enough that nothing is clipped."""
    from desktop.core.markdown import render_markdown
    from desktop.ui.message_view import BlockLabel, CodeLabel

    text = "\n\n".join(
        "```python\n"
        + "\n".join(
            f"value_{i}_{j} = compute({j}) * {i}  # note" * (1 + j % 2) for j in range(i + 1)
        )
        + "\n```"
        for i in range(1, 12)
    )
    for block in (b for b in render_markdown(text) if b.kind == "code"):
        label = CodeLabel()
        label.setObjectName("codeText")
        qtbot.addWidget(label)
        label.set_code(block.html, block.source)
        computed, measured = label.sizeHint(), BlockLabel.sizeHint(label)
        assert 0 <= computed.width() - measured.width() <= 8
        assert 0 <= computed.height() - measured.height() <= 3


def test_a_finished_reply_has_its_last_code_block_highlighted(
    app: Any, openai_server: Any, qtbot: Any
) -> None:
    # The model stops without closing the fence: while streaming that block is plain, once the
    # reply is over it is highlighted like any other.
    openai_server.enqueue(Reply(text="```python\ndef f():\n    return 1\n", chunk_size=5))
    app.type_and_send("code only")
    app.wait_idle()
    code = _last(app).findChildren(CodeBlockWidget)[0]
    assert "<span" in code.code.text()


def test_a_reply_that_is_still_coming_offers_no_actions_and_says_it_is_thinking(
    start_chat_app: Any, openai_server: Any, qtbot: Any
) -> None:
    import threading

    from tests.support.openai_server import Reply

    gate = threading.Event()
    openai_server.enqueue(
        Reply(text="The answer.", reasoning="Let me think.", stall_after=0, gate=gate)
    )
    app = start_chat_app()
    app.type_and_send("Why?")
    view = app.window.chat_view
    qtbot.waitUntil(lambda: len(view.message_widgets()) == 2)
    question, reply = view.message_widgets()
    qtbot.waitUntil(lambda: reply.status.text() == "Thinking…")
    assert not reply.actions_row.isVisible()  # nothing to copy or regenerate yet
    assert reply.thinking_toggle.isVisible()
    gate.set()
    app.wait_idle()
    view.flush()
    assert reply.actions_row.isVisible() and not reply.status.isVisible()
    assert reply.content == "The answer."
    assert question.actions_row.isVisible()


def test_a_link_whose_text_is_another_address_says_where_it_goes_and_asks(
    app: Any, openai_server: Any, qtbot: Any, monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QMessageBox, QToolTip

    openai_server.enqueue(
        Reply(
            text="Log in at [https://paypal.com](https://evil.example/login) or [docs](https://docs.example.org)."
        )
    )
    app.type_and_send("where do I log in?")
    app.wait_idle()
    (label,) = [
        lab
        for lab in _last(app).markdown.findChildren(QLabel)
        if lab.objectName() == "markdownBlock"
    ]
    html = label.text()
    assert 'href="confab-check:https://evil.example/login"' in html
    assert 'href="https://docs.example.org"' in html
    opened: list[str] = []
    monkeypatch.setattr(
        message_view.QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True
    )
    # Hovering shows the real address.
    label.linkHovered.emit("confab-check:https://evil.example/login")
    assert "https://evil.example/login" in QToolTip.text()
    # Clicking asks first, showing it; Cancel opens nothing.
    label.linkActivated.emit("confab-check:https://evil.example/login")
    box = message_view.link_question
    assert box is not None and box.isVisible()
    assert "https://evil.example/login" in box.text()
    assert box.defaultButton().text() == "Cancel"
    box.reject()
    assert opened == []
    label.linkActivated.emit("confab-check:https://evil.example/login")
    box = message_view.link_question
    assert box is not None
    (open_button,) = [
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    ]
    open_button.click()
    assert opened == ["https://evil.example/login"]
    # An honest link opens at once; a marked one of another scheme never.
    label.linkActivated.emit("https://docs.example.org")
    label.linkActivated.emit("confab-check:file:///etc/passwd")
    assert opened == ["https://evil.example/login", "https://docs.example.org"]


def test_a_reply_that_ended_far_behind_catches_up_in_a_couple_of_seconds(qtbot: Any) -> None:
    """A server flooding megabytes: the view shows the reply a little behind while it streams;
    once it has ended it catches up in about CATCH_UP_TICKS ticks, not at FLUSH_CHARS a tick
    (half an hour for 50 MB), and a backlog past CATCH_UP_AT_ONCE is shown whole at once."""
    from datetime import UTC, datetime

    from desktop.core.models import Conversation, Message
    from desktop.ui import chat_view
    from desktop.ui.chat_view import ChatView

    view = ChatView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    conversation = Conversation.new()
    question = conversation.append(Message("q", None, "user", "flood", datetime.now(UTC)))
    reply = conversation.append(Message("a", question.id, "assistant", "", datetime.now(UTC)))
    view.show_conversation(conversation)

    def ticks_to_catch_up(backlog: int) -> int:
        view.set_streaming(True)
        reply.content += "word " * (backlog // 5)
        view.queue_delta(reply)
        view.flush()
        widget = view.message_widget("a")
        assert widget is not None and widget.content != reply.content
        view.set_streaming(False)
        reply.content += " the end"
        view.refresh_message(reply)  # ended behind
        ticks = 0
        while widget.content != reply.content:  # the ticks, driven by hand: no clock
            view._on_catch_up_timer_timeout()
            ticks += 1
            assert ticks < 1000
        return ticks

    # 250 ticks at FLUSH_CHARS a tick.
    assert ticks_to_catch_up(250 * chat_view.FLUSH_CHARS) <= chat_view.CATCH_UP_TICKS + 2
    assert ticks_to_catch_up(chat_view.CATCH_UP_AT_ONCE + 10_000) == 1
