"""The project's own MCP server for tests, built with the SDK, run by path:
``python tests/support/mcp_servers.py MODE``.

MODE ``tools`` (a well-behaved server over stdio) offers:

- ``echo(text)``: the text back;
- ``slow(seconds)``: answers after that long (a hang past a call's timeout);
- ``fail(message)``: raises, so the result is ``isError`` with the message;
- ``huge(size)``: that many characters;
- ``crash()``: writes a line to stderr and exits at once, mid-call;
- ``env(name)``: the value of an environment variable (secrets reach the server);
- ``pid()``: its process id (the orphan tests look for it after Confab died);
- ``grow(name)``: adds a tool of that name (it says the name back) and tells the client its
  tools changed.

The failing ways to start: ``exit`` (a few lines on stderr, exit 3 before any answer),
``garbage`` (lines on stdout that are not JSON-RPC, and no answer), ``hang`` (reads and never
answers), ``banner`` (one line of text on stdout, then behaves as ``tools``).

``http PORT TOKEN``: ``tools`` over Streamable HTTP at http://127.0.0.1:PORT/mcp, refusing
(401) any request without ``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

# At the top: the SDK reads the tools' annotations (strings here) in this module's globals.
from mcp.server.mcpserver import Context


def _server() -> object:
    import anyio
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    server = MCPServer("confab-test")

    @server.tool()
    def echo(text: str) -> str:
        """Say the text back."""
        return text

    @server.tool()
    async def slow(seconds: float) -> str:
        """Answer after a while."""
        await anyio.sleep(seconds)
        return f"slept {seconds}"

    @server.tool()
    def fail(message: str) -> str:
        """Always fails (an ``isError`` result with the message)."""
        raise ToolError(message)

    @server.tool()
    def huge(size: int) -> str:
        """A very long answer."""
        return "x" * size

    @server.tool()
    def crash() -> str:
        """Dies mid-call."""
        print("crash: the test server was told to die", file=sys.stderr, flush=True)
        os._exit(1)

    @server.tool()
    def env(name: str) -> str:
        """An environment variable's value."""
        return os.environ.get(name, "<unset>")

    @server.tool()
    def pid() -> int:
        """This process's id."""
        return os.getpid()

    @server.tool()
    async def grow(name: str, ctx: Context) -> str:  # type: ignore[type-arg]
        """Adds a tool, and says the tools changed."""

        def grown() -> str:
            return name

        server.add_tool(grown, name=name, description=f"A tool added by grow: {name}")
        # A 2025-era session is told unasked; a 2026-07-28 one on its subscriptions/listen.
        with contextlib.suppress(Exception):
            await ctx.session.send_tool_list_changed()
        with contextlib.suppress(Exception):
            await ctx.notify_tools_changed()
        return f"added {name}"

    return server


def _http(port: int, token: str) -> None:
    import uvicorn
    from starlette.responses import PlainTextResponse

    server = _server()
    app = server.streamable_http_app()  # type: ignore[attr-defined]

    async def guarded(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            if headers.get(b"authorization") != f"Bearer {token}".encode():
                await PlainTextResponse("no entry", status_code=401)(scope, receive, send)
                return
        await app(scope, receive, send)

    uvicorn.run(guarded, host="127.0.0.1", port=port, log_level="warning", lifespan="on")


def main(argv: list[str]) -> None:
    mode = argv[0] if argv else "tools"
    if mode == "exit":
        print("starting…", file=sys.stderr)
        print("error: the configuration file ~/.test-server.toml is missing", file=sys.stderr)
        sys.exit(3)
    if mode == "garbage":
        for n in range(3):
            print(f"Welcome to the server! line {n}", flush=True)
        time.sleep(3600)
    if mode == "hang":
        for _line in sys.stdin:
            pass
        time.sleep(3600)
    if mode == "http":
        _http(int(argv[1]), argv[2])
        return
    if mode == "banner":
        print("test server 1.0 ready", flush=True)
    _server().run()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main(sys.argv[1:])
