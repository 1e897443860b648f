"""In-process measurements on the real window (desktop.app.build), run by run.py as a child
process so that a hang or a crash here cannot take the harness with it.

    python tests/benchmarks/inprocess.py open   --data DIR --out FILE [--runs N] [--profile F]
    python tests/benchmarks/inprocess.py stream --data DIR --out FILE [--chars N] [--chunk-size N]
                                                [--delay S] [--formulas N]
    python tests/benchmarks/inprocess.py concurrent --data DIR --out FILE [--streams N] [--chars N]
                                                [--chunk-size N] [--delay S] [--switch-every S]
                                                [--background N]
    python tests/benchmarks/inprocess.py sidebar --data DIR --out FILE [--conversations N]
                                                [--runs N]
    python tests/benchmarks/inprocess.py long_save --data DIR --out FILE [--messages N]
                                                [--chars N] [--runs N]
    python tests/benchmarks/inprocess.py library --data DIR --out FILE --conversations N
                                                [--phase warm|cold] [--runs N] [--pages N]

Writes its results as JSON to FILE. Exit 0 on success; anything else is a crash.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["CONFAB_LANG"] = "en"

from tests.benchmarks import workload  # noqa: E402
from tests.benchmarks.procs import read_rss_mb  # noqa: E402
from tests.support.keys import MemoryBackend  # noqa: E402

_R = TypeVar("_R")

perf = time.perf_counter


WARM_UP_S = 1.0


async def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = perf() + timeout
    while not predicate():
        if perf() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.005)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


class App:
    """The window on a data folder, wired as desktop/app.py wires it, and its clean shutdown
    (the order of tests/conftest.py RunningApp.quit)."""

    def __init__(self, data_dir: Path) -> None:
        from desktop.app import build
        from desktop.core.secrets import KeyStore

        self.parts: Any = build(data_dir, key_store=KeyStore(backend=MemoryBackend()))
        self.window: Any = self.parts.window
        self.conversations: Any = self.parts.conversations
        self.chat: Any = self.parts.chat
        self.closed = False

    async def start(self) -> None:
        self.conversations.load()
        self.window.show()
        self.window.start()
        await wait_until(lambda: self.conversations.indexed, 600, "the index")
        # The window warms up (imports, the HTTP client) shortly after it starts; a person
        # reads it for a moment before the first request, so measure after that.
        await asyncio.sleep(WARM_UP_S)
        await settle(self.window, quiet=0.3, timeout=10)

    async def quit(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.window.close()  # as the user does: emits close_requested
        await asyncio.wait_for(self.parts.shutdown(), 30)
        self.window.allow_close()
        self.window.close()
        self.window.deleteLater()
        await asyncio.sleep(0.05)


class PaintProbe:
    """Watches one widget's Paint events. A paint pass ends when control is back in the event
    loop: a zero timer posted from the Paint event fires after the whole pass (the children and
    the flush of the backing store), so that is the time recorded."""

    def __init__(self, target: Any) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        probe = self

        class Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and probe.armed:
                    probe.starts.append(perf())
                    QTimer.singleShot(0, probe._pass_ended)
                return False

        self.target = target
        self.filter = Filter()
        self.armed = False
        self.starts: list[float] = []
        self.ends: list[float] = []
        target.installEventFilter(self.filter)

    def arm(self) -> None:
        self.starts.clear()
        self.ends.clear()
        self.armed = True

    def disarm(self) -> None:
        self.armed = False

    def _pass_ended(self) -> None:
        self.ends.append(perf())

    def remove(self) -> None:
        self.target.removeEventFilter(self.filter)


async def settle(widget: Any, quiet: float, timeout: float) -> None:
    """Wait until ``widget`` (a window) has gone ``quiet`` seconds without painting."""
    probe = PaintProbe(widget)
    probe.arm()
    try:
        deadline = perf() + timeout
        last = perf()
        seen = 0
        while perf() - last < quiet and perf() < deadline:
            await asyncio.sleep(0.02)
            if len(probe.ends) != seen:
                seen = len(probe.ends)
                last = probe.ends[-1]
    finally:
        probe.remove()


# ---- open a conversation of 2,000 messages ---------------------------------------------------


async def measure_open(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(args.data)
    info = workload.open_folder(data_dir, messages=args.messages)
    app = App(data_dir)
    try:
        await app.start()
        view = app.window.chat_view
        viewport = view.viewport() if hasattr(view, "viewport") else view
        probe = PaintProbe(viewport)
        runs: list[dict[str, float]] = []
        for _ in range(args.runs):
            app.conversations.select(info["small_id"])
            await settle(app.window, quiet=0.25, timeout=10)
            runs.append(await _open_once(app, probe, info["big_id"]))
        profile_text = ""
        if args.profile:
            app.conversations.select(info["small_id"])
            await settle(app.window, quiet=0.25, timeout=10)
            profile_text = await _profile_open(app, probe, info["big_id"], Path(args.profile))
        probe.remove()
        shown = len(view.message_widgets()) if hasattr(view, "message_widgets") else -1
        # The cost meter after a keystroke in the 2,000-message conversation (its counts are
        # cached once the conversation has been shown): one full update, like the timer does.
        meter_ms: list[float] = []
        edit = app.window.composer.edit
        for i in range(20):
            edit.setPlainText("How does this compare? " + "x" * i)
            start = perf()
            app.window.update_meter()
            meter_ms.append((perf() - start) * 1000)
    finally:
        await app.quit()
    firsts = [r["first_paint_ms"] for r in runs]
    return {
        "meter_update_2000_messages_ms": statistics.median(meter_ms),
        "open_2000_messages_ms": statistics.median(firsts),
        "open_2000_messages_first_run_ms": firsts[0],
        "open_2000_messages_select_ms": statistics.median(r["select_ms"] for r in runs),
        "open_2000_messages_settled_ms": statistics.median(r["settled_ms"] for r in runs),
        "runs": runs,
        "workload": info,
        "message_widgets_after_open": shown,
        "profile": profile_text,
    }


async def _open_once(app: App, probe: PaintProbe, conversation_id: str) -> dict[str, float]:
    probe.arm()
    t0 = perf()
    app.conversations.select(conversation_id)  # what a click in the sidebar does
    t_select = perf()
    await wait_until(lambda: bool(probe.ends), 60, "the chat view to paint")
    first = probe.ends[0]
    # Follow-up passes (the scroll to the bottom, late layout) until 300 ms without a paint.
    deadline = perf() + 10
    seen = len(probe.ends)
    quiet_since = perf()
    while perf() - quiet_since < 0.3 and perf() < deadline:
        await asyncio.sleep(0.02)
        if len(probe.ends) != seen:
            seen = len(probe.ends)
            quiet_since = perf()
    probe.disarm()
    return {
        "select_ms": (t_select - t0) * 1000,
        "first_paint_ms": (first - t0) * 1000,
        "settled_ms": (probe.ends[-1] - t0) * 1000,
        "paint_passes": float(len(probe.ends)),
    }


async def _profile_open(app: App, probe: PaintProbe, conversation_id: str, out: Path) -> str:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    probe.arm()
    profiler.enable()
    app.conversations.select(conversation_id)
    await wait_until(lambda: bool(probe.ends), 60, "the chat view to paint")
    profiler.disable()
    probe.disarm()
    profiler.dump_stats(str(out))
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    return text.getvalue()


# ---- stream a long reply ---------------------------------------------------------------------


class FlushTimer:
    """Times every call of the view's flush: the bound method is replaced on the instance (so
    the view's own self.flush() calls are timed too) and the flush timer is rewired to it."""

    def __init__(self, view: Any) -> None:
        from PySide6.QtCore import QTimer

        self.calls: list[tuple[float, float]] = []  # (start, seconds)
        self.how = ""
        original = view.flush
        calls = self.calls

        def timed_flush(*args: Any, **kwargs: Any) -> Any:
            start = perf()
            try:
                return original(*args, **kwargs)
            finally:
                calls.append((start, perf() - start))

        timer = getattr(view, "_flush_timer", None)
        if not isinstance(timer, QTimer):
            raise RuntimeError(
                "ChatView has no _flush_timer QTimer any more: update FlushTimer in "
                "tests/benchmarks/inprocess.py to find the timer that calls flush"
            )
        # Fails if the timer was not connected to the original bound method: better than
        # silently timing nothing (or flushing twice).
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                disconnected = timer.timeout.disconnect(original)
        except Exception as exc:
            disconnected = False
            problem: BaseException | None = exc
        else:
            problem = None
        if disconnected is False:
            raise RuntimeError(
                "ChatView._flush_timer.timeout is not connected to ChatView.flush any more: "
                f"update FlushTimer in tests/benchmarks/inprocess.py ({problem})"
            )
        view.flush = timed_flush
        timer.timeout.connect(timed_flush)
        self.how = "instance flush replaced; _flush_timer.timeout rewired"


