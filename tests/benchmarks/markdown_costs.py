"""What Markdown costs the window: huge lines rendered at once, and the worst flush while a
reply that markdown-it alone takes about a second to parse ("[x" * 50_000) streams into the real
message widget. Each figure is the median of --runs runs, next to a reference measured in the
same run (ordinary text of the same size), so a slow machine shows as a slow reference, not as a
regression. Run by run.py as a child process:

    python tests/benchmarks/markdown_costs.py --out FILE [--runs N]

Writes its figures as JSON to FILE (see run.py's docstring for what each means).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["CONFAB_LANG"] = "en"

from tests.benchmarks import workload  # noqa: E402

perf = time.perf_counter

SLOW = "[x" * 50_000
# The unit test's huge lines (tests/core/test_markdown.py::test_a_huge_line_renders_whole).
HUGE = {
    "word": "x" * 100_000,
    "inline_code": "`" + "x" * 100_000 + "`",
    "code_block": "```python\n" + "x" * 100_000 + "\n```",
    "url": "https://" + "x" * 100_000,
    "brackets": SLOW,
}
# ~500 deltas of 40 characters a second (the stream benchmark's pace), flushed every 33 ms.
FLUSH_STEP = 660


def median_ms(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = perf()
        work()
        times.append((perf() - started) * 1000)
    return statistics.median(times)


def huge_lines(runs: int) -> dict[str, float]:
    from desktop.core import markdown

    figures = {
        f"markdown_huge_{name}_ms": median_ms(runs, lambda t=text: markdown.render_markdown(t))
        for name, text in HUGE.items()
    }
    # What "[x" * 50_000 would cost without the budget: markdown-it's own parse.
    figures["markdown_unbudgeted_brackets_parse_ms"] = median_ms(
        max(1, runs // 3), lambda: markdown._PARSER.parse(SLOW, {})
    )
    figures["markdown_huge_brackets_vs_word"] = (
        figures["markdown_huge_brackets_ms"] / figures["markdown_huge_word_ms"]
    )
    return figures


def stream_once(app: Any, text: str) -> dict[str, float]:
    """Stream ``text`` into a fresh reply widget as ChatView.flush does; the worst flush (the
    set_text call), the worst flush with the layout and paint after it, the final render."""
    from PySide6.QtWidgets import QScrollArea

    from desktop.core.models import Message
    from desktop.ui.message_view import MessageWidget

    reply = Message(id="r", parent=None, role="assistant", content="", created_at=datetime.now(UTC))
    widget = MessageWidget(reply, "Model")
    area = QScrollArea()  # as in the chat view: a column of fixed width, growing downwards
    area.setWidgetResizable(True)
    area.setWidget(widget)
    area.resize(760, 600)
    area.show()
    app.processEvents()
    flushes: list[float] = []
    painted: list[float] = []
    for end in range(FLUSH_STEP, len(text) + FLUSH_STEP, FLUSH_STEP):
        started = perf()
        widget.set_text(text[:end], streaming=True)
        flushed = perf()
        app.processEvents()
        flushes.append((flushed - started) * 1000)
        painted.append((perf() - started) * 1000)
    started = perf()
    widget.set_text(text)  # finished: ChatView.refresh_message
    app.processEvents()
    final = (perf() - started) * 1000
    area.close()
    area.deleteLater()
    app.processEvents()
    return {
        "flush_max": max(flushes),
        "paint_max": max(painted),
        "paint_total": sum(painted),
        "final": final,
    }


def slow_stream(app: Any, runs: int) -> dict[str, float]:
    ordinary = workload.long_reply(random.Random(3), len(SLOW))
    stream_once(app, ordinary[:20_000])  # warm-up: imports, fonts, the first layouts
    slow: list[dict[str, float]] = []
    reference: list[dict[str, float]] = []
    for _ in range(runs):  # alternate, so that a slow spell weighs on both alike
        slow.append(stream_once(app, SLOW))
        reference.append(stream_once(app, ordinary))

    def med(results: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in results)

    figures = {
        "slow_stream_flush_max_ms": med(slow, "flush_max"),
        "slow_stream_paint_max_ms": med(slow, "paint_max"),
        "slow_stream_paint_total_ms": med(slow, "paint_total"),
        "slow_stream_final_ms": med(slow, "final"),
        "slow_stream_reference_flush_max_ms": med(reference, "flush_max"),
        "slow_stream_reference_paint_max_ms": med(reference, "paint_max"),
        "slow_stream_reference_paint_total_ms": med(reference, "paint_total"),
        "slow_stream_reference_final_ms": med(reference, "final"),
    }
    figures["slow_stream_flush_vs_reference"] = (
        figures["slow_stream_flush_max_ms"] / figures["slow_stream_reference_flush_max_ms"]
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    figures: dict[str, Any] = {**huge_lines(args.runs), **slow_stream(app, args.runs)}
    figures["markdown_runs"] = args.runs
    Path(args.out).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
