"""MCP servers, one SDK ``ClientSession`` each, started when first needed.

Where it runs: an asyncio loop in a thread of its own ("confab-mcp"), not the app's qasync
loop. The SDK's work (spawning, pydantic validation of every message, a tool's output of
megabytes parsed as JSON) then never runs on the UI thread; qasync's loop has no child
watcher of its own to rely on for subprocesses; and a server that hangs or floods cannot
delay a repaint. The callers' side (the chat service, the controller) awaits each call on
its own loop; cancelling that await (Stop) cancels the call in the manager's loop
(``run_coroutine_threadsafe``'s future chaining). tests/benchmarks/mcp_start.py measures
the UI thread's longest stall while a server starts.

Each server's session lives in one task of the manager's loop (anyio's scopes must be left
by the task that entered them): it starts the transport (stdio through ``guard.py``, or
Streamable HTTP), initializes (bounded by ``start_timeout``), lists the tools, says "ready",
then waits to be stopped. Calls run in tasks of their own on the same session.

Failures are states and results, never tracebacks: a command not found, a server that exits
at once (its stderr's last lines are the reason), garbage on stdout (said, if initialize never
comes), a hang in initialize (the timeout), a tool error (``isError``: its text is the
result's error), a call past its timeout (cancelled), huge output (cut at OUTPUT_CAP
characters, said so in the text).

States change in the manager's thread and are told to the listeners on the loop of the
first caller (the app's), through ``call_soon_threadsafe``; listeners are held weakly, so the
manager never keeps a controller (a Qt object) alive, nor frees one in its thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import os
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any, TextIO, TypeVar

from desktop.core.errors import ToolServerError, ToolTimeoutError
from desktop.core.logs import redact
from desktop.core.tools.config import HTTP, McpServer
from desktop.core.tools.types import (
    FAIL_SERVER,
    FAIL_TIMEOUT,
    FAIL_TOOL,
    FAILED,
    READY,
    STARTING,
    STOPPED,
    ServerState,
    ToolInfo,
    ToolOutcome,
)

log = logging.getLogger("confab.tools")

_T = TypeVar("_T")

# What one tool call may give the model, in characters (~25,000 tokens): more is cut, and
# the text says how much was left out. The card shows the same text.
OUTPUT_CAP = 100_000
# Seconds a server has to start and answer initialize (a first ``uvx`` may download).
START_TIMEOUT_S = 60.0
# Seconds the servers have to stop at quit, all together; the SDK's own escalation (stdin
# closed, 2 s, SIGTERM to the group, 2 s, SIGKILL) fits within it.
STOP_TIMEOUT_S = 8.0
# The last lines of a server's stderr that explain a failure.
STDERR_LINES = 6
_STDERR_LINE_CHARS = 300

GUARD = Path(__file__).with_name("guard.py")

SecretSource = Callable[[McpServer], Awaitable[dict[str, str]]]


def guarded_command(command: str, args: Iterable[str]) -> tuple[str, list[str]]:
    """The command line that runs ``command args…`` under the guard (dies with Confab): the
    guard script run by this Python, or, in a bundle (where ``sys.executable`` is Confab
    itself), Confab with ``--mcp-guard`` (desktop/app.py hands it to the guard)."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["--mcp-guard", "--", command, *args]
    return sys.executable, ["-I", str(GUARD), "--", command, *args]


class _Handle:
    """One server's session, in the manager's thread only."""

    def __init__(self, server: McpServer, loop: asyncio.AbstractEventLoop) -> None:
        self.server = server
        self.session: Any = None
        self.tools: list[ToolInfo] = []
        self.ready: asyncio.Future[None] = loop.create_future()
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.garbage = ""  # the first thing it printed that was not MCP
        self.died = False  # its connection ended without being stopped
        self.http_status = 0  # the last error status an HTTP server answered with
        # Set when the server says its tools changed: they are listed again.
        self.relist = asyncio.Event()

    @property
    def alive(self) -> bool:
        return self.task is not None and not self.task.done()


