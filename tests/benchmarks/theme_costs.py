"""What a theme switched live costs the window (Preferences → Theme): the real window on the
benchmark's 2,000-message conversation, opened (its newest messages built) and scrolled up
until 110 are built. Figures, medians of --runs switches (light → dark and back):

    style_ms          the application's style sheet and palette alone (theme.apply_theme), the
                      part every Qt application pays; the reference
    switch_ms         the whole switch as the user's click pays it before the next paint: the
                      style, then the messages in view drawn again in the new colours
    step_max_ms       the longest turn of the loop after it (the other messages built, drawn
                      again a slice at a time: chat_view.RETHEME_BUDGET_MS)
    all_done_ms       until every message built is in the new colours

    python tests/benchmarks/theme_costs.py [--runs N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    results: dict[str, Any] = {}

    async def run() -> None:
        from desktop.app import build, resources_dir, switch_theme
        from desktop.ui.theme import apply_theme
        from tests.benchmarks import workload

        data_dir = Path(tempfile.mkdtemp(prefix="confab-theme-"))
        workload.open_folder(data_dir)
        apply_theme(app, resources_dir(), False)
        parts = build(data_dir)
        window = parts.window
        window.resize(1100, 760)
        parts.conversations.load()
        parts.conversations.wait_for_index()
        window.show()
        window.start()

        async def until(done: Any, limit_s: float = 120.0) -> None:
            deadline = time.perf_counter() + limit_s
            while not done():
                if time.perf_counter() > deadline:
                    raise TimeoutError
                await asyncio.sleep(0.01)

        parts.conversations.select(workload.BIG_ID)
        await until(
            lambda: (
                parts.conversations.current is not None
                and parts.conversations.current.id == workload.BIG_ID
            )
        )
        view = window.chat_view
        await until(lambda: not view.building)

        async def measure(label: str) -> None:
            style, switch, step_max, done = [], [], [], []
            built = len(view.message_widgets())
            dark = False
            for _ in range(args.runs * 2):
                dark = not dark
                start = time.perf_counter()
                switch_theme(dark)
                style.append((time.perf_counter() - start) * 1000)
                switch_theme(not dark)  # back: the window's own switch pays the style too
                start = time.perf_counter()
                window.set_dark(dark)
                switch.append((time.perf_counter() - start) * 1000)
                longest = 0.0
                while view.restyling:
                    turn = time.perf_counter()
                    await asyncio.sleep(0)  # a turn of the loop: a slice drawn again
                    longest = max(longest, (time.perf_counter() - turn) * 1000)
                step_max.append(longest)
                done.append((time.perf_counter() - start) * 1000)
            results[label] = {
                "built": built,
                "style_ms": round(statistics.median(style), 1),
                "switch_ms": round(statistics.median(switch), 1),
                "step_max_ms": round(statistics.median(step_max), 1),
                "all_done_ms": round(statistics.median(done), 1),
            }
            print(label, json.dumps(results[label]), flush=True)

        await measure("opened")
        while len(view.message_widgets()) < 110 and view.hidden_earlier:
            view.load_earlier()
            await until(lambda: not view.building)
        view.scroll_to_bottom()
        await asyncio.sleep(0.1)
        await measure("110_built")
        await parts.shutdown()
        window.allow_close()
        window.close()

    qasync.run(run())
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
