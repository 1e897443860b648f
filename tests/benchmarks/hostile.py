"""What a server streaming as fast as it can costs the window, and how fast Stop is, each next
to a reference measured in the same run (the same reply at the stream benchmark's pace), so a
slow machine shows as a slow reference, not as a regression.

    .venv/bin/python tests/benchmarks/hostile.py [--json FILE] [--quick] [--runs N]

Prints a table (metric, value, target, ok?) like run.py and with --json writes the figures.
Missing a target does not fail; the exit status is 1 only when a measurement could not be
made. Offline and offscreen: the loopback server (tests/support/openai_server.py) runs in a
process of its own, the real window (desktop.app.build, via tests/benchmarks/inprocess.py's
App) in a child process, in a temporary data folder. Medians over --runs runs:

flood_max_stall_ms            the longest the event loop went without serving a 1 ms timer
                              (minus the 1 ms) from Send until the window showed the whole
                              reply, while the server wrote a 150,000-character Markdown
                              reply in 4-character deltas (~37,500 events, ~6 MB) 64 KiB at
                              a time, as fast as the socket took them (≤ 50 ms)
flood_reference_max_stall_ms  the same for the same reply at ~500 deltas of 40 characters a
                              second (the stream benchmark's pace)
flood_stall_ratio             the first over the second
flood_streaming_max_stall_ms  the worst stall that began while the reply streamed (Send to
                              its end); _after_ the worst from its end until shown whole and
                              final (the catch-up, the final render); _reference_ paced
flood_duration_s              Send to the reply's end, flooding; _reference_ paced
flood_shown_s                 Send until the window shows the whole reply (it catches up
                              ChatView.FLUSH_CHARS a tick after a flood); _reference_ paced
flood_deliveries              reply_delta signals during a flood (the client hands on the
                              deltas of one network read together), next to flood_events
flood_intact                  runs whose reply reached the window and its file whole
stop_latency_ms               Stop clicked (the composer's button) while a reply floods in
                              without end, until the window is told the stream has ended
                              (streaming_changed false, after the reply is saved) (≤ 16.7 ms,
                              one frame at 60 Hz)
stop_reference_latency_ms     the same for an endless reply at the paced rate
stop_deliveries_after_click   the most reply_delta signals after a click, over all runs (≤ 1)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import workload  # noqa: E402

REQUIRED_KEYS = (
    "flood_max_stall_ms",
    "flood_reference_max_stall_ms",
    "stop_latency_ms",
    "stop_reference_latency_ms",
)
TARGETS: dict[str, tuple[str, float]] = {
    "flood_max_stall_ms": ("<=", 50.0),
    "stop_latency_ms": ("<=", 16.7),
    "stop_deliveries_after_click": ("<=", 1.0),
}
SEED = 3
FLOOD_CHUNK = 4
# The stream benchmark's pace (run.py FULL): 40 characters, ~500 deltas a second.
PACED_CHUNK = 40
PACED_DELAY = 0.0019


def replies(text: str, runs: int) -> list[dict[str, Any]]:
    """What the server answers, in the order the window asks."""
    flood = {"text": text, "chunk_size": FLOOD_CHUNK, "flood": True}
    paced = {"text": text, "chunk_size": PACED_CHUNK, "delay": PACED_DELAY}
    plan: list[dict[str, Any]] = []
    for _ in range(runs):
        plan += [flood, paced]
    for _ in range(runs):
        plan += [{**flood, "endless": True}, {**paced, "endless": True}]
    return plan


# ---- the server process ------------------------------------------------------------------


def serve(plan_file: str) -> int:
    from tests.benchmarks.procs import serve_until_stdin_closes
    from tests.support.openai_server import OpenAIServer, Reply

    plan = json.loads(Path(plan_file).read_text(encoding="utf-8"))
    server = OpenAIServer(models=["m"])
    server.enqueue(*[Reply(**kwargs) for kwargs in plan])
    return serve_until_stdin_closes(server)


@contextlib.contextmanager
def server_process(plan: list[dict[str, Any]], folder: Path) -> Iterator[str]:
    from tests.benchmarks.procs import loopback_server

    plan_file = folder / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    with loopback_server([sys.executable, __file__, "serve", str(plan_file)], ROOT) as url:
        yield url


# ---- the window process ------------------------------------------------------------------


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    from tests.benchmarks.inprocess import App, StallTimer, perf, wait_until

    text = workload.long_reply(random.Random(SEED), args.chars)
    data_dir = Path(args.data)
    workload.write_settings(
        data_dir, [workload.provider(args.base_url, models=["m"])], auto_title=False
    )
    app = App(data_dir)
    try:
        await app.start()
        window, chat, conversations = app.window, app.chat, app.conversations
        deliveries: list[float] = []
        ended: dict[str, float] = {}
        chat.reply_delta.connect(lambda *_: deliveries.append(perf()))
        chat.streaming_changed.connect(
            lambda cid, streaming: None if streaming else ended.__setitem__(cid, perf())
        )

        def shown(message_id: str) -> str | None:
            widget = window.chat_view.message_widget(message_id)
            return None if widget is None else widget.content

        async def one_reply(label: str) -> dict[str, Any]:
            window.new_conversation()
            conversation = conversations.current
            deliveries.clear()
            stall = StallTimer()
            stall.start()
            t0 = perf()
            window.send(f"{label}: write a long Markdown document with code.")
            await wait_until(lambda: not chat.is_streaming(conversation.id), 300, label)
            t_end = perf()
            reply = conversation.message(conversation.head)
            # A reply that flooded in is shown a little behind: the catch-up belongs to it.
            await wait_until(lambda: shown(reply.id) == reply.content, 300, f"{label}: shown")
            t_shown = perf()
            await asyncio.sleep(0.2)  # the final render and its paint belong to the reply
            stall.stop()
            saved = json.loads(
                (data_dir / "conversations" / f"{conversation.id}.json").read_text("utf-8")
            )
            on_disk = {m["id"]: m for m in saved["messages"]}.get(reply.id, {})
            # A gap between two ticks belongs to the part of the reply it began in.
            streaming, after = [], []
            for a, b in zip(stall.ticks, stall.ticks[1:], strict=False):
                gap = max(0.0, (b - a) * 1000 - StallTimer.INTERVAL_MS)
                (streaming if a < t_end else after).append(gap)
            return {
                "max_stall_ms": max(streaming + after, default=0.0),
                "streaming_max_stall_ms": max(streaming, default=0.0),
                "after_max_stall_ms": max(after, default=0.0),
                "duration_s": t_end - t0,
                "shown_s": t_shown - t0,
                "deliveries": len(deliveries),
                "intact": reply.content == text and on_disk.get("content") == text,
            }

        async def one_stop(label: str) -> dict[str, Any]:
            window.new_conversation()
            conversation = conversations.current
            deliveries.clear()
            window.send(f"{label}: write without end.")
            await wait_until(lambda: len(deliveries) > 0, 60, f"{label}: the first text")
            await asyncio.sleep(0.3)  # well into the reply
            before = len(deliveries)
            ended.pop(conversation.id, None)
            clicked = perf()
            window.composer.send_button.click()  # Stop, as the user clicks it
            await wait_until(lambda: conversation.id in ended, 30, f"{label}: the stop")
            reply = conversation.message(conversation.head)
            return {
                "latency_ms": (ended[conversation.id] - clicked) * 1000,
                "after_click": len(deliveries) - before,
                "stopped": reply.error is not None
                and reply.error.kind == "stopped"
                and bool(reply.content),
            }

        floods, paced = [], []
        for _ in range(args.runs):
            floods.append(await one_reply("flood"))
            paced.append(await one_reply("paced"))
        stops, stops_paced = [], []
        for _ in range(args.runs):
            stops.append(await one_stop("flood"))
            stops_paced.append(await one_stop("paced"))
    finally:
        await app.quit()

    def median(runs: list[dict[str, Any]], key: str) -> float:
        return float(statistics.median(run[key] for run in runs))

    flood_stall = median(floods, "max_stall_ms")
    paced_stall = median(paced, "max_stall_ms")
    return {
        "flood_max_stall_ms": flood_stall,
        "flood_reference_max_stall_ms": paced_stall,
        "flood_stall_ratio": flood_stall / paced_stall if paced_stall else 0.0,
        "flood_streaming_max_stall_ms": median(floods, "streaming_max_stall_ms"),
        "flood_reference_streaming_max_stall_ms": median(paced, "streaming_max_stall_ms"),
        "flood_after_max_stall_ms": median(floods, "after_max_stall_ms"),
        "flood_reference_after_max_stall_ms": median(paced, "after_max_stall_ms"),
        "flood_duration_s": median(floods, "duration_s"),
        "flood_reference_duration_s": median(paced, "duration_s"),
        "flood_shown_s": median(floods, "shown_s"),
        "flood_reference_shown_s": median(paced, "shown_s"),
        "flood_deliveries": median(floods, "deliveries"),
        "flood_events": -(-len(text) // FLOOD_CHUNK),
        "flood_intact": float(sum(run["intact"] for run in floods + paced)),
        "stop_latency_ms": median(stops, "latency_ms"),
        "stop_reference_latency_ms": median(stops_paced, "latency_ms"),
        "stop_deliveries_after_click": float(
            max(run["after_click"] for run in stops + stops_paced)
        ),
        "stop_replies_kept": float(sum(run["stopped"] for run in stops + stops_paced)),
        "details": {
            "runs": args.runs,
            "chars": len(text),
            "flood": floods,
            "paced": paced,
            "stops": stops,
            "stops_paced": stops_paced,
        },
    }


def window_main(args: argparse.Namespace) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["CONFAB_LANG"] = "en"
    import qasync
    from PySide6.QtWidgets import QApplication

    from tests.benchmarks.inprocess import setup_application

    app = QApplication([sys.argv[0]])
    setup_application(app)

    async def run() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        from desktop.app import _install_asyncgen_hooks

        _install_asyncgen_hooks(loop)  # as desktop/app.py does
        return await asyncio.wait_for(measure(args), args.timeout)

    result = qasync.run(run())
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


# ---- the harness -------------------------------------------------------------------------


def run_all(runs: int, chars: int, timeout: float) -> dict[str, Any]:
    from tests.benchmarks.run import child_env

    text = workload.long_reply(random.Random(SEED), chars)
    with tempfile.TemporaryDirectory(prefix="confab-hostile-") as tmp:
        folder = Path(tmp)
        out = folder / "out.json"
        with server_process(replies(text, runs), folder) as base_url:
            command = [
                sys.executable,
                __file__,
                "window",
                f"--data={folder / 'data'}",
                f"--out={out}",
                f"--base-url={base_url}",
                f"--runs={runs}",
                f"--chars={chars}",
                f"--timeout={timeout}",
            ]
            subprocess.run(command, check=True, cwd=ROOT, env=child_env(), timeout=timeout + 60)
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


def table(figures: dict[str, Any]) -> str:
    rows = [("metric", "value", "target", "ok")]
    for key, value in figures.items():
        if not isinstance(value, int | float):
            continue
        target = TARGETS.get(key)
        ok = ""
        if target is not None:
            op, limit = target
            ok = "yes" if (value <= limit if op == "<=" else value >= limit) else "NO"
        rows.append((key, f"{value:.2f}", f"{target[0]} {target[1]:g}" if target else "", ok))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        return serve(argv[1])
    parser = argparse.ArgumentParser()
    if argv[:1] == ["window"]:
        parser.add_argument("mode")
        parser.add_argument("--data", required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--base-url", required=True)
        parser.add_argument("--runs", type=int, required=True)
        parser.add_argument("--chars", type=int, required=True)
        parser.add_argument("--timeout", type=float, required=True)
        return window_main(parser.parse_args(argv))
    parser.add_argument("--json", default="")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 7)
    chars = 50_000 if args.quick else 150_000
    try:
        figures = run_all(runs, chars, args.timeout)
    except Exception:  # a measurement that could not be made
        traceback.print_exc()
        return 1
    missing = [key for key in REQUIRED_KEYS if key not in figures]
    print(table(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