class StallTimer:
    """A 1 ms timer; the largest gap between two ticks, minus the interval, is the worst stall
    of the event loop."""

    INTERVAL_MS = 1

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(lambda: self.ticks.append(perf()))

    def start(self) -> None:
        self.ticks.clear()
        self.ticks.append(perf())
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.ticks.append(perf())

    def gaps_ms(self) -> list[float]:
        return [(b - a) * 1000 for a, b in zip(self.ticks, self.ticks[1:], strict=False)]


@contextlib.contextmanager
def server_process(args: argparse.Namespace) -> Iterator[str]:
    """The loopback server in its own process (tests/benchmarks/server.py); yields base_url."""
    from tests.benchmarks.procs import loopback_server

    command = [
        sys.executable,
        str(Path(__file__).with_name("server.py")),
        f"--chars={args.chars}",
        f"--chunk-size={args.chunk_size}",
        f"--delay={args.delay}",
        f"--seed={STREAM_SEED}",
        f"--count={args.streams}",
        f"--formulas={getattr(args, 'formulas', 0)}",
    ]
    with loopback_server(command, ROOT) as base_url:
        yield base_url


STREAM_SEED = 3


async def measure_stream(args: argparse.Namespace) -> dict[str, Any]:
    if args.formulas:
        text = workload.math_reply(random.Random(STREAM_SEED), args.formulas)
    else:
        text = workload.long_reply(random.Random(STREAM_SEED), args.chars)
    with server_process(args) as base_url:
        return await _stream(args, text, base_url)


def _formulas_shown(widget: Any) -> tuple[int, int]:
    """(formulas in the reply's blocks, formulas shown as images) of a message widget."""
    found = shown = 0
    for block in widget.markdown.blocks():
        label = getattr(block, "label", block)  # a display formula's FormulaBlockWidget
        text = label.text() if hasattr(label, "text") else ""
        found += text.count("<!--f")  # the source still shown
        shown += text.count("<img ")
    return found + shown, shown


async def _stream(args: argparse.Namespace, text: str, base_url: str) -> dict[str, Any]:
    app: App | None = None
    try:
        data_dir = Path(args.data)
        workload.write_settings(
            data_dir, [workload.provider(base_url, models=["m"])], auto_title=False
        )
        app = App(data_dir)
        await app.start()
        view = app.window.chat_view
        flushes = FlushTimer(view)
        deltas: list[float] = []

        def on_delta(_conversation: str, _message: str, kind: str, _text: str) -> None:
            if kind == "content":
                deltas.append(perf())

        app.chat.reply_delta.connect(on_delta)
        # Not measured against a target: only to tell what the worst stalls were spent in.
        spans: list[tuple[str, float, float]] = []
        _time_calls(app.conversations, "save", "save conversation", spans)
        _time_calls(view, "refresh_message", "chat_view.refresh_message", spans)
        _time_calls(view, "formulas_drawn", "chat_view.formulas_drawn", spans)
        stall = StallTimer()
        conversation = app.conversations.current
        assert conversation is not None, "window.start() opens a new conversation"
        nominal = len(text) / args.chunk_size * args.delay
        timeout = max(60.0, 8 * nominal)

        stall.start()
        t0 = perf()
        if not app.chat.send(conversation, "Write a long Markdown document with code."):
            raise RuntimeError("chat.send refused to send")
        finished = True
        try:
            await wait_until(
                lambda: not app.chat.is_streaming(conversation.id), timeout, "the reply to end"
            )
        except TimeoutError:
            finished = False
            app.chat.stop(conversation.id)
            await wait_until(lambda: not app.chat.is_streaming(conversation.id), 30, "stop")
        t_end = perf()
        # The final render (refresh_message) and its paint belong to the streaming period.
        await asyncio.sleep(0.3)
        formula_figures: dict[str, Any] = {}
        if args.formulas:
            from desktop.ui.formula_images import controller

            drawer = controller().drawer
            # Every formula drawn and shown: the stall timer still runs meanwhile.
            t_drawn = perf()
            with contextlib.suppress(TimeoutError):
                await wait_until(lambda: not drawer.waiting(), 60, "every formula drawn")
            await asyncio.sleep(0.1)
            widget = view.message_widget(conversation.head)
            total, shown = _formulas_shown(widget) if widget is not None else (0, 0)
            formula_figures = {
                "math_formulas": args.formulas,
                "math_formulas_drawn": drawer.drawn,
                "math_formulas_shown": shown,
                "math_formulas_in_blocks": total,
                "math_drawn_after_end_s": perf() - t_drawn,
            }
            # What swapping the drawn formulas in cost the UI thread (their rasters, the
            # labels filled again), from the first delta until every formula was shown.
            swaps = [(end - start) * 1000 for label, start, end in spans if label.endswith("drawn")]
            formula_figures["math_swap_in_total_ms"] = sum(swaps)
            formula_figures["math_swap_in_p95_ms"] = percentile(swaps, 95)
            formula_figures["math_swap_in_max_ms"] = max(swaps, default=0.0)
        stall.stop()
        reply = conversation.message(conversation.head)
        flush_ms = [d * 1000 for start, d in flushes.calls if start >= t0]
        gaps = stall.gaps_ms()
        stalls = [max(0.0, g - StallTimer.INTERVAL_MS) for g in gaps]
        delta_span = (deltas[-1] - deltas[0]) if len(deltas) > 1 else 0.0
        spans += [("chat_view.flush", start, start + d) for start, d in flushes.calls]
        pairs = zip(stall.ticks, stall.ticks[1:], strict=False)
        worst = sorted(pairs, key=lambda pair: pair[0] - pair[1])[:5]
        return {
            "stream_flush_p95_ms": percentile(flush_ms, 95),
            "stream_max_stall_ms": max(stalls) if stalls else 0.0,
            "stream_flush_p50_ms": percentile(flush_ms, 50),
            "stream_flush_max_ms": max(flush_ms) if flush_ms else 0.0,
            "stream_flush_total_ms": sum(flush_ms),
            "stream_flushes": len(flush_ms),
            "stream_deltas": len(deltas),
            "stream_duration_s": t_end - t0,
            "stream_deltas_per_s": (len(deltas) - 1) / delta_span if delta_span else 0.0,
            "stream_stall_p99_ms": percentile(stalls, 99),
            "stream_stalls_over_50ms": sum(1 for s in stalls if s > 50),
            "stream_chars": len(text),
            "stream_nominal_s": nominal,
            "stream_finished": finished,
            "stream_text_intact": reply.content == text,
            "stream_reply_error": reply.error.text if reply.error else None,
            "flush_hook": flushes.how,
            "stream_worst_stalls": [_explain_stall(a, b, t0, spans) for a, b in worst],
            "stream_save_ms_max": max(
                ((b - a) * 1000 for name, a, b in spans if name == "save conversation"),
                default=0.0,
            ),
            **formula_figures,
        }
    finally:
        if app is not None:
            await app.quit()


