"""ChatGPT's export read into Confab trees: every branch, the head where the user was, every
content type, ids stable across reads, the zip, the split files, a folder."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.core.importers import CHATGPT, Item, Problem, Progress, Source, detect, read, reasons
from desktop.core.importers.chatgpt import read_conversation
from desktop.core.importers.claude import read_conversation as read_claude
from desktop.core.importers.ids import conversation_id, message_id
from desktop.core.models import Conversation
from tests.support.exports import (
    ChatGPTConversation,
    generate_chatgpt,
    showcase_chatgpt,
    showcase_claude,
    write_chatgpt_zip,
    write_json,
)
from tests.support.written_files import validator

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _clock() -> datetime:
    return AT


def _items(source: Source) -> list[Item]:
    return [e for e in read(source, clock=_clock) if isinstance(e, Item)]


def _problems(source: Source) -> list[Problem]:
    return [e for e in read(source, clock=_clock) if isinstance(e, Problem)]


def _shown(node: dict[str, Any]) -> bool:
    """What the importer documents it keeps: not the root, hidden nodes, folded thoughts."""
    message = node["message"]
    if message is None or message["metadata"].get("is_visually_hidden_from_conversation"):
        return False
    return message["content"]["content_type"] not in ("thoughts", "reasoning_recap")


def _expected_tree(data: dict[str, Any]) -> dict[str, str | None]:
    """Confab id -> Confab parent id, worked out from the source by its own parent links."""
    mapping = data["mapping"]
    cid = data["conversation_id"]
    expected: dict[str, str | None] = {}
    for key, node in mapping.items():
        if not _shown(node):
            continue
        parent = node["parent"]
        while parent is not None and not _shown(mapping[parent]):
            parent = mapping[parent]["parent"]
        expected[message_id(CHATGPT, cid, key)] = (
            message_id(CHATGPT, cid, parent) if parent is not None else None
        )
    return expected


def _tree(conversation: Conversation) -> dict[str, str | None]:
    return {m.id: m.parent for m in conversation.messages}


def test_the_whole_tree_is_imported_with_the_same_nodes_and_parent_links() -> None:
    source, nodes = showcase_chatgpt()
    data = source.to_dict()
    item = read_conversation(data, clock=_clock)
    assert _tree(item.conversation) == _expected_tree(data)
    # Both versions of the first question and both of the regenerated reply are there.
    ids = {m.id for m in item.conversation.messages}
    cid = data["conversation_id"]
    for name in ("q1", "q1b", "a2", "a2b"):
        assert message_id(CHATGPT, cid, nodes[name]) in ids
    assert item.skipped_messages == []


def test_head_is_current_node_not_the_newest_message() -> None:
    source, nodes = showcase_chatgpt()
    data = source.to_dict()
    conversation = read_conversation(data, clock=_clock).conversation
    cid = data["conversation_id"]
    # The newest message is on the other branch (a1b); the user was on a3's.
    assert conversation.head == message_id(CHATGPT, cid, nodes["a3"])
    thread = [m.content for m in conversation.thread()]
    assert thread[0] == "What is 2**100?"
    assert "One transparent pixel." in thread and "A single pixel." not in thread


def test_without_current_node_the_head_is_the_newest_leaf() -> None:
    c = ChatGPTConversation("No current node")
    q = c.user("Hi")
    c.assistant("Old reply", q)
    newest = c.assistant("New reply", q)
    data = c.to_dict()
    data["current_node"] = None
    conversation = read_conversation(data).conversation
    assert conversation.head == message_id(CHATGPT, c.id, newest)
    data["current_node"] = "not-a-node"
    assert read_conversation(data).conversation.head == message_id(CHATGPT, c.id, newest)


def test_hidden_head_moves_to_its_nearest_shown_ancestor() -> None:
    c = ChatGPTConversation("Hidden head")
    q = c.user("Hi")
    a = c.assistant("Hello", q)
    c.text("system", "memo", a, metadata={"is_visually_hidden_from_conversation": True})
    conversation = read_conversation(c.to_dict()).conversation
    assert conversation.head == message_id(CHATGPT, c.id, a)


def test_hidden_messages_are_dropped_and_their_children_kept() -> None:
    c = ChatGPTConversation("Hidden")
    q = c.user("Question")
    hidden = c.text(
        "assistant", "internal", q, metadata={"is_visually_hidden_from_conversation": True}
    )
    a = c.assistant("Answer", hidden)
    profile = c.add(
        "user",
        {"content_type": "user_editable_context", "user_profile": "I am", "user_instructions": ""},
        a,
    )
    q2 = c.user("Next", profile)
    conversation = read_conversation(c.to_dict()).conversation
    by_id = {m.id: m for m in conversation.messages}
    assert [m.content for m in conversation.messages] == ["Question", "Answer", "Next"]
    assert by_id[message_id(CHATGPT, c.id, a)].parent == message_id(CHATGPT, c.id, q)
    assert by_id[message_id(CHATGPT, c.id, q2)].parent == message_id(CHATGPT, c.id, a)
    # The hidden system node above the first question is gone too: the question is a root.
    assert by_id[message_id(CHATGPT, c.id, q)].parent is None


def test_empty_reply_nodes_before_the_reply_are_dropped_and_both_edits_kept() -> None:
    # As exports of 2025 have them: under the hidden system node, the question and its edit,
    # each answered by an empty assistant node (parts [""]) whose child is the real reply;
    # current_node on the edit's reply.
    c = ChatGPTConversation("Edited")
    system = c.text("system", "", None, metadata={"is_visually_hidden_from_conversation": True})
    first = c.user("What is it?", system)
    second = c.user("What is it, and do I need it?", system)
    answer1 = c.assistant("It runs apps.", c.assistant("", first))
    answer2 = c.assistant("It runs apps; you need it for some.", c.assistant("", second))
    c.current_node = answer2
    conversation = read_conversation(c.to_dict()).conversation
    by_id = {m.id: m for m in conversation.messages}
    assert len(conversation.messages) == 4
    assert not any(m.content == "" for m in conversation.messages)
    assert by_id[message_id(CHATGPT, c.id, answer1)].parent == message_id(CHATGPT, c.id, first)
    assert by_id[message_id(CHATGPT, c.id, answer2)].parent == message_id(CHATGPT, c.id, second)
    assert by_id[message_id(CHATGPT, c.id, first)].parent is None
    assert by_id[message_id(CHATGPT, c.id, second)].parent is None
    assert conversation.head == message_id(CHATGPT, c.id, answer2)
    assert [m.content for m in conversation.thread()] == [
        "What is it, and do I need it?",
        "It runs apps; you need it for some.",
    ]


def test_a_visible_system_message_is_kept() -> None:
    c = ChatGPTConversation("System", system_hidden=False)
    s = c.text("system", "You are terse.", c.root)
    c.user("Hi", s)
    conversation = read_conversation(c.to_dict()).conversation
    first = conversation.messages[0]
    assert (first.role, first.content) == ("system", "You are terse.")


def test_code_and_its_output_are_a_tool_call_and_a_tool_message() -> None:
    source, nodes = showcase_chatgpt()
    data = source.to_dict()
    conversation = read_conversation(data).conversation
    cid = data["conversation_id"]
    call_message = conversation.message(message_id(CHATGPT, cid, nodes["code"]))
    assert call_message.role == "assistant"
    assert call_message.content == ""
    (call,) = call_message.tool_calls
    assert (call.name, call.arguments) == ("python", "print(2**100)")
    output = conversation.message(message_id(CHATGPT, cid, nodes["out"]))
    assert output.role == "tool"
    assert output.tool_call_id == call.id
    assert output.tool_name == "python"
    assert output.content.strip() == "1267650600228229401496703205376"


def test_thoughts_and_recap_become_the_replys_reasoning() -> None:
    source, nodes = showcase_chatgpt()
    data = source.to_dict()
    conversation = read_conversation(data).conversation
    cid = data["conversation_id"]
    reply = conversation.message(message_id(CHATGPT, cid, nodes["a1b"]))
    assert reply.reasoning is not None
    assert "2**10 is 1024." in reply.reasoning
    assert "Thought for 2 seconds" in reply.reasoning
    assert reply.model == "o3"
    # The reply hangs under the question directly: the thoughts' nodes are folded.
    assert reply.parent == message_id(CHATGPT, cid, nodes["q1b"])


def test_quotes_show_their_title_and_address() -> None:
    source, nodes = showcase_chatgpt()
    data = source.to_dict()
    conversation = read_conversation(data).conversation
    cid = data["conversation_id"]
    quote = conversation.message(message_id(CHATGPT, cid, nodes["quote"]))
    assert quote.content.startswith("> PNG is a lossless format.")
    assert "[PNG spec](https://w3.org/TR/png/)" in quote.content
    browse = conversation.message(message_id(CHATGPT, cid, nodes["browse"]))
    assert browse.content == "> Search results: PNG (Wikipedia)"


def test_an_image_found_in_the_zip_is_named_and_kept_as_a_file(tmp_path: Path) -> None:
    source, nodes = showcase_chatgpt()
    path = write_chatgpt_zip(
        tmp_path / "export.zip", [source.to_dict()], images=["file-AbC123-photo.png"]
    )
    (item,) = _items(Source(path, CHATGPT))
    question = item.conversation.message(message_id(CHATGPT, source.id, nodes["q2"]))
    assert question.content == "[Image: file-AbC123-photo.png]\n\nWhat is in this picture?"
    (image,) = question.imported_files
    assert (image.kind, image.path, image.source) == (
        "image",
        "file-AbC123-photo.png",
        "file-service://file-AbC123",
    )
    assert item.files == ["file-AbC123-photo.png"]


def test_an_image_not_in_the_export_still_leaves_a_placeholder() -> None:
    source, nodes = showcase_chatgpt()
    item = read_conversation(source.to_dict())
    question = item.conversation.message(message_id(CHATGPT, source.id, nodes["q2"]))
    assert question.content.startswith("[Image: file-AbC123]")
    assert question.imported_files[0].path is None
    assert [note.code for note in item.notes] == [reasons.IMAGE_NOT_IN_EXPORT]
    assert "not in the export" in str(item.notes[0])


def test_an_unknown_type_keeps_its_text_or_is_skipped_and_counted() -> None:
    c = ChatGPTConversation("Unknown")
    q = c.user("Hi")
    kept = c.add("assistant", {"content_type": "system_error", "name": "E", "text": "Oops"}, q)
    lost = c.add("assistant", {"content_type": "hologram", "frames": [1, 2]}, kept)
    after = c.assistant("Back", lost)
    item = read_conversation(c.to_dict())
    conversation = item.conversation
    assert conversation.message(message_id(CHATGPT, c.id, kept)).content == "Oops"
    assert [(key, str(why)) for key, why in item.skipped_messages] == [
        (lost, "content of type 'hologram' has no text Confab reads")
    ]
    assert conversation.message(message_id(CHATGPT, c.id, after)).parent == message_id(
        CHATGPT, c.id, kept
    )


def test_model_times_and_title_are_kept_and_null_times_borrowed() -> None:
    source, nodes = showcase_chatgpt()
    data = source.to_dict()
    conversation = read_conversation(data, clock=_clock).conversation
    assert conversation.title == "Showcase ✨"
    # The next request goes to the provider's default model, not ChatGPT's name for one.
    assert conversation.model is None
    assert conversation.created_at == datetime.fromtimestamp(data["create_time"], UTC)
    assert conversation.updated_at == datetime.fromtimestamp(data["update_time"], UTC)
    first = conversation.message(message_id(CHATGPT, source.id, nodes["q1"]))
    assert first.created_at == datetime.fromtimestamp(
        data["mapping"][nodes["q1"]]["message"]["create_time"], UTC
    )
    null_time = conversation.message(message_id(CHATGPT, source.id, nodes["a2b"]))
    assert null_time.created_at == conversation.message(null_time.parent or "").created_at
    assert conversation.message(message_id(CHATGPT, source.id, nodes["a1"])).model == "gpt-4o"
    data["mapping"][nodes["a1"]]["message"]["metadata"].pop("model_slug")
    data["default_model_slug"] = "gpt-4-turbo"
    again = read_conversation(data).conversation
    assert again.message(message_id(CHATGPT, source.id, nodes["a1"])).model == "gpt-4-turbo"
    origin = conversation.imported_from
    assert origin is not None and (origin.app, origin.id, origin.at) == (CHATGPT, source.id, AT)


@pytest.mark.parametrize(
    ("archived", "starred", "expected"),
    [
        (True, True, (True, True)),
        (True, None, (True, False)),
        (False, True, (False, True)),
        (None, None, (False, False)),
        ("missing", "missing", (False, False)),
        ("yes", 1, (False, False)),  # not booleans: not set
    ],
)
def test_archived_and_starred_become_archived_and_pinned(
    archived: Any, starred: Any, expected: tuple[bool, bool]
) -> None:
    c = ChatGPTConversation("Flags")
    c.assistant("Hi.", c.user("Hello"))
    data = c.to_dict()
    for key, value in (("is_archived", archived), ("is_starred", starred)):
        if value == "missing":
            del data[key]
        else:
            data[key] = value
    conversation = read_conversation(data, clock=_clock).conversation
    assert (conversation.archived, conversation.pinned) == expected
    written = conversation.to_dict()
    assert written.get("archived", False) is expected[0] and written["pinned"] is expected[1]


@pytest.mark.parametrize(
    ("pinned_time", "expected"),
    [(1749968388.9, True), ("2025-06-15T06:19:48Z", True), (None, False), (0, False)],
)
def test_a_newer_exports_pinned_time_pins_it(pinned_time: Any, expected: bool) -> None:
    # Exports of 2025 have "pinned_time" (null, or when it was pinned) instead of a star.
    c = ChatGPTConversation("Pinned")
    c.assistant("Hi.", c.user("Hello"))
    data = c.to_dict()
    data["is_starred"] = None
    data["pinned_time"] = pinned_time
    assert read_conversation(data, clock=_clock).conversation.pinned is expected


def test_an_untitled_conversation_is_named_after_its_first_question() -> None:
    c = ChatGPTConversation(None)
    c.user("How do tides work?\nAnd why twice a day?")
    assert read_conversation(c.to_dict()).conversation.title == "How do tides work?"


def test_ids_are_derived_from_the_source_and_stable_across_reads(tmp_path: Path) -> None:
    source, _ = showcase_chatgpt()
    path = write_json(tmp_path / "conversations.json", [source.to_dict()])
    first = _items(Source(path, CHATGPT))[0].conversation
    second = _items(Source(path, CHATGPT))[0].conversation
    assert first.id == second.id == conversation_id(CHATGPT, source.id)
    assert [m.id for m in first.messages] == [m.id for m in second.messages]
    assert first.to_dict()["messages"] == second.to_dict()["messages"]


def test_the_imported_conversation_survives_its_file_form() -> None:
    source, _ = showcase_chatgpt()
    conversation = read_conversation(source.to_dict(), clock=_clock).conversation
    again = Conversation.from_dict(json.loads(json.dumps(conversation.to_dict())))
    assert again == conversation


@pytest.mark.parametrize("layout", ["json", "zip", "split-zip", "split-files", "folder"])
def test_every_layout_of_the_export_is_detected_and_read(tmp_path: Path, layout: str) -> None:
    conversations = list(generate_chatgpt(7, 6))
    if layout == "json":
        path = write_json(tmp_path / "conversations.json", conversations)
    elif layout == "zip":
        path = write_chatgpt_zip(tmp_path / "export.zip", conversations, folder="export-2026/")
    elif layout == "split-zip":
        path = write_chatgpt_zip(tmp_path / "export.zip", conversations, split=3)
    else:
        path = tmp_path / "export"
        path.mkdir()
        if layout == "split-files":
            for number, start in enumerate(range(0, 7, 3)):
                write_json(
                    path / f"conversations-{number:03d}.json", conversations[start : start + 3]
                )
        else:
            write_json(path / "conversations.json", conversations)
            (path / "chat.html").write_text("<html></html>")
    source = detect(path)
    assert source == Source(path, CHATGPT)
    events = list(read(source))
    items = [e for e in events if isinstance(e, Item)]
    assert [i.conversation.title for i in items] == [f"Conversation {n}" for n in range(7)]
    assert not [e for e in events if isinstance(e, Problem)]
    last = [e for e in events if isinstance(e, Progress)][-1]
    assert last.done == last.total == 7
    assert last.bytes_done == last.bytes_total


def test_generated_branches_are_imported_with_the_newer_reply_on_screen() -> None:
    (data,) = generate_chatgpt(1, 40, branch_every=5)
    conversation = read_conversation(data).conversation
    assert len(conversation.messages) == 44  # 20 questions, 20 replies, 4 regenerations
    assert _tree(conversation) == _expected_tree(data)
    thread = conversation.thread()
    assert len(thread) == 40
    assert sum(m.content.endswith("(again)") for m in thread) == 4


def test_cancel_stops_between_conversations(tmp_path: Path) -> None:
    path = write_json(tmp_path / "conversations.json", generate_chatgpt(10, 4))
    seen: list[Item] = []

    def cancelled() -> bool:
        return len(seen) >= 3

    for event in read(Source(path, CHATGPT), cancelled):
        if isinstance(event, Item):
            seen.append(event)
    assert len(seen) == 3


def test_imported_conversations_match_the_files_schema() -> None:
    schema = validator("conversation")
    chatgpt, _ = showcase_chatgpt()
    for conversation in (
        read_conversation(chatgpt.to_dict()).conversation,
        read_claude(showcase_claude()).conversation,
    ):
        assert [e.message for e in schema.iter_errors(conversation.to_dict())] == []