class ToolManager:
    def __init__(
        self,
        secrets: SecretSource | None = None,
        *,
        guard: bool = True,
        start_timeout: float = START_TIMEOUT_S,
        output_cap: int = OUTPUT_CAP,
    ) -> None:
        """``secrets(server)``: the values of its secret env variables or headers (read from
        the keyring by the caller, on the caller's loop). ``guard`` False: spawn the command
        itself (no death signal)."""
        self.secrets = secrets
        self._guard = guard
        self.start_timeout = start_timeout
        self.output_cap = output_cap
        self._servers: dict[str, McpServer] = {}
        self._states: dict[str, ServerState] = {}
        self._tools: dict[str, list[ToolInfo]] = {}
        self._listeners: list[Callable[[], Callable[[str], None] | None]] = []
        self._caller_loop: asyncio.AbstractEventLoop | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._handles: dict[str, _Handle] = {}  # the manager thread's
        # Stops asked for by ``configure`` and not waited for yet (the callers' thread).
        self._stopping: dict[str, concurrent.futures.Future[None]] = {}
        self._lock = threading.Lock()
        self._closed = False

    # ---- configuration and state (the callers' thread) -------------------------------

    def configure(self, servers: Iterable[McpServer]) -> None:
        """The servers as settings now have them: one removed, disabled or changed is stopped
        (a changed one starts again with its new settings when next needed)."""
        new = {s.id: s for s in servers}
        for server_id, old in list(self._servers.items()):
            server = new.get(server_id)
            if server is None or not server.enabled or server != old:
                self._stop_soon(server_id)
                self._tools.pop(server_id, None)
                if server is None:
                    self._states.pop(server_id, None)
        self._servers = new

    def servers(self) -> list[McpServer]:
        return list(self._servers.values())

    def state(self, server_id: str) -> ServerState:
        return self._states.get(server_id, ServerState())

    def known_tools(self, server_id: str) -> list[ToolInfo] | None:
        """The tools the server listed when it last started; None before that."""
        tools = self._tools.get(server_id)
        return list(tools) if tools is not None else None

    def add_listener(self, callback: Callable[[str], None]) -> None:
        """``callback(server_id)`` on the callers' loop whenever a server's state changes, or
        the tools a running server offers (it said they changed: ``known_tools`` has them).
        Held weakly (a bound method: as long as its object lives)."""
        ref: Callable[[], Callable[[str], None] | None]
        if hasattr(callback, "__self__"):
            ref = weakref.WeakMethod(callback)
        else:

            def ref() -> Callable[[str], None]:
                return callback

        self._listeners.append(ref)

    def _notify(self, server_id: str) -> None:
        for ref in list(self._listeners):
            callback = ref()
            if callback is None:
                self._listeners.remove(ref)
                continue
            try:
                callback(server_id)
            except Exception:
                log.exception("a tool-state listener failed")

    def _set_state(self, server_id: str, state: str, detail: str = "") -> None:
        """From the manager's thread. A secret the server printed (its stderr is the reason) is
        masked as in the log."""
        detail = redact(detail)
        if self._states.get(server_id) == ServerState(state, detail):
            return
        self._states[server_id] = ServerState(state, detail)
        if state == FAILED:
            log.warning("MCP server %s failed: %s", server_id, detail)
        else:
            log.info("MCP server %s: %s", server_id, state)
        self._tell(server_id)

    def _tell(self, server_id: str) -> None:
        """The listeners, on the callers' loop: the server's state or its tools changed."""
        loop = self._caller_loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed meanwhile
                loop.call_soon_threadsafe(self._notify, server_id)

    # ---- what callers await -----------------------------------------------------------

    async def tools(self, server_id: str) -> list[ToolInfo]:
        """The server's tools, starting it if needed; ToolServerError when it cannot start."""
        await self.ensure_started(server_id)
        return self.known_tools(server_id) or []

    async def ensure_started(self, server_id: str) -> None:
        server = self._servers.get(server_id)
        if server is None:
            raise ToolServerError(f"no MCP server {server_id!r}")
        if not server.enabled:
            raise ToolServerError(f"{server.name} is turned off")
        stopping = self._stopping.get(server_id)
        if stopping is not None:
            with contextlib.suppress(Exception):  # (its failure is the state's)
                await asyncio.wrap_future(stopping)
            if self._stopping.get(server_id) is stopping:
                del self._stopping[server_id]
        if self.state(server_id).state == READY:
            return
        secrets = await self.secrets(server) if self.secrets is not None else {}
        await self._in_thread(self._start(server, secrets))

    async def call(
        self, server_id: str, tool: str, arguments: dict[str, Any], timeout: float | None = None
    ) -> ToolOutcome:
        """Run one tool; its outcome, failures included (never raises for a tool's or a
        server's failure). Cancelling this cancels the call."""
        started = time.monotonic()
        server = self._servers.get(server_id)
        limit = timeout if timeout is not None else (server.timeout if server else 60.0)
        try:
            await self.ensure_started(server_id)
            return await self._in_thread(self._call(server_id, tool, arguments, limit))
        except ToolTimeoutError as exc:
            return ToolOutcome("", exc.detail, _ms(started), FAIL_TIMEOUT)
        except ToolServerError as exc:
            return ToolOutcome("", exc.detail, _ms(started), FAIL_SERVER)

    async def restart(self, server_id: str) -> None:
        """Stop the server (if running) and start it again; ToolServerError if it fails."""
        await self.stop(server_id)
        await self.ensure_started(server_id)

    async def stop(self, server_id: str) -> None:
        if self._loop is None:
            return
        await self._in_thread(self._stop(server_id))

    async def shutdown(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop every server (within ``timeout``; the SDK kills what does not exit), then
        the manager's thread."""
        if self._loop is None or self._closed:
            self._closed = True
            return
        self._closed = True
        future = asyncio.run_coroutine_threadsafe(self._stop_all(timeout), self._loop)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.wrap_future(future), timeout + 2.0)
        self._end_thread()

    def _end_thread(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(2.0)  # its loop stops at once: the servers are stopped by now

    def _stop_soon(self, server_id: str) -> None:
        if self._loop is not None and not self._closed:
            # Kept until it ends: a call asked for meanwhile waits for it (else it would find
            # the old session still READY, on its way out, and fail).
            self._stopping[server_id] = asyncio.run_coroutine_threadsafe(
                self._stop(server_id), self._loop
            )

    async def _in_thread(self, coro: Coroutine[Any, Any, _T]) -> _T:
        if self._caller_loop is None:
            self._caller_loop = asyncio.get_running_loop()
        loop = self._ensure_loop()
        if loop is None:
            coro.close()
            raise ToolServerError("Confab is quitting")
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    def _ensure_loop(self) -> asyncio.AbstractEventLoop | None:
        with self._lock:
            if self._closed:
                return None
            if self._loop is None:
                # Not asyncio.new_event_loop(): under qasync.run (the app) the policy makes
                # that a QEventLoop, which cannot run outside the UI thread.
                loop = asyncio.DefaultEventLoopPolicy().new_event_loop()
                started = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(started.set)
                    try:
                        loop.run_forever()
                    finally:
                        with contextlib.suppress(Exception):
                            loop.run_until_complete(loop.shutdown_asyncgens())
                        loop.close()

                self._thread = threading.Thread(target=run, name="confab-mcp", daemon=True)
                self._thread.start()
                if not started.wait(10):
                    raise ToolServerError("the thread that runs the MCP servers did not start")
                self._loop = loop
            return self._loop

    # ---- the manager's thread ---------------------------------------------------------

    async def _start(self, server: McpServer, secrets: dict[str, str]) -> None:
        handle = self._handles.get(server.id)
        if handle is None or not handle.alive or handle.server != server:
            if handle is not None and handle.alive:
                await self._stop(server.id)
            loop = asyncio.get_running_loop()
            handle = self._handles[server.id] = _Handle(server, loop)
            self._set_state(server.id, STARTING)
            handle.task = loop.create_task(self._run(handle, secrets))
        await asyncio.shield(handle.ready)

    async def _run(self, handle: _Handle, secrets: dict[str, str]) -> None:
        with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as errlog:
            try:
                await self._run_session(handle, secrets, errlog)
            finally:
                handle.session = None
                if not handle.ready.done():
                    handle.ready.cancel()
                with contextlib.suppress(BaseException):
                    handle.ready.exception()  # retrieved: no "never retrieved" noise

    async def _run_session(self, handle: _Handle, secrets: dict[str, str], errlog: TextIO) -> None:
        server = handle.server
        try:
            await self._session(handle, secrets, errlog)
            if handle.died:
                detail = _stderr_tail(errlog) or f"{server.name} stopped"
                self._set_state(server.id, FAILED, detail)
            if not handle.ready.done():
                handle.ready.set_exception(ToolServerError(f"{server.name} ended at once"))
            if self._states.get(server.id, ServerState()).state != FAILED:
                self._set_state(server.id, STOPPED)
        except asyncio.CancelledError:
            self._set_state(server.id, STOPPED)
            if not handle.ready.done():
                handle.ready.set_exception(ToolServerError(f"{server.name} was stopped"))
            raise
        except BaseException as exc:  # anyio groups, the SDK's own errors, OSError…
            detail = _reason(exc, errlog, handle, self.start_timeout)
            self._set_state(server.id, FAILED, detail)
            if not handle.ready.done():
                handle.ready.set_exception(ToolServerError(detail))
            if not isinstance(exc, Exception):
                raise

    async def _session(self, handle: _Handle, secrets: dict[str, str], errlog: TextIO) -> None:
        import anyio
        from mcp import ClientSession

        server = handle.server

        async def on_message(message: Any) -> None:
            if isinstance(message, Exception):
                if not handle.garbage:
                    handle.garbage = _garbage(message)
            elif _tools_changed(message):
                handle.relist.set()  # an older server's notifications/tools/list_changed

        async with contextlib.AsyncExitStack() as stack:
            if server.transport == HTTP:
                from mcp.client.streamable_http import streamable_http_client
                from mcp.shared._httpx_utils import create_mcp_http_client

                headers = {**server.headers, **secrets}
                client = await stack.enter_async_context(create_mcp_http_client(headers=headers))

                async def on_response(response: Any) -> None:
                    if response.status_code >= 400:
                        handle.http_status = response.status_code

                client.event_hooks = {**client.event_hooks, "response": [on_response]}
                read, write = await stack.enter_async_context(
                    streamable_http_client(server.url, http_client=client)
                )
            else:
                from mcp.client.stdio import StdioServerParameters, stdio_client

                # Windows: no guard (its exec would start a new process and end this one);
                # the SDK's job object kills the server with Confab there.
                command, args = (
                    guarded_command(server.command, server.args)
                    if self._guard and os.name == "posix"
                    else (server.command, list(server.args))
                )
                env = {**server.env, **secrets, "CONFAB_GUARD_PARENT": str(os.getpid())}
                params = StdioServerParameters(command=command, args=args, env=env)
                read, write = await stack.enter_async_context(stdio_client(params, errlog=errlog))
            session = await stack.enter_async_context(
                ClientSession(read, write, message_handler=on_message)
            )
            with anyio.fail_after(self.start_timeout):
                await session.initialize()
                tools = await _list_tools(session, server.id)
            handle.session = session
            handle.tools = tools
            self._tools[server.id] = tools
            self._set_state(server.id, READY)
            handle.ready.set_result(None)
            followers = [
                asyncio.ensure_future(self._listen_for_tool_changes(handle, session)),
                asyncio.ensure_future(self._relist_when_told(handle, session)),
            ]
            try:
                await self._until_stopped(handle, session)
            finally:
                for follower in followers:
                    follower.cancel()
                await asyncio.gather(*followers, return_exceptions=True)

    @staticmethod
    async def _listen_for_tool_changes(handle: _Handle, session: Any) -> None:
        """A server of the 2026-07-28 protocol says its tools changed on a
        ``subscriptions/listen`` stream the client opens; older ones send
        notifications/tools/list_changed to ``on_message`` unasked."""
        from mcp.client.subscriptions import ListenNotSupportedError, listen

        try:
            async with listen(session, tools_list_changed=True) as subscription:
                if not subscription.honored.tools_list_changed:
                    return
                async for _event in subscription:
                    handle.relist.set()
        except ListenNotSupportedError:
            return
        except Exception as exc:  # a server that cannot listen: its tools stay as listed
            log.debug("MCP server %s: no tool-change events (%s)", handle.server.id, exc)

    async def _relist_when_told(self, handle: _Handle, session: Any) -> None:
        import anyio

        server_id = handle.server.id
        while True:
            await handle.relist.wait()
            handle.relist.clear()
            try:
                with anyio.fail_after(self.start_timeout):
                    tools = await _list_tools(session, server_id)
            except Exception as exc:
                log.warning(
                    "MCP server %s: its changed tools could not be listed: %s", server_id, exc
                )
                continue
            if tools == handle.tools:
                continue
            handle.tools = tools
            self._tools[server_id] = tools
            log.info("MCP server %s: its tools changed (%d now)", server_id, len(tools))
            self._tell(server_id)

    @staticmethod
    async def _until_stopped(handle: _Handle, session: Any) -> None:
        """Until told to stop, or until the connection ends (the server died: it is then
        "failed" with its stderr's last lines at once, not at the next call). The SDK says
        the end only to a request waiting; its dispatcher's flag is looked at twice a
        second (a private one: without it, the next call finds out)."""
        dispatcher = getattr(session, "_dispatcher", None)
        while not handle.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(handle.stop.wait(), 0.5)
            if getattr(dispatcher, "_closed", False) and not handle.stop.is_set():
                handle.died = True
                return

    async def _call(
        self, server_id: str, tool: str, arguments: dict[str, Any], timeout: float
    ) -> ToolOutcome:
        import anyio

        started = time.monotonic()
        handle = self._handles.get(server_id)
        if handle is None or handle.session is None:
            raise ToolServerError("the server is not running")
        try:
            with anyio.fail_after(timeout):
                result = await handle.session.call_tool(tool, arguments)
        except TimeoutError as exc:
            raise ToolTimeoutError(
                f"no result after {timeout:g} s; the call was cancelled"
            ) from exc
        except Exception as exc:
            if _connection_closed(exc) and handle.task is not None:
                # Died mid-call: wait for the session to wind down, and say why it died.
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(asyncio.shield(handle.task), STOP_TIMEOUT_S)
            if not handle.alive or handle.session is None:
                state = self._states.get(server_id, ServerState())
                raise ToolServerError(state.detail or f"the server stopped ({exc})") from exc
            detail = _first_line(_leaf_text(exc)) or type(exc).__name__
            return ToolOutcome("", detail, _ms(started), FAIL_TOOL)
        text = self._cap(_result_text(result))
        if getattr(result, "is_error", False):
            return ToolOutcome(text, text or "the tool reported an error", _ms(started), FAIL_TOOL)
        return ToolOutcome(text, "", _ms(started))

    def _cap(self, text: str) -> str:
        if len(text) <= self.output_cap:
            return text
        left = len(text) - self.output_cap
        return text[: self.output_cap] + f"\n\n[… {left:,} more characters not kept]"

    async def _stop(self, server_id: str) -> None:
        handle = self._handles.pop(server_id, None)
        if handle is None or handle.task is None:
            return
        handle.stop.set()
        task = handle.task
        if not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT_S)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(task, 2.0)
            except BaseException:
                pass
        if self._states.get(server_id, ServerState()).state != FAILED:
            self._set_state(server_id, STOPPED)

    async def _stop_all(self, timeout: float) -> None:
        ids = list(self._handles)
        if not ids:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(self._stop(i) for i in ids), return_exceptions=True), timeout
            )


