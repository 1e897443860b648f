"""Confab's own files read for import: a file, a folder, the export archive; ids kept."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from desktop.core.importers import (
    CONFAB,
    Item,
    Problem,
    Source,
    detect,
    files,
    read,
    read_file,
    reasons,
)
from desktop.core.models import Conversation, ImportedFrom, Message

T = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _conversation(title: str) -> Conversation:
    conversation = Conversation.new(provider="openai", model="gpt-4o", clock=lambda: T)
    conversation.title = title
    question = conversation.append(Message("q" + conversation.id[:6], None, "user", "Hi", T))
    conversation.append(Message("a" + conversation.id[:6], question.id, "assistant", "Hello", T))
    return conversation


def _write(path: Path, conversation: Conversation) -> Path:
    path.write_text(json.dumps(conversation.to_dict()), encoding="utf-8")
    return path


def _items(path: Path) -> list[Item]:
    source = detect(path)
    assert source == Source(path, CONFAB)
    return [e for e in read(source, clock=lambda: T) if isinstance(e, Item)]


def test_a_file_keeps_its_ids_and_says_where_it_came_from(tmp_path: Path) -> None:
    original = _conversation("Mine")
    (item,) = _items(_write(tmp_path / f"{original.id}.json", original))
    assert item.conversation.id == original.id
    assert [m.id for m in item.conversation.messages] == [m.id for m in original.messages]
    assert item.conversation.imported_from == ImportedFrom(CONFAB, original.id, T)


def test_an_earlier_origin_is_kept(tmp_path: Path) -> None:
    original = _conversation("From ChatGPT")
    earlier = ImportedFrom("chatgpt", "abc", datetime(2026, 1, 1, tzinfo=UTC))
    original.imported_from = earlier
    (item,) = _items(_write(tmp_path / "one.json", original))
    assert item.conversation.imported_from == earlier


def test_a_folder_of_files_and_a_data_folder(tmp_path: Path) -> None:
    flat = tmp_path / "flat"
    flat.mkdir()
    for title in ("A", "B"):
        c = _conversation(title)
        _write(flat / f"{c.id}.json", c)
    (flat / "notes.json").write_text('{"not": "a conversation"}')
    source = detect(flat)
    assert source is not None
    events = list(read(source))
    assert sorted(e.conversation.title for e in events if isinstance(e, Item)) == ["A", "B"]
    (problem,) = [e for e in events if isinstance(e, Problem)]
    assert problem.where.endswith("notes.json")
    data = tmp_path / "data" / "conversations"
    data.mkdir(parents=True)
    c = _conversation("C")
    _write(data / f"{c.id}.json", c)
    assert [i.conversation.title for i in _items(tmp_path / "data")] == ["C"]


def test_the_export_archive_with_its_attachments(tmp_path: Path) -> None:
    conversations = [_conversation("One"), _conversation("Two")]
    path = tmp_path / "library.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for c in conversations:
            archive.writestr(f"conversations/{c.id}.json", json.dumps(c.to_dict()))
        archive.writestr("attachments/" + "ab" * 32 + ".png", b"png bytes")
        archive.writestr("settings.json", "{}")
    items = _items(path)
    assert [i.conversation.id for i in items] == sorted(c.id for c in conversations)
    source = Source(path, CONFAB)
    assert files(source) == ["attachments/" + "ab" * 32 + ".png"]
    assert read_file(source, files(source)[0]) == b"png bytes"


def test_an_id_that_cannot_name_a_file_is_refused(tmp_path: Path) -> None:
    c = _conversation("Hostile")
    data = c.to_dict()
    data["id"] = "../../escape"
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("conversations/x.json", json.dumps(data))
    events = list(read(Source(path, CONFAB)))
    assert not [e for e in events if isinstance(e, Item)]
    (problem,) = [e for e in events if isinstance(e, Problem)]
    assert problem.why.code == reasons.UNSAFE_ID and "cannot name a file" in str(problem.why)


def test_the_typed_import_fields_read_back_and_bad_ones_are_noted() -> None:
    conversation = _conversation("Fields")
    data = conversation.to_dict()
    data["imported_from"] = {"app": "claude", "id": "u1", "at": "2026-01-02T03:04:05Z"}
    reply, question = data["messages"][1], data["messages"][0]
    reply["tool_calls"] = [{"id": "c", "type": "function", "name": "f", "arguments": "{}"}]
    question["imported_files"] = [{"name": "x.png", "kind": "image"}, "not an object"]
    question["tool_call_id"] = ["wrong"]
    notes: list[str] = []
    read_back = Conversation.from_dict(data, notes)
    assert read_back.imported_from == ImportedFrom(
        "claude", "u1", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    assert read_back.messages[1].tool_calls[0].name == "f"
    assert read_back.messages[0].imported_files == ()
    assert read_back.messages[0].tool_call_id is None
    assert len(notes) == 2 and all("could not be read" in n for n in notes)
