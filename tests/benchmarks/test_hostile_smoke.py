"""The hostile-server benchmark runs end to end (its timing targets are not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.hostile import REQUIRED_KEYS

RUN = Path(__file__).with_name("hostile.py")


@pytest.mark.slow
def test_one_quick_run_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "hostile.json"
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--runs", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    figures = json.loads(out.read_text(encoding="utf-8"))
    for key in REQUIRED_KEYS:
        value = figures.get(key)
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert value > 0, (key, value)
    # Not timings: both replies reached the window and the file whole, both stopped replies
    # kept their text, and nothing arrived after a Stop.
    assert figures["flood_intact"] == 2
    assert figures["stop_replies_kept"] == 2
    assert figures["stop_deliveries_after_click"] == 0
