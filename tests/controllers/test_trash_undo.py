"""Undo and the trash against work still in flight: a title on its way, a reply being stopped,
a provider edited mid-reply; and keys of a settings file from a newer Confab."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from desktop.controllers.settings import SettingsController
from desktop.core.providers import Provider
from desktop.core.secrets import KeyStore
from desktop.core.settings import SettingsStore
from tests.controllers.test_chat import controllers  # noqa: F401  (fixture)
from tests.support.keys import MemoryBackend
from tests.support.openai_server import Reply
from tests.support.timers import ManualTimers


def test_a_late_title_cannot_overwrite_a_conversation_brought_back_by_undo(
    controllers: Any,  # noqa: F811
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    conversations, chat, _ = controllers([server_provider])
    chat.auto_title = True
    title_gate = threading.Event()
    openai_server.enqueue(
        Reply(text="first answer"),
        Reply(text="A Title", gate=title_gate),  # the title request, answered when let go
        Reply(text="second answer"),
    )
    old = conversations.new_conversation("local", None)
    assert chat.send(old, "first question")
    qtbot.waitUntil(lambda: not chat.is_streaming(old.id), timeout=5000)
    qtbot.waitUntil(lambda: len(openai_server.chat_requests()) == 2)  # the title is asked for
    conversations.delete(old.id)
    restored = conversations.restore(old.id)  # Undo
    assert restored is old  # the very object the title task holds
    assert chat.send(restored, "second question")
    qtbot.waitUntil(lambda: not chat.is_streaming(restored.id), timeout=5000)
    path = tmp_path / "conversations" / f"{old.id}.json"
    # The title request is still out: the second reply asks for no other one.
    assert json.loads(path.read_text())["title"] == "first question"
    assert len(openai_server.chat_requests()) == 3
    title_gate.set()
    qtbot.waitUntil(lambda: json.loads(path.read_text())["title"] == "A Title", timeout=5000)
    contents = [m["content"] for m in json.loads(path.read_text())["messages"]]
    assert contents == ["first question", "first answer", "second question", "second answer"]


def test_undo_after_deleting_a_streaming_conversation_keeps_every_word(
    controllers: Any,  # noqa: F811
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
) -> None:
    timers = ManualTimers()  # no periodic save: what is on screen is newer than the file
    conversations, chat, _ = controllers([server_provider], timer_factory=timers)
    gate = threading.Event()
    text = "x" * 400
    openai_server.enqueue(Reply(text=text, chunk_size=2, stall_after=150, gate=gate))
    conversation = conversations.new_conversation("local", None)
    assert chat.send(conversation, "hi")
    reply = conversation.messages[-1]
    qtbot.waitUntil(lambda: reply.content == text[:300], timeout=5000)  # mid-reply
    path = tmp_path / "conversations" / f"{conversation.id}.json"
    assert json.loads(path.read_text())["messages"][-1]["role"] == "user"
    # What the window does on Delete: stop the reply, then move the file to the trash.
    chat.stop(conversation.id)
    conversations.delete(conversation.id)
    qtbot.waitUntil(lambda: not chat.is_streaming(conversation.id), timeout=5000)
    gate.set()
    shown = conversation.messages[-1]
    assert shown.content == text[:300]
    restored = conversations.restore(conversation.id)
    assert restored is not None
    back = restored.messages[-1]
    assert back.error is not None
    assert (back.content, back.error.kind) == (shown.content, "stopped")


def test_saving_the_provider_does_not_cut_a_reply_streaming_through_it(
    controllers: Any,  # noqa: F811
    server_provider: dict[str, Any],
    openai_server: Any,
    qtbot: Any,
) -> None:
    conversations, chat, settings = controllers([server_provider])
    text = "".join(f"{i:03d} " for i in range(40))
    gate = threading.Event()  # the reply stops half-way until the provider is saved
    openai_server.enqueue(
        Reply(text=text, chunk_size=4, stall_after=20, gate=gate), Reply(text="next")
    )
    conversation = conversations.new_conversation("local", None)
    failed: list[Any] = []
    chat.reply_failed.connect(lambda *args: failed.append(args[2]))
    assert chat.send(conversation, "hi")
    reply = conversation.messages[-1]
    qtbot.waitUntil(lambda: reply.content == text[:80], timeout=5000)
    p = settings.provider("local")
    settings.save_provider(Provider(p.id, "P renamed", p.base_url, p.default_model), None)
    assert chat.is_streaming(conversation.id)
    gate.set()
    qtbot.waitUntil(lambda: not chat.is_streaming(conversation.id), timeout=10000)
    reply = conversation.messages[-1]
    assert failed == [] and reply.error is None
    assert reply.content == text
    # The next request goes through the new client.
    assert chat.send(conversation, "again")
    qtbot.waitUntil(lambda: not chat.is_streaming(conversation.id), timeout=5000)
    assert conversation.messages[-1].content == "next"


def test_removing_a_provider_of_a_newer_settings_file_keeps_its_key(
    tmp_path: Path, qapp: Any, run_async: Any
) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps(
            {
                "format": "confab.settings",
                "version": 2,
                "default_provider": "openai",
                "providers": [
                    {"id": "openai", "name": "OpenAI", "base_url": "https://api.openai.com/v1"}
                ],
            }
        )
    )
    backend = MemoryBackend()
    backend.set_password("Confab", "openai", "sk-real-key")
    settings = SettingsController(SettingsStore(tmp_path), KeyStore(backend))
    assert settings.newer_version == 2
    settings.remove_provider("openai")  # for this session only, as the banner says
    again = SettingsController(SettingsStore(tmp_path), KeyStore(backend))
    assert again.provider("openai") is not None
    assert run_async(again.api_key("openai")) == "sk-real-key"
