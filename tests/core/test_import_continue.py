"""An imported conversation with tool use can be continued: what is sent for it is a request
OpenAI accepts (tool calls and their results are shown, not sent; desktop/core/context.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from desktop.core.client import ChatRequest
from desktop.core.context import plan_context
from desktop.core.importers.chatgpt import read_conversation as read_chatgpt
from desktop.core.importers.claude import read_conversation as read_claude
from desktop.core.models import Conversation, Message, new_id
from tests.support.exports import ChatGPTConversation, showcase_chatgpt, showcase_claude
from tests.support.openai_server import invalid_messages

T = datetime(2026, 12, 1, tzinfo=UTC)


def _continued(conversation: Conversation) -> list[dict[str, object]]:
    conversation.append(Message(new_id(), conversation.head, "user", "And then?", T))
    plan = plan_context(conversation)
    body = ChatRequest("gpt-4o", plan.messages).body()
    messages: list[dict[str, object]] = body["messages"]
    assert invalid_messages(messages) is None
    return messages


def test_a_chatgpt_thread_with_code_and_output_continues_without_them() -> None:
    c = ChatGPTConversation("Tools")
    q = c.user("What is 2**100?")
    code = c.code("print(2**100)", q)
    out = c.output("1267650600228229401496703205376", code)
    c.assistant("It is 1267650600228229401496703205376.", out)
    messages = _continued(read_chatgpt(c.to_dict()).conversation)
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "What is 2**100?"),
        ("assistant", "It is 1267650600228229401496703205376."),
        ("user", "And then?"),
    ]


def test_the_showcases_continue_with_valid_requests() -> None:
    chatgpt, _ = showcase_chatgpt()
    for conversation in (
        read_chatgpt(chatgpt.to_dict()).conversation,
        read_claude(showcase_claude()).conversation,
    ):
        messages = _continued(conversation)
        assert all(m["role"] in ("user", "assistant", "system") for m in messages)
        assert not any("tool_calls" in m for m in messages)


def test_a_claude_reply_that_used_a_tool_sends_only_its_text() -> None:
    conversation = read_claude(showcase_claude()).conversation
    conversation.switch_to(next(m.id for m in conversation.messages if m.tool_calls))
    texts = [m["content"] for m in _continued(conversation)]
    assert texts[-2] == "A meeting at ten, with tea."
    assert "Tea is served at 10." not in texts  # the tool's result
