"""Compare: one question to several models at once (ChatService.compare), with no QApplication
and no real time: two providers, each a real loopback server of its own, one fast and one held
back by a gate (never by a wait on the clock), the real store, a clock that stands still and a
monotonic clock the test moves by hand (the time to the first token)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.core.errors import BadRequestError, NoProviderError
from desktop.core.models import Message, new_id
from desktop.core.pricing import Price, PriceTable
from desktop.core.services.chat import Target
from desktop.core.settings import Provider
from tests.core.test_chat_service import NOW, Harness, run_with
from tests.support.openai_server import OpenAIServer, Reply

FAST = Target("local", "test-model")
SLOW = Target("slow", "gpt-4o")


class Compare(Harness):
    """The chat service's harness with a second provider (``slow``, on a server of its own)
    and a monotonic clock at ``self.now``."""

    def __init__(self, fast: OpenAIServer, slow: OpenAIServer, folder: Path) -> None:
        self.now = 100.0
        super().__init__(fast, folder, monotonic=lambda: self.now)
        self.providers.providers.append(
            Provider("slow", "Slow server", slow.base_url, default_model="gpt-4o")
        )

    def heard(self, name: str) -> list[tuple[Any, ...]]:
        return [args for event, args in self.events.heard if event == name]

    def finished(self) -> set[str]:
        return {args[1] for args in self.heard("reply_finished")}

    def deltas(self, message_id: str) -> str:
        return "".join(args[3] for args in self.heard("reply_delta") if args[1] == message_id)


@pytest.fixture
def run(
    openai_server: OpenAIServer, slow_server: OpenAIServer, tmp_path: Path
) -> Callable[..., Any]:
    return run_with(lambda: Compare(openai_server, slow_server, tmp_path / "data"))


async def until(check: Callable[[], bool]) -> None:
    """Until ``check()`` holds (the loop turning meanwhile); the test's own timeout bounds it."""
    while not check():
        await asyncio.sleep(0.005)


def test_the_slow_reply_does_not_hold_back_the_fast_one(
    run: Any, openai_server: OpenAIServer, slow_server: OpenAIServer
) -> None:
    gate = threading.Event()
    openai_server.enqueue(Reply(text="fast and complete", chunk_size=3))
    slow_server.enqueue(Reply(text="slow but sure", chunk_size=5, stall_after=1, gate=gate))

    async def body(h: Compare) -> None:
        c = h.conversation()
        fast_id, slow_id = h.service.compare(c, "which is quicker?", [FAST, SLOW])
        fast, slow = c.message(fast_id), c.message(slow_id)
        # The slow one has its first piece and is held there; the fast one streams to its end.
        await until(lambda: slow.content == "slow " and fast_id in h.finished())
        assert h.deltas(fast_id) == fast.content == "fast and complete"
        assert h.service.is_streaming(c.id) and slow.streaming and not fast.streaming
        assert fast.ttft_ms == 0  # its first token came before the clock moved
        on_disk = {m["id"]: m for m in h.conversations.on_disk(c.id)["messages"]}
        assert on_disk[fast_id]["content"] == "fast and complete"
        h.now += 2.5
        gate.set()
        await h.until_idle(c)

        question = c.message(fast.parent or "")
        assert question.role == "user" and question.content == "which is quicker?"
        assert [m.id for m in c.siblings(fast_id)] == [fast_id, slow_id]  # sibling branches
        assert slow.content == "slow but sure" and slow.error is None
        assert (fast.provider, fast.model) == ("local", "test-model")
        assert (slow.provider, slow.model) == ("slow", "gpt-4o")
        # Each reply its own usage and time to first token: the slow one's first token came
        # at once, before the gate held it; the rest 2.5 s later.
        assert fast.usage is not None and slow.usage is not None
        assert fast.usage.completion_tokens != slow.usage.completion_tokens
        assert slow.ttft_ms == 0
        # Each server was asked once, for its own model, with the one question.
        (asked_fast,) = openai_server.chat_requests()
        (asked_slow,) = slow_server.chat_requests()
        assert asked_fast["json"]["model"] == "test-model"
        assert asked_slow["json"]["model"] == "gpt-4o"
        assert asked_slow["json"]["messages"][-1]["content"] == "which is quicker?"
        # Streaming began and ended once for the conversation, the question saved once.
        assert [args[1] for args in h.heard("streaming_changed")] == [True, False]
        assert [args[1] for args in h.heard("message_saved")] == [question.id]
        assert h.heard("compare_started") == [(c.id, question.id, (fast_id, slow_id))]
        saved = {m["id"]: m for m in h.conversations.on_disk(c.id)["messages"]}
        assert saved[slow_id]["content"] == "slow but sure" and "streaming" not in saved[slow_id]
        assert saved[slow_id]["ttft_ms"] == 0 and saved[slow_id]["provider"] == "slow"

    run(body)


