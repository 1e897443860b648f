"""A private X server for a test (pytest plugin, registered in tests/conftest.py).

``xvfb_display``: the display name (":123") of an Xvfb of its own, stopped after the test;
skips with the Debian packages to install when Xvfb or xdotool is missing. ``xdotool(display,
*args)`` runs xdotool there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        pytest.skip("Xvfb and xdotool are needed (apt-get install xvfb xdotool)")
    for number in range(120, 200):
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
        time.sleep(0.05)
    try:
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)


def xdotool(display: str, *args: str) -> str:
    env = {**os.environ, "DISPLAY": display}
    done = subprocess.run(
        ["xdotool", *args], check=True, timeout=30, env=env, capture_output=True, text=True
    )
    return done.stdout


def close_window(display: str, window_id: int) -> None:
    """What a window manager does on a click on the window's close button: WM_DELETE_WINDOW
    (Xvfb has no window manager)."""
    from Xlib import X
    from Xlib import display as xdisplay
    from Xlib.protocol import event

    connection = xdisplay.Display(display)
    try:
        window = connection.create_resource_object("window", window_id)
        protocols = connection.intern_atom("WM_PROTOCOLS")
        delete = connection.intern_atom("WM_DELETE_WINDOW")
        message = event.ClientMessage(
            window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
        )
        window.send_event(message, event_mask=X.NoEventMask)
        connection.sync()
    finally:
        connection.close()


def visible_windows(display: str, pid: int, name: str = "") -> list[int]:
    """The mapped windows of process ``pid`` (whose title matches ``name``), by id."""
    args = ["search", "--all", "--onlyvisible", "--pid", str(pid)]
    if name:
        args += ["--name", name]
    env = {**os.environ, "DISPLAY": display}
    done = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=30)
    return [int(w) for w in done.stdout.split()]