# ---- streaming into a long conversation: what its saves cost the window --------------------

LONG_ID = "long5000"


async def measure_long_save(args: argparse.Namespace) -> dict[str, Any]:
    """A reply streamed into a conversation of ``--messages`` messages, and the same reply into
    an empty one (the reference, in the same run, alternating): from the send's return to the
    reply's last save the worst stall and the stalls over 16 ms (a frame missed); the UI-thread time
    of the longest save, of the store's part of every save but the first, of the first save
    (the question's, which takes a snapshot of every message once) and of the send; medians
    of ``--runs`` of each."""
    text = workload.long_reply(random.Random(STREAM_SEED), args.chars)
    args.streams = 2 * args.runs
    long_runs: list[dict[str, Any]] = []
    reference_runs: list[dict[str, Any]] = []
    with server_process(args) as base_url:
        for run in range(args.runs):
            data = Path(args.data)
            reference_runs.append(await _stream_saving(args, text, base_url, data / f"r{run}", 0))
            long_runs.append(
                await _stream_saving(args, text, base_url, data / f"l{run}", args.messages)
            )

    def median(runs: list[dict[str, Any]], key: str) -> float:
        return float(statistics.median(r[key] for r in runs))

    figures: dict[str, Any] = {}
    for prefix, runs in (("long_save", long_runs), ("long_save_reference", reference_runs)):
        keys = (
            "max_stall_ms",
            "stalls_over_16ms",
            "save_max_ms",
            "save_median_ms",
            "saves",
            "store_max_ms",
            "first_save_ms",
            "send_ms",
            "open_max_stall_ms",
        )
        for key in keys:
            figures[f"{prefix}_{key}"] = median(runs, key)
    figures["long_save_messages"] = args.messages
    figures["long_save_file_mb"] = long_runs[0]["file_bytes"] / 2**20
    figures["long_save_intact"] = all(r["intact"] for r in long_runs + reference_runs)
    figures["long_save_runs"] = {"long": long_runs, "reference": reference_runs}
    return figures


async def _stream_saving(
    args: argparse.Namespace, text: str, base_url: str, data_dir: Path, messages: int
) -> dict[str, Any]:
    workload.write_settings(data_dir, [workload.provider(base_url, models=["m"])], auto_title=False)
    if messages:
        big = workload.conversation(LONG_ID, "Long", messages, random.Random(5))
        workload.write_conversation(data_dir, big)
    app = App(data_dir)
    try:
        await app.start()
        open_stall = 0.0
        open_spans: list[tuple[str, float, float]] = []
        open_worst: list[dict[str, Any]] = []
        if messages:
            from desktop.core import tokens

            # As at a start: nothing of this thread counted yet (the runs share a process).
            tokens._COUNTS.clear()
            opening = StallTimer()
            _time_opening(app, open_spans)
            stop_gc_spans = _time_gc(open_spans)
            opening.start()
            t_open = perf()
            app.conversations.select(LONG_ID)
            await wait_until(
                lambda: app.conversations.current.id == LONG_ID, 60, "the long conversation"
            )
            await settle(app.window, quiet=0.3, timeout=30)
            # Until the meter's count of the whole thread is in (counted off the UI thread).
            await asyncio.wait_for(asyncio.wrap_future(tokens.counted("m")), 120)
            await settle(app.window, quiet=0.3, timeout=30)
            opening.stop()
            stop_gc_spans()
            open_stall = max(opening.gaps_ms(), default=0.0) - StallTimer.INTERVAL_MS
            pairs = zip(opening.ticks, opening.ticks[1:], strict=False)
            worst = sorted(pairs, key=lambda pair: pair[0] - pair[1])[:5]
            open_worst = [
                _explain_stall(a, b, t_open, open_spans + _MODULE_SPANS) for a, b in worst
            ]
        conversation = app.conversations.current
        assert conversation is not None
        saves: list[tuple[str, float, float]] = []
        # ConversationsController.save is all a save costs the UI thread (before the writer
        # thread, it included the write and both fsyncs), the sidebar's update included; the
        # store's part of it is timed apart.
        _time_calls(app.conversations, "save", "save", saves)
        store = app.conversations._store
        _time_calls(store, "save_soon" if hasattr(store, "save_soon") else "save", "store", saves)
        stall = StallTimer()
        t0 = perf()
        if not app.chat.send(conversation, "Write a long Markdown document with code."):
            raise RuntimeError("chat.send refused to send")
        # Sending plans the request (token counts of the thread): timed apart from the stream.
        send_ms = (perf() - t0) * 1000
        stall.start()
        await wait_until(lambda: not app.chat.is_streaming(conversation.id), 300, "the reply")
        await asyncio.sleep(0.3)
        stall.stop()
        # While it streams: up to the reply's last save. What the window does in the same
        # turn after it (the context meter counts the tokens of the whole thread again) is
        # not a save's cost.
        last_save = max(start for name, start, _ in saves if name == "save")
        pairs = zip(stall.ticks, stall.ticks[1:], strict=False)
        gaps = [(b - a) * 1000 for a, b in pairs if b <= last_save]
        stalls = [max(0.0, g - StallTimer.INTERVAL_MS) for g in gaps]
        durations = [(end - start) * 1000 for name, start, end in saves if name == "save"]
        in_store = [(end - start) * 1000 for name, start, end in saves if name == "store"]
        flush = getattr(app.conversations, "wait_for_writes", None)
        if flush is not None:
            flush()
        path = data_dir / "conversations" / f"{conversation.id}.json"
        saved = json.loads(path.read_text(encoding="utf-8"))["messages"][-1]["content"]
        return {
            "max_stall_ms": max(stalls, default=0.0),
            "stalls_over_16ms": sum(1 for s in stalls if s > 16),
            "save_max_ms": max(durations, default=0.0),
            "save_median_ms": statistics.median(durations) if durations else 0.0,
            "saves": len(durations),
            "store_max_ms": max(in_store[1:], default=0.0),
            "first_save_ms": durations[0] if durations else 0.0,
            "send_ms": send_ms,
            "open_max_stall_ms": open_stall,
            "open_worst_stalls": open_worst,
            "file_bytes": path.stat().st_size,
            "intact": saved == text == conversation.message(conversation.head).content,
        }
    finally:
        await app.quit()


