"""Files written by the Confab before the typed format (tests/data/format1/, made by the code of
commit 56d2fa8) open unchanged: every field lands in its typed attribute, each old error string
maps to its kind, and a re-save keeps the fields this version does not know and matches the
schema."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.core.context import Budget, plan_context
from desktop.core.models import Conversation, Summary, Usage
from desktop.core.network import PROXY_CUSTOM, Timeouts
from desktop.core.pricing import Price
from desktop.core.settings import SettingsStore
from desktop.core.storage import ConversationStore
from tests.support.written_files import validator

DATA = Path(__file__).parents[1] / "data" / "format1"
T0 = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("*.py", "*.md"))
    return tmp_path / "data"


@pytest.fixture
def loaded(folder: Path) -> dict[str, Conversation]:
    store = ConversationStore(folder)
    conversations, quarantined = store.load_all()
    assert quarantined == [] and store.repaired == [] and store.copies == []
    assert store.migrated == [] and not (folder / "backups").exists()  # nothing to upgrade
    return {c.id: c for c in conversations}


def _raw(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "conversations" / f"{name}.json").read_text("utf-8"))
    return data


def test_every_field_of_a_conversation_is_read(loaded: dict[str, Conversation]) -> None:
    c = loaded["0123456789abcdef0123456789abcdef"]
    assert (c.title, c.provider, c.model) == ("北国春光", "deepseek", "deepseek-reasoner")
    assert c.system_prompt == "你是一位南宋词人。" and c.pinned and c.tags == ["poetry", "词"]
    assert (c.params.temperature, c.params.top_p, c.params.max_tokens) == (0.7, 0.9, 2048)
    assert c.created_at == T0 and c.updated_at > T0
    assert c.context == Budget(max_messages=20, max_tokens=None)
    raw = _raw(c.id)
    assert c.summary == Summary(
        "The user asked for a ci poem.",
        raw["summary"]["through"],
        datetime(2026, 11, 23, 20, 3, 20, tzinfo=UTC),
    )
    assert c.draft == "再写一首秋天的"
    assert c.title_generated and not c.title_set_by_user and c.copied_from is None
    assert c.extra == {"sync": {"device": "laptop", "seq": [1, 2, 3]}}

    # Branches: the question answered twice, the follow-up edited; the thread on screen.
    q1, r1, r2, q2, r3, q2b, r4, system, q3 = c.messages
    assert [m.id for m in c.siblings(r1.id)] == [r1.id, r2.id]
    assert [m.id for m in c.siblings(q2.id)] == [q2.id, q2b.id]
    assert [m.id for m in c.thread()] == [q1.id, r2.id, q2b.id, r4.id, system.id, q3.id]
    assert q1.pinned and not q1.excluded and r1.excluded and not r1.pinned
    assert not any(m.streaming for m in c.messages)
    assert r1.error is not None and r1.error.kind == "stopped" and r1.content == "北国风光，千里"
    assert r2.error is None and r2.finish_reason == "stop" and r2.provider == "deepseek"
    assert r2.usage == Usage(31, 402, 433, cached_tokens=24)
    assert r2.reasoning == "用户想要一首词，先选词牌……"
    assert r3.usage == Usage(500, 100, 600, estimated=True) and r3.finish_reason == "length"
    assert r3.extra == {"client": {"name": "other-tool"}} and q3.extra == {"rating": 5}
    assert system.role == "system" and r4.provider is None

    # What the flags and the summary mean for the next request.
    plan = plan_context(c)
    assert plan.summarized == {q1.id, r2.id}
    assert plan.messages[1]["content"].endswith("The user asked for a ci poem.")
    assert plan.included == {q2b.id, r4.id, system.id, q3.id}


# Each reply of the "Failures" file, in order: (kind, timeout, seconds).
OLD_ERRORS = [
    ("auth", None, None),
    ("auth", None, None),
    ("not_found", None, None),
    ("rate_limit", None, None),
    ("quota", None, None),
    ("quota", None, None),
    ("server", None, None),
    ("server", None, None),
    ("context_too_long", None, None),
    ("bad_request", None, None),
    ("proxy_auth", None, None),
    ("http", None, None),
    ("timeout", "connect", 10.0),
    ("timeout", None, None),
    ("timeout", "first_byte", 120.0),
    ("timeout", "silence", 60.0),
    ("timeout", "silence", 2.5),
    ("network", None, None),
    ("invalid_key", None, None),
    ("proxy", None, None),
    ("certificate", None, None),
    ("connection_dropped", None, None),
    ("empty_reply", None, None),
    ("stream_error", None, None),
    ("too_large", None, None),
    ("web_page", None, None),
    ("json_reply", None, None),
    ("not_a_stream", None, None),
    ("no_provider", None, None),
    ("error", None, None),
    ("other", None, None),
    ("auth", None, None),
]


def test_each_old_error_string_maps_to_its_kind(loaded: dict[str, Conversation]) -> None:
    c = loaded["fa11ed00fa11ed00fa11ed00fa11ed00"]
    assert c.title_set_by_user and not c.title_generated
    replies = [m for m in c.messages if m.role == "assistant"]
    raw = [m for m in _raw(c.id)["messages"] if m["role"] == "assistant"]
    assert len(replies) == len(OLD_ERRORS) == len(raw)
    for reply, data, (kind, timeout, seconds) in zip(replies, raw, OLD_ERRORS, strict=True):
        error = reply.error
        assert error is not None
        assert (error.kind, error.timeout, error.seconds) == (kind, timeout, seconds), data
        assert error.text == data["error"]  # written back as it was, for older Confabs
        assert error.detail == data["error"].partition(":")[2].strip()
    assert replies[0].error is not None
    assert replies[0].error.detail == "Incorrect API key provided: sk-abc***"
    assert replies[-1].error is not None and "sk-proj" not in replies[-1].error.detail


def test_a_reply_left_streaming_and_one_marked_interrupted(
    loaded: dict[str, Conversation],
) -> None:
    left = loaded["57ea1111057ea1111057ea1111057ea1"].messages[1]
    assert left.streaming and left.error is None and left.content == "Once upon a time"
    marked = loaded["1e7e22220001e7e22220001e7e222200"].messages[1]
    assert not marked.streaming and marked.error is not None
    assert marked.error.kind == "interrupted"
    conversation = loaded["57ea1111057ea1111057ea1111057ea1"]
    assert conversation.mark_interrupted()
    assert left.error is not None and left.error.kind == "interrupted" and not left.streaming


def test_drafts_and_copies(loaded: dict[str, Conversation]) -> None:
    plain = loaded["c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"]
    assert plain.draft == "only a draft" and plain.copied_from is None and plain.messages == []
    copy = loaded["c0b1ed00c0b1ed00c0b1ed00c0b1ed00"]
    assert copy.copied_from == (
        "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0.sync-conflict-20261124-081502-ABCDEFG.json"
    )
    assert copy.draft == "only a draft"


def test_a_re_save_keeps_everything_and_matches_the_schema(
    folder: Path, loaded: dict[str, Conversation]
) -> None:
    store = ConversationStore(folder)
    for conversation in loaded.values():
        store.save(conversation)
    store.close()
    for path in sorted((folder / "conversations").glob("*.json")):
        written = json.loads(path.read_text("utf-8"))
        old = json.loads((DATA / "conversations" / path.name).read_text("utf-8"))
        assert [e.message for e in validator("conversation").iter_errors(written)] == []
        # Every field of the old file is still there, with the same value; only error_info
        # is added, to each failed reply.
        for key, value in old.items():
            if key != "messages":
                assert written[key] == value, (path.name, key)
        assert len(written["messages"]) == len(old["messages"])
        for new, was in zip(written["messages"], old["messages"], strict=True):
            assert {k: v for k, v in new.items() if k != "error_info"} == was
            assert ("error_info" in new) == (was.get("error") is not None)
        # And the old file itself still matches: error_info is optional.
        assert [e.message for e in validator("conversation").iter_errors(old)] == []
    everything = json.loads(
        (folder / "conversations" / "0123456789abcdef0123456789abcdef.json").read_text("utf-8")
    )
    assert everything["sync"] == {"device": "laptop", "seq": [1, 2, 3]}
    assert [m.get("rating") for m in everything["messages"]][-1] == 5
    assert {"name": "other-tool"} in [m.get("client") for m in everything["messages"]]


def test_the_settings_file_opens_unchanged(folder: Path) -> None:
    store = SettingsStore(folder)
    settings = store.load()
    assert store.problems == [] and store.kept_as is None
    assert [p.id for p in settings.providers] == ["openai", "office", "ollama"]
    office = settings.provider("office")
    assert office is not None and office.extra == {"colour": "teal"}
    assert office.network.proxy == PROXY_CUSTOM and office.network.proxy_user == "me"
    assert office.network.timeouts == Timeouts(connect=5, first_byte=300, silence=90)
    assert office.network.extra == {"future_option": 1} and not office.network.verify_tls
    assert settings.default_provider == "openai" and settings.window["splitter"] == [260, 840]
    assert settings.auto_title is False
    assert settings.prices == {
        "qwen-max": Price(1.6, 6.4, 1.6, 32768, "2026-11-30"),
        "my-model": Price(0.5, 1.0, 0.25, None, "2026-11-29"),
    }
    assert [(p.id, p.name, p.prompt) for p in settings.personas] == [
        ("tutor", "Tutor", "You are a patient tutor…"),
        ("poet", "诗人", "你是一位诗人。"),
    ]
    assert settings.extra == {"theme_of_a_newer_confab": {"accent": "teal"}}
    store.save(settings)
    written = json.loads((folder / "settings.json").read_text("utf-8"))
    assert written == json.loads((DATA / "settings.json").read_text("utf-8"))
    assert [e.message for e in validator("settings").iter_errors(written)] == []
