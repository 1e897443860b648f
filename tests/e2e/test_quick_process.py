"""Quick ask across processes, on a real X server (Xvfb): ``confab --quick`` hands over to the
Confab already running (or starts one with the quick window), the global shortcut pressed
with xdotool, a socket left by a crash, and the tray icon in a real tray (trayer)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_process import _env, _launch, _run, _unexpected_stderr, _wait_for_log
from tests.support.xvfb import close_window, visible_windows, xdotool

QUICK_TITLE = "Quick Ask"


def _wait(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def _quick(data: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(data, env, "--quick")


def _quit(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Fatal Python error" not in err
    return err


@pytest.fixture
def x_env(xvfb_display: str) -> dict[str, str]:
    return _env(DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb")


def test_confab_quick_opens_the_running_confabs_quick_window_and_so_does_the_shortcut(
    tmp_path: Path, xvfb_display: str, x_env: dict[str, str]
) -> None:
    data = tmp_path / "data"
    first = _launch(data, x_env)
    try:
        _wait_for_log(data, "window ready", first)
        _wait_for_log(data, "global shortcut 'Ctrl+Alt+Space': active", first)
        assert visible_windows(xvfb_display, first.pid, QUICK_TITLE) == []

        second = _quick(data, x_env)
        assert second.returncode == 0, second.stderr
        assert "opened its Quick Ask window" in second.stdout
        _wait_for_log(data, "another Confab asked for the quick-ask window", first)
        _wait(lambda: visible_windows(xvfb_display, first.pid, QUICK_TITLE), "the quick window")
        (quick,) = visible_windows(xvfb_display, first.pid, QUICK_TITLE)

        # Esc hides it; the global shortcut, pressed anywhere, brings it back.
        xdotool(xvfb_display, "windowfocus", "--sync", str(quick))
        xdotool(xvfb_display, "key", "Escape")
        _wait(lambda: not visible_windows(xvfb_display, first.pid, QUICK_TITLE), "hidden")
        xdotool(xvfb_display, "key", "ctrl+alt+space")
        _wait(lambda: visible_windows(xvfb_display, first.pid, QUICK_TITLE), "shown again")
        assert first.poll() is None
    finally:
        err = _quit(first)
    assert _unexpected_stderr(err) == []


def test_confab_quick_with_no_confab_running_starts_one_with_the_quick_window(
    tmp_path: Path, xvfb_display: str, x_env: dict[str, str]
) -> None:
    data = tmp_path / "data"
    proc = _launch(data, x_env, "--quick")
    try:
        _wait_for_log(data, "quick-ask window opened", proc)
        _wait(lambda: visible_windows(xvfb_display, proc.pid, QUICK_TITLE), "the quick window")
        # The main window waits minimised (Xvfb has no window manager to iconify it: the
        # request is what can be seen).
        mains = [
            w
            for w in visible_windows(xvfb_display, proc.pid, "Confab")
            if w not in visible_windows(xvfb_display, proc.pid, QUICK_TITLE)
        ]
        hints = [
            subprocess.run(
                ["xprop", "-id", str(w), "WM_HINTS"],
                capture_output=True,
                text=True,
                env=x_env,
                timeout=30,
            ).stdout
            for w in mains
        ]
        assert any("Iconic" in h for h in hints), hints
    finally:
        _quit(proc)


def test_a_socket_left_by_a_crash_is_cleaned_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = _env(QT_QPA_PLATFORM="offscreen")
    crashed = _launch(data, env)
    _wait_for_log(data, "window ready", crashed)
    crashed.kill()  # as a crash: nothing of Confab's runs on the way out
    crashed.communicate()
    log = data / "logs" / "confab.log"
    runs = log.read_text().count("window ready")
    again = _launch(data, env)
    try:
        _wait(lambda: log.read_text().count("window ready") > runs, "the second start")
        assert "no activation server" not in log.read_text()
        asked = _quick(data, env)
        assert asked.returncode == 0, asked.stderr
        _wait_for_log(data, "quick-ask window opened", again)
    finally:
        _quit(again)


@pytest.fixture
def tray(xvfb_display: str) -> Iterator[None]:
    if not shutil.which("trayer"):
        pytest.skip("trayer is needed for a system tray on Xvfb (apt-get install trayer)")
    panel = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right"],
        env=_env(DISPLAY=xvfb_display),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe = (
        "from PySide6.QtWidgets import QApplication, QSystemTrayIcon\n"
        "app = QApplication(['probe'])\n"
        "raise SystemExit(0 if QSystemTrayIcon.isSystemTrayAvailable() else 1)\n"
    )

    def tray_up() -> bool:
        done = subprocess.run(
            [sys.executable, "-c", probe],
            env=_env(DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb"),
            capture_output=True,
            timeout=30,
        )
        return done.returncode == 0

    try:
        _wait(tray_up, "trayer's tray")
        yield
    finally:
        panel.terminate()
        panel.wait(timeout=10)


def test_in_a_real_tray_closing_the_window_keeps_confab_running(
    tmp_path: Path, xvfb_display: str, tray: Any, x_env: dict[str, str]
) -> None:
    data = tmp_path / "data"
    proc = _launch(data, x_env)
    try:
        _wait_for_log(data, "window ready", proc)
        _wait_for_log(data, "tray icon shown", proc)
        (main,) = visible_windows(xvfb_display, proc.pid, "Confab")
        close_window(xvfb_display, main)  # the close button
        _wait_for_log(data, "window hidden to the tray", proc)
        _wait(lambda: not visible_windows(xvfb_display, proc.pid, "Confab"), "the window hidden")
        assert proc.poll() is None
        assert "quitting" not in (data / "logs" / "confab.log").read_text()
        # Started again (or Show Confab in the tray): the window is back.
        again = _run(data, x_env)
        assert again.returncode == 0, again.stderr
        _wait(lambda: visible_windows(xvfb_display, proc.pid, "Confab"), "the window back")
    finally:
        _quit(proc)
