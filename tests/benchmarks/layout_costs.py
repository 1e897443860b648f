"""What hostile Markdown costs the window: each payload is rendered into the real message
widget (parse, then Qt's layout at a fixed width, then a paint), next to an ordinary reply
measured in the same run. Medians of --runs runs.

Before the bounds in core/markdown.py ("what Qt's layout can afford") these took, here:
12 nested quotes 1.1 s (20: hours), a 5,000-column table 8 s, a 50,000-row table 150 s,
a 5 MB paragraph 12 s.

    python tests/benchmarks/layout_costs.py [--runs N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PAYLOADS = {
    "quotes_20": ">" * 20 + " deep",
    "quotes_150": ">" * 150 + " deeper",
    "emphasis_200": "*" * 200 + "a" + "*" * 200,
    "lists_31_deep_300_lines": ("- " * 31 + "x\n") * 300,
    "quotes_600": ">" * 600 + " deepest",
    "table_5000_columns": "|" + "a|" * 5000 + "\n|" + "-|" * 5000 + "\n|" + "1|" * 5000,
    "table_50000_rows": "|a|b|\n|-|-|\n" + "|1|2|\n" * 50_000,
    "paragraph_5mb": "word " * 1_000_000,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    import random

    from desktop.ui.message_view import MarkdownView
    from tests.benchmarks import workload

    reference = "\n\n".join(workload.assistant_reply(random.Random(i)) for i in range(8))

    def once(text: str) -> float:
        view = MarkdownView(False)
        view.resize(800, 600)
        start = time.perf_counter()
        view.set_markdown(text)
        view.show()
        view.adjustSize()
        view.repaint()
        app.processEvents()
        elapsed = (time.perf_counter() - start) * 1000
        view.deleteLater()
        app.processEvents()
        return elapsed

    once(reference)  # imports, fonts
    figures: dict[str, float] = {
        "layout_reference_ms": statistics.median(once(reference) for _ in range(args.runs))
    }
    for name, text in PAYLOADS.items():
        figures[f"layout_{name}_ms"] = statistics.median(once(text) for _ in range(args.runs))
    print(
        f"hostile Markdown into the real widget, median of {args.runs} runs "
        f"(ordinary {len(reference):,}-character reply: {figures['layout_reference_ms']:.0f} ms)"
    )
    for name in PAYLOADS:
        value = figures[f"layout_{name}_ms"]
        ratio = value / max(figures["layout_reference_ms"], 0.001)
        print(f"  {name:<22} {value:8.0f} ms  ({ratio:.1f}× the ordinary reply)")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
