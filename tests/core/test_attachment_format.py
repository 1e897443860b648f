"""A message's attachments in the conversation file: written only when there are some, read
back the same, unknown fields kept, and a reference that could point outside attachments/
refused as a damaged field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

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


def test_attachments_are_saved_and_read_back(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    conversation = _conversation()
    store.save(conversation)
    store.wait_for_writes()
    data = json.loads(store.path_of(conversation.id).read_text(encoding="utf-8"))
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
