"""The project's own MCP server for tests, built with the SDK, run by path:
``python tests/support/mcp_servers.py MODE``.

MODE ``tools`` (a well-behaved server over stdio) offers:

- ``echo(text)``: the text back;
- ``slow(seconds)``: answers after that long (a hang past a call's timeout);
- ``fail(message)``: raises, so the result is ``isError`` with the message;
- ``huge(size)``: that many characters;
- ``crash()``: writes a line to stderr and exits at once, mid-call;
- ``env(name)``: the value of an environment variable (secrets reach the server);
- ``pid()``: its process id (the orphan tests look for it after Confab died).

The failing ways to start: ``exit`` (a few lines on stderr, exit 3 before any answer),
``garbage`` (lines on stdout that are not JSON-RPC, and no answer), ``hang`` (reads and never
answers), ``banner`` (one line of text on stdout, then behaves as ``tools``).

``http PORT TOKEN``: ``tools`` over Streamable HTTP at http://127.0.0.1:PORT/mcp, refusing
(401) any request without ``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import os
import sys
import time


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