# ---- many replies streaming at once ----------------------------------------------------------


async def measure_compare(args: argparse.Namespace) -> dict[str, Any]:
    """One question compared across ``args.streams`` models (Compare): their replies stream at
    once into the columns side by side; the worst stall of the UI thread meanwhile. ``--runs``
    times, each after the same reply streamed alone into the thread (``stream``'s figures:
    the reference, in the same run); the medians of each, the runs under compare_runs."""
    text = workload.long_reply(random.Random(STREAM_SEED), args.chars)
    columns = args.streams
    args.streams = args.runs * (columns + 1)  # every reply the server gives
    compare_runs: list[dict[str, Any]] = []
    reference_runs: list[dict[str, Any]] = []
    with server_process(args) as base_url:
        for run in range(args.runs):
            data = Path(args.data)
            reference = argparse.Namespace(**{**vars(args), "data": str(data / f"r{run}")})
            reference_runs.append(await _stream(reference, text, base_url))
            compared = argparse.Namespace(
                **{**vars(args), "data": str(data / f"c{run}"), "streams": columns}
            )
            compare_runs.append(await _compare(compared, text, base_url))
    figures: dict[str, Any] = {}
    for key, value in compare_runs[0].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            figures[key] = statistics.median(r[key] for r in compare_runs)
    for key in ("max_stall_ms", "stall_p99_ms", "stalls_over_50ms", "flush_p95_ms"):
        figures[f"compare_reference_{key}"] = statistics.median(
            r[f"stream_{key}"] for r in reference_runs
        )
    figures["compare_streams"] = columns
    figures["compare_replies_intact"] = min(r["compare_replies_intact"] for r in compare_runs)
    figures["compare_reference_intact"] = all(r["stream_text_intact"] for r in reference_runs)
    figures["compare_runs"] = {"compare": compare_runs, "reference": reference_runs}
    return figures


async def _compare(args: argparse.Namespace, text: str, base_url: str) -> dict[str, Any]:
    from desktop.controllers.chat import Target

    app: App | None = None
    try:
        data_dir = Path(args.data)
        providers = [
            {**workload.provider(base_url, models=["m"]), "id": f"p{i}", "name": f"P{i}"}
            for i in range(args.streams)
        ]
        workload.write_settings(data_dir, providers, auto_title=False)
        app = App(data_dir)
        await app.start()
        window, chat = app.window, app.chat
        view = window.compare_view
        flushes: list[tuple[float, float]] = []
        real_flush = view.flush

        def timed_flush() -> None:
            start = perf()
            real_flush()
            flushes.append((start, perf() - start))

        view._flush_timer.timeout.disconnect()
        view._flush_timer.timeout.connect(timed_flush)
        spans: list[tuple[str, float, float]] = []
        _time_calls(app.conversations, "save", "save conversation", spans)
        _time_calls(view, "refresh", "compare_view.refresh", spans)
        stall = StallTimer()
        conversation = app.conversations.current
        assert conversation is not None, "window.start() opens a new conversation"
        nominal = len(text) / args.chunk_size * args.delay
        targets = [Target(p["id"], "m") for p in providers]
        stall.start()
        t0 = perf()
        if not chat.compare(conversation, "Write a long Markdown document.", targets):
            raise RuntimeError("chat.compare refused")
        await wait_until(lambda: view.isVisible(), 10, "the columns")
        await wait_until(
            lambda: not chat.is_streaming(conversation.id), max(60.0, 8 * nominal), "the end"
        )
        t_end = perf()
        # The columns catch up with what came in last: part of the streaming period.
        await wait_until(lambda: not view.drawing, 30, "the columns to catch up")
        t_drawn = perf()
        await asyncio.sleep(0.3)
        stall.stop()
        stalls = [max(0.0, g - StallTimer.INTERVAL_MS) for g in stall.gaps_ms()]
        flush_ms = [d * 1000 for _start, d in flushes]
        spans += [("compare_view.flush", start, start + d) for start, d in flushes]
        pairs = zip(stall.ticks, stall.ticks[1:], strict=False)
        worst = sorted(pairs, key=lambda pair: pair[0] - pair[1])[:5]
        replies = [c.widget.content for c in view.columns]
        return {
            "compare_streams": args.streams,
            "compare_max_stall_ms": max(stalls, default=0.0),
            "compare_stall_p99_ms": percentile(stalls, 99),
            "compare_stalls_over_50ms": sum(1 for s in stalls if s > 50),
            "compare_flush_p50_ms": percentile(flush_ms, 50),
            "compare_flush_p95_ms": percentile(flush_ms, 95),
            "compare_flush_max_ms": max(flush_ms, default=0.0),
            "compare_flushes": len(flush_ms),
            "compare_duration_s": t_end - t0,
            "compare_drawn_after_end_s": t_drawn - t_end,
            "compare_chars": len(text),
            "compare_replies_intact": sum(1 for r in replies if r == text),
            "compare_worst_stalls": [_explain_stall(a, b, t0, spans) for a, b in worst],
        }
    finally:
        if app is not None:
            await app.quit()


