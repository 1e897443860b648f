"""Damaged and hostile exports: what can be read is, what cannot is a Problem, nothing raises."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from desktop.core.importers import CHATGPT, CLAUDE, Item, Problem, Source, detect, read, reasons
from desktop.core.importers import container as container_module
from desktop.core.importers.chatgpt import read_conversation
from desktop.core.importers.ids import message_id
from desktop.core.importers.jsonstream import Broken, ListReader, NotAList, Truncated
from desktop.core.importers.reasons import reason
from tests.support.exports import ChatGPTConversation, generate_chatgpt, showcase_claude


def _events(path: Path, kind: str = CHATGPT) -> tuple[list[Item], list[Problem]]:
    events = list(read(Source(path, kind)))
    return (
        [e for e in events if isinstance(e, Item)],
        [e for e in events if isinstance(e, Problem)],
    )


def _export(conversations: list[dict[str, Any]]) -> str:
    return json.dumps(conversations, ensure_ascii=False)


def test_a_truncated_file_gives_the_conversations_before_the_damage(tmp_path: Path) -> None:
    text = _export(list(generate_chatgpt(5, 6)))
    cut = text.index('"title": "Conversation 3"') + 40
    path = tmp_path / "conversations.json"
    path.write_text(text[:cut], encoding="utf-8")
    items, problems = _events(path)
    assert [i.conversation.title for i in items] == [
        "Conversation 0",
        "Conversation 1",
        "Conversation 2",
    ]
    (problem,) = problems
    assert problem.where.endswith("conversations.json #4")
    assert problem.why.code == reasons.ENDS_EARLY
    assert "the conversations before it were read" in str(problem.why)


def test_a_broken_conversation_in_the_middle_is_skipped(tmp_path: Path) -> None:
    conversations = [json.dumps(c) for c in generate_chatgpt(3, 4)]
    conversations[1] = conversations[1].replace('"mapping": {', '"mapping": {,,', 1)
    path = tmp_path / "conversations.json"
    path.write_text("[" + ", ".join(conversations) + "]", encoding="utf-8")
    items, problems = _events(path)
    assert [i.conversation.title for i in items] == ["Conversation 0", "Conversation 2"]
    (problem,) = problems
    assert problem.where.endswith("#2") and problem.why.code == reasons.NOT_JSON
    assert str(problem.why).startswith("not valid JSON (")


def test_a_broken_node_loses_only_itself() -> None:
    c = ChatGPTConversation("Broken node")
    q = c.user("Question")
    bad = c.assistant("will break", q)
    after = c.user("Still here", bad)
    data = c.to_dict()
    data["mapping"][bad]["message"]["content"] = {"content_type": "text", "parts": "not a list"}
    data["mapping"][bad]["message"]["author"] = ["not", "an", "object"]
    data["mapping"][q]["children"] = "nonsense"
    data["mapping"]["weird"] = "not a node"
    item = read_conversation(data)
    contents = [m.content for m in item.conversation.messages]
    assert contents == ["Question", "Still here"]
    assert {key: str(why) for key, why in item.skipped_messages} == {
        bad: "cannot be read (TypeError: its parts are str, not a list)",
        "weird": "the node is str, not an object",
    }
    after_message = item.conversation.message(message_id(CHATGPT, c.id, after))
    assert after_message.parent == message_id(CHATGPT, c.id, q)


def test_hostile_numbers_and_times() -> None:
    c = ChatGPTConversation("Numbers", create_time=None)
    q = c.user("Big", create_time=10**400)
    c.assistant("Bigger", q, create_time=float("nan"))
    data = c.to_dict()
    data["update_time"] = -(10**30)
    text = json.dumps(data).replace('"weight": 1.0', '"weight": ' + "9" * 5000, 1)
    (value,) = list(ListReader(io.BytesIO(("[" + text + "]").encode())))
    item = read_conversation(value)
    assert [m.content for m in item.conversation.messages] == ["Big", "Bigger"]


def test_a_very_deep_tree_has_no_recursion_limit() -> None:
    c = ChatGPTConversation("Deep")
    parent = None
    for n in range(30_000):
        parent = c.user(f"m{n}", parent) if n % 2 == 0 else c.assistant(f"m{n}", parent or "")
    conversation = read_conversation(c.to_dict()).conversation
    assert len(conversation.messages) == 30_000
    assert len(conversation.thread()) == 30_000


def test_deeply_nested_json_is_a_broken_conversation_not_a_crash(tmp_path: Path) -> None:
    good = [json.dumps(c) for c in generate_chatgpt(2, 2)]
    deep = '{"title": "deep", "mapping": ' + "[" * 200_000 + "]" * 200_000 + "}"
    path = tmp_path / "conversations.json"
    path.write_text("[" + ", ".join([good[0], deep, good[1]]) + "]", encoding="utf-8")
    items, problems = _events(path)
    assert [i.conversation.title for i in items] == ["Conversation 0", "Conversation 1"]
    assert len(problems) == 1


def test_cycles_in_parent_links_are_left_out_and_reported() -> None:
    c = ChatGPTConversation("Cycle")
    q = c.user("Fine")
    a = c.assistant("Also fine", q)
    x = c.user("Loop x", a)
    y = c.assistant("Loop y", x)
    data = c.to_dict()
    data["mapping"][x]["parent"] = y  # x <-> y: no root above them any more
    data["mapping"][q]["parent"] = q  # its own parent: a root
    item = read_conversation(data)
    assert [m.content for m in item.conversation.messages] == ["Fine", "Also fine"]
    assert sorted(key for key, _ in item.skipped_messages) == sorted([x, y])


def test_a_zip_bomb_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(container_module, "MAX_MEMBER_BYTES", 1 << 20)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        first = json.dumps(next(generate_chatgpt(1, 2)))
        archive.writestr("conversations.json", "[" + first + ", " + " " * (8 << 20) + "]")
    assert path.stat().st_size < 100_000
    items, problems = _events(path)
    assert len(items) == 1
    (problem,) = problems
    assert problem.why.code == reasons.SOURCE_TOO_LARGE and "more than" in str(problem.why)


def test_path_traversal_names_in_a_zip_are_never_used(tmp_path: Path) -> None:
    path = tmp_path / "evil.zip"
    conversations = _export(list(generate_chatgpt(1, 2)))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../conversations.json", conversations)
        archive.writestr("/etc/conversations.json", conversations)
        archive.writestr("C:/conversations.json", conversations)
    assert detect(path) is None
    items, problems = _events(path)
    assert not items and problems[0].why == reason(reasons.NO_CONVERSATIONS_JSON)
    assert str(problems[0].why) == "has no conversations.json"
    assert not list(tmp_path.parent.glob("conversations.json"))


def test_not_an_export(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "list.json").write_text('[{"some": "thing"}]')
    for name in ("notes.txt", "bad.zip", "list.json", "missing.json"):
        assert detect(tmp_path / name) is None
    assert detect(tmp_path / "empty-folder-that-is-not-there") is None
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "conversations.json")  # reading it would block: never opened
        assert detect(tmp_path / "conversations.json") is None
    items, problems = _events(tmp_path / "missing.zip")
    assert not items and problems[0].why.code == reasons.OPEN_FAILED
    assert "cannot be opened" in str(problems[0].why)


def test_claude_damage_is_a_problem_too(tmp_path: Path) -> None:
    text = json.dumps([showcase_claude(), showcase_claude() | {"uuid": "other"}])
    path = tmp_path / "conversations.json"
    path.write_text(text[: len(text) - 200], encoding="utf-8")
    items, problems = _events(path, CLAUDE)
    assert len(items) == 1 and len(problems) == 1


def test_the_list_reader_in_small_chunks_and_with_a_huge_element() -> None:
    values: list[Any] = [{"n": n, "s": "é" * (n % 7)} for n in range(200)]
    values.append({"big": "x" * 300_000})
    data = ("\ufeff" + json.dumps(values, ensure_ascii=False)).encode()
    assert list(ListReader(io.BytesIO(data), chunk=7)) == values
    assert list(ListReader(io.BytesIO(b"[1, 22, 333]"), chunk=1)) == [1, 22, 333]
    assert list(ListReader(io.BytesIO(b'{"single": true}'))) == [{"single": True}]
    assert list(ListReader(io.BytesIO(b"[]"))) == []
    broken = list(ListReader(io.BytesIO(b'[{"a": }, {"b": "]"}]'), chunk=3))
    assert isinstance(broken[0], Broken) and broken[1] == {"b": "]"}
    with pytest.raises(NotAList):
        list(ListReader(io.BytesIO(b'"text"')))
    with pytest.raises(Truncated):
        list(ListReader(io.BytesIO(b'[{"a": "unfinished')))
    with pytest.raises(Truncated):
        list(ListReader(io.BytesIO(b'[{"a": 1} {"b": 2}]')))


def test_missing_fields_leave_an_empty_conversation_that_says_why() -> None:
    item = read_conversation({"title": "Bare", "id": "c-1"})
    assert item.conversation.messages == [] and item.conversation.head is None
    assert item.conversation.title == "Bare"
    assert item.notes == [reason(reasons.MESSAGES_MISSING, field="mapping")]
    assert str(item.notes[0]) == "its messages (mapping) are missing"
    no_id = read_conversation({"create_time": 1.5, "mapping": {}})
    assert no_id.conversation.id == read_conversation({"create_time": 1.5}).conversation.id
    assert no_id.notes == [reason(reasons.MADE_ID)]


def test_a_damaged_zip_member_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("conversations.json", _export(list(generate_chatgpt(40, 6))))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("conversations.json")
    start = info.header_offset + 30 + len(info.filename)
    # Every deflate block header invalid (type 3): zlib's own error, not an OSError.
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    path.write_bytes(bytes(data))
    items, problems = _events(path)
    (problem,) = problems
    assert "invalid block type" in str(problem.why)
    assert items == []
