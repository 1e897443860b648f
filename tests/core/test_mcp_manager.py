"""The MCP manager with real servers over stdio and Streamable HTTP: the third-party
``mcp-server-time`` and the project's own (tests/support/mcp_servers.py), each failure a
state or a result that says what happened, never a traceback."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from desktop.core.errors import ToolServerError
from desktop.core.tools import FAILED, READY, STARTING, STOPPED, McpServer
from desktop.core.tools.manager import ToolManager
from desktop.core.tools.types import FAIL_SERVER, FAIL_TIMEOUT, FAIL_TOOL

ROOT = Path(__file__).resolve().parents[2]
TEST_SERVER = str(ROOT / "tests" / "support" / "mcp_servers.py")


def own(server_id: str, mode: str = "tools", *extra: str, **kwargs: Any) -> McpServer:
    return McpServer(
        server_id, server_id, command=sys.executable, args=(TEST_SERVER, mode, *extra), **kwargs
    )


TIME = McpServer("time", "Time", command=sys.executable, args=("-m", "mcp_server_time"))


def run(
    body: Callable[[ToolManager], Coroutine[Any, Any, Any]], *servers: McpServer, **options: Any
) -> Any:
    async def main() -> Any:
        manager = ToolManager(**options)
        manager.configure(servers)
        try:
            return await body(manager)
        finally:
            await manager.shutdown()

    return asyncio.run(main())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (dead, not yet reaped by its parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def _kill_and_expect_gone(confab: subprocess.Popen[str], why: str) -> None:
    """``confab`` prints its MCP server's pid; kill -9 it, and the server must die too."""
    try:
        assert confab.stdout is not None
        server_pid = int(confab.stdout.readline())
        assert alive(server_pid)
        confab.kill()
        confab.wait(10)
        assert wait_gone(server_pid), why
    finally:
        confab.kill()
        confab.wait(10)
        if confab.stdout is not None:
            confab.stdout.close()


def test_the_time_server_tells_the_time_in_tokyo() -> None:
    async def body(m: ToolManager) -> None:
        heard: list[str] = []
        m.add_listener(lambda sid: heard.append(m.state(sid).state))
        tools = await m.tools("time")
        assert {"get_current_time", "convert_time"} <= {t.name for t in tools}
        spec = next(t for t in tools if t.name == "get_current_time")
        assert "timezone" in spec.input_schema["properties"] and spec.description
        outcome = await m.call("time", "get_current_time", {"timezone": "Asia/Tokyo"})
        assert outcome.error == ""
        result = json.loads(outcome.output)
        assert result["timezone"] == "Asia/Tokyo" and result["datetime"].endswith("+09:00")
        await asyncio.sleep(0)  # the listeners hear on this loop's next turn
        assert heard[:2] == [STARTING, READY]

    run(body, TIME)


def test_a_command_not_found_fails_with_that_reason() -> None:
    async def body(m: ToolManager) -> None:
        with pytest.raises(ToolServerError) as raised:
            await m.tools("nope")
        assert raised.value.detail == "command not found: confab-no-such-command"
        assert m.state("nope").state == FAILED
        assert "command not found" in m.state("nope").detail
        outcome = await m.call("nope", "x", {})
        assert outcome.error == "command not found: confab-no-such-command" and not outcome.output

    run(body, McpServer("nope", "Nope", command="confab-no-such-command"))


def test_a_server_that_exits_at_once_fails_with_its_last_stderr_lines() -> None:
    async def body(m: ToolManager) -> None:
        with pytest.raises(ToolServerError):
            await m.tools("exit")
        state = m.state("exit")
        assert state.state == FAILED
        assert "the configuration file ~/.test-server.toml is missing" in state.detail

    run(body, own("exit", "exit"))


def test_garbage_on_stdout_fails_with_what_it_printed() -> None:
    async def body(m: ToolManager) -> None:
        with pytest.raises(ToolServerError):
            await m.tools("garbage")
        detail = m.state("garbage").detail
        assert "no answer to initialize within 1.5 s" in detail
        assert "not MCP" in detail and "Welcome to the server" in detail

    run(body, own("garbage", "garbage"), start_timeout=1.5)


def test_a_hang_in_initialize_fails_after_the_start_timeout() -> None:
    async def body(m: ToolManager) -> None:
        with pytest.raises(ToolServerError):
            await m.tools("hang")
        assert m.state("hang").state == FAILED
        assert m.state("hang").detail.startswith("no answer to initialize within 1 s")

    run(body, own("hang", "hang"), start_timeout=1.0)


