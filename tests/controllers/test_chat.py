"""ChatController with real stores on disk and the loopback server: what reaches the disk when."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from desktop.controllers.chat import ChatController
from desktop.controllers.conversations import ConversationsController
from desktop.controllers.settings import SettingsController
from desktop.core.errors import NoModelError, NoProviderError, WriteFailedError
from desktop.core.providers import Provider
from desktop.core.secrets import KeyStore
from desktop.core.settings import SettingsStore
from desktop.core.storage import ConversationStore
from tests.conftest import write_settings
from tests.support.openai_server import Reply


class MemoryBackend:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def controllers(tmp_path: Path, qloop: Any, run_async: Any) -> Any:
    def make(
        providers: list[dict[str, Any]],
    ) -> tuple[ConversationsController, ChatController, SettingsController]:
        write_settings(tmp_path, providers)
        settings = SettingsController(SettingsStore(tmp_path), KeyStore(MemoryBackend()))
        conversations = ConversationsController(ConversationStore(tmp_path))
        conversations.load()
        chat = ChatController(conversations, settings)
        made.append((chat, settings))
        return conversations, chat, settings

    made: list[tuple[ChatController, SettingsController]] = []
    yield make
    for chat, settings in made:
        run_async(chat.shutdown())
        run_async(settings.aclose())


def _on_disk(tmp_path: Path, conversation_id: str) -> dict[str, Any]:
    return json.loads((tmp_path / "conversations" / f"{conversation_id}.json").read_text())


def test_a_long_reply_is_saved_while_it_streams(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    provider = {
        "id": "p",
        "name": "P",
        "base_url": openai_server.base_url,
        "default_model": "test-model",
    }
    conversations, chat, _ = controllers([provider])
    text = "".join(f"{i:04d} " for i in range(80))  # 80 chunks of 5 chars, 0.04 s apart
    openai_server.enqueue(Reply(text=text, chunk_size=5, delay=0.04))
    conversation = conversations.new_conversation("p", None)
    assert chat.send(conversation, "stream slowly")
    started = time.monotonic()
    # Wait ~1.6 s into a ~3.2 s reply: by then at least one save must have happened.
    qtbot.waitUntil(lambda: time.monotonic() - started > 1.6, timeout=5000)
    assert chat.is_streaming(conversation.id)
    saved = _on_disk(tmp_path, conversation.id)["messages"][-1]
    assert saved["role"] == "assistant"
    assert 0 < len(saved["content"]) < len(text)
    assert text.startswith(saved["content"])
    qtbot.waitUntil(lambda: not chat.is_streaming(conversation.id), timeout=10000)
    final = _on_disk(tmp_path, conversation.id)["messages"][-1]
    assert final["content"] == text and final["error"] is None
    assert final["usage"]["estimated"] is False


def test_sending_without_a_provider_or_model_says_so_and_sends_nothing(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    conversations, chat, settings = controllers([])
    conversation = conversations.new_conversation(None, None)
    with qtbot.waitSignal(chat.reply_failed) as failed:
        assert chat.send(conversation, "hello") is False
    assert isinstance(failed.args[2], NoProviderError)
    assert conversation.messages == []
    settings.save_provider(
        Provider(id="p", name="P", base_url=openai_server.base_url, default_model=""), None
    )
    with qtbot.waitSignal(chat.reply_failed) as failed:
        assert chat.send(conversation, "hello") is False
    assert isinstance(failed.args[2], NoModelError)
    assert openai_server.chat_requests() == []
    assert not list((tmp_path / "conversations").glob("*.json"))


def test_blank_text_is_not_sent(controllers: Any, openai_server: Any) -> None:
    provider = {
        "id": "p",
        "name": "P",
        "base_url": openai_server.base_url,
        "default_model": "test-model",
    }
    conversations, chat, _ = controllers([provider])
    conversation = conversations.new_conversation("p", None)
    assert chat.send(conversation, "   \n ") is False
    assert conversation.messages == []


def test_a_full_disk_keeps_the_text_in_memory_and_retries(
    controllers: Any,
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = {
        "id": "p",
        "name": "P",
        "base_url": openai_server.base_url,
        "default_model": "test-model",
    }
    conversations, chat, _ = controllers([provider])
    store = conversations._store
    real_save = store.save
    failing = True

    def save(conversation: Any) -> None:
        if failing:
            raise WriteFailedError("No space left on device")
        real_save(conversation)

    monkeypatch.setattr(store, "save", save)
    monkeypatch.setattr("desktop.controllers.conversations.RETRY_SAVE_MS", 100)
    conversations._retry.setInterval(100)
    conversation = conversations.new_conversation("p", None)
    with qtbot.waitSignal(conversations.save_failed) as failed:
        chat.send(conversation, "keep me")
    assert isinstance(failed.args[0], WriteFailedError)
    qtbot.waitUntil(lambda: not chat.is_streaming(conversation.id), timeout=10000)
    assert conversations.has_unsaved
    assert conversation.messages[-1].content == "echo[1]: keep me"  # still in memory
    failing = False
    with qtbot.waitSignal(conversations.save_recovered, timeout=3000):
        pass
    saved = _on_disk(tmp_path, conversation.id)
    assert [m["content"] for m in saved["messages"]] == ["keep me", "echo[1]: keep me"]
