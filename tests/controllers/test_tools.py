"""ToolsController and ChatController's approval with real stores, the keyring in memory, the
loopback OpenAI server and a real MCP server (mcp-server-time over stdio): the issue's "done
when", below the widgets."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop.controllers.chat import ChatController
from desktop.controllers.conversations import ConversationsController
from desktop.controllers.settings import SettingsController
from desktop.controllers.tools import ToolsController
from desktop.core.models import ToolSelection
from desktop.core.secrets import SERVICE, KeyStore
from desktop.core.settings import SettingsStore
from desktop.core.storage import ConversationStore
from desktop.core.tools import FAILED, READY, ApprovalRequest, McpServer
from tests.conftest import write_settings
from tests.support.keys import MemoryBackend
from tests.support.openai_server import Reply, ToolCallReply

SECRET = "tok-5f1c9e0d7a2b4c6e8f"
TEST_SERVER = str(Path(__file__).resolve().parents[2] / "tests" / "support" / "mcp_servers.py")
PASTED = json.dumps(
    {
        "mcpServers": {
            "time": {
                "command": sys.executable,
                "args": ["-m", "mcp_server_time", "--local-timezone", "UTC"],
                "env": {"TIME_API_TOKEN": SECRET, "LANG": "C.UTF-8"},
            }
        }
    }
)


@pytest.fixture
def app(tmp_path: Path, qloop: Any, run_async: Any, openai_server: Any) -> Any:
    """Builds the controllers over ``tmp_path`` as the app does; again for a "restart"."""
    backend = MemoryBackend()
    made: list[tuple[ConversationsController, ChatController, SettingsController, Any]] = []
    provider = {
        "id": "p",
        "name": "P",
        "base_url": openai_server.base_url,
        "default_model": "test-model",
    }
    write_settings(tmp_path, [provider])

    def make() -> tuple[ConversationsController, ChatController, ToolsController]:
        settings = SettingsController(SettingsStore(tmp_path), KeyStore(backend))
        tools = ToolsController(settings)
        conversations = ConversationsController(ConversationStore(tmp_path))
        conversations.load()
        chat = ChatController(conversations, settings, tools=tools)
        made.append((conversations, chat, settings, tools))
        return conversations, chat, tools

    make.backend = backend  # type: ignore[attr-defined]
    yield make
    for conversations, chat, settings, tools in made:
        run_async(chat.shutdown())
        run_async(tools.shutdown())
        run_async(settings.aclose())
        conversations.close()


def test_paste_a_config_ask_the_time_in_tokyo_approve_and_find_it_after_a_restart(
    app: Any, openai_server: Any, qtbot: Any, tmp_path: Path, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    conversations, chat, tools = app()
    parsed = tools.import_config(PASTED)
    assert parsed.problems == [] and [s.id for s in parsed.servers] == ["time"]
    assert tools.servers()[0].secret_env == ("TIME_API_TOKEN",)
    tools._settings.wait_for_writes()
    qtbot.waitUntil(lambda: (SERVICE, "mcp:time:TIME_API_TOKEN") in app.backend.items, timeout=5000)
    settings_text = (tmp_path / "settings.json").read_text()
    assert SECRET not in settings_text and '"TIME_API_TOKEN"' in settings_text
    assert app.backend.items[(SERVICE, "mcp:time:TIME_API_TOKEN")] == SECRET

    openai_server.enqueue(
        Reply(
            text="",
            tool_calls=[ToolCallReply("get_current_time", '{"timezone": "Asia/Tokyo"}')],
        ),
        Reply(text="It is morning in Tokyo."),
    )
    conversation = conversations.new_conversation("p", None)
    chat.set_tools(conversation, (ToolSelection("time"),))
    with qtbot.waitSignal(chat.approval_needed, timeout=30000) as asked:
        assert chat.send(conversation, "what time is it in Tokyo?")
    request = asked.args[0]
    assert isinstance(request, ApprovalRequest)
    assert (request.server_id, request.tool) == ("time", "get_current_time")
    assert json.loads(request.call.arguments) == {"timezone": "Asia/Tokyo"}
    with qtbot.waitSignal(chat.tool_finished, timeout=30000) as finished:
        assert chat.decide(request.call.id, "once")
    assert finished.args == [conversation.id, request.call.id]
    qtbot.waitUntil(lambda: not chat.is_streaming(conversation.id), timeout=30000)
    _question, _asked, result, answer = conversation.thread()
    assert json.loads(result.content)["timezone"] == "Asia/Tokyo"
    assert answer.content == "It is morning in Tokyo."
    assert tools.state("time") == (READY, "")
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET not in log_text
    conversations.wait_for_writes()

    conversations, chat, tools = app()  # Confab restarted
    opened: list[Any] = []
    conversations.open(conversation.id, opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    again = opened[0]
    assert again is not None
    roles = [m.role for m in again.thread()]
    assert roles == ["user", "assistant", "tool", "assistant"]
    run = again.thread()[2]
    assert run.tool_server == "time" and run.tool_name == "get_current_time"
    assert again.tools == (ToolSelection("time"),)
    assert tools.state("time")[0] == "stopped"  # not started until needed


def test_always_allowed_pairs_are_kept_and_revocable(app: Any, tmp_path: Path) -> None:
    _conversations, _chat, tools = app()
    tools.allow_always("time", "get_current_time")
    tools.allow_always("time", "get_current_time")
    assert tools.always_allowed() == [("time", "get_current_time")]
    tools._settings.wait_for_writes()
    saved = json.loads((tmp_path / "settings.json").read_text())
    assert saved["tool_approvals"] == [{"server": "time", "tool": "get_current_time"}]
    _conversations, _chat, tools = app()
    assert tools.is_always_allowed("time", "get_current_time")
    tools.revoke("time", "get_current_time")
    tools._settings.wait_for_writes()
    assert "tool_approvals" not in json.loads((tmp_path / "settings.json").read_text())


def test_states_restart_and_a_failing_server(app: Any, qtbot: Any, run_async: Any) -> None:
    _conversations, _chat, tools = app()
    tools.save_server(McpServer("t", "Test", command=sys.executable, args=(TEST_SERVER,)), {})
    tools.save_server(
        McpServer("bad", "Bad", command=sys.executable, args=(TEST_SERVER, "exit")), {}
    )
    heard: list[tuple[str, str]] = []
    tools.state_changed.connect(lambda sid: heard.append((sid, tools.state(sid)[0])))
    with qtbot.waitSignal(tools.tools_listed, timeout=30000) as listed:
        tools.list_tools("t")
    assert listed.args[0] == "t" and "echo" in {t.name for t in listed.args[1]}
    qtbot.waitUntil(lambda: ("t", READY) in heard, timeout=5000)
    assert heard[0] == ("t", "starting")
    first = run_async(tools.call("t", "pid", {})).output
    with qtbot.waitSignal(tools.tools_listed, timeout=30000):
        tools.restart("t")
    assert run_async(tools.call("t", "pid", {})).output != first

    tools.list_tools("bad")
    qtbot.waitUntil(lambda: tools.state("bad")[0] == FAILED, timeout=30000)
    assert "configuration file ~/.test-server.toml is missing" in tools.state("bad")[1]
    # A failed server is not started again for each request: it offers nothing until restarted.
    assert run_async(tools.offered((ToolSelection("bad"), ToolSelection("t", ("echo",))))) == [
        t for t in tools.known_tools("t") or [] if t.name == "echo"
    ]
    assert tools.state("bad")[0] == FAILED

    tools.remove_server("t")
    assert [s.id for s in tools.servers()] == ["bad"]
    qtbot.waitUntil(lambda: tools.state("t")[0] == "stopped", timeout=10000)


def test_secrets_saved_with_a_server_go_to_the_keyring_only(app: Any, tmp_path: Path) -> None:
    _conversations, _chat, tools = app()
    server = McpServer("gh", "GitHub", command="gh-mcp", env={"GITHUB_TOKEN": "leaked?"})
    tools.save_server(server, {"GITHUB_TOKEN": SECRET})
    tools._settings.wait_for_writes()
    text = (tmp_path / "settings.json").read_text()
    assert SECRET not in text and "leaked?" not in text
    assert tools.server("gh").secret_env == ("GITHUB_TOKEN",)  # type: ignore[union-attr]
    tools.remove_server("gh")
    tools._settings.wait_for_writes()


def test_the_manager_s_loop_is_asyncio_s_own_under_qasync_s_policy(
    qloop: Any, run_async: Any
) -> None:
    """The app runs under ``qasync.run``, whose policy makes every new loop a QEventLoop; the
    manager's thread needs a plain asyncio loop (a QEventLoop cannot run off the UI thread)."""
    import asyncio

    import qasync

    from desktop.core.tools.manager import ToolManager

    policy = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(qasync.DefaultQEventLoopPolicy())
    manager = ToolManager()
    try:
        manager.configure([McpServer("t", "T", command=sys.executable, args=(TEST_SERVER,))])
        call = asyncio.wait_for(manager.call("t", "echo", {"text": "under qasync"}), 30)
        assert run_async(call).output == "under qasync"
        assert not isinstance(manager._loop, qasync.QEventLoop)
    finally:
        asyncio.set_event_loop_policy(policy)
        run_async(manager.shutdown())
