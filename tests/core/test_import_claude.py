"""Claude's export read into Confab trees: the blocks (text, thinking, tool use and result),
attachments, the tree from parent_message_uuid or the list order, the zip."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.core.importers import CLAUDE, Item, Problem, Source, detect, read
from desktop.core.importers.claude import read_conversation
from desktop.core.importers.ids import conversation_id, message_id
from tests.support.exports import (
    claude_conversation,
    claude_message,
    showcase_claude,
    write_claude_zip,
    write_json,
)

CONV = "55555555-5555-4555-8555-555555555555"
Q1 = "11111111-1111-4111-8111-111111111111"
A1 = "22222222-2222-4222-8222-222222222222"
Q1B = "33333333-3333-4333-8333-333333333333"
A1B = "44444444-4444-4444-8444-444444444444"


def _id(key: str) -> str:
    return message_id(CLAUDE, CONV, key)


def test_the_tree_from_parent_links_with_both_branches() -> None:
    item = read_conversation(showcase_claude())
    conversation = item.conversation
    assert conversation.id == conversation_id(CLAUDE, CONV)
    assert conversation.title == "Notes"
    parents = {m.id: m.parent for m in conversation.messages}
    # The edited question is a second root (its parent, Claude's root id, is no message).
    assert parents[_id(Q1)] is None and parents[_id(Q1B)] is None
    assert parents[_id(A1B)] == _id(Q1B)
    # The newest leaf is on screen: the French branch.
    assert conversation.head == _id(A1B)
    assert [m.content for m in conversation.thread()] == [
        "Summarise them in French.",
        "Une réunion à dix heures.",
    ]


def test_a_reply_that_used_a_tool_is_call_result_then_text() -> None:
    conversation = read_conversation(showcase_claude()).conversation
    reply = conversation.message(_id(A1))
    result = conversation.message(reply.parent or "")
    call = conversation.message(result.parent or "")
    assert call.parent == _id(Q1)
    assert call.role == "assistant" and call.reasoning == "The notes are short."
    (tool_call,) = call.tool_calls
    assert (tool_call.id, tool_call.name) == ("toolu_01", "web_search")
    assert json.loads(tool_call.arguments) == {"query": "tea etiquette"}
    assert result.role == "tool"
    assert (result.tool_call_id, result.tool_name, result.content) == (
        "toolu_01",
        "web_search",
        "Tea is served at 10.",
    )
    assert reply.role == "assistant" and reply.content == "A meeting at ten, with tea."
    # Read twice: the same ids for the parts too.
    again = read_conversation(showcase_claude()).conversation
    assert [m.id for m in again.messages] == [m.id for m in conversation.messages]


def test_attachments_keep_their_extracted_text_and_files_their_names() -> None:
    conversation = read_conversation(showcase_claude()).conversation
    question = conversation.message(_id(Q1))
    assert question.content.startswith("Summarise the attached notes.\n\n[File: notes.txt]")
    assert "Meeting at 10. Bring tea." in question.content
    assert "[Image: diagram.png]" in question.content
    assert [(f.name, f.kind) for f in question.imported_files] == [
        ("notes.txt", "file"),
        ("diagram.png", "image"),
    ]


def test_without_parent_links_the_list_order_is_the_thread() -> None:
    messages = [
        claude_message("human", "One", at="2026-03-01T10:00:00Z"),
        claude_message("assistant", "Two", at="2026-03-01T10:00:01Z"),
        claude_message("human", "Three", at="2026-03-01T10:00:02Z"),
    ]
    for message in messages:
        message.pop("parent_message_uuid", None)
    conversation = read_conversation(claude_conversation("Linear", messages)).conversation
    assert [m.content for m in conversation.thread()] == ["One", "Two", "Three"]
    assert [m.role for m in conversation.messages] == ["user", "assistant", "user"]


def test_text_is_used_when_there_are_no_blocks_and_broken_messages_are_skipped() -> None:
    plain = claude_message("human", "Plain text", content=[])
    conversation_data = claude_conversation("Mixed", [plain, "garbage", {"sender": 5}])  # type: ignore[list-item]
    item = read_conversation(conversation_data)
    assert [m.content for m in item.conversation.messages] == ["Plain text"]
    skipped = [(key, str(why)) for key, why in item.skipped_messages]
    assert ("#1", "its message is str, not an object") in skipped


def test_the_zip_and_the_bare_file_are_detected_and_read(tmp_path: Path) -> None:
    for path in (
        write_claude_zip(tmp_path / "claude.zip", [showcase_claude()]),
        write_json(tmp_path / "conversations.json", [showcase_claude()]),
    ):
        source = detect(path)
        assert source == Source(path, CLAUDE)
        events = list(read(source))
        assert not [e for e in events if isinstance(e, Problem)]
        (item,) = [e for e in events if isinstance(e, Item)]
        assert item.conversation.title == "Notes"


def test_replies_carry_the_conversations_model_when_the_export_names_it() -> None:
    data = showcase_claude()
    data["model"] = "claude-sonnet-4-5"
    conversation = read_conversation(data).conversation
    assert conversation.model is None
    replies = [m for m in conversation.messages if m.role == "assistant"]
    assert replies and {m.model for m in replies} == {"claude-sonnet-4-5"}


def test_the_current_leaf_when_the_export_names_it() -> None:
    data = showcase_claude()
    data["current_leaf_message_uuid"] = A1
    conversation = read_conversation(data).conversation
    assert conversation.head == _id(A1)
    assert conversation.thread()[0].content.startswith("Summarise the attached notes.")


def test_a_reply_that_ends_with_a_tool_result_is_that_result() -> None:
    question = claude_message("human", "Search it", uuid_="q")
    reply = claude_message(
        "assistant",
        "",
        uuid_="r",
        parent="q",
        content=[
            {"type": "tool_use", "name": "search", "input": {"q": "x"}},
            {"type": "tool_result", "content": "found x", "is_error": True},
        ],
    )
    after = claude_message("human", "Thanks", uuid_="t", parent="r")
    data = claude_conversation("Ends with a result", [question, reply, after], uuid_="c")
    conversation = read_conversation(data).conversation
    result = conversation.message(message_id(CLAUDE, "c", "r"))
    assert (result.role, result.content) == ("tool", "(error) found x")
    call = conversation.message(result.parent or "")
    assert call.tool_calls[0].id == result.tool_call_id
    assert conversation.message(message_id(CLAUDE, "c", "t")).parent == result.id
