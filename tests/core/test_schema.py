"""resources/schema/ refuses what Confab never writes, so that the check of every file the test
suite sees Confab write (tests/support/written_files.py) cannot pass vacuously."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.core.errors import RateLimitError
from desktop.core.models import Conversation, Message, ReplyError, Summary, Usage
from desktop.core.settings import Settings, SettingsStore
from desktop.core.storage import ConversationStore
from tests.support import written_files
from tests.support.written_files import problems, validator

T0 = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def _conversation() -> dict[str, Any]:
    c = Conversation(id="c1", title="t", created_at=T0, updated_at=T0, model="m")
    q = c.append(Message("q", None, "user", "hi", T0, pinned=True))
    c.append(
        Message(
            "r",
            q.id,
            "assistant",
            "partial",
            T0,
            model="m",
            usage=Usage(1, 2, 3, cached_tokens=1),
            reasoning="hm",
            error=ReplyError.of(RateLimitError(429, "slow down")),
            provider="p",
            streaming=True,
        )
    )
    c.summary = Summary("s", q.id, T0)
    c.draft = "typed"
    c.title_generated = True
    c.folder, c.archived = "Work/Clients", True
    data: dict[str, Any] = c.to_dict()
    return data


def _errors(name: str, data: Any) -> list[str]:
    return [e.message for e in validator(name).iter_errors(data)]


def test_what_confab_writes_matches() -> None:
    assert _errors("conversation", _conversation()) == []
    assert _errors("settings", Settings().to_dict()) == []


def _broken(change: str) -> dict[str, Any]:
    data = _conversation()
    reply = data["messages"][1]
    question = data["messages"][0]
    changes = {
        "version as text": lambda: data.update(version="1"),
        "another format": lambda: data.update(format="confab.settings"),
        "title a number": lambda: data.update(title=3),
        "time without zone": lambda: data.update(created_at="2026-11-23T20:00:00"),
        "tags not strings": lambda: data.update(tags=[1]),
        "params.max_tokens 0": lambda: data["params"].update(max_tokens=0),
        "messages an object": lambda: data.update(messages={}),
        "content a list": lambda: question.update(content=[{"type": "text", "text": "x"}]),
        "a message without id": lambda: question.pop("id"),
        "pinned false": lambda: question.update(pinned=False),
        "pinned and excluded": lambda: question.update(excluded=True),
        "error a number": lambda: reply.update(error=3),
        "error_info without kind": lambda: reply["error_info"].pop("kind"),
        "status as text": lambda: reply["error_info"].update(status="429"),
        "error_info with a null error": lambda: reply.update(error=None),
        "usage counts negative": lambda: reply["usage"].update(prompt_tokens=-1),
        "a reply without usage": lambda: reply.pop("usage"),
        "streaming as text": lambda: reply.update(streaming="yes"),
        "a question with a model": lambda: question.update(model="m"),
        "summary without text": lambda: data["summary"].pop("text"),
        "draft empty": lambda: data.update(draft=""),
        "context 0": lambda: data.update(context={"max_messages": 0, "max_tokens": None}),
        "title_generated false": lambda: data.update(title_generated=False),
        "an unsafe id": lambda: data.update(id="../x"),
        "folder with an empty name": lambda: data.update(folder="Work//Acme"),
        "folder name untrimmed": lambda: data.update(folder="Work/ Acme"),
        "folder empty": lambda: data.update(folder=""),
        "archived false": lambda: data.update(archived=False),
    }
    changes[change]()
    return data


@pytest.mark.parametrize(
    "change",
    [
        "version as text",
        "another format",
        "title a number",
        "time without zone",
        "tags not strings",
        "params.max_tokens 0",
        "messages an object",
        "content a list",
        "a message without id",
        "pinned false",
        "pinned and excluded",
        "error a number",
        "error_info without kind",
        "status as text",
        "error_info with a null error",
        "usage counts negative",
        "a reply without usage",
        "streaming as text",
        "a question with a model",
        "summary without text",
        "draft empty",
        "context 0",
        "title_generated false",
        "an unsafe id",
        "folder with an empty name",
        "folder name untrimmed",
        "folder empty",
        "archived false",
    ],
)
def test_the_conversation_schema_refuses(change: str) -> None:
    assert _errors("conversation", _broken(change)) != []


def _settings() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (Path(__file__).parents[1] / "data" / "format1" / "settings.json").read_text("utf-8")
    )
    return data


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ((), {"api_key": "sk-x"}),
        ((), {"auto_title": "no"}),
        ((), {"theme": "purple"}),
        ((), {"thread_font_size": 500}),
        ((), {"send_key": "shift+enter"}),
        ((), {"shortcuts": {"find": 3}}),
        ((), {"tray_icon": True}),
        ((), {"folders": ["Work", "Work"]}),
        ((), {"folders": ["/Work"]}),
        ((), {"providers": {}}),
        ((), {"default_provider": 1}),
        (("providers", 0), {"Token": "sk-x"}),
        (("providers", 0), {"models": "gpt-4o"}),
        (("providers", 1, "network"), {"proxy": "socks"}),
        (("providers", 1, "network"), {"proxy_url": "http://me:pw@host:1"}),
        (("providers", 1, "network"), {"proxy_password": "pw"}),
        (("providers", 1, "network", "timeouts"), {"connect": -1}),
        (("prices", "qwen-max"), {"input": "1.6"}),
        (("personas", 0), {"name": 3}),
    ],
)
def test_the_settings_schema_refuses(where: tuple[Any, ...], value: dict[str, Any]) -> None:
    data = _settings()
    assert _errors("settings", data) == []
    broken = copy.deepcopy(data)
    target = broken
    for step in where:
        target = target[step]
    target.update(value)
    assert _errors("settings", broken) != []


def test_every_file_the_stores_write_is_checked(tmp_path: Path) -> None:
    """The recorder sees the writer thread's writes and the settings store's, and a file that
    does not match is reported."""
    before = dict(written_files.checked)
    store = ConversationStore(tmp_path)
    conversation = Conversation.from_dict(_conversation())
    store.save(conversation)
    SettingsStore(tmp_path).save(Settings())
    store.close()
    assert written_files._check_taken() == []
    assert written_files.checked["conversation"] == before["conversation"] + 1
    assert written_files.checked["settings"] == before["settings"] + 1
    path = store.path_of(conversation.id)
    assert problems(path, b'{"format": "confab.conversation"}') != []
    assert problems(path, b"not json") != []