def _tools_changed(message: Any) -> bool:
    import mcp_types

    return isinstance(message, mcp_types.ToolListChangedNotification)


async def _list_tools(session: Any, server_id: str) -> list[ToolInfo]:
    tools: list[ToolInfo] = []
    cursor: str | None = None
    for _ in range(100):  # pages; a server that pages forever stops here
        if cursor is None:
            result = await session.list_tools()
        else:
            from mcp import types

            result = await session.list_tools(params=types.PaginatedRequestParams(cursor=cursor))
        for tool in result.tools:
            schema = tool.input_schema if isinstance(tool.input_schema, dict) else {}
            tools.append(
                ToolInfo(
                    server_id=server_id,
                    name=tool.name,
                    description=tool.description or "",
                    input_schema=schema or {"type": "object"},
                    title=getattr(tool, "title", None) or "",
                )
            )
        cursor = getattr(result, "next_cursor", None)
        if not cursor:
            break
    return tools


def _result_text(result: Any) -> str:
    """A CallToolResult's content as text: text blocks as they are, a resource's text, and a
    line saying what each image, sound or link was; the structured content when nothing
    else came."""
    parts: list[str] = []
    for block in getattr(result, "content", None) or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(block.text)
        elif kind in ("image", "audio"):
            size = len(getattr(block, "data", "") or "") * 3 // 4
            parts.append(f"[{kind}: {getattr(block, 'mime_type', '')}, {size:,} bytes]")
        elif kind == "resource":
            resource = block.resource
            text = getattr(resource, "text", None)
            parts.append(text if isinstance(text, str) else f"[resource: {resource.uri}]")
        elif kind == "resource_link":
            parts.append(f"[link: {block.uri}]")
    structured = getattr(result, "structured_content", None)
    if not parts and structured is not None:
        parts.append(json.dumps(structured, ensure_ascii=False))
    return "\n\n".join(parts)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:_STDERR_LINE_CHARS]
    return ""


