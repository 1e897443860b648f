"""What counting tokens costs (the composer's meter counts every message of the thread):
texts byte-pair encoding is quadratic on (runs without spaces: letters, CJK without
punctuation, emoji), each next to ordinary prose of the same length measured in the same run.
Medians of --runs runs, each on a fresh cache.

    python tests/benchmarks/token_costs.py [--runs N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop.core import tokens  # noqa: E402

CASES = {
    "letters_20000": "a" * 20_000,
    "emoji_8000": "😀" * 8_000,
    "cjk_no_punctuation_36000": "北国风光千里冰封万里雪飘" * 3_000,
    "base64_400000": "QUJD" * 100_000,
    "huge_prose_2mb": "word " * 400_000,
}


def prose(length: int) -> str:
    text = "the quick brown fox jumps over the lazy dog "
    return (text * (length // len(text) + 1))[:length]


def timed(text: str) -> float:
    tokens._COUNTS.clear()
    start = time.perf_counter()
    tokens.TokenCounter("gpt-4o").count(text)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    timed("warm up: loads the tables")
    figures: dict[str, float] = {}
    for name, text in CASES.items():
        figures[f"tokens_{name}_ms"] = statistics.median(timed(text) for _ in range(args.runs))
        figures[f"tokens_{name}_prose_ms"] = statistics.median(
            timed(prose(len(text))) for _ in range(args.runs)
        )
    print(f"token counting, median of {args.runs} runs (ms; prose of the same length beside)")
    for name in CASES:
        print(
            f"  {name:<28} {figures[f'tokens_{name}_ms']:8.1f}"
            f"   prose {figures[f'tokens_{name}_prose_ms']:8.1f}"
        )
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