def test_a_banner_line_before_mcp_is_tolerated() -> None:
    async def body(m: ToolManager) -> None:
        assert (await m.call("banner", "echo", {"text": "hi"})).output == "hi"

    run(body, own("banner", "banner"))


def test_tool_errors_slow_calls_huge_output_and_crashes_are_results() -> None:
    async def body(m: ToolManager) -> None:
        failed = await m.call("t", "fail", {"message": "disk on fire"})
        assert "disk on fire" in failed.error and "disk on fire" in failed.output
        assert failed.failure == FAIL_TOOL

        slow = await m.call("t", "slow", {"seconds": 30}, timeout=0.5)
        assert slow.error == "no result after 0.5 s; the call was cancelled"
        assert slow.failure == FAIL_TIMEOUT
        assert 400 <= slow.duration_ms < 5000
        assert (await m.call("t", "echo", {"text": "still here"})).output == "still here"

        huge = await m.call("t", "huge", {"size": 3_000_000})
        assert huge.error == "" and huge.failure == ""
        assert huge.output.startswith("x" * 1000) and len(huge.output) < 1_000 + 100
        assert "2,999,000 more characters not kept" in huge.output

        crashed = await m.call("t", "crash", {})
        assert "the test server was told to die" in crashed.error
        assert crashed.failure == FAIL_SERVER
        assert m.state("t").state == FAILED
        # The next call starts it again.
        assert (await m.call("t", "echo", {"text": "back"})).output == "back"
        assert m.state("t").state == READY

    run(body, own("t"), output_cap=1000)


def test_cancelling_a_call_cancels_it_and_the_server_goes_on() -> None:
    async def body(m: ToolManager) -> None:
        await m.tools("t")
        call = asyncio.ensure_future(m.call("t", "slow", {"seconds": 60}))
        await asyncio.sleep(0.2)
        call.cancel()
        # A ceiling, not a speed: the call runs 60 s unless the cancel reaches it.
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(call, 30)
        assert (await m.call("t", "echo", {"text": "ok"})).output == "ok"

    run(body, own("t"))


def test_restart_starts_a_new_process_and_shutdown_ends_it() -> None:
    pids: list[int] = []

    async def body(m: ToolManager) -> None:
        pids.append(int((await m.call("t", "pid", {})).output))
        await m.restart("t")
        assert m.state("t").state == READY
        pids.append(int((await m.call("t", "pid", {})).output))
        await m.shutdown()
        assert m.state("t").state == STOPPED

    run(body, own("t"))
    assert pids[0] != pids[1]
    assert all(wait_gone(pid) for pid in pids)


def test_a_server_removed_or_changed_in_settings_is_stopped() -> None:
    async def body(m: ToolManager) -> None:
        pid = int((await m.call("t", "pid", {})).output)
        m.configure([own("t", call_timeout=5)])  # changed: stopped, started anew when needed
        assert await asyncio.to_thread(wait_gone, pid)
        again = int((await m.call("t", "pid", {})).output)
        m.configure([])
        assert await asyncio.to_thread(wait_gone, again)
        with pytest.raises(ToolServerError):
            await m.tools("t")

    run(body, own("t"))


def test_secrets_reach_the_server_through_its_environment() -> None:
    async def secrets(server: McpServer) -> dict[str, str]:
        return {"TEST_API_KEY": "sk-secret-value-123"}

    async def body(m: ToolManager) -> None:
        assert (await m.call("t", "env", {"name": "TEST_API_KEY"})).output == "sk-secret-value-123"
        assert (await m.call("t", "env", {"name": "PLAIN"})).output == "visible"

    run(body, own("t", env={"PLAIN": "visible"}, secret_env=("TEST_API_KEY",)), secrets=secrets)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_a_streamable_http_server_gets_its_secret_header() -> None:
    port = _free_port()
    process = subprocess.Popen([sys.executable, TEST_SERVER, "http", str(port), "tok-123"])
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/mcp"

        async def secrets(server: McpServer) -> dict[str, str]:
            return {"Authorization": "Bearer tok-123"} if server.id == "good" else {}

        async def body(m: ToolManager) -> None:
            assert (await m.call("good", "echo", {"text": "over http"})).output == "over http"
            with pytest.raises(ToolServerError):
                await m.tools("bad")
            assert m.state("bad").state == FAILED and "401" in m.state("bad").detail

        run(
            body,
            McpServer("good", "Good", transport="http", url=url, secret_headers=("Authorization",)),
            McpServer("bad", "Bad", transport="http", url=url),
            secrets=secrets,
            start_timeout=10,
        )
    finally:
        process.terminate()
        process.wait(10)