def _connection_closed(exc: BaseException) -> bool:
    from mcp_types import CONNECTION_CLOSED

    return getattr(exc, "code", None) == CONNECTION_CLOSED


def _garbage(exc: Exception) -> str:
    """What a server printed that was not a JSON-RPC message (pydantic's error holds it)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        with contextlib.suppress(Exception):
            for error in errors():
                if isinstance(error.get("input"), str):
                    return repr(error["input"][:200])
    return _first_line(str(exc))


def _leaf_text(exc: BaseException) -> str:
    """The words of the innermost error of an (anyio) exception group."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) and message else str(exc)
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"command not found: {exc.filename}"
    return text or type(exc).__name__


def _stderr_tail(errlog: TextIO) -> str:
    try:
        errlog.flush()
        errlog.seek(0, os.SEEK_END)
        size = errlog.tell()
        errlog.seek(max(0, size - 16_384))
        text = errlog.read()
    except (OSError, ValueError):
        return ""
    lines = [line.rstrip()[:_STDERR_LINE_CHARS] for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-STDERR_LINES:])


_STATUS_WORDS = {
    401: "the server refused the credentials (HTTP 401)",
    403: "the server refused access (HTTP 403)",
    404: "no MCP server at this address (HTTP 404)",
}


def _reason(exc: BaseException, errlog: TextIO, handle: _Handle, start_timeout: float) -> str:
    garbage = handle.garbage
    if handle.http_status:
        status = handle.http_status
        return _STATUS_WORDS.get(status, f"the server answered with HTTP {status}")
    leaf = exc
    while isinstance(leaf, BaseExceptionGroup) and leaf.exceptions:
        leaf = leaf.exceptions[0]
    stderr = _stderr_tail(errlog)
    if isinstance(leaf, TimeoutError):
        said = f"no answer to initialize within {start_timeout:g} s"
        if garbage:
            said += f"; it printed something that is not MCP: {garbage}"
        return f"{said}\n{stderr}".strip()
    return stderr or (f"its output is not MCP: {garbage}" if garbage else _leaf_text(leaf))
