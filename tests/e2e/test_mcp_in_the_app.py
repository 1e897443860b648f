"""MCP tools in the whole app (the window wired as app.py wires it, a real Secret Service):
a pasted config's secret goes to the keyring and the server's environment, nowhere else; a
turn with a tool call goes through the window and is on disk; quitting stops the server."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import keyring

from desktop.controllers.tools import ToolsController
from desktop.core.models import ToolSelection
from tests.conftest import write_settings
from tests.support.leaks import files_holding, log_and_crash_hook
from tests.support.openai_server import Reply, ToolCallReply

SECRET = "mcp-planted-3c9a1f7e5d2b4a6c8e0f"
TEST_SERVER = str(Path(__file__).resolve().parents[2] / "tests" / "support" / "mcp_servers.py")


def _gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_tool_turn_in_the_app_keeps_the_secret_in_the_keyring_and_quit_stops_the_server(
    start_app: Any,
    openai_server: Any,
    server_provider: dict[str, Any],
    secret_service: Any,
    qtbot: Any,
    run_async: Any,
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    write_settings(data, [server_provider])
    config = {
        "mcpServers": {
            "own": {
                "command": sys.executable,
                "args": [TEST_SERVER, "tools"],
                "env": {"OWN_API_KEY": SECRET},
            }
        }
    }
    with log_and_crash_hook(data):
        app = start_app(data)
        tools = app.parts.tools
        assert isinstance(tools, ToolsController) and app.chat.tools is tools
        assert tools.import_config(json.dumps(config)).problems == []
        app.settle_keyring()
        assert keyring.get_password("Confab", "mcp:own:OWN_API_KEY") == SECRET
        # The server gets it in its environment (read from the keyring at its start).
        assert run_async(tools.call("own", "env", {"name": "OWN_API_KEY"})).output == SECRET
        pid = int(run_async(tools.call("own", "pid", {})).output)

        openai_server.enqueue(
            Reply(text="", tool_calls=[ToolCallReply("echo", '{"text": "from the tool"}')]),
            Reply(text="The tool answered."),
        )
        conversation = app.conversations.new_conversation(server_provider["id"], None)
        app.open(conversation.id)
        app.chat.set_tools(conversation, (ToolSelection("own", ("echo",)),))
        with qtbot.waitSignal(app.chat.approval_needed, timeout=30000) as asked:
            app.type_and_send("use the tool")
        assert app.chat.decide(asked.args[0].call.id, "once")
        app.wait_idle(timeout=30000)
        roles = [m["role"] for m in app.conversation_files()[0]["messages"]]
        assert roles == ["user", "assistant", "tool", "assistant"]
        assert [m.role for m in conversation.thread()][-1] == "assistant"
        assert conversation.thread()[-1].content == "The tool answered."
        app.quit()  # (the manager bounds its stop: STOP_TIMEOUT_S, then the SDK kills)
        assert _gone(pid), "the MCP server outlived the quit"

    assert files_holding(data, SECRET) == []