def test_the_time_to_first_token_is_each_replys_own(
    run: Any, openai_server: OpenAIServer, slow_server: OpenAIServer
) -> None:
    gate = threading.Event()
    openai_server.enqueue(Reply(text="now"))
    slow_server.enqueue(Reply(text="later", gate=gate))  # held before its status line

    async def body(h: Compare) -> None:
        c = h.conversation()
        fast_id, slow_id = h.service.compare(c, "ready?", [FAST, SLOW])
        await until(lambda: fast_id in h.finished() and len(slow_server.chat_requests()) == 1)
        h.now += 1.25
        gate.set()
        await h.until_idle(c)
        assert c.message(fast_id).ttft_ms == 0
        assert c.message(slow_id).ttft_ms == 1250

    run(body)


def test_stop_stops_every_reply_and_keeps_their_text(
    run: Any, openai_server: OpenAIServer, slow_server: OpenAIServer
) -> None:
    gates = threading.Event(), threading.Event()
    openai_server.enqueue(Reply(text="one two three", chunk_size=4, stall_after=1, gate=gates[0]))
    slow_server.enqueue(Reply(text="uno dos tres", chunk_size=4, stall_after=1, gate=gates[1]))

    async def body(h: Compare) -> None:
        c = h.conversation()
        ids = h.service.compare(c, "count", [FAST, SLOW])
        replies = [c.message(i) for i in ids]
        await until(lambda: all(r.content for r in replies))
        h.service.stop(c.id)
        assert not h.service.is_streaming(c.id)
        assert sorted(args[1] for args in h.heard("reply_stopped")) == sorted(ids)
        assert [args[1] for args in h.heard("streaming_changed")] == [True, False]
        for gate in gates:
            gate.set()
        await h.until_idle(c)
        saved = {m["id"]: m for m in h.conversations.on_disk(c.id)["messages"]}
        assert [saved[i]["content"] for i in ids] == ["one ", "uno "]
        assert all(saved[i]["error"] == "stopped" for i in ids)
        assert not h.heard("reply_failed")

    run(body)


def test_a_failing_target_fails_alone(
    run: Any, openai_server: OpenAIServer, slow_server: OpenAIServer
) -> None:
    openai_server.enqueue(Reply(text="fine here"))
    slow_server.enqueue(Reply(status=400))

    async def body(h: Compare) -> None:
        c = h.conversation()
        gone = Target("removed", "some-model")  # a provider deleted meanwhile
        fast_id, slow_id, gone_id = h.service.compare(c, "try", [FAST, SLOW, gone])
        await h.until_idle(c)
        assert c.message(fast_id).content == "fine here" and c.message(fast_id).error is None
        failed = {args[1]: args[2] for args in h.heard("reply_failed")}
        assert set(failed) == {slow_id, gone_id}
        assert isinstance(failed[slow_id], BadRequestError)
        assert isinstance(failed[gone_id], NoProviderError)
        assert c.message(slow_id).error is not None and c.message(gone_id).error is not None
        assert fast_id in h.finished()
        # Every branch is in the file, the failures with their errors.
        saved = {m["id"]: m for m in h.conversations.on_disk(c.id)["messages"]}
        assert saved[fast_id]["error"] is None
        assert saved[slow_id]["error_info"]["kind"] == "bad_request"

    run(body)


