"""The tool loop of the chat service, without Qt: the real client against the loopback OpenAI
server streaming ``tool_calls`` as OpenAI does, the real MCP manager running the project's own
test server (tests/support/mcp_servers.py), approvals given by the test."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from desktop.core.context import plan_context
from desktop.core.errors import ToolRoundLimitError, ToolsUnsupportedError
from desktop.core.models import Message, ToolCall, ToolSelection, new_id
from desktop.core.services.chat import DENIED_TEXT, STOPPED_TEXT
from desktop.core.services.recovery import NO_TOOLS, RETRY, recoveries
from desktop.core.tools import McpServer, ToolInfo, ToolOutcome
from desktop.core.tools.manager import ToolManager
from tests.core.test_chat_service import NOW, Harness
from tests.support.openai_server import OpenAIServer, Reply, ToolCallReply

TEST_SERVER = str(Path(__file__).resolve().parents[2] / "tests" / "support" / "mcp_servers.py")
SERVER = McpServer("test", "Test", command=sys.executable, args=(TEST_SERVER, "tools"))


class Tools:
    """The chat service's ToolSource over a real manager; the always-allowed pairs in memory
    (settings.json's, in the app)."""

    def __init__(self) -> None:
        self.manager = ToolManager()
        self.manager.configure([SERVER])
        self.allowed: list[tuple[str, str]] = []

    async def offered(self, selections: tuple[ToolSelection, ...]) -> list[ToolInfo]:
        tools: list[ToolInfo] = []
        for selection in selections:
            listed = await self.manager.tools(selection.server)
            wanted = selection.tools
            tools += [t for t in listed if wanted is None or t.name in wanted]
        return tools

    def known_tools(self, server_id: str) -> list[ToolInfo] | None:
        return self.manager.known_tools(server_id)

    async def call(self, server_id: str, tool: str, arguments: dict[str, Any]) -> ToolOutcome:
        return await self.manager.call(server_id, tool, arguments)

    def is_always_allowed(self, server_id: str, tool: str) -> bool:
        return (server_id, tool) in self.allowed

    def allow_always(self, server_id: str, tool: str) -> None:
        self.allowed.append((server_id, tool))


@pytest.fixture
def run(openai_server: OpenAIServer, tmp_path: Path) -> Callable[..., Any]:
    def runner(body: Callable[[Harness, Tools], Coroutine[Any, Any, Any]]) -> Any:
        async def main() -> Any:
            harness = Harness(openai_server, tmp_path / "data")
            tools = Tools()
            harness.service.tools = tools
            try:
                return await body(harness, tools)
            finally:
                await harness.close()
                await tools.manager.shutdown()

        return asyncio.run(main())

    return runner


async def until(condition: Callable[[], Any], seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never came true")


def approvals(h: Harness) -> list[Any]:
    return [args[0] for name, args in h.events.heard if name == "approval_needed"]


def with_tools(h: Harness, *selections: ToolSelection) -> Any:
    conversation = h.conversation()
    conversation.tools = selections or (ToolSelection("test"),)
    return conversation


def test_a_call_approved_once_runs_and_the_model_answers_with_its_result(
    run: Any, openai_server: OpenAIServer
) -> None:
    openai_server.enqueue(
        Reply(text="", tool_calls=[ToolCallReply("echo", '{"text": "hi from the tool"}')]),
        Reply(text="The tool said hi."),
    )

    async def body(h: Harness, tools: Tools) -> None:
        c = with_tools(h)
        assert h.service.send(c, "use the tool")
        request = (await until(lambda: approvals(h)))[0]
        assert (request.server_id, request.tool) == ("test", "echo")
        assert json.loads(request.call.arguments) == {"text": "hi from the tool"}
        assert request.conversation_id == c.id and c.message(request.message_id).tool_calls
        assert h.service.pending_approvals(c.id) == [request.call.id]
        assert h.service.approval_requests(c.id) == [request]
        assert h.service.decide(request.call.id, "once")
        await h.until_idle(c)
        _question, asked, result, answer = c.thread()
        assert asked.finish_reason == "tool_calls" and asked.tool_calls[0].name == "echo"
        assert result.role == "tool" and result.content == "hi from the tool"
        assert result.tool_server == "test" and result.tool_name == "echo"
        assert result.tool_call_id == asked.tool_calls[0].id and result.duration_ms is not None
        assert answer.content == "The tool said hi." and answer.error is None
        assert not asked.streaming and not answer.streaming
        names = h.events.names()
        assert names.index("approval_needed") < names.index("tool_started")
        assert names.index("tool_started") < names.index("tool_finished")
        assert names.count("reply_started") == 2 and names.count("streaming_changed") == 2
        assert tools.allowed == []  # once: not remembered

        first, second = openai_server.chat_requests()[-2:]
        offered = {t["function"]["name"]: t["function"] for t in first["json"]["tools"]}
        assert {"echo", "slow", "fail", "huge"} <= set(offered)
        assert offered["echo"]["parameters"]["properties"]["text"]["type"] == "string"
        sent = second["json"]["messages"]
        assert sent[-2]["role"] == "assistant" and sent[-2]["content"] is None
        assert sent[-2]["tool_calls"][0]["function"]["name"] == "echo"
        assert sent[-1] == {
            "role": "tool",
            "tool_call_id": asked.tool_calls[0].id,
            "content": "hi from the tool",
        }
        saved = h.conversations.on_disk(c.id)
        assert [m["role"] for m in saved["messages"]] == ["user", "assistant", "tool", "assistant"]
        assert saved["messages"][2]["tool_server"] == "test"
        assert saved["tools"] == [{"server": "test"}]

    run(body)


def test_two_calls_in_one_turn_run_in_order(run: Any, openai_server: OpenAIServer) -> None:
    openai_server.enqueue(
        Reply(
            text="Two.",
            tool_calls=[
                ToolCallReply("echo", '{"text": "one"}'),
                ToolCallReply("echo", '{"text": "two"}'),
            ],
            tool_call_chunk=3,
        ),
        Reply(text="done"),
    )

    async def body(h: Harness, tools: Tools) -> None:
        tools.allowed.append(("test", "echo"))  # always allowed: no question
        c = with_tools(h)
        h.service.send(c, "twice")
        await h.until_idle(c)
        assert approvals(h) == []
        results = [m.content for m in c.thread() if m.role == "tool"]
        assert results == ["one", "two"]
        sent = openai_server.chat_requests()[-1]["json"]["messages"]
        assert [m["role"] for m in sent[-3:]] == ["assistant", "tool", "tool"]
        assert sent[-3]["content"] == "Two."

    run(body)


def test_always_allow_is_remembered_and_deny_tells_the_model(
    run: Any, openai_server: OpenAIServer
) -> None:
    call = ToolCallReply("echo", '{"text": "x"}')
    openai_server.enqueue(
        Reply(text="", tool_calls=[call]),
        Reply(text="ok"),
        Reply(text="", tool_calls=[call]),
        Reply(text="ok again"),
        Reply(text="", tool_calls=[ToolCallReply("fail", '{"message": "m"}')]),
        Reply(text="understood"),
    )

    async def body(h: Harness, tools: Tools) -> None:
        c = with_tools(h)
        h.service.send(c, "first")
        request = (await until(lambda: approvals(h)))[0]
        h.service.decide(request.call.id, "always")
        await h.until_idle(c)
        assert tools.allowed == [("test", "echo")]

        h.service.send(c, "second")  # echo again: runs without asking
        await h.until_idle(c)
        assert len(approvals(h)) == 1 and c.thread()[-1].content == "ok again"

        h.service.send(c, "third")  # another tool: asked, denied
        request = (await until(lambda: approvals(h)[1:]))[0]
        assert request.tool == "fail"
        h.service.decide(request.call.id, "deny")
        await h.until_idle(c)
        denied = c.thread()[-2]
        assert denied.denied and denied.content == DENIED_TEXT and denied.duration_ms is None
        assert openai_server.chat_requests()[-1]["json"]["messages"][-1]["content"] == DENIED_TEXT

    run(body)


def test_a_tool_error_and_bad_arguments_are_results_the_model_reads(
    run: Any, openai_server: OpenAIServer
) -> None:
    openai_server.enqueue(
        Reply(
            text="",
            tool_calls=[
                ToolCallReply("fail", '{"message": "disk on fire"}'),
                ToolCallReply("echo", '{"text": '),
                ToolCallReply("no_such_tool", "{}"),
            ],
        ),
        Reply(text="Sorry."),
    )

    async def body(h: Harness, tools: Tools) -> None:
        tools.allowed += [("test", "fail"), ("test", "echo")]
        c = with_tools(h)
        h.service.send(c, "go")
        await h.until_idle(c)
        failed, broken, unknown = [m for m in c.thread() if m.role == "tool"]
        assert "disk on fire" in (failed.tool_error or "") and "disk on fire" in failed.content
        assert "not valid JSON" in (broken.tool_error or "")
        assert unknown.tool_error == "There is no tool named 'no_such_tool'."
        kinds = [m.tool_failure for m in (failed, broken, unknown)]
        assert kinds == ["tool", "arguments", "unknown_tool"]
        saved = h.conversations.on_disk(c.id)
        assert [m.get("tool_failure") for m in saved["messages"] if m["role"] == "tool"] == kinds
        assert c.thread()[-1].content == "Sorry." and c.thread()[-1].error is None

    run(body)


def test_the_round_limit_ends_the_turn_with_a_note(run: Any, openai_server: OpenAIServer) -> None:
    for _ in range(3):
        openai_server.enqueue(Reply(text="", tool_calls=[ToolCallReply("echo", '{"text": "a"}')]))

    async def body(h: Harness, tools: Tools) -> None:
        h.service.tool_rounds = 2
        tools.allowed.append(("test", "echo"))
        c = with_tools(h)
        h.service.send(c, "loop")
        await h.until_idle(c)
        assert len(openai_server.chat_requests()) == 2
        failures = [args for name, args in h.events.heard if name == "reply_failed"]
        assert len(failures) == 1 and isinstance(failures[0][2], ToolRoundLimitError)
        stopped = c.thread()[-1]  # the reply that would have gone on, not sent
        assert stopped.id == failures[0][1] and stopped.content == ""
        assert stopped.error is not None and stopped.error.kind == "tool_rounds"
        assert c.message(stopped.parent or "").role == "tool"
        assert openai_server.pending == 1
        # Retry goes on from there: the third request carries the second round's result.
        assert recoveries(c, stopped.id, failures[0][2]) == [RETRY]
        h.service.tool_rounds = 8
        openai_server.enqueue(Reply(text="finally"))
        assert h.service.retry(c, stopped.id)
        await h.until_idle(c)
        assert openai_server.chat_requests()[2]["json"]["messages"][-1]["role"] == "tool"
        assert len([m for m in c.thread() if m.role == "tool"]) == 3

    run(body)


def test_stop_during_a_running_tool_ends_the_turn_at_once(
    run: Any, openai_server: OpenAIServer
) -> None:
    openai_server.enqueue(
        Reply(
            text="",
            tool_calls=[
                ToolCallReply("slow", '{"seconds": 60}'),
                ToolCallReply("echo", '{"text": "never"}'),
            ],
        )
    )

    async def body(h: Harness, tools: Tools) -> None:
        tools.allowed += [("test", "slow"), ("test", "echo")]
        c = with_tools(h)
        h.service.send(c, "wait")
        await until(lambda: "tool_started" in h.events.names())
        h.service.stop(c.id)
        assert not h.service.is_streaming(c.id)
        await until(lambda: len([m for m in c.messages if m.role == "tool"]) == 2, 10)
        slow, after = [m for m in c.thread() if m.role == "tool"]
        assert slow.tool_error == "stopped" and slow.content == STOPPED_TEXT
        assert after.tool_error == "stopped"
        assert slow.tool_failure == after.tool_failure == "stopped"
        asked = c.thread()[1]
        assert asked.error is None and asked.tool_calls  # it finished; its calls were stopped
        saved = h.conversations.on_disk(c.id)
        assert [m.get("tool_error") for m in saved["messages"][2:]] == ["stopped", "stopped"]
        assert len(openai_server.chat_requests()) == 1
        # The server was not harmed: the next turn's call runs.
        assert (await tools.call("test", "echo", {"text": "alive"})).output == "alive"

    run(body)


def test_stop_while_a_call_waits_for_approval(run: Any, openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply(text="", tool_calls=[ToolCallReply("echo", "{}")]))

    async def body(h: Harness, tools: Tools) -> None:
        c = with_tools(h)
        h.service.send(c, "ask")
        request = (await until(lambda: approvals(h)))[0]
        h.service.stop(c.id)
        await until(lambda: c.thread()[-1].role == "tool")
        assert c.thread()[-1].tool_error == "stopped"
        assert not h.service.decide(request.call.id, "once")  # no longer waits
        assert h.service.pending_approvals(c.id) == []

    run(body)


def test_a_model_without_tools_is_a_clear_error_and_can_be_asked_without(
    run: Any, openai_server: OpenAIServer
) -> None:
    openai_server.enqueue(
        Reply(
            status=400,
            body=json.dumps(
                {"error": {"message": "This model does not support tools", "type": "invalid"}}
            ),
            headers={"Content-Type": "application/json"},
        ),
        Reply(text="plain answer"),
    )

    async def body(h: Harness, tools: Tools) -> None:
        c = with_tools(h)
        h.service.send(c, "hi")
        await h.until_idle(c)
        failure = next(args for name, args in h.events.heard if name == "reply_failed")
        assert isinstance(failure[2], ToolsUnsupportedError)
        assert recoveries(c, failure[1], failure[2]) == [NO_TOOLS, RETRY]
        assert c.message(failure[1]).error.kind == "tools_unsupported"  # type: ignore[union-attr]
        assert h.service.retry_without_tools(c, failure[1])
        await h.until_idle(c)
        assert c.thread()[-1].content == "plain answer"
        assert "tools" not in openai_server.chat_requests()[-1]["json"]
        assert c.tools == (ToolSelection("test"),)  # still on for the next turn

    run(body)


def test_a_conversation_without_tools_sends_none(run: Any, openai_server: OpenAIServer) -> None:
    async def body(h: Harness, tools: Tools) -> None:
        c = h.conversation()
        h.service.send(c, "hello")
        await h.until_idle(c)
        assert "tools" not in openai_server.chat_requests()[-1]["json"]
        assert tools.manager.state("test").state == "stopped"  # never started

    run(body)


def test_the_meter_counts_the_tools_schemas_and_the_tool_messages(run: Any) -> None:
    async def body(h: Harness, tools: Tools) -> None:
        c = h.conversation()
        bare = h.service.next_send(c, "what time is it?").tokens
        c.tools = (ToolSelection("test"),)
        assert h.service.next_send(c, "what time is it?").tokens == bare  # not listed yet
        await tools.manager.tools("test")
        h.service.tools_listed("test")  # (ToolsController.tools_listed, in the app)
        assert ("context_changed", (c.id,)) in h.events.heard  # the meter counts again
        with_schemas = h.service.next_send(c, "what time is it?").tokens
        assert with_schemas > bare + 50
        only_echo = (ToolSelection("test", ("echo",)),)
        c.tools = only_echo
        assert bare < h.service.next_send(c, "what time is it?").tokens < with_schemas

    run(body)


def _thread_with_runs() -> Any:
    from desktop.core.models import Conversation

    c = Conversation(id=new_id(), title="", created_at=NOW, updated_at=NOW)

    def add(role: str, content: str, **fields: Any) -> Message:
        message = c.append(Message(new_id(), c.head, role, content, NOW))
        for key, value in fields.items():
            setattr(message, key, value)
        return message

    add("user", "imported question")
    add("assistant", "", tool_calls=(ToolCall("imp_1", "python", "1+1"),))
    add("tool", "2", tool_call_id="imp_1", tool_name="python")  # imported: no server
    add("assistant", "It is 2.")
    add("user", "and Tokyo?")
    add("assistant", "Checking.", tool_calls=(ToolCall("own_1", "get_time", "{}"),))
    add("tool", "09:00", tool_call_id="own_1", tool_name="get_time", tool_server="time")
    add("assistant", "Nine.")
    add("user", "again")
    add("assistant", "", tool_calls=(ToolCall("cut_1", "get_time", "{}"),))  # a crash cut it
    add("user", "hello?")
    return c


def test_confab_s_own_runs_are_sent_and_runs_that_cannot_be_paired_are_not() -> None:
    c = _thread_with_runs()
    sent = plan_context(c).messages
    assert [m["role"] for m in sent] == [
        "user",
        "assistant",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
        "user",
    ]
    assert sent[1] == {"role": "assistant", "content": "It is 2."}
    assert sent[3]["tool_calls"][0]["id"] == "own_1" and sent[4]["tool_call_id"] == "own_1"
    assert all("tool_calls" not in m for m in sent[5:])


def test_the_budget_takes_a_call_and_its_result_together_or_not_at_all() -> None:
    from desktop.core.context import Budget

    c = _thread_with_runs()
    # Room for the last three messages: the result of own_1 would fit, its call not.
    sent = plan_context(c, Budget(max_messages=4)).messages
    assert all(m["role"] != "tool" for m in sent)
    sent = plan_context(c, Budget(max_messages=6)).messages
    roles = [m["role"] for m in sent]
    assert "tool" in roles and roles[roles.index("tool") - 1] == "assistant"


def test_a_request_without_tools_sends_confab_s_runs_as_text_only() -> None:
    c = _thread_with_runs()
    sent = plan_context(c, tool_runs=False).messages
    assert all(m["role"] != "tool" and "tool_calls" not in m for m in sent)
    assert {"role": "assistant", "content": "Checking."} in sent
