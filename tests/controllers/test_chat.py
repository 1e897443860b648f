"""ChatController with real stores on disk and the loopback server: what reaches the disk when."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from desktop.controllers.chat import ChatController, RetryPolicy
from desktop.controllers.conversations import ConversationsController
from desktop.controllers.settings import SettingsController
from desktop.core.errors import NoModelError, NoProviderError, WriteFailedError
from desktop.core.providers import Provider
from desktop.core.secrets import KeyStore
from desktop.core.settings import SettingsStore
from desktop.core.storage import ConversationStore
from tests.conftest import write_settings
from tests.support.keys import MemoryBackend
from tests.support.openai_server import Reply
from tests.support.timers import ManualTimers


@pytest.fixture
def controllers(tmp_path: Path, qloop: Any, run_async: Any) -> Any:
    def make(
        providers: list[dict[str, Any]], **seams: Any
    ) -> tuple[ConversationsController, ChatController, SettingsController]:
        """``seams``: ChatController's timer_factory and sleep, for tests that drive time."""
        write_settings(tmp_path, providers)
        settings = SettingsController(SettingsStore(tmp_path), KeyStore(MemoryBackend()))
        conversations = ConversationsController(ConversationStore(tmp_path))
        conversations.load()
        chat = ChatController(conversations, settings, **seams)
        made.append((conversations, chat, settings))
        return conversations, chat, settings

    made: list[tuple[ConversationsController, ChatController, SettingsController]] = []
    yield make
    for conversations, chat, settings in made:
        run_async(chat.shutdown())
        run_async(settings.aclose())
        conversations.close()  # its writer thread ends with the test


def _on_disk(
    conversations: ConversationsController, tmp_path: Path, conversation_id: str
) -> dict[str, Any]:
    """The file as it is once the writes asked for so far have ended (they run in the
    writer thread)."""
    conversations.wait_for_writes()
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
    timers = ManualTimers()
    conversations, chat, _ = controllers([provider], timer_factory=timers)
    text = "".join(f"{i:04d} " for i in range(80))  # 80 chunks of 5 characters
    gate = threading.Event()
    # Half the reply, then the model holds on until the test lets it finish.
    openai_server.enqueue(Reply(text=text, chunk_size=5, stall_after=40, gate=gate))
    conversation = conversations.new_conversation("p", None)
    assert chat.send(conversation, "stream slowly")
    save_timer = timers.only
    assert save_timer.isActive() and save_timer.interval() <= 1000  # at least every second
    reply = conversation.messages[-1]
    qtbot.waitUntil(lambda: reply.content == text[:200], timeout=5000)
    save_timer.fire()  # a second has passed
    saved = _on_disk(conversations, tmp_path, conversation.id)["messages"][-1]
    assert saved["role"] == "assistant"
    assert saved["content"] == text[:200]
    assert saved["streaming"] is True  # a crash now would leave it marked as cut short
    gate.set()
    qtbot.waitUntil(lambda: not chat.is_streaming(conversation.id), timeout=10000)
    final = _on_disk(conversations, tmp_path, conversation.id)["messages"][-1]
    assert final["content"] == text and final["error"] is None
    assert "streaming" not in final
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
    writer = conversations._store.writer
    real_write = writer.write
    failing = True

    def write(path: Path, data: bytes) -> None:  # in the writer thread
        if failing:
            raise WriteFailedError("No space left on device")
        real_write(path, data)

    monkeypatch.setattr(writer, "write", write)
    conversation = conversations.new_conversation("p", None)
    with qtbot.waitSignal(conversations.save_failed) as failed:
        chat.send(conversation, "keep me")
    assert isinstance(failed.args[0], WriteFailedError)
    qtbot.waitUntil(lambda: not chat.is_streaming(conversation.id), timeout=10000)
    assert conversations.has_unsaved
    assert conversation.messages[-1].content == "echo[1]: keep me"  # still in memory
    conversations.wait_for_writes()  # every denied write has ended
    assert conversations.has_unsaved
    assert conversations._retry.isActive()  # a retry is due (every RETRY_SAVE_MS)
    failing = False
    with qtbot.waitSignal(conversations.save_recovered, timeout=3000):
        conversations._on_retry_timeout()  # as the retry timer does, without waiting for it
    saved = _on_disk(conversations, tmp_path, conversation.id)
    assert [m["content"] for m in saved["messages"]] == ["keep me", "echo[1]: keep me"]