async def measure_concurrent(args: argparse.Namespace) -> dict[str, Any]:
    text = workload.long_reply(random.Random(STREAM_SEED), args.chars)
    with server_process(args) as base_url:
        return await _concurrent(args, text, base_url)


async def _concurrent(args: argparse.Namespace, text: str, base_url: str) -> dict[str, Any]:
    """``args.streams`` conversations, each sent a question in turn as fast as one can press
    Ctrl+N, type and Enter (a few a second), so that all their replies stream at once; the
    window switches to another of them every ``args.switch_every`` seconds meanwhile. With
    ``args.background``, that many saved conversations are in the sidebar too."""
    app: App | None = None
    try:
        data_dir = Path(args.data)
        if args.background:
            workload.many_folder(data_dir, args.background)  # already in the sidebar
        workload.write_settings(
            data_dir, [workload.provider(base_url, models=["m"])], auto_title=False
        )
        app = App(data_dir)
        await app.start()
        window, chat, conversations = app.window, app.chat, app.conversations
        view = window.chat_view
        flushes = FlushTimer(view)
        deltas: list[float] = []

        def on_delta(_conversation: str, _message: str, kind: str, _text: str) -> None:
            if kind == "content":
                deltas.append(perf())

        chat.reply_delta.connect(on_delta)
        spans: list[tuple[str, float, float]] = []
        _time_calls(conversations, "save", "save conversation", spans)
        _time_calls(view, "refresh_message", "chat_view.refresh_message", spans)
        _time_calls(window.sidebar, "set_conversations", "sidebar.set_conversations", spans)
        _time_calls(view, "show_conversation", "chat_view.show_conversation", spans)
        stop_gc_spans = _time_gc(spans)
        viewport = view.viewport() if hasattr(view, "viewport") else view
        probe = PaintProbe(viewport)
        stall = StallTimer()
        nominal = len(text) / args.chunk_size * args.delay
        timeout = max(60.0, 6 * nominal + args.streams)

        stall.start()
        t0 = perf()
        ids: list[str] = []
        for i in range(args.streams):
            window.new_conversation()
            window.send(f"Question {i}: write a long Markdown document with code.")
            current = conversations.current
            assert current is not None and chat.is_streaming(current.id), "send refused"
            ids.append(current.id)
            await asyncio.sleep(0.1)
        t_all_sent = perf()
        # (clicked, painted, built): opening one builds its first messages before the first
        # paint and the rest of its window after it; all of that is the switch's cost.
        switches: list[tuple[float, float, float]] = []
        deadline = t0 + timeout
        turn = 0
        while any(chat.is_streaming(i) for i in ids) and perf() < deadline:
            await asyncio.sleep(args.switch_every)
            turn += 1
            target = ids[(turn * 7) % len(ids)]
            if conversations.current is not None and target == conversations.current.id:
                target = ids[(turn * 7 + 1) % len(ids)]
            probe.arm()
            start = perf()
            conversations.select(target)  # what a click in the sidebar does
            await wait_until(lambda: bool(probe.ends), 30, "the chat view to paint")
            painted = probe.ends[0]
            probe.disarm()
            await wait_until(lambda: not view.building, 30, "the chat view to be built")
            switches.append((start, painted, perf()))
        finished = not any(chat.is_streaming(i) for i in ids)
        for conversation_id in ids:
            chat.stop(conversation_id)
        await wait_until(lambda: not any(chat.is_streaming(i) for i in ids), 30, "stop")
        t_end = perf()
        await asyncio.sleep(0.3)
        stall.stop()
        stop_gc_spans()
        probe.remove()

        intact_memory = intact_disk = 0
        for conversation_id in ids:
            conversation = conversations.get(conversation_id) or await conversations.opened(
                conversation_id
            )
            reply = conversation.message(conversation.head)
            if reply.content == text and reply.finish_reason == "stop" and not reply.error:
                intact_memory += 1
            path = data_dir / "conversations" / f"{conversation_id}.json"
            saved = json.loads(path.read_text(encoding="utf-8"))
            on_disk = {m["id"]: m for m in saved["messages"]}.get(reply.id, {})
            if on_disk.get("content") == text and on_disk.get("finish_reason") == "stop":
                intact_disk += 1
        gaps = stall.gaps_ms()
        stalls = [max(0.0, g - StallTimer.INTERVAL_MS) for g in gaps]
        spans += [("chat_view.flush", start, start + d) for start, d in flushes.calls]
        pairs = list(zip(stall.ticks, stall.ticks[1:], strict=False))
        worst = sorted(pairs, key=lambda pair: pair[0] - pair[1])[:5]
        # The stalls while nobody clicks: the streams' own cost, apart from opening another
        # conversation (which is measured as the switch time).
        streaming = [
            max(0.0, (b - a) * 1000 - StallTimer.INTERVAL_MS)
            for a, b in pairs
            if not any(a < built and b > clicked for clicked, _, built in switches)
        ]
        switches_ms = [(painted - clicked) * 1000 for clicked, painted, _ in switches]
        delta_span = (deltas[-1] - deltas[0]) if len(deltas) > 1 else 0.0
        saves = [(b - a) * 1000 for name, a, b in spans if name == "save conversation"]
        return {
            "concurrent_streams": args.streams,
            "concurrent_max_stall_ms": max(stalls) if stalls else 0.0,
            "concurrent_max_stall_no_switch_ms": max(streaming, default=0.0),
            "concurrent_stall_p95_ms": percentile(stalls, 95),
            "concurrent_stall_p99_ms": percentile(stalls, 99),
            "concurrent_stalls_over_50ms": sum(1 for s in stalls if s > 50),
            "concurrent_total_s": t_end - t0,
            "concurrent_deltas_per_s": (len(deltas) - 1) / delta_span if delta_span else 0.0,
            "concurrent_switch_median_ms": statistics.median(switches_ms) if switches_ms else 0.0,
            "concurrent_switch_max_ms": max(switches_ms, default=0.0),
            "concurrent_save_ms_max": max(saves, default=0.0),
            "concurrent_replies_intact": intact_disk,
            "concurrent_details": {
                "streams": args.streams,
                "background_conversations": args.background,
                "chars_each": len(text),
                "deltas_each": math.ceil(len(text) / args.chunk_size),
                "nominal_s_each": nominal,
                "sending_s": t_all_sent - t0,
                "finished": finished,
                "intact_in_memory": intact_memory,
                "intact_on_disk": intact_disk,
                "switches": len(switches_ms),
                "saves": len(saves),
                "worst_stalls": [_explain_stall(a, b, t0, spans) for a, b in worst],
            },
        }
    finally:
        if app is not None:
            await app.quit()