ORPHAN_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from desktop.core.tools.config import McpServer
    from desktop.core.tools.manager import ToolManager

    async def main():
        manager = ToolManager()
        server = McpServer("t", "t", command=sys.executable, args=(sys.argv[1], "tools"))
        manager.configure([server])
        print((await manager.call("t", "pid", {})).output, flush=True)
        await asyncio.sleep(3600)

    asyncio.run(main())
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_no_orphan_after_kill_9_of_confab() -> None:
    """Confab's manager in a process of its own, with a server; that process killed with
    SIGKILL (no clean-up runs): the server dies too (the guard's death signal)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    confab = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT, TEST_SERVER],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    _kill_and_expect_gone(confab, "the MCP server outlived Confab")


def test_the_guard_says_a_command_that_cannot_run_and_a_bundle_runs_it_through_confab(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop.core.tools import guard
    from desktop.core.tools.manager import guarded_command

    done = subprocess.run(
        [sys.executable, "-I", guard.__file__, "--", "confab-no-such-command", "x"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (
        done.returncode == 127
        and done.stderr.strip() == "command not found: confab-no-such-command"
    )
    assert guarded_command("uvx", ["a"])[1][-3:] == ["--", "uvx", "a"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert guarded_command("uvx", ["a"]) == (sys.executable, ["--mcp-guard", "--", "uvx", "a"])
    # And the bundle's entry point hands those arguments to the guard, before any window.
    code = "from desktop.app import main; raise SystemExit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", "import sys; " + code, "--mcp-guard", "--", "confab-no-such"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 127 and "command not found: confab-no-such" in done.stderr
    assert "PySide6" not in done.stderr


WATCHED = textwrap.dedent(
    """
    import subprocess, sys, time
    server = "import os, time; print(os.getpid(), flush=True); time.sleep(3600)"
    subprocess.Popen(
        [sys.executable, "-I", sys.argv[1], "--watch", "--", sys.executable, "-c", server]
    )
    time.sleep(3600)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="the watching guard is POSIX's")
def test_the_watching_guard_of_macos_kills_the_server_when_confab_dies() -> None:
    """macOS has no death signal: there the guard watches its parent (``--watch``, run here
    on Linux the same way)."""
    from desktop.core.tools import guard

    confab = subprocess.Popen(
        [sys.executable, "-c", WATCHED, guard.__file__], stdout=subprocess.PIPE, text=True
    )
    _kill_and_expect_gone(confab, "the watched server outlived Confab")
    quick = [sys.executable, "-I", guard.__file__, "--watch", "--"]
    assert subprocess.run([*quick, sys.executable, "-c", "exit(5)"], timeout=30).returncode == 5
    missing = subprocess.run([*quick, "confab-no-such"], capture_output=True, text=True, timeout=30)
    assert missing.returncode == 127 and "command not found: confab-no-such" in missing.stderr


def test_a_server_that_changes_its_tools_is_listed_again() -> None:
    async def body(m: ToolManager) -> None:
        changed = asyncio.Event()
        m.add_listener(lambda sid: changed.set() if "hello" in _names(m, sid) else None)
        assert "hello" not in {t.name for t in await m.tools("t")}
        assert (await m.call("t", "grow", {"name": "hello"})).output == "added hello"
        # The server said its tools changed: they are listed again, and the listeners told.
        await asyncio.wait_for(changed.wait(), 30)
        assert "hello" in {t.name for t in await m.tools("t")}
        assert (await m.call("t", "hello", {})).output == "hello"
        assert m.state("t").state == READY

    run(body, own("t"))


def _names(m: ToolManager, server_id: str) -> set[str]:
    return {t.name for t in m.known_tools(server_id) or []}


def test_an_older_servers_notification_of_changed_tools_is_heard() -> None:
    import mcp_types

    from desktop.core.tools.manager import _tools_changed

    assert _tools_changed(mcp_types.ToolListChangedNotification())
    assert not _tools_changed(mcp_types.PromptListChangedNotification())
    assert not _tools_changed(ValueError("garbage"))
