"""What images cost a conversation being opened: a conversation of 50 questions each with an
image (photos of 1600 × 1200, JPEG, each different, in the content-addressed store) and 50
replies, opened in the real window (desktop.app.build, offscreen) as a click in the list opens
it, alternating with the same conversation without its images as the reference, in the same
run. Run by run.py as a child process:

    python tests/benchmarks/attachment_costs.py --data DIR --out FILE [--images N] [--runs N]

Figures (medians of --runs runs of each; see run.py's docstring): open_50_images_ms select()
until the chat view's first paint (the open target, ≤ 300 ms), open_50_images_reference_ms the
same without images, open_50_images_thumbnails_ms until every thumbnail of the messages built
then is shown (decoded and scaled in the decoding thread; the cache emptied before each
run, as at the first open after a start), open_50_images_max_stall_ms the
worst stall of the event loop from select() until then and the backfill done (worst of the
runs), and the same stall for the reference.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import workload  # noqa: E402
from tests.benchmarks.inprocess import (  # noqa: E402
    App,
    PaintProbe,
    StallTimer,
    run_child,
    settle,
    wait_until,
    write_figures,
)

perf = time.perf_counter
IMAGES_ID = "bench-images"
PLAIN_ID = "bench-images-plain"
SMALL_ID = "bench-images-small"


_BASE: dict[tuple[int, int], Any] = {}


def photo(seed: int, width: int = 1600, height: int = 1200) -> bytes:
    """A photo-like JPEG, different for each seed: a gradient with noise (made once) under a
    tint of the seed's own."""
    import io

    from PIL import Image

    base = _BASE.get((width, height))
    if base is None:
        gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        noise = Image.effect_noise((width, height), 40).convert("RGB")
        base = _BASE[(width, height)] = Image.blend(gradient, noise, 0.35)
    tint = Image.new("RGB", (width, height), ((seed * 47) % 256, (seed * 91) % 256, 120))
    out = io.BytesIO()
    Image.blend(base, tint, 0.3).save(out, format="JPEG", quality=85)
    return out.getvalue()


def make_folder(data_dir: Path, images: int) -> dict[str, Any]:
    """The conversation with ``images`` images, its twin without them, and a small one to
    switch to in between."""
    import random
    from datetime import UTC, datetime, timedelta

    from desktop.core.attachments import AttachmentStore
    from desktop.core.fileformat import attachment_to_dict

    workload.write_settings(
        data_dir, [workload.provider("http://127.0.0.1:9/v1", models=["m"])], auto_title=False
    )
    store = AttachmentStore(data_dir)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rng = random.Random(14)
    with_images = workload.conversation(IMAGES_ID, "Fifty photos", 2 * images, rng, start=start)
    rng = random.Random(14)
    plain = workload.conversation(PLAIN_ID, "Fifty questions", 2 * images, rng, start=start)
    stored = 0
    for number, message in enumerate(with_images["messages"][::2]):
        attachment = store.add_bytes(photo(number), f"photo-{number:02d}.jpg")
        message["attachments"] = [attachment_to_dict(attachment)]
        stored += attachment.size
    workload.write_conversation(data_dir, with_images)
    workload.write_conversation(data_dir, plain)
    small = workload.conversation(
        SMALL_ID, "A short one", 4, random.Random(3), start=start + timedelta(days=1)
    )
    workload.write_conversation(data_dir, small)
    return {"images": images, "messages": 2 * images, "stored_bytes": stored}


def thumbnails(app: App) -> list[Any]:
    view = app.window.chat_view
    return [
        thumb
        for widget in view.message_widgets()
        if widget.attachments is not None
        for thumb in widget.attachments.images
    ]


async def open_once(app: App, probe: PaintProbe, conversation_id: str) -> dict[str, float]:
    stalls = StallTimer()
    probe.arm()
    stalls.start()
    t0 = perf()
    app.conversations.select(conversation_id)
    await wait_until(lambda: bool(probe.ends), 60, "the chat view to paint")
    first = probe.ends[0]
    view = app.window.chat_view
    await wait_until(
        lambda: not view.building and all(t.shown or t.missing for t in thumbnails(app)),
        60,
        "the thumbnails",
    )
    shown = perf()
    await asyncio.sleep(0.2)
    stalls.stop()
    probe.disarm()
    return {
        "first_paint_ms": (first - t0) * 1000,
        "thumbnails_ms": (shown - t0) * 1000,
        "max_stall_ms": max((g - StallTimer.INTERVAL_MS for g in stalls.gaps_ms()), default=0.0),
        "thumbnails": float(len(thumbnails(app))),
    }


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(args.data)
    made = perf()
    info = make_folder(data_dir, args.images)
    made_s = perf() - made
    app = App(data_dir)
    runs: list[dict[str, float]] = []
    references: list[dict[str, float]] = []
    try:
        await app.start()
        probe = PaintProbe(app.window.chat_view.viewport())
        for _ in range(args.runs):
            for target, into in ((IMAGES_ID, runs), (PLAIN_ID, references)):
                app.conversations.select(SMALL_ID)
                await settle(app.window, quiet=0.25, timeout=10)
                # Each open decodes its thumbnails, as the first open after a start does.
                app.parts.attachments.forget_thumbnails()
                into.append(await open_once(app, probe, target))
        probe.remove()
    finally:
        await app.quit()

    def median(values: list[dict[str, float]], key: str) -> float:
        return float(statistics.median(run[key] for run in values))

    return {
        "open_50_images_ms": median(runs, "first_paint_ms"),
        "open_50_images_reference_ms": median(references, "first_paint_ms"),
        "open_50_images_thumbnails_ms": median(runs, "thumbnails_ms"),
        "open_50_images_max_stall_ms": max(run["max_stall_ms"] for run in runs),
        "open_50_images_reference_max_stall_ms": max(run["max_stall_ms"] for run in references),
        "open_50_images_runs": {
            "runs": args.runs,
            "workload": {**info, "made_s": made_s},
            "images": runs,
            "reference": references,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    write_figures(args.out, run_child(lambda: measure(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
