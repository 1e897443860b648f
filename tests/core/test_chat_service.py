"""The chat service with no QApplication and no real time: the real client against the loopback
OpenAI server, the real store writing real files, a clock that stands still, a sleep that only
notes how long it was asked to wait, and a save timer ticked by hand."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from desktop.core.client import ChatClient
from desktop.core.errors import ConfabError, ConnectFailedError, ContextTooLongError, ServerError
from desktop.core.index import ConversationIndex, read_usage
from desktop.core.models import Conversation, new_id
from desktop.core.pricing import PriceTable
from desktop.core.services import recovery
from desktop.core.services.chat import ChatEvents, ChatService
from desktop.core.settings import Provider
from desktop.core.storage import ConversationStore
from desktop.core.usage import UsageTable, usage_rows
from tests.support.openai_server import OpenAIServer, Reply

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
PRICES = Path(__file__).resolve().parents[2] / "resources" / "pricing" / "prices.json"


class Conversations:
    """The conversations in memory over the real store (what ConversationsController does,
    without Qt): a save hands the file to the writer thread."""

    def __init__(self, store: ConversationStore) -> None:
        self.store = store
        self.items: dict[str, Conversation] = {}
        self.writes: dict[str, Future[None]] = {}

    def save(self, conversation: Conversation, *, touch: bool = True) -> bool:
        self.items[conversation.id] = conversation
        self.writes[conversation.id] = self.store.save_soon(conversation)
        return True

    async def written(self, conversation_id: str) -> bool:
        future = self.writes.get(conversation_id)
        if future is None:
            return True
        try:
            await asyncio.wrap_future(future)
        except ConfabError:
            return False
        return True

    def get(self, conversation_id: str) -> Conversation | None:
        return self.items.get(conversation_id)

    async def usage(self, by: str, price_of: Any = None) -> UsageTable:
        """From a real index of the folder, brought in line with the files once written."""
        self.store.wait_for_writes()
        index = ConversationIndex(self.store)
        try:
            index.open()
            index.reconcile()
        finally:
            index.close()
        figures = read_usage(index.path, by)
        return UsageTable(usage_rows(figures.cells, price_of) if price_of else [], figures)

    def write_file(self, path: Path, data: bytes) -> Future[None]:
        return self.store.writer.submit(path, data)

    def flush(self) -> None:
        self.store.wait_for_writes()

    def on_disk(self, conversation_id: str) -> dict[str, Any]:
        self.store.wait_for_writes()
        path = self.store.path_of(conversation_id)
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data


class Providers:
    def __init__(self, base_url: str) -> None:
        self.providers = [Provider("local", "Loopback", base_url, default_model="test-model")]
        self.clients: dict[str, ChatClient] = {}
        self.prices = PriceTable.load(PRICES)

    def provider(self, provider_id: str | None) -> Provider | None:
        return next((p for p in self.providers if p.id == provider_id), None)

    def default_provider(self) -> Provider | None:
        return self.providers[0] if self.providers else None

    async def client(self, provider: Provider) -> ChatClient:
        if provider.id not in self.clients:
            self.clients[provider.id] = ChatClient(provider.base_url, None)
        return self.clients[provider.id]

    def provider_name(self, provider_id: str) -> str:
        provider = self.provider(provider_id)
        return provider.name if provider else provider_id


class Events(ChatEvents):
    """Every event, in order, as (name, args)."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, tuple[Any, ...]]] = []

    def names(self) -> list[str]:
        return [name for name, _ in self.heard if name != "reply_delta"]

    def __getattribute__(self, name: str) -> Any:
        if name in ChatEvents.__dict__ and not name.startswith("_"):
            return lambda *args: self.heard.append((name, args))
        return super().__getattribute__(name)


class Ticker:
    def __init__(self) -> None:
        self.active = False

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def isActive(self) -> bool:
        return self.active


