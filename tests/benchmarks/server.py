"""The loopback OpenAI-compatible test server (tests/support/openai_server.py) in a process of
its own, so its thread does not compete with the window for the GIL while a reply streams.

    python tests/benchmarks/server.py --chars N --chunk-size N --delay S --seed N [--count N]
        [--formulas N]

Prints ``port <n>`` once listening on 127.0.0.1, answers the first chat request (the first
``count``) with a long Markdown reply (workload.long_reply with the seed; workload.math_reply
with ``--formulas``), and stops when its
stdin closes, so it never outlives the process that started it.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import workload  # noqa: E402
from tests.benchmarks.procs import serve_until_stdin_closes  # noqa: E402
from tests.support.openai_server import OpenAIServer, Reply  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, required=True)
    parser.add_argument("--chunk-size", type=int, required=True)
    parser.add_argument("--delay", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--formulas", type=int, default=0, help="a reply of N formulas instead")
    args = parser.parse_args()
    if args.formulas:
        text = workload.math_reply(random.Random(args.seed), args.formulas)
    else:
        text = workload.long_reply(random.Random(args.seed), args.chars)
    server = OpenAIServer(models=["m"])
    server.enqueue(*[Reply(text=text, chunk_size=args.chunk_size, delay=args.delay)] * args.count)
    return serve_until_stdin_closes(server)


if __name__ == "__main__":
    sys.exit(main())