def _provider(openai_server: Any) -> dict[str, Any]:
    return {
        "id": "p",
        "name": "P",
        "base_url": openai_server.base_url,
        "default_model": "test-model",
    }


def _wait(chat: ChatController, qtbot: Any, conversation: Any) -> None:
    qtbot.waitUntil(lambda: not chat.is_streaming(conversation.id), timeout=10000)


def test_edit_and_regenerate_add_siblings_and_keep_the_originals(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    conversations, chat, _ = controllers([_provider(openai_server)])
    c = conversations.new_conversation("p", None)
    chat.send(c, "first question")
    _wait(chat, qtbot, c)
    question, answer = c.thread()
    assert chat.regenerate(c, answer.id)
    _wait(chat, qtbot, c)
    assert c.siblings(answer.id)[0].id == answer.id
    assert len(c.siblings(answer.id)) == 2
    # the regeneration was asked with the same context: just the question
    assert openai_server.chat_requests()[-1]["json"]["messages"] == [
        {"role": "user", "content": "first question"}
    ]

    assert chat.edit(c, question.id, "edited question")
    _wait(chat, qtbot, c)
    assert [m.content for m in c.thread()] == ["edited question", "echo[1]: edited question"]
    assert [m.content for m in c.siblings(question.id)] == ["first question", "edited question"]
    saved = _on_disk(conversations, tmp_path, c.id)
    assert len(saved["messages"]) == 5  # q, a, a (regenerated), q (edited), a: none lost
    assert saved["head"] == c.thread()[-1].id

    chat.switch_branch(c, question.id)
    assert c.thread()[0].content == "first question"
    assert _on_disk(conversations, tmp_path, c.id)["head"] == c.thread()[-1].id


def test_continue_appends_to_a_reply_cut_at_the_length_limit(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    conversations, chat, _ = controllers([_provider(openai_server)])
    openai_server.enqueue(
        Reply(text="The first half", finish_reason="length"), Reply(text=" and the second half.")
    )
    c = conversations.new_conversation("p", None)
    chat.send(c, "write a long text")
    _wait(chat, qtbot, c)
    reply = c.thread()[-1]
    assert reply.finish_reason == "length"
    first_usage = reply.usage
    assert chat.continue_reply(c, reply.id)
    _wait(chat, qtbot, c)
    assert reply.content == "The first half and the second half."
    assert reply.finish_reason == "stop"
    assert len(c.messages) == 2  # same message, no new one
    sent = openai_server.chat_requests()[-1]["json"]["messages"]
    assert sent[1] == {"role": "assistant", "content": "The first half"}
    assert sent[-1]["role"] == "user" and "Continue" in sent[-1]["content"]
    assert reply.usage.completion_tokens > first_usage.completion_tokens
    assert _on_disk(conversations, tmp_path, c.id)["messages"][1]["content"] == reply.content


def test_delete_message_removes_its_branch_only(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    conversations, chat, _ = controllers([_provider(openai_server)])
    c = conversations.new_conversation("p", None)
    chat.send(c, "one")
    _wait(chat, qtbot, c)
    chat.send(c, "two")
    _wait(chat, qtbot, c)
    second_question = c.thread()[2]
    with qtbot.waitSignal(chat.thread_changed):
        chat.delete_message(c, second_question.id)
    assert [m.content for m in c.thread()] == ["one", "echo[1]: one"]
    saved = _on_disk(conversations, tmp_path, c.id)
    assert [m["content"] for m in saved["messages"]] == ["one", "echo[1]: one"]


def test_text_is_saved_within_a_second_even_when_the_model_pauses(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    timers = ManualTimers()
    conversations, chat, _ = controllers([_provider(openai_server)], timer_factory=timers)
    gate = threading.Event()
    openai_server.enqueue(
        Reply(text="part0 part1 part2 part3", chunk_size=6, stall_after=2, gate=gate)
    )
    c = conversations.new_conversation("p", None)
    chat.send(c, "think hard")
    qtbot.waitUntil(lambda: c.thread()[-1].content == "part0 part1 ", timeout=5000)
    # The model is silent now: no delta will come to trigger a save; the timer's next tick
    # (at most a second away) must save what arrived before the pause.
    assert (
        _on_disk(conversations, tmp_path, c.id)["messages"][-1]["role"] == "user"
    )  # no reply saved yet
    timers.only.fire()
    assert chat.is_streaming(c.id)
    assert _on_disk(conversations, tmp_path, c.id)["messages"][-1]["content"] == "part0 part1 "
    chat.stop(c.id)
    _wait(chat, qtbot, c)
    gate.set()


def test_stopping_in_the_same_instant_as_sending_ends_the_reply(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    conversations, chat, _ = controllers([_provider(openai_server)])
    c = conversations.new_conversation("p", None)
    with qtbot.waitSignal(chat.reply_stopped, timeout=3000):
        chat.send(c, "never mind")
        chat.stop(c.id)  # before the stream task ever ran
    assert not chat.is_streaming(c.id)
    assert _on_disk(conversations, tmp_path, c.id)["messages"][-1]["error"] == "stopped"
    assert chat.send(c, "again") is True  # not stuck
    _wait(chat, qtbot, c)


def test_an_emoji_split_across_two_deltas_is_joined_and_saved(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    conversations, chat, _ = controllers([_provider(openai_server)])
    body = (
        'data: {"choices":[{"delta":{"content":"Hi \\ud83d"}}]}\n\n'
        'data: {"choices":[{"delta":{"content":"\\ude00!"}}]}\n\n'
        'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n'
        "data: [DONE]\n\n"
    )
    openai_server.enqueue(Reply(body=body))
    c = conversations.new_conversation("p", None)
    chat.send(c, "smile")
    _wait(chat, qtbot, c)
    assert c.thread()[-1].content == "Hi 😀!"
    assert _on_disk(conversations, tmp_path, c.id)["messages"][-1]["content"] == "Hi 😀!"
    assert not conversations.has_unsaved


def test_retry_replaces_an_empty_failed_reply(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    conversations, chat, _ = controllers([_provider(openai_server)])
    chat.retry_policy = RetryPolicy(attempts=1)  # no automatic retry: the user's Retry
    openai_server.enqueue(Reply(status=500))
    c = conversations.new_conversation("p", None)
    chat.send(c, "try me")
    _wait(chat, qtbot, c)
    failed = c.thread()[-1]
    assert failed.error and failed.error.text.startswith("ServerError")
    assert (failed.error.kind, failed.error.status) == ("server", 500)
    assert chat.retry(c, failed.id)
    _wait(chat, qtbot, c)
    assert [m.content for m in c.thread()] == ["try me", "echo[1]: try me"]
    assert len(c.messages) == 2
    assert openai_server.chat_requests()[-1]["json"]["messages"] == [
        {"role": "user", "content": "try me"}
    ]


def test_a_busy_server_is_retried_after_its_retry_after_then_the_user_is_told(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # the wait before a retry, without waiting
        slept.append(seconds)

    conversations, chat, _ = controllers([_provider(openai_server)], sleep=sleep)
    chat.retry_policy = RetryPolicy(attempts=3, base_delay=0.05)
    waits: list[tuple[float, int]] = []
    reasons: list[str] = []
    chat.retry_scheduled.connect(
        lambda _c, _m, wait: (
            waits.append((wait.seconds, wait.attempt)),
            reasons.append(wait.reason),
        )
    )
    openai_server.enqueue(Reply(status=429, headers={"Retry-After": "0.2"}), Reply(status=503))
    c = conversations.new_conversation("p", None)
    chat.send(c, "busy?")
    _wait(chat, qtbot, c)
    assert waits == [(0.2, 2), (0.1, 3)]  # Retry-After, then backoff
    assert reasons == ["busy", "busy"]
    assert slept == [0.2, 0.1]
    assert c.thread()[-1].content == "echo[1]: busy?"
    assert len(openai_server.chat_requests()) == 3

    openai_server.enqueue(Reply(status=500), Reply(status=500), Reply(status=500))
    with qtbot.waitSignal(chat.reply_failed, timeout=5000) as failed:
        chat.send(c, "still busy?")
    assert type(failed.args[2]).__name__ == "ServerError"
    assert len(openai_server.chat_requests()) == 6  # three attempts, then the message
    assert slept[2:] == [0.05, 0.1]
    # A long Retry-After is a quota, not a hiccup: no automatic wait.
    openai_server.enqueue(Reply(status=429, headers={"Retry-After": "3600"}))
    with qtbot.waitSignal(chat.reply_failed, timeout=5000):
        chat.send(c, "quota?")
    assert len(openai_server.chat_requests()) == 7
    assert len(slept) == 4


def test_an_unreachable_server_is_retried_and_said_to_be_unreachable(
    controllers: Any, qtbot: Any
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    closed = {"id": "p", "name": "Nobody", "base_url": "http://127.0.0.1:9/v1",
              "default_model": "m"}  # fmt: skip
    conversations, chat, _ = controllers([closed], sleep=sleep)
    chat.retry_policy = RetryPolicy(attempts=2, base_delay=0.05)
    reasons: list[str] = []
    chat.retry_scheduled.connect(lambda *args: reasons.append(args[-1].reason))
    c = conversations.new_conversation("p", None)
    with qtbot.waitSignal(chat.reply_failed, timeout=10_000) as failed:
        chat.send(c, "anyone?")
    assert type(failed.args[2]).__name__ == "ConnectFailedError"
    assert reasons == ["unreachable"] and slept == [0.05]


def test_the_request_leaves_only_once_the_question_is_on_disk(
    controllers: Any,
    openai_server: Any,
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conversations, chat, _ = controllers([_provider(openai_server)])
    writer = conversations._store.writer
    real_write = writer.write
    held = threading.Event()
    writing = threading.Event()
    writes: list[str] = []

    def slow_disk(path: Path, data: bytes) -> None:  # in the writer thread
        writes.append(threading.current_thread().name)
        writing.set()
        assert held.wait(10)
        real_write(path, data)

    monkeypatch.setattr(writer, "write", slow_disk)
    saved: list[str] = []
    chat.message_saved.connect(lambda _c, message_id: saved.append(message_id))
    c = conversations.new_conversation("p", None)
    assert chat.send(c, "keep this first")  # returns at once: the UI thread does not wait
    assert writing.wait(10)
    assert chat.is_streaming(c.id)
    qtbot.wait(300)  # the loop runs on; the request must not leave meanwhile
    assert openai_server.chat_requests() == [] and saved == []
    path = tmp_path / "conversations" / f"{c.id}.json"
    assert not path.exists()
    held.set()
    qtbot.waitUntil(lambda: len(openai_server.chat_requests()) == 1, timeout=5000)
    assert saved == [c.messages[0].id]
    assert json.loads(path.read_text())["messages"][0]["content"] == "keep this first"
    _wait(chat, qtbot, c)
    assert writes and all(name.startswith("confab-writer") for name in writes)


def test_a_failed_write_reaches_the_user_on_the_ui_thread_and_the_request_still_goes(
    controllers: Any,
    openai_server: Any,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conversations, chat, _ = controllers([_provider(openai_server)])

    def denied(path: Path, data: bytes) -> None:
        raise WriteFailedError(f"{path.name}: Permission denied")

    monkeypatch.setattr(conversations._store.writer, "write", denied)
    heard: list[tuple[object, str]] = []
    conversations.save_failed.connect(
        lambda exc: heard.append((exc, threading.current_thread().name))
    )
    saved: list[str] = []
    chat.message_saved.connect(lambda *args: saved.append(args[1]))
    c = conversations.new_conversation("p", None)
    chat.send(c, "are you there")
    _wait(chat, qtbot, c)
    assert len(openai_server.chat_requests()) == 1  # a failed write does not stop it
    assert saved == []  # never said to be on disk
    assert heard and all(isinstance(exc, WriteFailedError) for exc, _ in heard)
    assert {name for _, name in heard} == {threading.main_thread().name}
    assert conversations.has_unsaved
    assert c.messages[-1].content == "echo[1]: are you there"  # kept in memory
    conversations.wait_for_writes()  # every denied write has ended: none is left to succeed
    assert conversations.has_unsaved
    monkeypatch.undo()
    with qtbot.waitSignal(conversations.save_recovered, timeout=3000):
        conversations._on_retry_timeout()
    assert not conversations.has_unsaved


def test_periodic_saves_write_in_the_writer_thread_latest_first(
    controllers: Any, openai_server: Any, qtbot: Any, tmp_path: Path
) -> None:
    timers = ManualTimers()
    conversations, chat, _ = controllers([_provider(openai_server)], timer_factory=timers)
    gate = threading.Event()
    openai_server.enqueue(Reply(text="a b c d e f", chunk_size=2, stall_after=2, gate=gate))
    c = conversations.new_conversation("p", None)
    chat.send(c, "go")
    qtbot.waitUntil(lambda: c.messages[-1].content == "a b ", timeout=5000)
    for _ in range(3):
        timers.only.fire()  # several ticks before the writer got round to any of them
    saved = _on_disk(conversations, tmp_path, c.id)["messages"][-1]
    assert saved["content"] == "a b " and saved["streaming"] is True
    gate.set()
    _wait(chat, qtbot, c)
    final = _on_disk(conversations, tmp_path, c.id)["messages"][-1]
    assert final["content"] == "a b c d e f" and "streaming" not in final
