"""MCP server settings: the ``{"mcpServers": …}`` configs other apps write, read for import
(secrets set apart), and settings.json's ``mcp_servers`` read back as written, liberally."""

from __future__ import annotations

import json

from desktop.core.settings import Settings
from desktop.core.tools import HTTP, STDIO, McpServer, parse_mcp_config, reasons, secret_name
from desktop.core.tools.naming import ToolBox, valid_name
from desktop.core.tools.reasons import ConfigProblem
from desktop.core.tools.types import ToolInfo

CLAUDE_DESKTOP = {
    "mcpServers": {
        "time": {"command": "uvx", "args": ["mcp-server-time", "--local-timezone=Asia/Tokyo"]},
        "github": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_abc123", "GITHUB_HOST": "github.com"},
        },
        "filesystem": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"],
        },
    }
}


def test_a_claude_desktop_config_gives_its_servers_and_keeps_tokens_apart() -> None:
    parsed = parse_mcp_config(json.dumps(CLAUDE_DESKTOP))
    assert parsed.problems == []
    time, github, files = parsed.servers
    assert (time.id, time.transport, time.command) == ("time", STDIO, "uvx")
    assert time.args == ("mcp-server-time", "--local-timezone=Asia/Tokyo")
    assert github.env == {"GITHUB_HOST": "github.com"}
    assert github.secret_env == ("GITHUB_PERSONAL_ACCESS_TOKEN",)
    assert parsed.secrets == {("github", "GITHUB_PERSONAL_ACCESS_TOKEN"): "ghp_abc123"}
    assert files.args[-1] == "/Users/me/Desktop" and files.enabled


def test_remote_servers_as_cursor_windsurf_and_cherry_studio_write_them() -> None:
    text = json.dumps(
        {
            "mcpServers": {
                "Cursor Remote": {
                    "url": "https://mcp.example.com/mcp",
                    "headers": {"Authorization": "Bearer s3cr3t", "X-Team": "core"},
                },
                "windsurf": {"serverUrl": "https://w.example/mcp"},
                "cherry": {
                    "type": "streamableHttp",
                    "baseUrl": "https://c.example/mcp",
                    "isActive": False,
                },
                "old": {"type": "sse", "url": "https://old.example/sse"},
            }
        }
    )
    parsed = parse_mcp_config(text)
    cursor, windsurf, cherry, old = parsed.servers
    assert cursor.id == "cursor-remote" and cursor.name == "Cursor Remote"
    assert cursor.transport == HTTP and cursor.headers == {"X-Team": "core"}
    assert cursor.secret_headers == ("Authorization",)
    assert parsed.secrets[("cursor-remote", "Authorization")] == "Bearer s3cr3t"
    assert windsurf.url == "https://w.example/mcp"
    assert cherry.transport == HTTP and not cherry.enabled
    assert old.transport == HTTP
    assert parsed.problems == [ConfigProblem(reasons.SSE_AS_HTTP, "old")]
    assert [str(p) for p in parsed.problems] == [
        "old: uses the older SSE transport; added as Streamable HTTP, which most servers serve"
    ]


def test_vs_code_servers_a_bare_map_and_a_single_server_are_read_too() -> None:
    vscode = parse_mcp_config(
        json.dumps({"servers": {"t": {"type": "stdio", "command": "uvx", "args": ["x"]}}})
    )
    assert [s.command for s in vscode.servers] == ["uvx"]
    bare = parse_mcp_config(json.dumps({"time": {"command": "uvx", "args": ["mcp-server-time"]}}))
    assert [s.id for s in bare.servers] == ["time"]
    single = parse_mcp_config(json.dumps({"command": "uvx", "args": "mcp-server-time --x"}))
    assert single.servers[0].args == ("mcp-server-time", "--x")


def test_ids_are_unique_among_themselves_and_the_servers_there_are() -> None:
    text = json.dumps({"mcpServers": {"My Time": {"command": "a"}, "my-time": {"command": "b"}}})
    parsed = parse_mcp_config(text, taken={"my-time"})
    assert [s.id for s in parsed.servers] == ["my-time-2", "my-time-3"]


