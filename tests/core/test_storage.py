"""Conversation files: format, round-trip, atomic writes, quarantine, trash, branches."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core import atomic
from desktop.core.errors import CorruptFileError, StorageError, WriteFailedError
from desktop.core.fileformat import CONVERSATION_FORMAT
from desktop.core.models import (
    Conversation,
    ConversationSummary,
    Message,
    Params,
    ReplyError,
    Usage,
)
from desktop.core.storage import ConversationStore

T0 = datetime(2026, 11, 23, 20, 0, 0, 123456, tzinfo=UTC)


def full_conversation() -> Conversation:
    """A conversation that sets every field of DESIGN.md's version 1, plus unknown extras."""
    conversation = Conversation(
        id="3f2c0a1b2c3d4e5f",
        title="北国春光",
        created_at=T0,
        updated_at=T0 + timedelta(minutes=5),
        provider="openai",
        model="gpt-4o-mini",
        system_prompt="你是一位南宋词人…",
        params=Params(temperature=0.7, top_p=0.9, max_tokens=512),
        pinned=True,
        tags=["词", "poetry"],
        extra={"color": "teal", "sync": {"device": "laptop", "seq": [1, 2, 3]}},
    )
    conversation.messages = [
        Message(
            id="u1",
            parent=None,
            role="user",
            content="写一首词",
            created_at=T0,
            extra={"reactions": [], "client": {"name": "other-tool"}},
        ),
        Message(
            id="a1",
            parent="u1",
            role="assistant",
            content="北国风光…",
            created_at=T0 + timedelta(seconds=3),
            model="gpt-4o-mini",
            finish_reason="stop",
            usage=Usage(prompt_tokens=20, completion_tokens=100, total_tokens=120, estimated=True),
            reasoning="先想韵脚",
            error=ReplyError.interrupted(),
            extra={"rating": 5},
        ),
    ]
    conversation.head = "a1"
    return conversation


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- format and round-trip -------------------------------------------------------------------


def test_round_trip_keeps_every_field_and_unknown_extras(store: ConversationStore) -> None:
    original = full_conversation()
    store.save(original)
    loaded = store.load(original.id)

    assert loaded == original
    assert loaded.to_dict() == original.to_dict()
    assert loaded.extra == {"color": "teal", "sync": {"device": "laptop", "seq": [1, 2, 3]}}
    assert loaded.messages[0].extra == {"reactions": [], "client": {"name": "other-tool"}}
    assert loaded.messages[1].extra == {"rating": 5}
    assert loaded.messages[1].usage == Usage(20, 100, 120, estimated=True)
    assert loaded.created_at.tzinfo is not None


def test_unknown_fields_written_by_others_survive_load_and_save(
    store: ConversationStore,
) -> None:
    """A file edited by a newer Confab or another tool loses nothing when saved here."""
    data = full_conversation().to_dict()
    data["future_field"] = {"nested": [1, "two", None]}
    data["messages"][1]["reactions"] = [{"name": "a.png"}]
    path = store.path_of(data["id"])
    path.write_text(json.dumps(data), encoding="utf-8")

    store.save(store.load(data["id"]))

    again = json.loads(path.read_text(encoding="utf-8"))
    assert again["future_field"] == {"nested": [1, "two", None]}
    assert again["messages"][1]["reactions"] == [{"name": "a.png"}]
    assert again == data


def test_file_format_matches_design_example(store: ConversationStore) -> None:
    conversation = full_conversation()
    store.save(conversation)
    data = json.loads(store.path_of(conversation.id).read_text(encoding="utf-8"))

    assert data["format"] == "confab.conversation"
    assert data["version"] == 1
    expected_top = {
        "format",
        "version",
        "id",
        "title",
        "created_at",
        "updated_at",
        "provider",
        "model",
        "system_prompt",
        "params",
        "pinned",
        "tags",
        "head",
        "messages",
    }
    assert expected_top <= set(data)
    assert data["title"] == "北国春光"  # UTF-8 text, not \\u escapes, is what users sync
    assert "北国春光" in store.path_of(conversation.id).read_text(encoding="utf-8")
    assert data["params"] == {"temperature": 0.7, "top_p": 0.9, "max_tokens": 512}
    assert data["pinned"] is True
    assert data["tags"] == ["词", "poetry"]
    assert data["head"] == "a1"
    assert data["created_at"].endswith("Z")
    assert datetime.fromisoformat(data["created_at"].replace("Z", "+00:00")) == T0

    user, assistant = data["messages"]
    assert {"id", "parent", "role", "content", "created_at"} <= set(user)
    assert user["parent"] is None and user["role"] == "user"
    assert {
        "id",
        "parent",
        "role",
        "content",
        "created_at",
        "model",
        "finish_reason",
        "usage",
        "reasoning",
        "error",
    } <= set(assistant)
    assert assistant["parent"] == "u1"
    assert assistant["usage"] == {
        "prompt_tokens": 20,
        "completion_tokens": 100,
        "total_tokens": 120,
        "estimated": True,
    }


