"""What starting an MCP server costs the UI thread: the longest the Qt event loop (qasync, as
in the app) goes without serving a 1 ms timer while mcp-server-time starts, initializes, lists
its tools and answers one call, and the UI thread's CPU time meanwhile; then the longest
stall while one tool result of 5,000,000 characters comes in (the project's own test
server). Medians of --runs runs, each with new processes.

- ``manager``: through Confab's ToolManager (the SDK on a loop in a thread of its own);
- ``ui_loop``: the same SDK calls made on the app's qasync loop itself (the alternative
  that was not chosen; measured here to show why);
- ``idle``: the timer alone for as long, the machine's own noise.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/mcp_start.py [--runs N] [--out FILE]

A frame is 16.7 ms: the manager's figure should stay under it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.core.tools import McpServer  # noqa: E402
from desktop.core.tools.manager import ToolManager  # noqa: E402

TIME = McpServer("time", "Time", command=sys.executable, args=("-m", "mcp_server_time"))
OWN = McpServer(
    "own", "Own", command=sys.executable, args=(str(ROOT / "tests/support/mcp_servers.py"),)
)
HUGE = 5_000_000  # characters of one tool result


class StallMeter:
    """The longest gap between two firings of a 1 ms timer, less the 1 ms."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last:
            self.worst = max(self.worst, (now - self.last) * 1000 - 1)
        self.last = now

    def start(self) -> None:
        self.last, self.worst = 0.0, 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return max(self.worst, 0.0)


async def through_manager() -> None:
    manager = ToolManager()
    manager.configure([TIME])
    await manager.tools("time")
    await manager.call("time", "get_current_time", {"timezone": "Asia/Tokyo"})
    await manager.shutdown()


async def huge_through_manager() -> None:
    manager = ToolManager()
    manager.configure([OWN])
    await manager.tools("own")
    meter_mark.append(time.thread_time())
    await manager.call("own", "huge", {"size": HUGE})
    meter_mark.append(time.thread_time())
    await manager.shutdown()


async def huge_on_ui_loop() -> None:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=OWN.command, args=list(OWN.args))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        meter_mark.append(time.thread_time())
        await session.call_tool("huge", {"size": HUGE})
        meter_mark.append(time.thread_time())


meter_mark: list[float] = []


async def on_ui_loop() -> None:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=TIME.command, args=list(TIME.args))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        await session.list_tools()
        await session.call_tool("get_current_time", {"timezone": "Asia/Tokyo"})


async def idle(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def measure(
    work: Callable[[], Awaitable[None]], meter: StallMeter
) -> tuple[float, float, float]:
    """The worst stall (ms), the wall time (s) and the UI thread's CPU time (ms)."""
    meter.start()
    started, cpu = time.perf_counter(), time.thread_time()
    await work()
    took, cpu = time.perf_counter() - started, time.thread_time() - cpu
    return meter.stop(), took, cpu * 1000


async def huge_stall(work: Callable[[], Awaitable[None]], meter: StallMeter) -> float:
    """The worst stall while only the huge call runs (the start is left out)."""
    meter_mark.clear()
    worst: list[float] = []

    async def marked() -> None:
        task = asyncio.ensure_future(work())
        while len(meter_mark) < 1 and not task.done():
            await asyncio.sleep(0.001)
        meter.start()
        while len(meter_mark) < 2 and not task.done():
            await asyncio.sleep(0.001)
        worst.append(meter.stop())
        await task

    await marked()
    return worst[0] if worst else 0.0


async def main_async(runs: int) -> dict[str, float]:
    meter = StallMeter()
    names = (
        "mcp_start_manager_max_stall_ms",
        "mcp_start_manager_ui_cpu_ms",
        "mcp_start_ui_loop_max_stall_ms",
        "mcp_start_ui_loop_ui_cpu_ms",
        "mcp_start_idle_max_stall_ms",
        "mcp_start_idle_ui_cpu_ms",
        "mcp_start_s",
        "mcp_huge_result_manager_max_stall_ms",
        "mcp_huge_result_ui_loop_max_stall_ms",
    )
    figures: dict[str, list[float]] = {name: [] for name in names}
    await measure(through_manager, meter)  # warm-up: imports the SDK, fills the OS caches
    await measure(on_ui_loop, meter)
    for _ in range(runs):
        stall, took, cpu = await measure(through_manager, meter)
        figures["mcp_start_manager_max_stall_ms"].append(stall)
        figures["mcp_start_manager_ui_cpu_ms"].append(cpu)
        figures["mcp_start_s"].append(took)
        stall, _took, cpu = await measure(lambda took=took: idle(took), meter)
        figures["mcp_start_idle_max_stall_ms"].append(stall)
        figures["mcp_start_idle_ui_cpu_ms"].append(cpu)
        stall, _took, cpu = await measure(on_ui_loop, meter)
        figures["mcp_start_ui_loop_max_stall_ms"].append(stall)
        figures["mcp_start_ui_loop_ui_cpu_ms"].append(cpu)
        figures["mcp_huge_result_manager_max_stall_ms"].append(
            await huge_stall(huge_through_manager, meter)
        )
        figures["mcp_huge_result_ui_loop_max_stall_ms"].append(
            await huge_stall(huge_on_ui_loop, meter)
        )
    return {name: statistics.median(values) for name, values in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    import qasync

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        figures = loop.run_until_complete(main_async(args.runs))
    print(f"MCP server start (mcp-server-time), median of {args.runs} runs")
    for name, value in figures.items():
        print(f"  {name:<36} {value:8.1f}")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
