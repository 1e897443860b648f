"""Imported tool use on screen: a reply's calls below its text, a card each, a call's output
in its card; an output no call asked for with its own look and the tool's name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from desktop.core.importers.chatgpt import read_conversation
from desktop.core.models import Message, ToolCall
from desktop.ui.chat_view import ChatView
from desktop.ui.message_view import CodeBlockWidget, MessageWidget
from tests.support.exports import showcase_chatgpt, showcase_claude

T = datetime(2026, 12, 1, tzinfo=UTC)


def _widget(qtbot: Any, message: Message) -> MessageWidget:
    widget = MessageWidget(message, "gpt-4o")
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    return widget


def _view(qtbot: Any, conversation: Any, provider: str) -> ChatView:
    """The thread of ``conversation`` shown, built to its end."""
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(800, 900)
    view.show()
    view.show_conversation(conversation, provider)
    qtbot.waitUntil(lambda: not view.building)
    return view


def test_a_reply_shows_each_tool_call_as_a_card_with_its_arguments(qtbot: Any) -> None:
    message = Message("a", None, "assistant", "Let me check.", T)
    message.tool_calls = (
        ToolCall("c1", "python", "print(2**100)"),
        ToolCall("c2", "web_search", '{"query": "tea"}'),
    )
    widget = _widget(qtbot, message)
    assert widget.tool_calls is not None and widget.tool_calls.isVisible()
    cards = list(widget.tool_calls.cards.values())
    assert [card.toggle.text() for card in cards] == ["python", "web_search"]
    assert cards[0].arguments.full_text == "print(2**100)"  # code as written
    assert cards[1].arguments.full_text == '{\n  "query": "tea"\n}'  # JSON pretty-printed
    # Saved without a result (an import that had none): collapsed, and says so.
    assert [card.status.text() for card in cards] == ["No result", "No result"]
    assert not any(card.expanded for card in cards)


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


def test_an_imported_thread_shows_a_call_with_its_output_in_one_card(qtbot: Any) -> None:
    source, _ = showcase_chatgpt()
    conversation = read_conversation(source.to_dict()).conversation
    view = _view(qtbot, conversation, "ChatGPT")
    widgets = view.message_widgets()
    # The python tool's output is in the card of the call that ran it; the quote and the
    # browsing (no call above them) stay messages of their own.
    assert [w.objectName() for w in widgets].count("toolMessage") == 2
    (card,) = [c for w in widgets if w.tool_calls for c in w.tool_calls.cards.values()]
    assert card.toggle.text() == "python"
    assert card.arguments.full_text == "print(2**100)"
    assert card.result_box.full_text == "1267650600228229401496703205376\n"
    assert card.state == "done" and card.status.text() == "Done"
    assert len(widgets) == len(conversation.thread()) - 1


def test_an_imported_claude_tool_use_is_one_card_with_its_result(qtbot: Any) -> None:
    from desktop.core.importers.claude import read_conversation as read_claude

    conversation = read_claude(showcase_claude()).conversation
    assert conversation is not None
    first = next(m for m in conversation.messages if m.role == "assistant" and m.tool_calls)
    conversation.switch_to(first.id)
    view = _view(qtbot, conversation, "Claude")
    card = view.card("toolu_01")
    assert card is not None and card.toggle.text() == "web_search"
    assert card.arguments.full_text == '{\n  "query": "tea etiquette"\n}'
    assert card.result_box.full_text == "Tea is served at 10."
    assert not [w for w in view.message_widgets() if w.role == "tool"]


def test_a_system_message_says_so(qtbot: Any) -> None:
    widget = _widget(qtbot, Message("s", None, "system", "You are terse.", T))
    assert widget.header.text() == "System"


def test_a_short_result_shows_whole_and_a_long_one_scrolls_in_a_bounded_box(
    qtbot: Any, apply_app_theme: Any
) -> None:
    from desktop.ui.tool_card import RESULT_LINES, ToolCallCard

    apply_app_theme(False)
    card = ToolCallCard(ToolCall("c1", "get_current_time", '{"timezone": "Asia/Tokyo"}'))
    qtbot.addWidget(card)
    result = Message("r", "a", "tool", '{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}', T)
    result.tool_call_id, result.tool_server, result.duration_ms = "c1", "clock", 412
    card.show_state(result, None, "Clock")
    card.resize(700, 400)
    card.show()
    card.set_expanded(True)
    qtbot.waitUntil(lambda: card.result_box.isVisible())
    box = card.result_box
    assert box.verticalScrollBar().maximum() == 0  # five lines: all in sight
    assert card.arguments.verticalScrollBar().maximum() == 0
    short = box.height()

    result.content = "\n".join(f"line {n}" for n in range(500))
    card.show_state(result, None, "Clock")
    qtbot.waitUntil(lambda: box.verticalScrollBar().maximum() > 0)
    assert box.height() <= short * RESULT_LINES / 5 + 10  # bounded, it scrolls
    assert box.full_text.endswith("line 499")


def _run(call_id: str, error: str, failure: str | None, duration_ms: int | None) -> Message:
    """A failed run of Confab's own as a file has it (read back through the format)."""
    data = Message("r" + call_id, "a", "tool", "Error: " + error, T).to_dict()
    data.update(tool_call_id=call_id, tool_name="get_time", tool_server="time")
    data["tool_error"] = error
    if failure is not None:
        data["tool_failure"] = failure
    if duration_ms is not None:
        data["duration_ms"] = duration_ms
    return Message.from_dict(data)


def test_each_kind_of_failed_call_says_what_happened_in_words(qtbot: Any) -> None:
    from desktop.core.models import Conversation

    runs = {
        "c1": (
            _run("c1", "no result after 60 s; the call was cancelled", "timeout", 60_004),
            "The tool gave no result within 60 s and was cancelled.",
        ),
        # Written before the kind was saved: the words still tell a timeout.
        "c2": (
            _run("c2", "no result after 30 s; the call was cancelled", None, 30_010),
            "The tool gave no result within 30 s and was cancelled.",
        ),
        "c3": (
            _run("c3", "uvx: command not found", "server", 12),
            "The tool's server could not run it: uvx: command not found",
        ),
        "c4": (
            _run("c4", "Expecting value: line 1", "arguments", None),
            "The model's arguments could not be read: Expecting value: line 1",
        ),
        "c5": (_run("c5", "zone unknown", "tool", 40), "The tool reported an error: zone unknown"),
    }
    ask = Message("a", "q", "assistant", "", T)
    ask.tool_calls = tuple(ToolCall(i, "time__get_time", "{}") for i in runs)
    question = Message("q", None, "user", "What time is it?", T)
    messages = [question, ask]
    for run, _ in runs.values():
        run.parent = messages[-1].id
        messages.append(run)
    conversation = Conversation("x", "t", T, T, messages=messages, head=messages[-1].id)
    view = _view(qtbot, conversation, "Local")
    (widget,) = [w for w in view.message_widgets() if w.tool_calls]
    assert widget.tool_calls is not None
    cards = widget.tool_calls.cards
    for call_id, (_, sentence) in runs.items():
        card = cards[call_id]
        assert card.state == "failed", call_id
        assert card.problem.text() == sentence