class Harness:
    """The chat service on a loopback server, the real store, a clock that stands still, no
    real waiting; ``monotonic``: the clock of the time to the first token (the real one by
    default)."""

    def __init__(
        self,
        server: OpenAIServer,
        folder: Path,
        *,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self.conversations = Conversations(ConversationStore(folder))
        self.providers = Providers(server.base_url)
        self.events = Events()
        self.ticker = Ticker()
        self.waits: list[float] = []
        self.deferred: list[Callable[[], None]] = []

        async def sleep(seconds: float) -> None:
            self.waits.append(seconds)  # no real waiting

        self.service = ChatService(
            self.conversations,
            self.providers,
            self.events,
            self.ticker,
            defer=self.deferred.append,
            sleep=sleep,
            clock=lambda: NOW,
            auto_title=False,
            **({} if monotonic is None else {"monotonic": monotonic}),
        )

    def conversation(self) -> Conversation:
        conversation = Conversation(id=new_id(), title="", created_at=NOW, updated_at=NOW)
        conversation.provider, conversation.model = "local", "test-model"
        return conversation

    async def until_idle(self, conversation: Conversation) -> None:
        await self.service.settled(conversation.id)
        assert not self.service.is_streaming(conversation.id)

    async def close(self) -> None:
        await self.service.shutdown()
        for client in self.providers.clients.values():
            await client.aclose()
        self.conversations.store.close()


H = TypeVar("H", bound=Harness)


def run_with(make: Callable[[], H]) -> Callable[[Callable[[H], Coroutine[Any, Any, Any]]], Any]:
    """A runner of test bodies ``body(harness)``, each in a fresh asyncio loop (no Qt
    anywhere) with a harness ``make()`` makes there, closed after."""

    def runner(body: Callable[[H], Coroutine[Any, Any, Any]]) -> Any:
        async def main() -> Any:
            harness = make()
            try:
                return await body(harness)
            finally:
                await harness.close()

        return asyncio.run(main())

    return runner


@pytest.fixture
def run(openai_server: OpenAIServer, tmp_path: Path) -> Callable[..., Any]:
    """Run a test body ``body(harness)`` in a fresh asyncio loop (no Qt anywhere)."""
    return run_with(lambda: Harness(openai_server, tmp_path / "data"))


def test_a_sent_message_streams_its_reply_to_disk(run: Any, openai_server: OpenAIServer) -> None:
    async def body(h: Harness) -> None:
        c = h.conversation()
        assert h.service.send(c, "hello there")
        await h.until_idle(c)
        question, reply = c.messages
        assert reply.content == "echo[1]: hello there"
        assert question.created_at == NOW and reply.created_at == NOW  # the clock it was given
        assert h.events.names() == [
            "message_added",
            "reply_started",
            "streaming_changed",
            "message_saved",  # the question was on disk before the request left
            "streaming_changed",
            "reply_finished",
        ]
        deltas = "".join(args[3] for name, args in h.events.heard if name == "reply_delta")
        assert deltas == "echo[1]: hello there"
        saved = h.conversations.on_disk(c.id)
        assert [m["content"] for m in saved["messages"]] == ["hello there", reply.content]
        assert "streaming" not in saved["messages"][1]
        assert c.title == "hello there"

    run(body)


def test_a_busy_server_is_retried_after_waits_that_no_test_sits_through(
    run: Any, openai_server: OpenAIServer
) -> None:
    openai_server.enqueue(Reply(status=503), Reply(status=503), Reply(text="at last"))

    async def body(h: Harness) -> None:
        c = h.conversation()
        h.service.send(c, "are you there")
        await h.until_idle(c)
        assert c.messages[-1].content == "at last"
        assert h.waits == [1.0, 2.0]  # 1, 2 s of backoff, asked for, not slept
        retries = [args for name, args in h.events.heard if name == "retry_scheduled"]
        assert [(w.attempt, w.attempts, w.reason) for _c, _m, w in retries] == [
            (2, 3, "busy"),
            (3, 3, "busy"),
        ]

    run(body)


def test_out_of_tries_the_reply_fails_with_a_way_out(run: Any, openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply(status=503), Reply(status=503), Reply(status=503))

    async def body(h: Harness) -> None:
        c = h.conversation()
        h.service.send(c, "anyone")
        await h.until_idle(c)
        (failed,) = [args for name, args in h.events.heard if name == "reply_failed"]
        assert isinstance(failed[2], ServerError)
        reply = c.messages[-1]
        assert reply.error and reply.error.text.startswith("ServerError")
        assert (reply.error.kind, reply.error.status) == ("server", 503)
        assert recovery.recoveries(c, reply.id, failed[2]) == [recovery.RETRY]
        saved = h.conversations.on_disk(c.id)["messages"][-1]
        assert saved["error"] == reply.error.text
        assert (saved["error_info"]["kind"], saved["error_info"]["status"]) == ("server", 503)

    run(body)


def test_an_unreachable_server_is_retried_as_unreachable(run: Any, tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        closed = _closed_port_url()
        h.providers.providers[0].base_url = closed
        c = h.conversation()
        h.service.send(c, "hello?")
        await h.until_idle(c)
        reasons = {args[2].reason for name, args in h.events.heard if name == "retry_scheduled"}
        assert reasons == {"unreachable"}
        (failed,) = [args for name, args in h.events.heard if name == "reply_failed"]
        assert isinstance(failed[2], ConnectFailedError)

    run(body)


def test_a_growing_reply_is_on_disk_at_every_tick_and_marked_until_it_ends(
    run: Any, openai_server: OpenAIServer
) -> None:
    gate = threading.Event()
    openai_server.enqueue(Reply(text="a b c d e f", chunk_size=2, stall_after=2, gate=gate))

    async def body(h: Harness) -> None:
        c = h.conversation()
        h.service.send(c, "go")
        while c.messages[-1].content != "a b ":
            await asyncio.sleep(0.005)
        assert h.ticker.active  # saving once a second while it streams
        h.service.save_tick()  # a second has passed
        saved = h.conversations.on_disk(c.id)["messages"][-1]
        assert saved["content"] == "a b " and saved["streaming"] is True
        gate.set()
        await h.until_idle(c)
        saved = h.conversations.on_disk(c.id)["messages"][-1]
        assert saved["content"] == "a b c d e f" and "streaming" not in saved
        h.service.save_tick()
        assert not h.ticker.active  # nothing streams: the timer stops

    run(body)


def test_stop_keeps_the_text_and_says_so(run: Any, openai_server: OpenAIServer) -> None:
    gate = threading.Event()
    openai_server.enqueue(Reply(text="one two three", chunk_size=4, stall_after=1, gate=gate))

    async def body(h: Harness) -> None:
        c = h.conversation()
        h.service.send(c, "count")
        while not c.messages[-1].content:
            await asyncio.sleep(0.005)
        h.service.stop(c.id)
        assert not h.service.is_streaming(c.id)
        assert "reply_stopped" in h.events.names()
        gate.set()
        saved = h.conversations.on_disk(c.id)["messages"][-1]
        assert saved["content"] == "one " and saved["error"] == "stopped"
        assert saved["error_info"] == {"kind": "stopped"}

    run(body)


def test_too_long_a_context_is_summarized_then_asked_again(
    run: Any, openai_server: OpenAIServer
) -> None:
    too_long = json.dumps(
        {"error": {"message": "This model's maximum context length is 8 tokens",
                   "code": "context_length_exceeded"}}
    )  # fmt: skip

    async def body(h: Harness) -> None:
        c = h.conversation()
        for question in ("first", "second", "third"):
            h.service.send(c, question)
            await h.until_idle(c)
        openai_server.enqueue(Reply(status=400, body=too_long))
        h.service.send(c, "fourth")
        await h.until_idle(c)
        (failed,) = [args for name, args in h.events.heard if name == "reply_failed"]
        assert isinstance(failed[2], ContextTooLongError)
        failed_id = failed[1]
        assert recovery.recoveries(c, failed_id, failed[2]) == [
            recovery.SHRINK,
            recovery.COMPACT,
        ]
        openai_server.enqueue(Reply(text="A summary of the start."), Reply(text="Fourth answer."))
        assert h.service.compact_and_retry(c, failed_id)
        while "compacted" not in h.events.names():
            await asyncio.sleep(0.005)
        await h.until_idle(c)
        compacted = [args for name, args in h.events.heard if name == "compacted"]
        assert compacted == [(c.id, True)]
        assert c.messages[-1].content == "Fourth answer."
        assert not c.has_message(failed_id)  # the empty failure was replaced
        sent = openai_server.chat_requests()[-1]["json"]["messages"]
        assert sent[0]["content"].endswith("A summary of the start.")
        rest = [m["content"] for m in sent[1:]]
        assert "first" not in rest and rest[-1] == "fourth"  # the summary went in its place

    run(body)


def test_fewer_messages_go_after_the_server_says_too_long(
    run: Any, openai_server: OpenAIServer
) -> None:
    async def body(h: Harness) -> None:
        c = h.conversation()
        for question in ("one", "two", "three", "four"):
            h.service.send(c, question)
            await h.until_idle(c)
        openai_server.enqueue(Reply(status=400, body='{"error": {"message": "context_length"}}'))
        h.service.send(c, "five")
        await h.until_idle(c)
        failed_id = c.messages[-1].id
        assert h.service.shrink_context_and_retry(c, failed_id)
        await h.until_idle(c)
        sent = openai_server.chat_requests()[-1]["json"]["messages"]
        # Nine messages went the first time; half of them (the newest) now.
        assert [m["content"] for m in sent] == ["echo[5]: three", "four", "echo[7]: four", "five"]
        saved = h.conversations.on_disk(c.id)
        assert saved["context"]["max_messages"] == 4  # the budget stays for the next sends

    run(body)


def _closed_port_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _token_table_held(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The token table loads only once the returned event is set (a send or count that
    loaded it on its own thread would hang, then fail), and nothing is counted yet."""
    from desktop.core import tokens

    release = threading.Event()

    def held(name: str, future: Future[Any]) -> None:
        assert release.wait(30)
        tokens._load(name, future)

    monkeypatch.setattr(tokens, "_TABLES", tokens._Tables(held))
    monkeypatch.setattr(tokens, "_COUNTS", tokens._Counts(1024))
    return release


def test_the_meter_never_waits_for_the_token_table_and_counts_again_once_it_is_there(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core import tokens

    release = _token_table_held(monkeypatch)

    async def body(h: Harness) -> None:
        c = h.conversation()
        c.model = "gpt-4o"
        estimate = h.service.next_send(c, "Hello, world!")
        assert (estimate.tokens, estimate.exact) == (6 + tokens.estimate("Hello, world!"), False)
        assert "context_changed" not in h.events.names()
        for _ in range(5):  # turns of the loop: the service starts waiting for the counts
            await asyncio.sleep(0)
        release.set()
        # Done once the table is there and nothing is left to count; the service's own wait,
        # asked for first, is told first.
        await asyncio.wrap_future(tokens.counted("gpt-4o"))
        for _ in range(50):  # turns of the loop, not time: until the service has heard
            if "context_changed" in h.events.names():
                break
            await asyncio.sleep(0)
        assert ("context_changed", (c.id,)) in h.events.heard
        exact = h.service.next_send(c, "Hello, world!")
        assert (exact.tokens, exact.exact) == (10, True)

    run(body)


def test_the_first_send_plans_its_request_without_waiting_for_the_table(
    run: Any, openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first send of a session loaded the token table on the UI thread (~0.3 s, a frozen
    window): ``send`` now returns at once, and the request leaves once the table is there."""

    release = _token_table_held(monkeypatch)

    async def body(h: Harness) -> None:
        c = h.conversation()
        c.model = "gpt-4o"
        assert h.service.send(c, "first of the session")  # returns, the table still loading
        for _ in range(100):  # turns of the loop: the stream waits for the table, not us
            await asyncio.sleep(0)
        assert openai_server.chat_requests() == []  # nothing left before the counts
        release.set()
        await h.until_idle(c)
        assert c.messages[-1].content == "echo[1]: first of the session"
        sent = openai_server.chat_requests()[-1]["json"]["messages"]
        assert [m["content"] for m in sent] == ["first of the session"]

    run(body)


def test_a_keystroke_in_a_long_counted_thread_looks_each_message_up_once(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The meter's count at every keystroke cost ~60 ms of the UI thread in 5,000 messages:
    each message counted twice through the locks of the table's future, and the price of each
    reply looked up by prefix. Now each message is one look-up in the counts' cache and each
    model's price one look-up, whatever the thread's length."""
    from desktop.core import tokens
    from desktop.core.models import Message, Usage

    async def body(h: Harness) -> None:
        c = h.conversation()
        c.model = "gpt-4o"
        for i in range(200):
            role = "user" if i % 2 == 0 else "assistant"
            usage = Usage(10, 20, 30) if role == "assistant" else None
            c.append(Message(new_id(), c.head, role, f"message {i}", NOW, usage=usage))
        tokens._encoding("o200k_base")  # the table loaded (here, waiting for it)
        first = h.service.next_send(c, "draft")  # counted now: a short thread, inline
        assert first.exact
        lookups: list[tuple[str, str]] = []
        counts_get = tokens._COUNTS.get
        monkeypatch.setattr(
            tokens._COUNTS, "get", lambda key: lookups.append(key) or counts_get(key)
        )
        counted: list[str] = []
        count_now = tokens._count_now
        monkeypatch.setattr(tokens, "_count_now", lambda e, t: counted.append(t) or count_now(e, t))
        prices = h.providers.prices
        asked: list[str | None] = []
        price = prices.price
        monkeypatch.setattr(prices, "price", lambda model: asked.append(model) or price(model))
        again = h.service.next_send(c, "draft!")
        h.service.conversation_total(c)
        assert (again.tokens, again.exact) == (first.tokens + 1, True)
        assert counted == ["draft!"]  # the thread's messages were counted before
        assert len(lookups) < len(c.messages) + 10  # each message once, and the new draft
        assert len(asked) <= 3  # the meter's model, the window's, the replies' (one model)

    run(body)
