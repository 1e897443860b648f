"""The data folder is untrusted: a synced folder or another program may put anything there.
Nothing in it may crash or hang loading, hide the good conversations, or lose what can be
read."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from desktop.core.errors import StorageError
from desktop.core.fileformat import CONVERSATION_FORMAT
from desktop.core.models import Conversation, Message, utc_now
from desktop.core.storage import ConversationStore


def good(store: ConversationStore, conversation_id: str = "good1") -> Conversation:
    conversation = Conversation.new()
    conversation.id = conversation_id
    conversation.title = "The good one"
    conversation.append(Message("m1", None, "user", "still here", utc_now()))
    store.save(conversation)
    return conversation


def file_data(conversation_id: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": CONVERSATION_FORMAT,
        "version": 1,
        "id": conversation_id,
        "title": "Damaged",
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:05:00Z",
        "head": "a1",
        "messages": [
            {"id": "q1", "parent": None, "role": "user", "content": "question",
             "created_at": "2026-11-01T10:00:00Z"},
            {"id": "a1", "parent": "q1", "role": "assistant", "content": "answer",
             "created_at": "2026-11-01T10:00:05Z", "model": "m", "finish_reason": "stop",
             "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8},
             "error": None},
        ],
    }  # fmt: skip
    data.update(fields)
    return data


def load_in_thread(store: ConversationStore, timeout: float = 20.0) -> Any:
    """load_all() must return at all (a FIFO read would block it forever)."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = store.load_all()
        except BaseException as exc:  # reported below, as the failure it is
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "loading the data folder hung"
    if "error" in result:
        raise result["error"]
    return result["value"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_fifo_a_device_link_and_a_folder_named_json_neither_hang_nor_hide_the_rest(
    tmp_path: Path,
) -> None:
    store = ConversationStore(tmp_path)
    kept = good(store)
    os.mkfifo(store.folder / "pipe.json")
    (store.folder / "zero.json").symlink_to("/dev/zero")
    (store.folder / "folder.json").mkdir()
    (store.folder / "dangling.json").symlink_to(tmp_path / "nowhere")

    conversations, quarantined = load_in_thread(store)

    assert [c.id for c in conversations] == [kept.id]
    assert sorted(quarantined) == ["folder.json", "pipe.json", "zero.json"]
    # The entries were moved aside, never followed: /dev/zero is still a device.
    assert (store.quarantine / "zero.json").is_symlink()
    assert os.readlink(store.quarantine / "zero.json") == "/dev/zero"
    assert (store.quarantine / "pipe.json").exists()
    # And a second start is clean.
    conversations, quarantined = load_in_thread(store)
    assert [c.id for c in conversations] == [kept.id] and quarantined == []


def test_quarantine_being_a_file_leaves_the_bad_file_in_place_and_says_so(
    tmp_path: Path,
) -> None:
    store = ConversationStore(tmp_path)
    kept = good(store)
    (tmp_path / "quarantine").write_text("not a folder")
    (store.folder / "broken.json").write_bytes(b"{nope")

    conversations, quarantined = load_in_thread(store)

    assert [c.id for c in conversations] == [kept.id]
    assert quarantined == [] and store.unmovable == ["broken.json"]
    assert (store.folder / "broken.json").read_bytes() == b"{nope"


def test_trash_being_a_file_makes_delete_fail_with_a_storage_error(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    kept = good(store)
    (tmp_path / "trash").write_text("not a folder")
    with pytest.raises(StorageError):
        store.delete(kept.id)
    assert store.load(kept.id).title == "The good one"  # nothing lost
    assert store.trashed() == []


def test_conversations_being_a_file_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "conversations").write_text("not a folder")
    with pytest.raises(StorageError):
        ConversationStore(tmp_path)


DAMAGED: dict[str, dict[str, Any]] = {
    "bad_updated": {"updated_at": "next tuesday"},
    "bad_created": {"created_at": 12},
    "no_created": {"created_at": None},
    "bad_title": {"title": {"x": 1}},
    "bad_tags": {"tags": "work"},
    "bad_pinned": {"pinned": "yes"},
}


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_one_bad_field_loads_the_rest_with_a_note_and_keeps_the_original(
    tmp_path: Path, name: str
) -> None:
    store = ConversationStore(tmp_path)
    data = file_data(name, **DAMAGED[name])
    raw = json.dumps(data).encode()
    (store.folder / f"{name}.json").write_bytes(raw)

    conversations, quarantined = store.load_all()

    assert quarantined == []
    (conversation,) = conversations
    assert [m.content for m in conversation.thread()] == ["question", "answer"]
    assert store.repaired == [f"{name}.json"]
    # The file as it was is kept: the next save writes the defaults over it.
    assert (store.backups / f"{name}.damaged.json").read_bytes() == raw
    store.save(conversation)
    assert store.load(name).thread()[-1].content == "answer"


def test_bad_message_fields_are_defaulted_and_unplaceable_messages_left_out(
    tmp_path: Path,
) -> None:
    store = ConversationStore(tmp_path)
    data = file_data("msgs")
    data["messages"][0]["created_at"] = "soon"
    data["messages"][1]["usage"] = {
        "prompt_tokens": "12",
        "completion_tokens": float("inf"),
        "total_tokens": -4,
    }
    data["messages"].append({"role": "user", "content": "no id"})
    data["messages"].append("not even an object")
    (store.folder / "msgs.json").write_text(json.dumps(data), encoding="utf-8")

    (conversation,) = store.load_all()[0]

    question, answer = conversation.thread()
    assert question.content == "question" and answer.content == "answer"
    assert question.created_at == conversation.created_at  # defaulted to a sane time
    assert answer.usage is not None and answer.usage.prompt_tokens == 0
    assert answer.usage.completion_tokens == 0 and answer.usage.total_tokens == 0
    assert len(conversation.messages) == 2
    assert store.repaired == ["msgs.json"]


def test_a_byte_order_mark_and_content_parts_are_read(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    data = file_data("parts")
    data["messages"][1]["content"] = [
        {"type": "text", "text": "first part"},
        {"type": "text", "text": "second part"},
    ]
    raw = b"\xef\xbb\xbf" + json.dumps(data).encode()
    (store.folder / "parts.json").write_bytes(raw)

    (conversation,) = store.load_all()[0]

    assert conversation.thread()[-1].content == "first part\n\nsecond part"
    assert store.load_all()[1] == []


def test_a_file_with_no_id_is_still_quarantined(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    data = file_data("x")
    del data["id"]
    (store.folder / "x.json").write_text(json.dumps(data), encoding="utf-8")
    conversations, quarantined = store.load_all()
    assert conversations == [] and quarantined == ["x.json"]