def test_keep_continues_the_thread_from_the_reply_chosen(
    run: Any, openai_server: OpenAIServer, slow_server: OpenAIServer
) -> None:
    openai_server.enqueue(Reply(text="answer A"), Reply(text="after B"))
    slow_server.enqueue(Reply(text="answer B"))

    async def body(h: Compare) -> None:
        c = h.conversation()
        a_id, b_id = h.service.compare(c, "pick one", [FAST, SLOW])
        await h.until_idle(c)
        assert h.service.keep(c, b_id)
        assert [m.content for m in c.thread()] == ["pick one", "answer B"]
        assert h.conversations.on_disk(c.id)["head"] == b_id
        # The other stays, a sibling: nothing lost.
        assert [m.id for m in c.siblings(b_id)] == [a_id, b_id]
        # The thread goes on from B with the conversation's own model, B's text sent.
        assert h.service.send(c, "and then?")
        await h.until_idle(c)
        sent = openai_server.chat_requests()[-1]["json"]["messages"]
        assert [m["content"] for m in sent] == ["pick one", "answer B", "and then?"]
        assert c.thread()[-1].content == "after B"

    run(body)


def test_each_target_is_planned_for_its_own_context_window(
    run: Any, openai_server: OpenAIServer, slow_server: OpenAIServer
) -> None:
    # The slow model's window holds little more than the room kept for its reply.
    h_prices = PriceTable(
        {
            "test-model": Price(1.0, 2.0, 0.5, context=1_000_000),
            "gpt-4o": Price(3.0, 6.0, 1.5, context=4096 + 200),
        }
    )

    async def body(h: Compare) -> None:
        h.providers.prices = h_prices
        c = h.conversation()
        parent = None
        for n in range(12):  # an earlier exchange of some 60 tokens a message
            role = "user" if n % 2 == 0 else "assistant"
            text = f"message {n}: " + "lorem ipsum dolor sit amet " * 10
            message = Message(new_id(), parent, role, text, NOW)
            c.append(message)
            parent = message.id
        fast_id, slow_id = h.service.compare(c, "sum it up", [FAST, SLOW])
        await h.until_idle(c)
        to_fast = openai_server.chat_requests()[-1]["json"]["messages"]
        to_slow = slow_server.chat_requests()[-1]["json"]["messages"]
        assert len(to_fast) == 13  # the whole thread and the question
        assert 1 < len(to_slow) < 6  # what fits its window: the newest, the question last
        assert to_slow[-1]["content"] == to_fast[-1]["content"] == "sum it up"
        # Each priced at its own model's price.
        fast, slow = c.message(fast_id), c.message(slow_id)
        assert fast.usage is not None and slow.usage is not None
        assert h.service.cost_of(slow.usage, slow.model) == pytest.approx(
            (slow.usage.prompt_tokens * 3.0 + slow.usage.completion_tokens * 6.0) / 1e6
        )
        assert h.service.cost_of(fast.usage, fast.model) == pytest.approx(
            (fast.usage.prompt_tokens * 1.0 + fast.usage.completion_tokens * 2.0) / 1e6
        )

    run(body)


def test_a_comparison_needs_two_to_four_targets_and_no_stream_under_way(run: Any) -> None:
    async def body(h: Compare) -> None:
        c = h.conversation()
        assert h.service.compare(c, "alone", [FAST]) == ()
        assert h.service.compare(c, "crowd", [FAST, SLOW, FAST, SLOW, FAST]) == ()
        assert h.service.compare(c, "   ", [FAST, SLOW]) == ()
        assert c.messages == []
        assert len(h.service.compare(c, "four", [FAST, SLOW, FAST, SLOW])) == 4
        assert h.service.compare(c, "again", [FAST, SLOW]) == ()  # still streaming
        assert not h.service.keep(c, c.head or "")  # not while they stream
        await h.until_idle(c)
        assert len(c.children(c.messages[0].id)) == 4

    run(body)


def test_the_attachments_go_to_every_target(
    run: Any, openai_server: OpenAIServer, slow_server: OpenAIServer, tmp_path: Path
) -> None:
    from desktop.core.attachments import AttachmentStore
    from tests.support import attachment_files as files

    async def body(h: Compare) -> None:
        store = h.service.attachments = AttachmentStore(tmp_path / "data")
        photo = store.add_bytes(files.photo(3000, 2000), "beach.jpg")
        pdf = store.add_bytes(files.pdf(["Revenue was 42 million."]), "q3.pdf")
        c = h.conversation()
        ids = h.service.compare(c, "What do these show?", [FAST, SLOW], [photo, pdf])
        await h.until_idle(c)
        assert all(c.message(i).error is None for i in ids)
        for server in (openai_server, slow_server):
            (request,) = server.chat_requests()
            (message,) = request["json"]["messages"]
            text, image, document = message["content"]
            assert text == {"type": "text", "text": "What do these show?"}
            assert image["type"] == "image_url"
            assert image["image_url"]["url"].startswith("data:image/")
            assert document["text"] == "[File: q3.pdf]\nRevenue was 42 million."
        # The one question carries them, once.
        (question,) = [m for m in c.messages if m.role == "user"]
        assert question.attachments == (photo, pdf)

    run(body)