def test_reads_the_design_example_written_by_hand(store: ConversationStore) -> None:
    example = {
        "format": "confab.conversation",
        "version": 1,
        "id": "3f2c",
        "title": "北国春光",
        "created_at": "2026-11-23T20:00:00Z",
        "updated_at": "2026-11-23T20:01:00Z",
        "provider": "openai",
        "model": "gpt-4o-mini",
        "system_prompt": "你是一位南宋词人…",
        "params": {"temperature": 0.7, "top_p": None, "max_tokens": None},
        "pinned": False,
        "tags": [],
        "head": "m2",
        "messages": [
            {
                "id": "m1",
                "parent": None,
                "role": "user",
                "content": "问",
                "created_at": "2026-11-23T20:00:00Z",
            },
            {
                "id": "m2",
                "parent": "m1",
                "role": "assistant",
                "content": "答",
                "created_at": "2026-11-23T20:00:05Z",
                "model": "gpt-4o-mini",
                "finish_reason": "stop",
                "usage": {
                    "prompt_tokens": 20,
                    "completion_tokens": 100,
                    "total_tokens": 120,
                    "estimated": False,
                },
                "reasoning": "…optional…",
                "error": None,
            },
        ],
    }
    store.path_of("3f2c").write_text(json.dumps(example, ensure_ascii=False), "utf-8")
    conversation = store.load("3f2c")
    assert conversation.created_at == datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    assert conversation.params == Params(temperature=0.7)
    assert [m.content for m in conversation.thread()] == ["问", "答"]
    assert conversation.messages[1].usage == Usage(20, 100, 120, estimated=False)
    assert conversation.messages[1].reasoning == "…optional…"


def test_invalid_ids_never_become_paths(store: ConversationStore) -> None:
    for bad in ("../escape", "a/b", "", "x" * 200, "a.json"):
        with pytest.raises(StorageError):
            store.path_of(bad)


# --- atomic writes ---------------------------------------------------------------------------


