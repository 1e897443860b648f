"""A private X server (Xvfb) for tests that need a real platform: xcb, not offscreen (the
clean-quit test types on it; the AT-SPI tests need xcb, whose accessibility bridge offscreen
has not)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def xvfb(*tools: str) -> Iterator[str]:
    """An Xvfb display (":123"), stopped afterwards. Skips when Xvfb, or one of ``tools`` the
    test needs with it, is not installed."""
    missing = [name for name in ("Xvfb", *tools) if not shutil.which(name)]
    if missing:
        pytest.skip(f"{', '.join(missing)} needed (apt-get install xvfb {' '.join(tools)})")
    for number in range(120, 160):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            break
    display = f":{number}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            pytest.fail("Xvfb did not start")
        time.sleep(0.05)  # (polling for the socket: Xvfb says nothing when it is ready)
    try:
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)
