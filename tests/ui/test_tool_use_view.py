"""Imported tool use on screen: a reply's calls below its text, a tool's output with its own
look and the tool's name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from desktop.core.importers.chatgpt import read_conversation
from desktop.core.models import Message, ToolCall
from desktop.ui.message_view import CodeBlockWidget, MessageWidget
from tests.support.exports import showcase_chatgpt

T = datetime(2026, 12, 1, tzinfo=UTC)


def _widget(qtbot: Any, message: Message) -> MessageWidget:
    widget = MessageWidget(message, "gpt-4o")
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    return widget


def test_a_reply_shows_its_tool_calls_with_their_arguments(qtbot: Any) -> None:
    message = Message("a", None, "assistant", "Let me check.", T)
    message.tool_calls = (
        ToolCall("c1", "python", "print(2**100)"),
        ToolCall("c2", "web_search", '{"query": "tea"}'),
    )
    widget = _widget(qtbot, message)
    assert widget.tool_calls is not None and widget.tool_calls.isVisible()
    shown = " ".join(label.text() for label in widget.tool_calls.findChildren(type(widget.header)))
    assert "Tool call: python" in shown and "Tool call: web_search" in shown
    codes = [block.source for block in widget.tool_calls.findChildren(CodeBlockWidget)]
    assert codes[0].strip() == "print(2**100)"
    assert '"query": "tea"' in codes[1]


def test_a_tool_output_has_its_own_look_and_names_the_tool(qtbot: Any) -> None:
    message = Message("t", "a", "tool", "line 1\nline 2\n", T)
    message.tool_name = "python"
    message.tool_call_id = "c1"
    widget = _widget(qtbot, message)
    assert widget.objectName() == "toolMessage"
    assert widget.header.text() == "Tool output: python"
    (block,) = widget.findChildren(CodeBlockWidget)
    assert block.source.strip() == "line 1\nline 2"
    assert "regenerate" not in widget.action_buttons


def test_an_imported_thread_with_tools_renders(qtbot: Any) -> None:
    source, _ = showcase_chatgpt()
    conversation = read_conversation(source.to_dict()).conversation
    widgets = [_widget(qtbot, message) for message in conversation.thread()]
    names = [w.objectName() for w in widgets]
    assert names.count("toolMessage") == 3  # the python output, the quote, the browsing
    assert any(w.tool_calls is not None for w in widgets)


def test_a_system_message_says_so(qtbot: Any) -> None:
    widget = _widget(qtbot, Message("s", None, "system", "You are terse.", T))
    assert widget.header.text() == "System"
