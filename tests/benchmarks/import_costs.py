"""What importing a big ChatGPT export costs: the export's .zip (tests/support/exports.py's
generator: N conversations of ~M messages, every tenth reply regenerated) imported into an
empty data folder in the real window (desktop.app.build, offscreen), as File → Import… starts
it, and by ``confab import`` in a process of its own. Run by run.py as a child process:

    python tests/benchmarks/import_costs.py --out FILE --work DIR [--conversations N]
                                            [--messages M] [--runs N]

Figures (medians of --runs runs, each into a new data folder; see run.py's docstring):
import_window_s from the start of the import until its report is shown and every imported
conversation is in the list; import_report_s until the report alone; import_max_stall_ms the
worst stall of the event loop meanwhile (a 1 ms timer's longest gap, minus the 1 ms; worst of
the runs), import_stalls_over_50ms how many (the most of any run), and as the reference
import_reference_max_stall_ms the worst stall of the same window idle for 3 s before it;
import_cli_s the command's wall time, from its start to its exit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.inprocess import (  # noqa: E402
    App,
    StallTimer,
    _explain_stall,
    _time_calls,
    _time_gc,
    percentile,
    run_child,
    wait_until,
    write_figures,
)
from tests.support.exports import generate_chatgpt, write_chatgpt_zip  # noqa: E402

perf = time.perf_counter
# How long the idle window's stalls are measured before each import, as the reference.
REFERENCE_S = 3.0


def make_export(work: Path, conversations: int, messages: int) -> tuple[Path, int]:
    """The export's .zip (made once per size, kept in ``work``) and its message count."""
    path = work / f"chatgpt-{conversations}x{messages}.zip"
    counted = path.with_suffix(".count")
    if not path.exists() or not counted.exists():
        items = list(generate_chatgpt(conversations, messages))
        total = sum(
            sum(1 for node in c["mapping"].values() if node["message"] is not None and
                node["message"]["author"]["role"] != "system")
            for c in items
        )  # fmt: skip
        write_chatgpt_zip(path, items)
        counted.write_text(str(total), encoding="utf-8")
    return path, int(counted.read_text(encoding="utf-8"))


async def window_run(export: Path, data_dir: Path, conversations: int) -> dict[str, Any]:
    app = App(data_dir)
    try:
        await app.start()
        flow = app.window.import_flow
        listed = app.conversations.is_listed
        # What the UI thread does meanwhile, to tell what the worst stalls were spent in.
        spans: list[tuple[str, float, float]] = []
        c = app.conversations
        for name in ("_take_reports", "_take_merged", "_take_ended_writes", "_take_checks"):
            _time_calls(c, name, f"conversations.{name}", spans)
        _time_calls(app.window, "_refresh_sidebar", "window._refresh_sidebar", spans)
        # (Before the controller is made: it connects to the flow's slot then.)
        _time_calls(flow, "_on_import_finished", "the report dialog made", spans)
        _time_calls(flow.controller, "_on_poll_timeout", "import._on_poll_timeout", spans)
        _time_calls(flow, "start", "the progress dialog made", spans)
        _time_calls(app.window.sidebar, "set_conversations", "sidebar.set_conversations", spans)
        stop_gc = _time_gc(spans)
        stalls = StallTimer()
        # The reference, in the same run: the same window idle for a few seconds (a busy
        # machine shows in both).
        stalls.start()
        await asyncio.sleep(REFERENCE_S)
        stalls.stop()
        idle = [max(0.0, g - StallTimer.INTERVAL_MS) for g in stalls.gaps_ms()]
        stalls.start()
        began = perf()
        assert flow.start([export])
        await wait_until(lambda: flow.report_dialog is not None, 600, "the import's report")
        reported = perf() - began
        report = flow.report_dialog.report
        ids = list(report.written)
        await wait_until(lambda: all(listed(i) for i in ids), 600, "the list")
        done = perf() - began
        stalls.stop()
        stop_gc()
        gaps = [max(0.0, g - StallTimer.INTERVAL_MS) for g in stalls.gaps_ms()]
        ticks = stalls.ticks
        worst = sorted(range(len(gaps)), key=lambda i: -gaps[i])[:3]
        return {
            "window_s": round(done, 2),
            "report_s": round(reported, 2),
            "max_stall_ms": round(max(gaps, default=0.0), 1),
            "stall_p99_ms": round(percentile(gaps, 99), 1),
            "stalls_over_50ms": sum(1 for g in gaps if g > 50),
            "reference_max_stall_ms": round(max(idle, default=0.0), 1),
            "new": report.new,
            "messages": report.messages,
            "skipped": len(report.skipped),
            "listed": sum(1 for i in ids if listed(i)),
            "expected": conversations,
            "worst_stalls": [_explain_stall(ticks[i], ticks[i + 1], began, spans) for i in worst],
        }
    finally:
        await app.quit()


def cli_run(export: Path, data_dir: Path) -> dict[str, Any]:
    began = perf()
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data_dir), "import", str(export)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
        check=False,
    )
    elapsed = perf() - began
    if done.returncode != 0:
        raise RuntimeError(f"confab import exited with {done.returncode}: {done.stderr[-2000:]}")
    return {"cli_s": round(elapsed, 2), "summary": done.stdout.splitlines()[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    made = perf()
    export, messages = make_export(work, args.conversations, args.messages)
    made_s = perf() - made

    async def runs() -> list[dict[str, Any]]:
        done = []
        for number in range(args.runs):
            data_dir = work / f"import-window-{number}"
            done.append(await window_run(export, data_dir, args.conversations))
        return done

    window = run_child(runs)
    cli = [cli_run(export, work / f"import-cli-{number}") for number in range(args.runs)]

    def median(key: str) -> float:
        return float(statistics.median(run[key] for run in window))

    result = {
        "import_conversations": args.conversations,
        "import_messages": messages,
        "import_export_mb": round(export.stat().st_size / 2**20, 1),
        "import_window_s": median("window_s"),
        "import_report_s": median("report_s"),
        "import_max_stall_ms": max(run["max_stall_ms"] for run in window),
        "import_stall_p99_ms": median("stall_p99_ms"),
        "import_stalls_over_50ms": max(run["stalls_over_50ms"] for run in window),
        "import_reference_max_stall_ms": max(run["reference_max_stall_ms"] for run in window),
        "import_cli_s": float(statistics.median(run["cli_s"] for run in cli)),
        "import_runs": {"window": window, "cli": cli, "export_made_s": round(made_s, 1)},
    }
    write_figures(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
