"""Waiting for Confab, run as a process, to write a line to its log."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any


def wait_for_log(
    data_dir: Path, needle: str, proc: subprocess.Popen[Any], timeout: float = 30.0
) -> None:
    """Until ``needle`` is in the log of the Confab on ``data_dir`` (it logs "window ready"
    once it has painted); fails if the process ends first or ``timeout`` passes. (A file:
    polled.)"""
    log = data_dir / "logs" / "confab.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and needle in log.read_text(encoding="utf-8", errors="replace"):
            return
        if proc.poll() is not None:
            raise AssertionError(f"Confab exited early: {proc.communicate()}")
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"{needle!r} never appeared in the log: {proc.communicate()}")