# ---- a sidebar of many conversations ---------------------------------------------------------


async def measure_sidebar(args: argparse.Namespace) -> dict[str, Any]:
    """A data folder of ``args.conversations`` conversations: loading it and showing the list,
    a save (as each second of a streaming reply does) until the list has repainted, opening
    conversations, and scrolling the list from top to bottom a page at a time, ~60 a second."""
    import gc

    from desktop.ui.sidebar import ConversationIdRole

    data_dir = Path(args.data)
    info = workload.many_folder(data_dir, args.conversations)
    gc.collect()
    app: App | None = None
    try:
        t0 = perf()
        app = App(data_dir)
        t_built = perf()
        app.conversations.load()
        await wait_until(lambda: app.conversations.indexed, 600, "the index")
        t_loaded = perf()
        sidebar = app.window.sidebar
        list_probe = PaintProbe(sidebar.view.viewport())
        list_probe.arm()
        app.window.show()
        app.window.start()
        await wait_until(lambda: bool(list_probe.ends), 60, "the conversation list to paint")
        t_shown = list_probe.ends[0]
        list_probe.disarm()
        rows = sidebar.model.rowCount()
        await asyncio.sleep(WARM_UP_S)
        await settle(app.window, quiet=0.3, timeout=10)

        # A save moves the conversation to the top of the list: until the list has repainted.
        summaries = app.conversations.summaries()
        saves: list[float] = []
        for i in range(args.runs * 4):
            conversation = await app.conversations.opened(summaries[len(summaries) // 2 + i].id)
            list_probe.arm()
            start = perf()
            app.conversations.save(conversation)
            await wait_until(lambda: bool(list_probe.ends), 30, "the list to repaint")
            saves.append((list_probe.ends[0] - start) * 1000)
            list_probe.disarm()
            await asyncio.sleep(0.05)
        # Each save moved a row up in place: the list must still be what the controller has.
        shown = [sidebar.model.index(row).data(ConversationIdRole) for row in range(rows)]
        rows_match = shown == [s.id for s in app.conversations.listed() or ()]

        view = app.window.chat_view
        chat_probe = PaintProbe(view.viewport() if hasattr(view, "viewport") else view)
        opens: list[float] = []
        for i in range(args.runs):
            # Far down the list, as if scrolled to and clicked.
            target = summaries[(i + 1) * len(summaries) // (args.runs + 1)].id
            run = await _open_once(app, chat_probe, target)
            opens.append(run["first_paint_ms"])
        chat_probe.remove()

        bar = sidebar.view.verticalScrollBar()
        bar.setValue(0)
        await settle(app.window, quiet=0.3, timeout=10)
        frames: list[float] = []
        stall = StallTimer()
        stall.start()
        t_scroll = perf()
        while bar.value() < bar.maximum():
            list_probe.arm()
            start = perf()
            bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
            await wait_until(lambda: bool(list_probe.ends), 30, "the list to repaint")
            frames.append((list_probe.ends[0] - start) * 1000)
            list_probe.disarm()
            await asyncio.sleep(max(0.0, 0.016 - (perf() - start)))
        t_scrolled = perf()
        stall.stop()
        list_probe.remove()
        stalls = [max(0.0, g - StallTimer.INTERVAL_MS) for g in stall.gaps_ms()]
        return {
            "sidebar_conversations": rows,
            "sidebar_load_ms": (t_loaded - t_built) * 1000,
            "sidebar_shown_ms": (t_shown - t0) * 1000,
            "sidebar_save_repaint_ms": statistics.median(saves),
            "sidebar_save_repaint_max_ms": max(saves),
            "sidebar_open_ms": statistics.median(opens),
            "sidebar_scroll_pages": len(frames),
            "sidebar_scroll_frame_p95_ms": percentile(frames, 95),
            "sidebar_scroll_frame_max_ms": max(frames, default=0.0),
            "sidebar_scroll_max_stall_ms": max(stalls, default=0.0),
            "sidebar_scroll_s": t_scrolled - t_scroll,
            "sidebar_rss_mb_inprocess": read_rss_mb(os.getpid()) or 0.0,
            "sidebar_details": {
                **info,
                "build_ms": (t_built - t0) * 1000,
                "rows_match_after_saves": rows_match,
                "saves_ms": saves,
                "opens_ms": opens,
            },
        }
    finally:
        if app is not None:
            await app.quit()


# ---- a library of 10,000 or 100,000 conversations, on its index -----------------------------


async def measure_library(args: argparse.Namespace) -> dict[str, Any]:
    """The real window on a folder of ``args.conversations`` conversations (made and cached by
    workload.library_folder, passed as --data), started as desktop/app.py starts it: the
    window painted first, then the controllers load. ``--phase warm``: with its index there,
    the list shown after the first paint, memory, paging through the list, opening
    conversations all over it. ``--phase cold``: with no index, the index built while the
    window runs (the worst stall of the event loop meanwhile, the list's first rows), then the
    index rebuilt from the files by core alone (no window)."""
    import gc

    from PySide6.QtWidgets import QApplication

    from desktop.core.index import INDEX_NAME, ConversationIndex
    from desktop.core.storage import ConversationStore

    data_dir = Path(args.data)
    cold = args.phase == "cold"

    def remove_index() -> None:
        for name in os.listdir(data_dir):
            if name.startswith(INDEX_NAME):
                os.unlink(data_dir / name)

    if cold:
        remove_index()
    elif not (data_dir / INDEX_NAME).exists():
        raise RuntimeError("a warm start needs the index: run the cold phase first")
    gc.collect()
    result: dict[str, Any] = {}
    app = App(data_dir)
    try:
        window, conversations = app.window, app.conversations
        sidebar = window.sidebar
        window_probe = PaintProbe(window)
        window_probe.arm()
        window.show()
        QApplication.processEvents()
        await wait_until(lambda: bool(window_probe.ends), 30, "the first paint")
        t_paint = window_probe.ends[0]
        window_probe.remove()
        stall = StallTimer()
        list_probe = PaintProbe(sidebar.view.viewport())
        list_probe.arm()
        count = args.conversations
        filled: list[float] = []  # when the sidebar got every row (its refresh runs first)
        conversations.conversations_reset.connect(
            lambda: filled.append(perf()) if sidebar.model.rowCount() >= count else None
        )
        statuses: list[tuple[str, bool]] = []  # what the status line said while indexing
        conversations.indexing_changed.connect(
            lambda: (
                statuses.append((sidebar.status_label.text(), sidebar.status_label.isVisible()))
                if conversations.indexing is not None
                else None
            )
        )
        t_load = perf()
        conversations.load()  # as app.py's after_first_paint
        window.start()
        result["start_ms"] = (perf() - t_load) * 1000  # the same with or without an index
        stall.start()  # from here the UI thread only takes in what the index thread found
        if cold:
            await wait_until(lambda: sidebar.model.rowCount() > 0, 600, "the first rows")
            t_first_rows = perf()
            await wait_until(lambda: conversations.indexed, 3600, "the index")
            t_indexed = perf()
            # The list's last merge may still be on its way from the list's thread (a busy
            # machine): every row, then the figures.
            await wait_until(lambda: sidebar.model.rowCount() >= count, 600, "every row")
            stall.stop()
            stalls = [max(0.0, g - StallTimer.INTERVAL_MS) for g in stall.gaps_ms()]
            result.update(
                {
                    "cold_index_build_s": t_indexed - t_load,
                    "cold_first_rows_ms": (t_first_rows - t_load) * 1000,
                    "cold_max_stall_ms": max(stalls, default=0.0),
                    "cold_stall_p99_ms": percentile(stalls, 99),
                    "cold_stalls_over_50ms": float(sum(1 for x in stalls if x > 50)),
                    "cold_status_text": statuses[0][0] if statuses else "",
                    "cold_status_shown": bool(statuses) and statuses[0][1],
                    "cold_status_updates": len(statuses),
                    "cold_rows": sidebar.model.rowCount(),
                }
            )
        else:
            await wait_until(lambda: bool(filled), 60, "the list")

            def painted_after() -> list[float]:
                return [
                    end
                    for start, end in zip(list_probe.starts, list_probe.ends, strict=False)
                    if start >= filled[0]
                ]

            await wait_until(lambda: bool(painted_after()), 30, "the list to paint")
            t_shown = painted_after()[0]
            stall.stop()
            result["warm_list_shown_ms"] = (t_shown - t_paint) * 1000
            result["warm_list_rows"] = sidebar.model.rowCount()
            result["warm_rss_mb_list_shown"] = read_rss_mb(os.getpid()) or 0.0
            await asyncio.sleep(WARM_UP_S)
            # Once what the first send needs is loaded (MainWindow._preload: after the first
            # look at the folder, which takes longer with more files).
            await wait_until(
                lambda: "httpx" in sys.modules and "desktop.core.markdown" in sys.modules,
                30,
                "the first send's imports",
            )
            await settle(window, quiet=0.3, timeout=10)
            result["warm_rss_mb_settled"] = read_rss_mb(os.getpid()) or 0.0
            list_probe.disarm()
            # Paging: a page at a time from the top, then jumps all over the list.
            bar = sidebar.view.verticalScrollBar()
            rng = random.Random(3)
            frames: list[float] = []
            for step in range(args.pages * 2):
                list_probe.arm()
                start = perf()
                if step < args.pages:
                    bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
                else:
                    bar.setValue(rng.randint(0, bar.maximum()))
                await wait_until(lambda: bool(list_probe.ends), 30, "the list to repaint")
                frames.append((list_probe.ends[0] - start) * 1000)
                list_probe.disarm()
                await asyncio.sleep(max(0.0, 0.016 - (perf() - start)))
            result["warm_scroll_frame_p95_ms"] = percentile(frames, 95)
            result["warm_scroll_frame_max_ms"] = max(frames, default=0.0)
            result["warm_scroll_pages"] = float(len(frames))
            # Opening conversations from all over the list (read in the loading thread).
            view = window.chat_view
            chat_probe = PaintProbe(view.viewport() if hasattr(view, "viewport") else view)
            summaries = conversations.summaries()
            opens: list[float] = []
            sizes: list[int] = []
            for _ in range(args.runs):
                target = summaries[rng.randrange(len(summaries))].id
                sizes.append((data_dir / "conversations" / f"{target}.json").stat().st_size)
                run = await _open_once(app, chat_probe, target)
                opens.append(run["first_paint_ms"])
            # And the longest of them, however rare.
            longest = max(
                (s.id for s in summaries[:: max(1, len(summaries) // 2000)]),
                key=lambda i: (data_dir / "conversations" / f"{i}.json").stat().st_size,
            )
            longest_runs = [
                (await _open_once(app, chat_probe, target))["first_paint_ms"]
                for target in (longest, summaries[0].id, longest)
            ]
            result["warm_open_longest_ms"] = longest_runs[0]
            result["warm_open_longest_again_ms"] = longest_runs[2]
            result["warm_open_longest_messages"] = len(conversations.get(longest).messages)
            chat_probe.remove()
            result["warm_open_ms"] = statistics.median(opens)
            result["warm_open_max_ms"] = max(opens)
            result["warm_open_runs_ms"] = opens
            result["warm_open_file_bytes"] = sizes
            loaded = sum(1 for s in summaries if conversations.is_loaded(s.id))
            result["warm_loaded_after_opens"] = float(loaded)
            # File → Usage…: the figures of every conversation, from the index.
            await settle(window, quiet=0.3, timeout=10)
            result.update(await _usage_once(window))
        list_probe.remove()
    finally:
        await app.quit()
    if cold:
        # The index alone, rebuilt from the files by core (what a damaged index costs).
        remove_index()
        index = ConversationIndex(ConversationStore(data_dir))
        t0 = perf()
        index.open()
        report = index.reconcile()
        result["rebuild_s"] = perf() - t0
        result["rebuild_files"] = float(report.done)
        index.close()
        # An index of schema version 1 (before the usage table), migrated in place: the
        # list at once, then every file read again for its usage in the background.
        from desktop.core.index import Library
        from tests.support.old_index import downgrade_to_version_1

        downgrade_to_version_1(data_dir / INDEX_NAME)
        library = Library(ConversationStore(data_dir))
        try:
            t0 = perf()
            listed = len(library.open().result().order)
            result["usage_migrated_list_ms"] = (perf() - t0) * 1000
            library.reconcile(tidy=True, remind=True).result()
            library.wait_for_usage()
            result["usage_fill_s"] = perf() - t0
            figures = library.usage().result().figures
            result["usage_fill_counted"] = float(figures.counted)
            if not figures.complete or listed != figures.conversations:
                raise RuntimeError(f"the usage pass left {figures} ({listed} listed)")
        finally:
            library.close()
    return result


async def _usage_once(window: Any) -> dict[str, float]:
    """File → Usage… as the user chooses it: from the menu action to the table painted with
    the index's final figures, and the worst stall of the event loop meanwhile."""
    stall = StallTimer()
    stall.start()
    t0 = perf()
    window.usage_action.trigger()
    dialog = window.usage_dialog
    probe = PaintProbe(dialog.table.viewport())
    probe.arm()
    final: list[float] = []  # when the table took the final figures
    dialog.model.modelReset.connect(
        lambda: final.append(perf()) if dialog.shown.figures.complete else None
    )
    try:
        await wait_until(lambda: bool(final), 120, "the usage figures")
        t_rows = final[0]

        def painted_after() -> list[float]:
            return [
                end for start, end in zip(probe.starts, probe.ends, strict=False) if start >= t_rows
            ]

        await wait_until(lambda: bool(painted_after()), 30, "the usage table to paint")
        t_painted = painted_after()[0]
        stall.stop()
    finally:
        probe.remove()
    stalls = [max(0.0, g - StallTimer.INTERVAL_MS) for g in stall.gaps_ms()]
    shown = {
        "warm_usage_shown_ms": (t_painted - t0) * 1000,
        "warm_usage_figures_ms": (t_rows - t0) * 1000,
        "warm_usage_max_stall_ms": max(stalls, default=0.0),
        "warm_usage_rows": float(dialog.model.rowCount()),
    }
    dialog.close()
    await asyncio.sleep(0.05)
    return shown


def _time_calls(obj: Any, name: str, label: str, spans: list[tuple[str, float, float]]) -> None:
    """Record (label, start, end) of every call of ``obj.name`` made through the instance."""
    original = getattr(obj, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = perf()
        try:
            return original(*args, **kwargs)
        finally:
            spans.append((label, start, perf()))

    setattr(obj, name, timed)


def _time_opening(app: App, spans: list[tuple[str, float, float]]) -> None:
    """Time what opening a conversation runs, on the UI thread and in the loading thread, to
    tell what the worst stalls of an opening were spent in (not measured against a target)."""
    import desktop.core.index as index_module
    import desktop.core.markdown as markdown

    if not getattr(index_module, "_bench_timed", False):  # the runs share a process
        index_module._bench_timed = True  # type: ignore[attr-defined]
        for module, name in ((index_module, "make_parts"), (markdown, "_lexer")):
            if hasattr(module, name):
                _time_calls(module, name, f"{name}", _MODULE_SPANS)
    store = app.conversations._store
    for name in ("load", "_parse"):
        if hasattr(store, name):
            _time_calls(store, name, f"store.{name} (loading thread)", spans)
    view = app.window.chat_view
    for name in ("show_conversation", "_backfill_step"):
        if hasattr(view, name):
            _time_calls(view, name, f"chat_view.{name}", spans)
    _time_calls(app.conversations, "_make_parts", "conversations._make_parts", spans)
    if hasattr(app.window, "update_meter"):
        _time_calls(app.window, "update_meter", "window.update_meter", spans)
    _MODULE_SPANS.clear()


_MODULE_SPANS: list[tuple[str, float, float]] = []


def _time_gc(spans: list[tuple[str, float, float]]) -> Callable[[], None]:
    """Record the garbage collector's passes as spans too (a full one walks every object of
    every conversation in memory); returns the function that stops recording."""
    import gc

    started: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(perf())
        elif started:
            spans.append((f"gc generation {info['generation']}", started.pop(), perf()))

    gc.callbacks.append(callback)
    return lambda: gc.callbacks.remove(callback)


def _explain_stall(
    a: float, b: float, t0: float, spans: list[tuple[str, float, float]]
) -> dict[str, Any]:
    """One stall (a gap between two 1 ms ticks): when, how long, and the time the timed calls
    spent inside it (the rest is elsewhere: the HTTP/SSE reading, layout, painting)."""
    inside: dict[str, float] = {}
    for label, start, end in spans:
        overlap = min(b, end) - max(a, start)
        if overlap > 0:
            inside[label] = round(inside.get(label, 0.0) + overlap * 1000, 1)
    return {"at_s": round(a - t0, 3), "ms": round((b - a) * 1000, 1), "inside_ms": inside}


def setup_application(app: Any) -> str:
    """What desktop.app.main does to the QApplication before the window (translations, style
    and theme), by whichever name the app has for it today; returns the name used."""
    import desktop.app as confab

    app.setApplicationName("Confab")
    app.setQuitOnLastWindowClosed(False)
    if hasattr(confab, "install_translators"):
        confab.install_translators(app, "en")
    try:
        from desktop.ui.theme import apply_theme
    except ImportError:
        pass
    else:
        apply_theme(app, confab.resources_dir(), False)
        return "desktop.ui.theme.apply_theme (light)"
    if hasattr(confab, "apply_style"):
        confab.apply_style(app)
        return "desktop.app.apply_style"
    print("benchmark: no style sheet applied (update setup_application)", file=sys.stderr)
    return "none"


# ---- entry point -----------------------------------------------------------------------------


def run_child(measure: Callable[[], Coroutine[Any, Any, _R]]) -> _R:
    """A benchmark child's work: Confab's QApplication (set up as the app sets it up), and
    ``measure()`` run to its end in the qasync loop."""
    from PySide6.QtWidgets import QApplication

    from desktop.app import _spare_memory

    _spare_memory()
    import qasync

    app = QApplication([sys.argv[0]])
    setup_application(app)
    result: _R = qasync.run(measure())
    del app
    return result


def write_figures(out: str | Path, figures: dict[str, Any]) -> None:
    Path(out).write_text(json.dumps(figures, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "mode",
        choices=["open", "stream", "concurrent", "compare", "sidebar", "long_save", "library"],
    )
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--profile", default="")
    parser.add_argument("--chars", type=int, default=150_000)
    parser.add_argument("--chunk-size", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.0019)
    parser.add_argument("--streams", type=int, default=1)
    parser.add_argument("--formulas", type=int, default=0)
    parser.add_argument("--switch-every", type=float, default=1.0)
    parser.add_argument("--background", type=int, default=0)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--phase", choices=["warm", "cold"], default="warm")
    parser.add_argument("--pages", type=int, default=150)
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from desktop.app import _spare_memory

    # As desktop/app.py's main does before the window's modules are imported: without it the
    # figures held ~5 MiB of source text (and httpx's command-line client) that Confab does
    # not keep.
    _spare_memory()
    import qasync

    app = QApplication([sys.argv[0]])
    style = setup_application(app)
    measure = {
        "open": measure_open,
        "stream": measure_stream,
        "concurrent": measure_concurrent,
        "compare": measure_compare,
        "sidebar": measure_sidebar,
        "long_save": measure_long_save,
        "library": measure_library,
    }[args.mode]

    async def run() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        # As desktop/app.py does: qasync runs Qt's loop, which installs no asyncgen hooks.
        firstiter = getattr(loop, "_asyncgen_firstiter_hook", None)
        finalizer = getattr(loop, "_asyncgen_finalizer_hook", None)
        if firstiter is not None and finalizer is not None:
            sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)
        return await asyncio.wait_for(measure(args), args.timeout)

    result = qasync.run(run())
    result["style"] = style
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