def test_a_comparison_goes_without_the_conversations_tools(
    run: Any, openai_server: OpenAIServer, slow_server: OpenAIServer
) -> None:
    from desktop.core.models import ToolSelection
    from tests.core.test_chat_tools import Tools

    async def body(h: Compare) -> None:
        tools = h.service.tools = Tools()
        try:
            c = h.conversation()
            c.tools = (ToolSelection("test"),)
            h.service.send(c, "a question with tools on")
            await h.until_idle(c)
            assert openai_server.chat_requests()[-1]["json"]["tools"]  # they are offered
            h.service.compare(c, "and now compared", [FAST, SLOW])
            await h.until_idle(c)
            for server in (openai_server, slow_server):
                assert "tools" not in server.chat_requests()[-1]["json"]
            assert c.tools == (ToolSelection("test"),)  # the conversation keeps its choice
        finally:
            await tools.manager.shutdown()

    run(body)


def test_no_target_is_sent_another_targets_reply(
    run: Any, openai_server: OpenAIServer, slow_server: OpenAIServer
) -> None:
    gate = threading.Event()
    openai_server.enqueue(
        Reply(text="the fast answer, still going", chunk_size=4, stall_after=2, gate=gate)
    )
    slow_server.enqueue(Reply(text="my own answer"))

    async def body(h: Compare) -> None:
        # The slow provider's client is ready only once the fast reply has text: its request
        # is planned while the other reply, on the thread, grows.
        ready = asyncio.Event()
        client_of = h.providers.client

        async def client(provider: Any) -> Any:
            if provider.id == "slow":
                await ready.wait()
            return await client_of(provider)

        h.providers.client = client  # type: ignore[method-assign]
        c = h.conversation()
        fast_id, _slow_id = h.service.compare(c, "answer alone", [FAST, SLOW])
        await until(lambda: bool(c.message(fast_id).content))
        ready.set()
        await until(lambda: len(slow_server.chat_requests()) == 1)
        gate.set()
        await h.until_idle(c)
        sent = slow_server.chat_requests()[0]["json"]["messages"]
        assert sent == [{"role": "user", "content": "answer alone"}]

    run(body)


def test_a_failed_target_is_asked_again_while_the_other_streams(
    run: Any, openai_server: OpenAIServer, slow_server: OpenAIServer
) -> None:
    gate = threading.Event()
    openai_server.enqueue(Reply(text="long answer", chunk_size=4, stall_after=1, gate=gate))
    slow_server.enqueue(Reply(status=400), Reply(text="second try"))

    async def body(h: Compare) -> None:
        c = h.conversation()
        fast_id, failed_id = h.service.compare(c, "again?", [FAST, SLOW])
        await until(lambda: failed_id in {args[1] for args in h.heard("reply_failed")})
        assert h.service.is_streaming(c.id)  # the fast one goes on
        assert h.service.retry_target(c, fast_id) == ""  # not one still streaming
        new_id = h.service.retry_target(c, failed_id)
        assert new_id and not c.has_message(failed_id)  # the empty failure replaced
        assert h.heard("compare_retried") == [(c.id, failed_id, new_id)]
        gate.set()
        await h.until_idle(c)
        question = c.message(fast_id).parent
        assert [m.id for m in c.children(question)] == [fast_id, new_id]
        fresh = c.message(new_id)
        assert (fresh.provider, fresh.model, fresh.content) == ("slow", "gpt-4o", "second try")
        assert c.head == fast_id  # the thread still shows the first target's
        # Asked alone again: the question, not the other reply.
        sent = slow_server.chat_requests()[-1]["json"]["messages"]
        assert sent == [{"role": "user", "content": "again?"}]

    run(body)