def test_crash_during_replace_keeps_old_file_and_no_temp(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = full_conversation()
    store.save(conversation)
    path = store.path_of(conversation.id)
    before = path.read_bytes()

    def crash(src: Any, dst: Any) -> None:
        raise OSError(errno.EIO, "simulated crash during rename")

    monkeypatch.setattr(atomic.os, "replace", crash)
    conversation.title = "changed"
    with pytest.raises(WriteFailedError):
        store.save(conversation)

    assert path.read_bytes() == before
    assert files_in(store.folder) == [path.name]


def test_disk_full_while_writing_keeps_old_file_and_no_temp(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = full_conversation()
    store.save(conversation)
    path = store.path_of(conversation.id)
    before = path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    conversation.title = "changed"
    with pytest.raises(WriteFailedError) as info:
        store.save(conversation)

    assert "space" in info.value.detail.lower()
    assert path.read_bytes() == before
    assert files_in(store.folder) == [path.name]


def test_interrupt_during_write_leaves_no_temp_file(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = full_conversation()

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.save(conversation)
    assert files_in(store.folder) == []


def test_read_only_folder_raises_write_failed(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # chmod does not stop root, so make creating the temporary file fail as a read-only
    # folder would.
    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(WriteFailedError):
        store.save(full_conversation())


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root ignores directory permissions"
)
def test_really_read_only_folder_raises_write_failed(store: ConversationStore) -> None:
    store.folder.chmod(0o500)
    try:
        with pytest.raises(WriteFailedError):
            store.save(full_conversation())
    finally:
        store.folder.chmod(0o700)


def test_write_failure_message_names_the_file(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "replace", disk_full)
    with pytest.raises(WriteFailedError) as info:
        store.save(full_conversation())
    assert "3f2c0a1b2c3d4e5f.json" in info.value.detail


# --- corrupt files ---------------------------------------------------------------------------

CORRUPT: dict[str, bytes] = {
    "invalid_json": b'{"format": "confab.conversation", "id": ',
    "wrong_format": json.dumps(
        {"format": "something.else", "id": "x", "created_at": "2026-01-01T00:00:00Z"}
    ).encode(),
    "not_an_object": b"[1, 2, 3]",
    "missing_fields": json.dumps({"format": CONVERSATION_FORMAT, "version": 1}).encode(),
    "non_utf8": b'{"format": "confab.conversation", "title": "\xff\xfe"}',
    "deeply_nested": b"[" * 100_000 + b"]" * 100_000,
    # json.loads raises a plain ValueError for it (no JSONDecodeError).
    "huge_number": b'{"format": "confab.conversation", "version": 1' + b"1" * 5000 + b"}",
    "empty": b"",
}


def test_corrupt_files_are_quarantined_never_deleted(store: ConversationStore) -> None:
    good = full_conversation()
    store.save(good)
    for name, content in CORRUPT.items():
        (store.folder / f"{name}.json").write_bytes(content)

    conversations, quarantined = store.load_all()

    assert [c.id for c in conversations] == [good.id]
    assert sorted(quarantined) == sorted(f"{name}.json" for name in CORRUPT)
    assert files_in(store.folder) == [f"{good.id}.json"]
    for name, content in CORRUPT.items():
        assert (store.quarantine / f"{name}.json").read_bytes() == content


def test_quarantine_never_overwrites_an_earlier_quarantined_file(
    store: ConversationStore,
) -> None:
    (store.folder / "bad.json").write_bytes(b"first")
    store.load_all()
    (store.folder / "bad.json").write_bytes(b"second")
    _, quarantined = store.load_all()

    assert quarantined == ["bad.json"]
    contents = sorted(p.read_bytes() for p in store.quarantine.iterdir())
    assert contents == [b"first", b"second"]


def test_load_of_a_corrupt_file_raises_corrupt_file_error(store: ConversationStore) -> None:
    (store.folder / "abc.json").write_bytes(b"{nope")
    with pytest.raises(CorruptFileError):
        store.load("abc")
    with pytest.raises(StorageError):
        store.load("missing")


def test_scan_sorts_newest_first_and_reports_quarantine(store: ConversationStore) -> None:
    old = Conversation(id="old", title="old", created_at=T0, updated_at=T0)
    new = Conversation(
        id="new", title="new", created_at=T0, updated_at=T0 + timedelta(days=1), pinned=True
    )
    store.save(old)
    store.save(new)
    (store.folder / "junk.json").write_text("junk", encoding="utf-8")

    report = store.scan()

    assert report.summaries == [ConversationSummary.of(new), ConversationSummary.of(old)]
    assert report.summaries[0].pinned is True
    assert report.quarantined == ["junk.json"]


# --- trash -----------------------------------------------------------------------------------


def test_delete_moves_to_trash_and_restore_brings_it_back(store: ConversationStore) -> None:
    conversation = full_conversation()
    store.save(conversation)
    path = store.path_of(conversation.id)
    content = path.read_bytes()

    store.delete(conversation.id)

    assert not path.exists()
    assert (store.trash / path.name).read_bytes() == content
    assert store.load_all() == ([], [])

    restored = store.restore(conversation.id)

    assert restored == conversation
    assert path.read_bytes() == content
    assert files_in(store.trash) == []
    assert [c.id for c in store.load_all()[0]] == [conversation.id]


def test_delete_of_missing_conversation_is_harmless(store: ConversationStore) -> None:
    store.delete("nothing")
    assert files_in(store.folder) == []


def test_restore_of_missing_conversation_raises_storage_error(
    store: ConversationStore,
) -> None:
    with pytest.raises(StorageError):
        store.restore("nothing")


# --- branches --------------------------------------------------------------------------------


def branched() -> Conversation:
    """u1 ─ a1 ─ u2a ─ a2a
    └ u2b ─ a2b   (the user edited their second question)"""
    conversation = Conversation(id="b", title="", created_at=T0, updated_at=T0)

    def add(mid: str, parent: str | None, role: str) -> None:
        conversation.messages.append(
            Message(id=mid, parent=parent, role=role, content=mid, created_at=T0)
        )

    add("u1", None, "user")
    add("a1", "u1", "assistant")
    add("u2a", "a1", "user")
    add("a2a", "u2a", "assistant")
    add("u2b", "a1", "user")
    add("a2b", "u2b", "assistant")
    return conversation


def test_thread_follows_parents_from_head() -> None:
    conversation = branched()
    conversation.head = "a2a"
    assert [m.id for m in conversation.thread()] == ["u1", "a1", "u2a", "a2a"]
    conversation.head = "a2b"
    assert [m.id for m in conversation.thread()] == ["u1", "a1", "u2b", "a2b"]
    conversation.head = "a1"
    assert [m.id for m in conversation.thread()] == ["u1", "a1"]


def test_thread_survives_missing_head_and_cycles() -> None:
    conversation = branched()
    conversation.head = None
    assert conversation.thread() == []
    conversation.head = "gone"
    assert conversation.thread() == []
    conversation.message("u1").parent = "a1"  # a hand-edited loop must not hang
    conversation.head = "a1"
    assert [m.id for m in conversation.thread()] == ["u1", "a1"]


def test_append_adds_below_head_and_moves_head() -> None:
    conversation = branched()
    conversation.head = "a2b"
    reply = Message(id="u3", parent="a2b", role="user", content="more", created_at=T0)
    conversation.append(reply)
    assert conversation.head == "u3"
    assert [m.id for m in conversation.thread()][-2:] == ["a2b", "u3"]


def test_branches_survive_a_round_trip(store: ConversationStore) -> None:
    conversation = branched()
    conversation.head = "a2a"
    store.save(conversation)
    loaded = store.load("b")
    assert [m.id for m in loaded.thread()] == ["u1", "a1", "u2a", "a2a"]
    assert {m.id for m in loaded.messages} == {"u1", "a1", "u2a", "a2a", "u2b", "a2b"}


# --- from_dict on anything -------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.floats(allow_nan=True, allow_infinity=True)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
times = st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()) | json_values
messages = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=6) | json_values,
        "parent": st.none() | st.text(max_size=6) | json_values,
        "role": st.sampled_from(["user", "assistant", "system", "tool"]) | json_values,
        "content": st.text(max_size=10) | json_values,
        "created_at": times,
        "model": json_values,
        "finish_reason": json_values,
        "usage": st.fixed_dictionaries(
            {},
            optional={
                "prompt_tokens": json_values,
                "completion_tokens": json_values,
                "total_tokens": json_values,
                "estimated": json_values,
            },
        )
        | json_values,
        "reasoning": json_values,
        "error": json_values,
    },
)
conversations = st.fixed_dictionaries(
    {"format": st.just(CONVERSATION_FORMAT) | json_values},
    optional={
        "version": json_values,
        "id": st.text(max_size=6) | json_values,
        "title": json_values,
        "created_at": times,
        "updated_at": times,
        "provider": json_values,
        "model": json_values,
        "system_prompt": json_values,
        "params": st.fixed_dictionaries(
            {},
            optional={
                "temperature": json_values,
                "top_p": json_values,
                "max_tokens": json_values,
            },
        )
        | json_values,
        "pinned": json_values,
        "tags": st.lists(json_values, max_size=3) | json_values,
        "head": json_values,
        "messages": st.lists(messages, max_size=4) | json_values,
        "extra": json_values,
    },
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(data=conversations | json_values)
def test_from_dict_returns_a_conversation_or_raises_corrupt_file_error(data: Any) -> None:
    try:
        conversation = Conversation.from_dict(data)
    except CorruptFileError:
        return
    # Whatever was accepted can be shown and saved again without any other exception.
    conversation.thread()
    ConversationSummary.of(conversation)
    again = Conversation.from_dict(json.loads(json.dumps(conversation.to_dict())))
    assert again.id == conversation.id
    assert [m.id for m in again.thread()] == [m.id for m in conversation.thread()]


def test_a_sync_conflict_copy_opens_separately_and_never_overwrites_the_real_file(
    tmp_path: Path,
) -> None:
    from desktop.core.models import Message, utc_now

    store = ConversationStore(tmp_path)
    real = Conversation.new()
    real.title = "laptop"
    real.append(
        Message(id="q", parent=None, role="user", content="laptop question", created_at=utc_now())
    )
    store.save(real)
    copy_data = real.to_dict()
    copy_data["title"] = "desktop"
    copy_data["messages"][0]["content"] = "desktop question (older)"
    conflict = tmp_path / "conversations" / f"{real.id}.sync-conflict-20261124-120000-ABC.json"
    conflict.write_text(json.dumps(copy_data), encoding="utf-8")

    loaded, quarantined = store.load_all()
    assert quarantined == []
    assert store.copies == [conflict.name]
    by_title = {c.title: c for c in loaded}
    assert by_title["laptop"].id == real.id
    assert by_title["desktop"].id != real.id
    assert by_title["desktop"].copied_from == conflict.name
    # Saving the real one later leaves the copy's text intact, and vice versa.
    store.save(by_title["laptop"])
    assert store.load(real.id).messages[0].content == "laptop question"
    assert store.load(by_title["desktop"].id).messages[0].content == "desktop question (older)"
    assert (tmp_path / "quarantine" / conflict.name).exists()  # moved, never deleted
    assert not conflict.exists()
    again, _ = ConversationStore(tmp_path).load_all()
    assert sorted(c.title for c in again) == ["desktop", "laptop"]
