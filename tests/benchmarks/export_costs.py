"""What an export of the whole library costs: the archive (.zip) and Markdown files (a .zip of
one file per conversation) of the benchmark's libraries of 10,000 and 100,000 conversations
(workload.library_folder), each in a child process of its own: the time, conversations per
second, and the memory the export added (peak RSS less the RSS before it started), which
stays flat with the library's size because conversations stream through one at a time.

    python tests/benchmarks/export_costs.py [--sizes 10000 100000] [--formats zip md]

Prints a table; exits 1 only when an export could not be made.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import workload  # noqa: E402


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(data: str, fmt: str, out: str) -> None:
    """One export, in this process: prints its figures as JSON."""
    from desktop.core.services.exporting import Exporter

    exporter = Exporter(Path(data))
    before = _rss_mib()
    began = time.perf_counter()
    result = exporter.run(None, fmt, Path(out))
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "conversations": result.conversations,
                "messages": result.messages,
                "seconds": seconds,
                "added_mib": max(0.0, peak - before),
                "bytes": Path(out).stat().st_size,
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["zip", "md"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    rows = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="confab-export-bench-") as work:
        for size in args.sizes:
            data = workload.library_folder(size)
            for fmt in args.formats:
                out = Path(work) / f"library-{size}-{fmt}.zip"
                done = subprocess.run(
                    [sys.executable, __file__, "--child", str(data), fmt, str(out)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode:
                    print(done.stderr, file=sys.stderr)
                    failed = True
                    continue
                figures = json.loads(done.stdout.splitlines()[-1])
                rows.append((size, fmt, figures))
                out.unlink()
    print(f"{'library':>9} {'format':>6} {'seconds':>8} {'conv/s':>8} {'MiB':>8} {'added MiB':>10}")
    for size, fmt, f in rows:
        print(
            f"{size:>9,} {fmt:>6} {f['seconds']:>8.1f} {f['conversations'] / f['seconds']:>8.0f} "
            f"{f['bytes'] / 2**20:>8.1f} {f['added_mib']:>10.1f}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