def test_what_cannot_be_read_is_said_never_raised() -> None:
    (not_json,) = parse_mcp_config("{not json").problems
    assert not_json.code == reasons.NOT_JSON and "line 1" in not_json.detail
    assert str(not_json).startswith("not JSON: ")
    assert parse_mcp_config("[1, 2]").problems == [ConfigProblem(reasons.NO_SERVERS_OBJECT)]
    assert [str(p) for p in parse_mcp_config("[1, 2]").problems] == ['no "mcpServers" object found']
    assert parse_mcp_config('{"mcpServers": {}}').problems == [ConfigProblem(reasons.NO_SERVERS)]
    parsed = parse_mcp_config(
        json.dumps(
            {
                "mcpServers": {
                    "good": {"command": "uvx"},
                    "empty": {},
                    "weird": {"type": "websocket", "url": "ws://x"},
                    "list": [1],
                }
            }
        )
    )
    assert [s.id for s in parsed.servers] == ["good"]
    assert parsed.problems == [
        ConfigProblem(reasons.NO_COMMAND_OR_URL, "empty"),
        ConfigProblem(reasons.UNKNOWN_TRANSPORT, "weird", "websocket"),
        ConfigProblem(reasons.NOT_AN_OBJECT, "list"),
    ]
    assert [str(p) for p in parsed.problems] == [
        "empty: neither a command nor a URL; left out",
        "weird: unknown transport type 'websocket'; left out",
        "list: not an object; left out",
    ]


def test_settings_keep_servers_as_written_and_never_a_secret_value() -> None:
    server = McpServer(
        "gh",
        "GitHub",
        command="npx",
        args=("-y", "server-github"),
        env={"GITHUB_HOST": "github.com", "GITHUB_TOKEN": "ghp_should_not_be_here"},
        secret_env=("GITHUB_TOKEN",),
        call_timeout=90,
    )
    remote = McpServer("r", "R", transport=HTTP, url="https://r/mcp", enabled=False)
    data = Settings(mcp_servers=[server, remote], tool_approvals=[("gh", "search")]).to_dict()
    assert "ghp_should_not_be_here" not in json.dumps(data)
    notes: list[str] = []
    again = Settings.from_dict(json.loads(json.dumps(data)), notes)
    assert notes == []
    assert again.mcp_servers[0].env == {"GITHUB_HOST": "github.com"}
    assert again.mcp_servers[0].call_timeout == 90 and again.mcp_servers[0].timeout == 90
    assert again.mcp_servers[1] == remote
    assert again.tool_approvals == [("gh", "search")]
    assert secret_name("gh", "GITHUB_TOKEN") == "mcp:gh:GITHUB_TOKEN"


def test_a_damaged_server_in_settings_is_left_out_with_a_note() -> None:
    notes: list[str] = []
    settings = Settings.from_dict(
        {
            "format": "confab.settings",
            "mcp_servers": [
                {"id": "ok", "name": "OK", "transport": "stdio", "command": "x", "enabled": True},
                {"id": "", "transport": "stdio"},
                {"id": "ws", "transport": "websocket"},
                {"id": "ok", "transport": "stdio"},
            ],
            "tool_approvals": [{"server": "ok", "tool": "t"}, {"server": "ok", "tool": "t"}],
        },
        notes,
    )
    assert [s.id for s in settings.mcp_servers] == ["ok"]
    assert len(notes) == 3 and all("mcp_servers" in n for n in notes)
    assert settings.tool_approvals == [("ok", "t")]


def test_function_names_are_valid_unique_and_map_back() -> None:
    tools = [
        ToolInfo("time", "get_current_time"),
        ToolInfo("a", "search"),
        ToolInfo("b", "search"),
        ToolInfo("c", "read file"),
        ToolInfo("long" * 20, "x" * 70),
    ]
    box = ToolBox.of(tools)
    names = list(box.tools)
    assert names[0] == "get_current_time"
    assert names[1:4] == ["a__search", "b__search", "c__read_file"]
    assert all(valid_name(n) for n in names) and len(set(names)) == 5
    assert box.target("b__search") == tools[2] and box.target("nope") is None
    spec = box.specs()[0]
    assert spec.parameters == {"type": "object", "properties": {}}
