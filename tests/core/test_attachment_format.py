"""A message's attachments in the conversation file: written only when there are some, read
back the same, unknown fields kept, and a reference that could point outside attachments/
refused as a damaged field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.core.models import Attachment, Conversation, Message
from desktop.core.storage import ConversationStore

MOMENT = datetime(2026, 12, 1, tzinfo=UTC)
IMAGE = Attachment("c" * 64, "graph.png", "image", "image/png", 48213, "png", 1280, 720)
PDF = Attachment(
    "d" * 64, "report.pdf", "document", "application/pdf", 210344, "pdf", excluded=True
)


def _conversation() -> Conversation:
    conversation = Conversation.new(provider="openai", model="gpt-4o", clock=lambda: MOMENT)
    question = conversation.append(Message("q", None, "user", "What does it say?", MOMENT))
    question.attachments = (IMAGE, PDF)
    conversation.append(Message("p", "q", "user", "Plain text", MOMENT))
    return conversation


def _written(store: ConversationStore, conversation: Conversation) -> dict[str, Any]:
    store.save(conversation)
    store.wait_for_writes()
    data: dict[str, Any] = json.loads(store.path_of(conversation.id).read_text(encoding="utf-8"))
    return data


def test_attachments_are_saved_and_read_back(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    conversation = _conversation()
    data = _written(store, conversation)
    first, second = data["messages"]
    assert first["attachments"] == [
        {
            "sha256": "c" * 64,
            "name": "graph.png",
            "kind": "image",
            "mime": "image/png",
            "size": 48213,
            "ext": "png",
            "width": 1280,
            "height": 720,
        },
        {
            "sha256": "d" * 64,
            "name": "report.pdf",
            "kind": "document",
            "mime": "application/pdf",
            "size": 210344,
            "ext": "pdf",
            "excluded": True,
        },
    ]
    assert "attachments" not in second
    loaded = ConversationStore(tmp_path).load(conversation.id)
    assert loaded.message("q").attachments == (IMAGE, PDF)
    assert loaded.message("p").attachments == ()


def test_unknown_fields_of_an_attachment_survive_a_save(tmp_path: Path) -> None:
    data = _conversation().to_dict()
    data["messages"][0]["attachments"][0]["thumbnail_hint"] = {"x": 1}
    message = Message.from_dict(data["messages"][0])
    assert message.attachments[0].extra == {"thumbnail_hint": {"x": 1}}
    assert message.to_dict()["attachments"][0]["thumbnail_hint"] == {"x": 1}


def test_a_reference_outside_the_folder_is_a_damaged_field() -> None:
    data = _conversation().to_dict()["messages"][0]
    for bad in ({"sha256": "../../etc/passwd"}, {"ext": "png/../../x"}, {"sha256": "C" * 63}):
        item = {**data["attachments"][0], **bad}
        notes: list[str] = []
        message = Message.from_dict({**data, "attachments": [item]}, notes)
        assert message.attachments == ()
        assert notes and "attachments" in notes[0]
    # Another tool's list of another shape: the field left out, the message kept.
    notes: list[str] = []
    message = Message.from_dict({**data, "attachments": [{"name": "a.png"}]}, notes)
    assert message.id == "q" and message.attachments == () and notes
    # Upper-case hex is the same digest, written back in lower case.
    upper = {**data["attachments"][0], "sha256": "C" * 64}
    assert Message.from_dict({**data, "attachments": [upper]}).attachments[0].sha256 == "c" * 64


def test_a_drafts_attachments_are_saved_and_read_back(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    conversation = _conversation()
    assert "draft_attachments" not in _written(store, conversation)  # only when there are some
    conversation.draft_attachments = (IMAGE, PDF)
    written = _written(store, conversation)
    assert [a["name"] for a in written["draft_attachments"]] == ["graph.png", "report.pdf"]
    assert written["draft_attachments"][1]["excluded"] is True
    assert ConversationStore(tmp_path).load(conversation.id).draft_attachments == (IMAGE, PDF)


def test_a_drafts_attachments_are_read_liberally() -> None:
    data = _conversation().to_dict()
    good = data["messages"][0]["attachments"][0]
    data["draft_attachments"] = [
        {**good, "sha256": "../../etc/passwd"},  # would name a file outside attachments/
        "not an object",
        {"name": "no digest.png"},
        good,
        {**good, "name": "the same file again"},
        {**good, "sha256": "e" * 64, "futuristic": [1]},
    ]
    notes: list[str] = []
    conversation = Conversation.from_dict(data, notes)
    assert [a.sha256 for a in conversation.draft_attachments] == ["c" * 64, "e" * 64]
    assert conversation.draft_attachments[1].extra == {"futuristic": [1]}
    assert len(notes) == 3 and all("draft_attachments" in n for n in notes)
    assert conversation.messages[0].attachments == (IMAGE, PDF)  # the rest as it was
    for other in ({"a": 1}, "text", 7):
        notes = []
        assert Conversation.from_dict({**data, "draft_attachments": other}, notes)
        assert Conversation.from_dict({**data, "draft_attachments": other}).draft_attachments == ()
        assert notes
